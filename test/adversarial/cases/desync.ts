// The 2025 desync classes (PortSwigger, "HTTP/1.1 must die"; issue 12): 0.CL early-response
// gadgets — every route of the demo that answers without reading the body (a static file, 404,
// a redirect, HEAD, OPTIONS *, an error status, 426, the server's own 413) — with the body sent
// at once, after a delay, and never (a front-end that pools the connection and sends the next
// client's request instead, as ATS 9.2 did). Under the suite's smuggling invariant: the request
// carried as (or instead of) the body never runs. Plus obfuscated Expect values.
import { NEXT, SMUGGLED, msg, post, rejected, type AdversarialCase, type Expectation } from './support.js';

interface Gadget {
  name: string;
  /** Request line and fields (Host included); Content-Length is added. */
  line: string;
  fields: string[];
  status: number;
  method?: string;
  options?: AdversarialCase['options'];
  /** Answered by the server before the handler (413): no handler call. */
  rejectedByServer?: boolean;
}

const GADGETS: Gadget[] = [
  { name: 'static file', line: 'GET /static/index.html HTTP/1.1', fields: ['Host: a'], status: 200 },
  { name: '404', line: 'POST /nope HTTP/1.1', fields: ['Host: a'], status: 404 },
  { name: 'redirect', line: 'GET /static HTTP/1.1', fields: ['Host: a'], status: 301 },
  { name: 'HEAD', line: 'HEAD / HTTP/1.1', fields: ['Host: a'], status: 200, method: 'HEAD' },
  { name: 'OPTIONS *', line: 'OPTIONS * HTTP/1.1', fields: ['Host: a'], status: 404 },
  { name: 'an error status (400)', line: 'GET /stream?n=x HTTP/1.1', fields: ['Host: a'], status: 400 },
  { name: '426 Upgrade Required', line: 'GET /ws HTTP/1.1', fields: ['Host: a'], status: 426 },
  { name: 'body too large (413)', line: 'POST /upload HTTP/1.1', fields: ['Host: a'], status: 413, options: { maxRequestBodyBytes: 16 }, rejectedByServer: true },
];

const SOURCE = 'PortSwigger 2025 "HTTP/1.1 must die" (0.CL early-response gadgets), RFC 9112 §6.3, §9.6';
const target = (g: Gadget): string => g.line.split(' ')[1] as string;

function atOnce(g: Gadget): AdversarialCase {
  const head = msg(g.line, [...g.fields, `Content-Length: ${SMUGGLED.length}`]);
  const expect: Expectation = g.rejectedByServer
    ? rejected(g.status)
    : { statuses: [g.status, 404], closes: false, handlerCalls: 2, targets: [target(g), '/next'], methods: [g.method ?? 'GET', 'GET'] };
  return {
    name: `0.CL gadget ${g.name}: body sent at once is drained exactly, the next request is served`,
    category: 'desync', feed: 'whole', app: 'demo', smuggle: true, options: g.options,
    bytes: head + SMUGGLED + NEXT, expect, source: SOURCE,
    wholeOnly: 'split, the body arrives after the answer: that is the delayed row',
  };
}

function delayed(g: Gadget): AdversarialCase {
  return {
    name: `0.CL gadget ${g.name}: body sent after the answer: Connection: close, the body is never parsed`,
    category: 'desync', feed: 'whole', app: 'demo', smuggle: true, options: g.options,
    bytes: msg(g.line, [...g.fields, `Content-Length: ${SMUGGLED.length}`]),
    then: { afterMs: 400, bytes: SMUGGLED + NEXT },
    expect: { statuses: [g.status], closes: true, handlerCalls: g.rejectedByServer ? 0 : 1, targets: g.rejectedByServer ? [] : [target(g)], methods: [g.method ?? 'GET'] },
    source: SOURCE, note: 'brisk answers before the body arrived: it closes rather than drain a body a front-end may never send.',
  };
}

function never(g: Gadget): AdversarialCase {
  return {
    name: `0.CL gadget ${g.name}: body never sent, the next client's request comes instead: it never runs`,
    category: 'desync', feed: 'whole', app: 'demo', smuggle: true, options: g.options,
    bytes: msg(g.line, [...g.fields, `Content-Length: ${SMUGGLED.length + 10}`]),
    then: { afterMs: 200, bytes: SMUGGLED },
    expect: { statuses: [g.status], closes: true, handlerCalls: g.rejectedByServer ? 0 : 1, targets: g.rejectedByServer ? [] : [target(g)], methods: [g.method ?? 'GET'] },
    source: SOURCE, note: 'Apache Traffic Server 9.2 pooled such a connection without the body; brisk closes it.',
  };
}

export const DESYNC: AdversarialCase[] = [
  ...GADGETS.flatMap((g) => [atOnce(g), delayed(g), never(g)]),
  {
    name: 'Expect: 100-continue answered early (404) with the body never sent: no 100, close, the next request never runs',
    category: 'desync', feed: 'whole', app: 'demo', smuggle: true,
    bytes: msg('POST /nope HTTP/1.1', ['Host: a', 'Expect: 100-continue', `Content-Length: ${SMUGGLED.length}`]),
    then: { afterMs: 200, bytes: SMUGGLED },
    expect: { statuses: [404], closes: true, handlerCalls: 1, targets: ['/nope'], interim: [] },
    source: 'PortSwigger 2025 (Expect-based desync), RFC 9110 §10.1.1',
  },
];

/** Obfuscated Expect values: only the exact `100-continue` (case-insensitive) is honoured; anything else is 417. */
const OBFUSCATED_EXPECT: readonly (readonly [string, string[]])[] = [
  ['a list: 100-continue, x', ['Expect: 100-continue, x']],
  ['a suffix: 100-continuex', ['Expect: 100-continuex']],
  ['a parameter: 100-continue;a=b', ['Expect: 100-continue;a=b']],
  ['a space: 100 continue', ['Expect: 100 continue']],
  ['empty', ['Expect:']],
  ['two fields, 100-continue and x', ['Expect: 100-continue', 'Expect: x']],
  ['a leading 100-continue glued to a token', ['Expect: x100-continue']],
];

export const EXPECT_OBFUSCATED: AdversarialCase[] = OBFUSCATED_EXPECT.map(([name, fields]) => ({
  name: `obfuscated Expect (${name}): 417, the handler never runs`,
  category: 'expect', feed: 'whole', smuggle: true,
  bytes: post([...fields, `Content-Length: ${SMUGGLED.length}`], SMUGGLED),
  expect: rejected(417), source: 'PortSwigger 2025 (Expect-based desync), RFC 9110 §10.1.1',
}));
