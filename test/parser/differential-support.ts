// Inputs and comparison for the differential test (differential.test.ts): generators of edge-case
// requests built from fragments (framing fields, request lines, chunk lines), and the function
// that finds the first point where brisk's parser and Node's llhttp part ways.
import fc from 'fast-check';
import { setRerun, type Disagreement, type Side } from './differential-deviations.js';
import { runNative, type NativeMessage, type NativeRun } from '../helpers/node-llhttp.js';
import { pairs, runParser, type ParsedMessage, type ParseRun } from '../helpers/parser-harness.js';
import { hostValue, mutate, mutationArb, pipelineArb, serializeAll } from '../helpers/request-gen.js';

// ---- edge-case fragments ---------------------------------------------------------------------

const REQUEST_LINES = [
  'GET / HTTP/1.1', 'GET / HTTP/1.0', 'POST /upload HTTP/1.1', 'PUT /a?b=c HTTP/1.1', 'OPTIONS * HTTP/1.1',
  'GET * HTTP/1.1', 'CONNECT example.com:443 HTTP/1.1', 'CONNECT /x HTTP/1.1', 'CONNECT example.com HTTP/1.1',
  'GET http://example.com/x HTTP/1.1', 'GET https://example.com HTTP/1.1', 'GET ftp://example.com/ HTTP/1.1',
  'GET example.com:80 HTTP/1.1', 'GET /a#b HTTP/1.1', 'get / HTTP/1.1', 'GET / HTTP/1.2', 'GET / HTTP/2.0',
  'GET / HTTP/0.9', 'GET /  HTTP/1.1', 'GET / HTTP/1.1 ', 'GET /\x7f HTTP/1.1', 'GET /\x80 HTTP/1.1',
  'FOO / HTTP/1.1', 'M-SEARCH * HTTP/1.1', 'PRI * HTTP/2.0', 'GET /?a=b|c"d{e} HTTP/1.1', 'GET / HTTP/11.1',
  'GET / http/1.1', 'GET\t/ HTTP/1.1', ' GET / HTTP/1.1', 'GET / HTTP/1.1\t', 'LABEL / HTTP/1.1',
  'MKCALENDAR /cal HTTP/1.1', 'PURGE /x HTTP/1.1', 'QUERY /q HTTP/1.1', 'HEAD / HTTP/1.1', 'DELETE /x HTTP/1.0',
  'GET /\x00 HTTP/1.1', 'GET /%zz HTTP/1.1', 'GET //a//b HTTP/1.1', 'OPTIONS http://a/ HTTP/1.1',
];

const FIELD_LINES = [
  'Host: example.com', 'Host: example.com', 'Host: example.com', 'Host:', 'Host: a b', 'Host: a/b',
  'Host: [::1]:8080', 'Host: a@b', 'Host: xn--d1acufc.xn--p1ai', 'HOST: a',
  'Content-Length: 3', 'Content-Length: 0', 'Content-Length: 03', 'Content-Length: 3, 3', 'Content-Length: 3,4',
  'Content-Length: +3', 'Content-Length: -1', 'Content-Length: 3 ', 'Content-Length:\t3\t', 'Content-Length: 0x3',
  'Content-Length: 99999999999999999999', 'Content-Length: 9007199254740993', 'Content-Length:', 'Content-Length : 3',
  'content-length: 5',
  'Transfer-Encoding: chunked', 'Transfer-Encoding: Chunked', 'Transfer-Encoding: chunked, chunked',
  'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked, gzip', 'Transfer-Encoding: identity',
  'Transfer-Encoding: chunked;q=1', 'Transfer-Encoding:  chunked ', 'Transfer-Encoding: ,chunked',
  'Transfer-Encoding: chunked,', 'Transfer-Encoding:', 'Transfer-Encoding: xchunked', 'Transfer-Encoding: gzip',
  'Connection: close', 'Connection: keep-alive', 'Connection: upgrade', 'Connection: Upgrade, keep-alive',
  'Connection: close, upgrade', 'Connection: keep-alive, close', 'Connection: closed', 'Connection: close\t',
  'Connection: ,close', 'Connection: CLOSE', 'Connection: Keep-Alive',
  'Upgrade: websocket', 'Upgrade:', 'Upgrade: h2c',
  'Expect: 100-continue', 'Expect: 100-Continue', 'Expect: foo',
  'Accept: */*', 'X-Empty:', 'X-Spaces:    ', 'X: a\x00b', 'X: a\x7fb', 'X: a\x0cb', 'X: \xff\x80', 'X: a\tb',
  'Fo o: x', 'Foo : x', 'X\x7f: a', ': empty-name', 'X:no-space', ' folded', '\tfolded', 'X: a\rb', 'X: a\nb',
  'Cookie: a=b; c=d', 'X: "quoted, value"',
];

const BODIES = [
  '', 'abc', 'hello', '3\r\nabc\r\n0\r\n\r\n', '3;a=b\r\nabc\r\n0\r\n\r\n', '3;a="b c"\r\nabc\r\n0\r\n\r\n',
  '3 \r\nabc\r\n0\r\n\r\n', '3;\r\nabc\r\n0\r\n\r\n', '0003\r\nabc\r\n0\r\n\r\n', '00000000000000003\r\nabc\r\n0\r\n\r\n',
  'fffffffffffffffff\r\n', '3\r\nabcX\r\n', '3\r\nabc\r\n0\r\nT: v\r\n\r\n', '0\r\n\r\n', '-3\r\nabc\r\n',
  '3\nabc\n0\n\n', '3\r\nabc\r\n0\r\n', 'A\r\n0123456789\r\n0\r\n\r\n', '3;a=b;c\r\nabc\r\n0;x\r\n\r\n',
  '3;a\x00\r\nabc\r\n0\r\n\r\n', '3\r\nabc\r\n0\r\nT: v\r\nU:\r\n\r\n', '3\r\nabc\r\n0\r\n T: v\r\n\r\n',
];

const FOLLOW_UPS = ['', '', 'GET /next HTTP/1.1\r\nHost: a\r\n\r\n', '\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n', 'garbage'];

export const fragmentRequest = fc
  .record({
    line: fc.constantFrom(...REQUEST_LINES),
    host: fc.oneof({ weight: 4, arbitrary: hostValue.map((h) => `Host: ${h}`) }, { weight: 1, arbitrary: fc.constant('') }),
    fields: fc.array(fc.constantFrom(...FIELD_LINES), { maxLength: 4 }),
    hostAt: fc.nat(),
    body: fc.constantFrom(...BODIES),
    followUp: fc.constantFrom(...FOLLOW_UPS),
  })
  .map(({ line, host, fields, hostAt, body, followUp }) => {
    const lines = [...fields];
    if (host !== '') lines.splice(hostAt % (lines.length + 1), 0, host);
    return Buffer.from(`${line}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n${body}${followUp}`, 'latin1');
  });

export const validInput = pipelineArb(3, { http10: true, otherTargets: true, noTabAfterFramingValues: true }).map(serializeAll);
export const mutatedInput = fc
  .tuple(
    pipelineArb(3, { http10: true, otherTargets: true, maxBody: 64, noTabAfterFramingValues: true }),
    fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
  )
  .map(([reqs, mutations]) => mutate(serializeAll(reqs), mutations));

// ---- comparison ------------------------------------------------------------------------------

function trimOws(s: string): string {
  return s.replace(/[ \t]+$/, '');
}

function sameFields(a: string[] | null, b: string[] | null): boolean {
  const x = pairs(a).map(([n, v]) => `${n}:${trimOws(v)}`);
  const y = pairs(b).map(([n, v]) => `${n}:${trimOws(v)}`);
  return JSON.stringify(x) === JSON.stringify(y);
}

/** The first field in which two messages both parsed differ, or null. */
function fieldDifference(b: ParsedMessage, n: NativeMessage): [string, string] | null {
  if (b.headersComplete && n.headersComplete) {
    if (b.method !== n.method) return ['method', `${b.method} vs ${n.method}`];
    if (b.target !== n.target) return ['target', `${JSON.stringify(b.target)} vs ${JSON.stringify(n.target)}`];
    if (n.versionMajor !== 1 || b.versionMinor !== n.versionMinor) return ['version', `1.${b.versionMinor} vs ${n.versionMajor}.${n.versionMinor}`];
    if (!sameFields(b.headers, n.headers)) return ['headers', `${JSON.stringify(b.headers)} vs ${JSON.stringify(n.headers)}`];
    if (b.keepAlive !== n.keepAlive) return ['keepAlive', `${b.keepAlive} vs ${n.keepAlive}`];
    if (b.upgrade !== n.upgrade) return ['upgrade', `${b.upgrade} vs ${n.upgrade}`];
  }
  if (b.complete && n.complete) {
    if (!b.body.equals(n.body)) return ['body', `${JSON.stringify(b.body.toString('latin1'))} vs ${JSON.stringify(n.body.toString('latin1'))}`];
    if (!sameFields(b.trailers, n.trailers)) return ['trailers', `${JSON.stringify(b.trailers)} vs ${JSON.stringify(n.trailers)}`];
  }
  return null;
}

type Terminal = 'reject' | 'pending' | 'clean' | 'upgrade';

function briskTerminal(r: ParseRun): Terminal {
  if (r.outcome === 'reject' || r.outcome === 'threw') return 'reject';
  if (r.outcome === 'upgrade') return 'upgrade';
  const last = r.messages[r.messages.length - 1];
  return (last !== undefined && !last.complete) || (r.finish !== null && r.finish !== undefined) ? 'pending' : 'clean';
}

/** Pending = a message begun and not complete (Node's finish() misses some, e.g. upgrade requests mid-body). */
function nodeTerminal(r: NativeRun): Terminal {
  if (r.outcome === 'reject') return 'reject';
  if (r.outcome === 'upgrade') return 'upgrade';
  const last = r.messages[r.messages.length - 1];
  return (last !== undefined && !last.complete) || r.finish !== null ? 'pending' : 'clean';
}

/** Compares the two runs; null when they agree. */
export function disagreement(input: Buffer, brisk: ParseRun, node: NativeRun): Disagreement | null {
  const make = (side: Side, index: number, aspect: string, detail: string): Disagreement => ({ input, brisk, node, side, index, aspect, detail });
  const bm = brisk.messages;
  const nm = node.messages;
  for (let i = 0; i < Math.min(bm.length, nm.length); i++) {
    const diff = fieldDifference(bm[i]!, nm[i]!);
    if (diff !== null) return make('same-progress', i, diff[0], diff[1]);
  }
  const bComplete = bm.filter((m) => m.complete).length;
  const nComplete = nm.filter((m) => m.complete).length;
  const bt = briskTerminal(brisk);
  const nt = nodeTerminal(node);
  const summary = `brisk ${bt}${brisk.error ? ` ${brisk.error.code}@${brisk.error.offset}` : ''} after ${bComplete} complete, ` +
    `llhttp ${nt}${node.errorCode ? ` ${node.errorCode}@${node.errorOffset}` : ''} after ${nComplete} complete`;
  if (bComplete < nComplete) return make('brisk-stricter', bComplete, 'outcome', summary);
  if (bComplete > nComplete) return make('node-stricter', nComplete, 'outcome', summary);
  if (bt !== nt) {
    if (bt === 'reject') return make('brisk-stricter', bComplete, 'outcome', summary);
    if (nt === 'reject') return make('node-stricter', nComplete, 'outcome', summary);
    return make('same-progress', bComplete, bt === 'upgrade' || nt === 'upgrade' ? 'upgrade' : 'pending', summary);
  }
  if (bt === 'upgrade' && brisk.upgradeOffset !== node.upgradeOffset) {
    return make('same-progress', bComplete, 'upgradeOffset', `${brisk.upgradeOffset} vs ${node.upgradeOffset}`);
  }
  return null;
}


/** Both parsers on one input: the disagreement, if any. */
export function compareOn(input: Buffer): { brisk: ParseRun; node: NativeRun; disagreement: Disagreement | null } {
  const brisk = runParser([input], { finish: true });
  const node = runNative(input);
  return { brisk, node, disagreement: disagreement(input, brisk, node) };
}

setRerun(compareOn);
