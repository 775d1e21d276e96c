// Adversarial rows: limits, pipelines, HEAD, Connection, Expect and timeouts.
import { CHUNKED_THEN_SMUGGLED, NEXT, SMALL_TIMEOUTS, SMUGGLED, accepted, get, msg, post, rejected, rejectedInBody, type AdversarialCase } from './support.js';

// ---- limits (RFC 9110 §15.5.15, RFC 6585 §5) -------------------------------------------------

export const LIMITS: AdversarialCase[] = [
  {
    name: 'head larger than maxHeadBytes (1 KiB)',
    category: 'limits', feed: 'whole', options: { maxHeadBytes: 1024 }, bytes: get('/', [`X-Big: ${'b'.repeat(2000)}`]),
    expect: rejected(431), source: 'RFC 6585 §5 (431)',
  },
  {
    name: 'head larger than maxHeadBytes, trickled',
    category: 'limits', feed: 'split', options: { maxHeadBytes: 1024 },
    bytes: get('/', Array.from({ length: 40 }, (_, i) => `X-F${i}: ${'v'.repeat(30)}`)),
    expect: rejected(431), source: 'RFC 6585 §5',
  },
  {
    name: 'more fields than maxHeaderCount (10)',
    category: 'limits', feed: 'whole', options: { maxHeaderCount: 10 },
    bytes: get('/', Array.from({ length: 20 }, (_, i) => `X-F${i}: ${i}`)),
    expect: rejected(431), source: 'RFC 6585 §5',
  },
  {
    name: 'exactly maxHeaderCount fields (10, Host included)',
    category: 'limits', feed: 'whole', options: { maxHeaderCount: 10 },
    bytes: get('/', Array.from({ length: 9 }, (_, i) => `X-F${i}: ${i}`)),
    expect: accepted(['/']), source: 'RFC 6585 §5',
  },
  {
    name: 'many empty-name-looking lines (": x") never count as fields',
    category: 'limits', feed: 'whole', options: { maxHeaderCount: 10 },
    bytes: get('/', Array.from({ length: 20 }, () => ': x')),
    expect: rejected(400), source: 'RFC 9110 §5.1',
  },
  {
    name: 'head past the default 16 KiB limit',
    category: 'limits', feed: 'whole', bytes: get('/', [`Cookie: ${'c'.repeat(17 * 1024)}`]),
    expect: rejected(431), source: 'RFC 6585 §5',
  },
  {
    name: 'an endless field value (no CRLF) is cut at maxHeadBytes',
    category: 'limits', feed: 'whole', options: { maxHeadBytes: 1024 },
    bytes: `GET / HTTP/1.1\r\nHost: a\r\nX: ${'x'.repeat(4096)}`,
    expect: rejected(431), source: 'RFC 6585 §5',
  },
];

// ---- pipelines, HEAD, Connection (RFC 9112 §9) ------------------------------------------------

export const PIPELINE: AdversarialCase[] = [
  {
    name: 'three pipelined requests in one write',
    category: 'pipeline', feed: 'whole', bytes: get('/a') + get('/b') + get('/c'),
    expect: accepted(['/a', '/b', '/c']), source: 'RFC 9112 §9.3.2',
  },
  {
    name: 'pipeline with a malformed request in the middle',
    category: 'pipeline', feed: 'whole', bytes: `${get('/a')}${get('/b')}GET /c HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n${get('/d')}`,
    expect: { statuses: [200, 200, 400], status: 400, closes: true, handlerCalls: 2, targets: ['/a', '/b'] },
    source: 'RFC 9112 §9.3.2, issue #4 (earlier answered, then the error, then close)',
  },
  {
    name: 'pipeline with an unknown method in the middle',
    category: 'pipeline', feed: 'split', bytes: `${get('/a')}FOO /x HTTP/1.1\r\nHost: a\r\n\r\n${get('/after')}`,
    expect: { statuses: [200, 501], status: 501, closes: true, handlerCalls: 1, targets: ['/a'] }, source: 'RFC 9112 §9.3.2',
  },
  {
    name: 'pipeline with CL+TE in the middle',
    category: 'pipeline', feed: 'whole', smuggle: true,
    bytes: `${get('/a')}${post(['Content-Length: 5', 'Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED)}${get('/after')}`,
    expect: { statuses: [200, 400], status: 400, closes: true, handlerCalls: 1, targets: ['/a'] }, source: 'RFC 9112 §6.3 (3), §9.3.2',
  },
  {
    name: 'pipeline with a bad chunk in the middle',
    category: 'pipeline', feed: 'trickle', smuggle: true,
    bytes: `${get('/a')}${post(['Transfer-Encoding: chunked'], '5 \r\nhello\r\n0\r\n\r\n')}${SMUGGLED}`,
    expect: { statuses: [200, 400], status: 400, closes: true, handlerCalls: 2, targets: ['/a', '/'], bodies: [''] }, source: 'RFC 9112 §7.1, §9.3.2',
  },
  {
    name: 'a malformed request behind a slow one waits its turn: 200 first, then 400',
    category: 'pipeline', feed: 'whole', bytes: `${get('/slow?delay=150')}GET / HTTP/1.1\r\nHost: a\r\nX: a\x00\r\n\r\n${get('/after')}`,
    expect: { statuses: [200, 400], status: 400, closes: true, handlerCalls: 1, targets: ['/slow?delay=150'] },
    source: 'RFC 9112 §9.3.2 (responses in request order)',
  },
  {
    name: 'CL+TE behind a slow request: 200 first, then 400, smuggled never runs',
    category: 'pipeline', feed: 'split', smuggle: true,
    bytes: `${get('/slow?delay=150')}${post(['Content-Length: 5', 'Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED)}`,
    expect: { statuses: [200, 400], status: 400, closes: true, handlerCalls: 1, targets: ['/slow?delay=150'] },
    source: 'RFC 9112 §6.3 (3), §9.3.2',
  },
  {
    name: '100 pipelined requests in one write (past maxPipelinedRequests = 64)',
    category: 'pipeline', feed: 'whole', bytes: Array.from({ length: 100 }, (_, i) => get(`/p${i}`)).join(''),
    expect: accepted(Array.from({ length: 100 }, (_, i) => `/p${i}`)), source: 'RFC 9112 §9.3.2, issue #4 (pipelining cap)',
  },
  {
    name: 'three pipelined requests, then FIN: all answered, then closed',
    category: 'connection', feed: 'whole', endAfter: true, bytes: get('/a') + post(['Content-Length: 3'], 'abc') + get('/c'),
    expect: { statuses: [200, 200, 200], status: 200, closes: true, handlerCalls: 3, targets: ['/a', '/', '/c'], bodies: ['', 'abc', ''] },
    source: 'RFC 9112 §9.6 (half-close)',
  },
  {
    name: 'Connection: close, then another request',
    category: 'connection', feed: 'whole', smuggle: true, bytes: get('/', ['Connection: close']) + SMUGGLED,
    expect: { status: 200, closes: true, handlerCalls: 1, targets: ['/'] }, source: 'RFC 9112 §9.6 (MUST NOT process further requests)',
  },
  {
    name: 'HTTP/1.0 without keep-alive, then another request',
    category: 'connection', feed: 'whole', smuggle: true, bytes: 'GET / HTTP/1.0\r\n\r\n' + SMUGGLED,
    expect: { status: 200, closes: true, handlerCalls: 1, targets: ['/'] }, source: 'RFC 9112 §9.3',
  },
  {
    name: 'HTTP/1.0 with Connection: keep-alive stays open',
    category: 'connection', feed: 'whole', bytes: 'GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    expect: accepted(['/a', '/b']), source: 'RFC 9112 Appendix C.2.2',
  },
  {
    name: 'Connection: keep-alive, close (close wins)',
    category: 'connection', feed: 'whole', smuggle: true, bytes: get('/', ['Connection: keep-alive, close']) + SMUGGLED,
    expect: { status: 200, closes: true, handlerCalls: 1, targets: ['/'] }, source: 'RFC 9112 §9.6',
  },
  {
    name: 'HEAD then GET on one connection',
    category: 'pipeline', feed: 'whole', bytes: msg('HEAD / HTTP/1.1', ['Host: a']) + get('/'),
    expect: {
      statuses: [200, 200], closes: false, handlerCalls: 2, targets: ['/', '/'], methods: ['HEAD', 'GET'],
      check: ([head, body]) => {
        if (head === undefined || body === undefined) throw new Error('two responses expected');
        const length = head.header('content-length');
        if (length === undefined || Number(length) !== body.body.length) {
          throw new Error(`HEAD Content-Length ${length} should equal the GET body length ${body.body.length}`);
        }
        if (head.body.length !== 0) throw new Error('HEAD response carried a body');
      },
    },
    source: 'RFC 9110 §9.3.2 (HEAD: same fields, no content)',
  },
  {
    name: 'HEAD with Content-Length body then GET (body framed by Content-Length)',
    category: 'pipeline', feed: 'split', bytes: msg('HEAD / HTTP/1.1', ['Host: a', 'Content-Length: 3'], 'abc') + get('/x'),
    expect: { statuses: [200, 200], closes: false, handlerCalls: 2, targets: ['/', '/x'], methods: ['HEAD', 'GET'] },
    source: 'RFC 9112 §6.3 (requests are framed by their own fields, whatever the method)',
  },
  {
    name: 'Connection: Upgrade without an upgrade handler is answered as plain HTTP',
    category: 'connection', feed: 'whole', bytes: get('/', ['Connection: Upgrade', 'Upgrade: websocket']) + NEXT,
    expect: accepted(['/', '/next']), source: 'RFC 9110 §7.8 (a server MAY ignore Upgrade)',
  },
  {
    name: 'h2c upgrade request is answered as HTTP/1.1',
    category: 'connection', feed: 'whole', bytes: get('/', ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA']) + NEXT,
    expect: accepted(['/', '/next']), source: 'RFC 9110 §7.8, RFC 9113 §3.1 (h2c is obsolete)',
  },
  {
    name: 'request, then FIN (half-close): answered, then closed',
    category: 'connection', feed: 'whole', endAfter: true, bytes: get('/'),
    expect: { status: 200, closes: true, handlerCalls: 1, targets: ['/'] }, source: 'RFC 9112 §9.6 (half-close)',
  },
  {
    name: 'partial head, then FIN',
    category: 'connection', feed: 'whole', endAfter: true, bytes: 'GET / HTTP/1.1\r\nHost: a\r\n',
    expect: rejected(400), source: 'RFC 9112 §8 (incomplete message)',
    note: 'The server could also just close; brisk answers 400 so the client learns why.',
  },
  {
    name: 'truncated Content-Length body, then FIN',
    category: 'connection', feed: 'whole', endAfter: true, bytes: post(['Content-Length: 10'], 'abc'),
    expect: rejectedInBody(400), source: 'RFC 9112 §8 (incomplete message)',
  },
];

// ---- Expect (RFC 9110 §10.1.1) ---------------------------------------------------------------

export const EXPECT: AdversarialCase[] = [
  {
    name: 'Expect: 100-continue with the body sent at once: 100, then the final response',
    category: 'expect', feed: 'whole', bytes: post(['Expect: 100-continue', 'Content-Length: 5'], 'hello'),
    expect: { ...accepted(['/'], ['hello']), interim: [100] }, source: 'RFC 9110 §10.1.1',
    note: 'A server may omit 100 when the body already arrived; brisk sends it when the handler starts reading, as Go does.',
  },
  {
    name: 'Expect: 100-Continue (case-insensitive)',
    category: 'expect', feed: 'split', bytes: post(['Expect: 100-Continue', 'Content-Length: 5'], 'hello'),
    expect: { ...accepted(['/'], ['hello']), interim: [100] }, source: 'RFC 9110 §10.1.1',
  },
  {
    name: 'unknown expectation: 417, handler never runs',
    category: 'expect', feed: 'whole', smuggle: true, bytes: post(['Expect: x-smuggle', `Content-Length: ${SMUGGLED.length}`], SMUGGLED),
    expect: rejected(417), source: 'RFC 9110 §10.1.1 (MAY respond 417)',
  },
  {
    name: 'Expect: 100-continue in HTTP/1.0 is ignored',
    category: 'expect', feed: 'whole', bytes: msg('POST / HTTP/1.0', ['Expect: 100-continue', 'Content-Length: 5'], 'hello'),
    expect: { status: 200, closes: true, handlerCalls: 1, targets: ['/'], bodies: ['hello'], interim: [] },
    source: 'RFC 9110 §10.1.1 (MUST ignore 100-continue in HTTP/1.0)',
  },
  {
    name: 'Expect: 100-continue on a request without a body',
    category: 'expect', feed: 'whole', bytes: get('/', ['Expect: 100-continue']),
    expect: { ...accepted(['/']), interim: [] }, source: 'RFC 9110 §10.1.1',
    note: 'No body to wait for, so no 100 is needed.',
  },
];

// ---- timeouts (slowloris, slow body) ---------------------------------------------------------

export const TIMEOUTS: AdversarialCase[] = [
  {
    name: 'head never finishes (slowloris): 408 after headersTimeoutMs',
    category: 'timeouts', feed: 'whole', options: SMALL_TIMEOUTS, bytes: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: ',
    expect: rejected(408), source: 'RFC 9110 §15.5.9, issue #4 (header timeout)',
  },
  {
    name: 'body stalls: 408 after bodyIdleTimeoutMs',
    category: 'timeouts', feed: 'whole', options: SMALL_TIMEOUTS, bytes: post(['Content-Length: 10'], 'abc'),
    expect: rejectedInBody(408), source: 'RFC 9110 §15.5.9, issue #4 (body timeout)',
  },
  {
    name: 'connection opened and nothing sent: 408 after headersTimeoutMs',
    category: 'timeouts', feed: 'whole', options: SMALL_TIMEOUTS, bytes: '',
    expect: rejected(408), source: 'RFC 9110 §15.5.9',
    note: 'A server may also close silently; brisk answers 408 so a client that was merely slow learns why.',
  },
  {
    name: 'idle keep-alive connection is closed after keepAliveTimeoutMs',
    category: 'timeouts', feed: 'whole', options: { keepAliveTimeoutMs: 300 }, bytes: get('/'),
    expect: { status: 200, closes: true, handlerCalls: 1, targets: ['/'] }, source: 'RFC 9112 §9.8, issue #4 (keep-alive timeout)',
  },
];
