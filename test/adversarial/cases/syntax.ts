// Adversarial rows: line endings, control characters, the request line, targets, Host, field syntax.
import { CHUNKED_THEN_SMUGGLED, SMUGGLED, accepted, get, msg, rejected, type AdversarialCase } from './support.js';

// ---- line endings (RFC 9112 §2.2): bare LF and bare CR in every line type ---------------------

const LINE_ENDINGS_NOTE =
  'RFC 9112 §2.2 lets a recipient accept a bare LF as a line terminator; brisk does not, anywhere: ' +
  'it is where most smuggling chains start (CVE-2022-32214, CVE-2023-30589).';

export const LINE_ENDINGS: AdversarialCase[] = [
  {
    name: 'request line ended by bare LF',
    category: 'line-endings', feed: 'whole', bytes: 'GET / HTTP/1.1\nHost: a\r\n\r\n',
    expect: rejected(400), source: 'RFC 9112 §2.2, CVE-2022-32214', note: LINE_ENDINGS_NOTE,
  },
  {
    name: 'request line ended by bare CR',
    category: 'line-endings', feed: 'whole', bytes: 'GET / HTTP/1.1\rHost: a\r\n\r\n',
    expect: rejected(400), source: 'RFC 9112 §2.2 (bare CR MUST be rejected or replaced), CVE-2023-30589',
  },
  {
    name: 'field line ended by bare LF (hides Transfer-Encoding)',
    category: 'line-endings', feed: 'whole', smuggle: true,
    bytes: `POST / HTTP/1.1\r\nHost: a\r\nX: y\nTransfer-Encoding: chunked\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    expect: rejected(400), source: 'RFC 9112 §2.2, CVE-2022-32214', note: LINE_ENDINGS_NOTE,
  },
  {
    name: 'field line ended by bare CR (hides Transfer-Encoding)',
    category: 'line-endings', feed: 'trickle', smuggle: true,
    bytes: `POST / HTTP/1.1\r\nHost: a\r\nX: y\rTransfer-Encoding: chunked\r\n\r\n${CHUNKED_THEN_SMUGGLED}`,
    expect: rejected(400), source: 'RFC 9112 §2.2, CVE-2022-35256',
  },
  {
    name: 'blank line is a bare LF',
    category: 'line-endings', feed: 'whole', smuggle: true, bytes: `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\n${SMUGGLED}`,
    expect: rejected(400), source: 'RFC 9112 §2.2, CVE-2022-32214', note: LINE_ENDINGS_NOTE,
  },
  {
    name: 'blank line is a bare CR ("\\r\\n\\rX")',
    category: 'line-endings', feed: 'whole', smuggle: true, bytes: `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r${SMUGGLED}`,
    expect: rejected(400), source: 'CVE-2025-23167 (Node 20 accepted \\r\\n\\rX as the end of the head)',
  },
  {
    name: 'every line ended by bare LF',
    category: 'line-endings', feed: 'split', bytes: 'GET / HTTP/1.1\nHost: a\n\n',
    expect: rejected(400), source: 'RFC 9112 §2.2', note: LINE_ENDINGS_NOTE,
  },
  {
    name: 'every line ended by bare CR',
    category: 'line-endings', feed: 'whole', bytes: 'GET / HTTP/1.1\rHost: a\r\r',
    expect: rejected(400), source: 'RFC 9112 §2.2, CVE-2023-30589',
  },
  {
    name: 'bare CR inside the request-target',
    category: 'line-endings', feed: 'whole', bytes: 'GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: rejected(400), source: 'RFC 9112 §2.2, §3.2',
  },
  {
    name: 'bare CR inside a field value',
    category: 'line-endings', feed: 'whole', bytes: get('/', ['X: a\rb']),
    expect: rejected(400), source: 'RFC 9110 §5.5, RFC 9112 §2.2',
  },
  {
    name: 'bare LF inside a field name',
    category: 'line-endings', feed: 'whole', bytes: get('/', ['X\nY: a']),
    expect: rejected(400), source: 'RFC 9112 §2.2, §5.1',
  },
  {
    name: 'CR CR LF at the end of a field line',
    category: 'line-endings', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: a\r\r\n\r\n',
    expect: rejected(400), source: 'RFC 9112 §2.2',
  },
  {
    name: 'empty line (CRLF) before the request line is ignored',
    category: 'line-endings', feed: 'whole', bytes: `\r\n${get('/')}`,
    expect: accepted(['/']), source: 'RFC 9112 §2.2 (SHOULD ignore at least one empty line)',
  },
  {
    name: 'bare LF before the request line',
    category: 'line-endings', feed: 'whole', bytes: `\n${get('/')}`,
    expect: rejected(400), source: 'RFC 9112 §2.2',
    note: 'The robustness rule covers CRLF; a bare LF is not a line ending to brisk anywhere.',
  },
  {
    name: 'bare CR between pipelined requests',
    category: 'line-endings', feed: 'whole', bytes: `${get('/a')}\r${get('/b')}`,
    expect: { statuses: [200, 400], status: 400, closes: true, handlerCalls: 1, targets: ['/a'] }, source: 'RFC 9112 §2.2',
  },
];

// ---- NUL and other CTLs (RFC 9110 §5.5, RFC 9112 §3.2, §5.1) ----------------------------------

export const CONTROL_CHARS: AdversarialCase[] = [
  { name: 'NUL in a field name', category: 'control-chars', feed: 'whole', bytes: get('/', ['X\x00Y: a']), expect: rejected(400), source: 'RFC 9110 §5.1 (field-name = token)' },
  { name: 'NUL in a field value', category: 'control-chars', feed: 'whole', bytes: get('/', ['X: a\x00b']), expect: rejected(400), source: 'RFC 9110 §5.5 (MUST reject or replace NUL)' },
  { name: 'NUL in the request-target', category: 'control-chars', feed: 'whole', bytes: 'GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2, RFC 3986 §2' },
  { name: 'NUL in the method', category: 'control-chars', feed: 'whole', bytes: 'GE\x00T / HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9110 §9.1 (method = token)' },
  { name: 'NUL before the request line', category: 'control-chars', feed: 'whole', bytes: `\x00${get('/')}`, expect: rejected(400), source: 'RFC 9112 §3' },
  { name: 'SOH (0x01) in a field value', category: 'control-chars', feed: 'whole', bytes: get('/', ['X: a\x01b']), expect: rejected(400), source: 'RFC 9110 §5.5' },
  { name: 'form feed in a field value', category: 'control-chars', feed: 'whole', bytes: get('/', ['X: a\x0cb']), expect: rejected(400), source: 'RFC 9110 §5.5, llhttp "header_value_relaxed"' },
  { name: 'ESC (0x1b) in a field value', category: 'control-chars', feed: 'split', bytes: get('/', ['X: \x1b[31mred']), expect: rejected(400), source: 'RFC 9110 §5.5 (terminal escape injection into logs)' },
  { name: 'DEL (0x7f) in a field value', category: 'control-chars', feed: 'whole', bytes: get('/', ['X: a\x7fb']), expect: rejected(400), source: 'RFC 9110 §5.5' },
  { name: 'vertical tab in a field name', category: 'control-chars', feed: 'whole', bytes: get('/', ['X\x0bY: a']), expect: rejected(400), source: 'RFC 9110 §5.1' },
  { name: '0xff in a field name', category: 'control-chars', feed: 'whole', bytes: get('/', ['X\xffY: a']), expect: rejected(400), source: 'RFC 9110 §5.1' },
  { name: 'HTAB in the request-target', category: 'control-chars', feed: 'whole', bytes: 'GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2' },
  { name: 'ESC in the request-target', category: 'control-chars', feed: 'whole', bytes: 'GET /\x1b[2J HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2, RFC 3986 §2' },
  { name: 'DEL in the request-target', category: 'control-chars', feed: 'trickle', bytes: 'GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2' },
  { name: '0x80 (non-ASCII) in the request-target', category: 'control-chars', feed: 'whole', bytes: 'GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 3986 §2 (non-ASCII must be percent-encoded)' },
  {
    name: 'HTAB inside a field value is allowed',
    category: 'control-chars', feed: 'whole', bytes: get('/', ['X: a\tb']),
    expect: accepted(['/']), source: 'RFC 9110 §5.5 (field-vchar and HTAB)',
  },
  {
    name: 'obs-text (0x80-0xff) in a field value is allowed',
    category: 'control-chars', feed: 'whole', bytes: get('/', ['X: D\xfcsseldorf \xff']),
    expect: accepted(['/']), source: 'RFC 9110 §5.5 (obs-text)',
  },
];

// ---- request line (RFC 9112 §3, RFC 9110 §9.1, §2.5) -----------------------------------------

export const REQUEST_LINE: AdversarialCase[] = [
  { name: 'unknown method FOO', category: 'request-line', feed: 'whole', bytes: 'FOO / HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(501), source: 'RFC 9110 §9.1 (SHOULD respond 501)' },
  {
    name: 'lower-case get (methods are case-sensitive)',
    category: 'request-line', feed: 'whole', bytes: 'get / HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: rejected(501), source: 'RFC 9110 §9.1 (the method token is case-sensitive)',
  },
  { name: 'mixed-case GeT', category: 'request-line', feed: 'split', bytes: 'GeT / HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(501), source: 'RFC 9110 §9.1' },
  { name: 'very long unknown method', category: 'request-line', feed: 'whole', bytes: `${'A'.repeat(200)} / HTTP/1.1\r\nHost: a\r\n\r\n`, expect: rejected(501), source: 'RFC 9110 §9.1' },
  { name: 'method with a non-token character (G(ET)', category: 'request-line', feed: 'whole', bytes: 'G(ET / HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9110 §9.1 (method = token)' },
  { name: 'empty method (line starts with SP)', category: 'request-line', feed: 'whole', bytes: ' / HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3' },
  { name: 'HTTP/0.9 request line (no version)', category: 'request-line', feed: 'whole', bytes: 'GET /\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3, Appendix C.1' },
  { name: 'HTTP/1.2', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/1.2\r\nHost: a\r\n\r\n', expect: rejected(505), source: 'RFC 9110 §15.6.6, RFC 9112 §2.3' },
  { name: 'HTTP/2.0', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', expect: rejected(505), source: 'RFC 9110 §15.6.6' },
  { name: 'HTTP/3.0', category: 'request-line', feed: 'trickle', bytes: 'GET / HTTP/3.0\r\nHost: a\r\n\r\n', expect: rejected(505), source: 'RFC 9110 §15.6.6' },
  { name: 'HTTP/0.9 as a version', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/0.9\r\nHost: a\r\n\r\n', expect: rejected(505), source: 'RFC 9110 §15.6.6', note: 'Well-formed but unsupported: 505, like any other HTTP/x.y brisk does not speak.' },
  { name: 'HTTP/1.01 (two minor digits)', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/1.01\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §2.3 (HTTP-version = "HTTP/" DIGIT "." DIGIT)' },
  { name: 'HTTP/10.0 (two major digits)', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/10.0\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §2.3' },
  { name: 'HTTP/1. (missing minor)', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/1.\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §2.3' },
  { name: 'HTTP/11 (missing dot)', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/11\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §2.3' },
  { name: 'lower-case http/1.1', category: 'request-line', feed: 'whole', bytes: 'GET / http/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §2.3 (HTTP-name is case-sensitive)' },
  { name: 'trailing SP after the version', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/1.1 \r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3' },
  { name: 'two SP between method and target', category: 'request-line', feed: 'whole', bytes: 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3', note: 'RFC 9112 §3 lets recipients split on any whitespace; brisk requires exactly one SP (lenient splitting "can result in request smuggling").' },
  { name: 'HTAB as the separator', category: 'request-line', feed: 'whole', bytes: 'GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3' },
  { name: 'HTTP/2 connection preface', category: 'request-line', feed: 'whole', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', expect: rejected(505), source: 'RFC 9113 §3.4', note: 'brisk does not speak HTTP/2; 505 tells a prior-knowledge client so.' },
  { name: 'HTTP/1.0 without Host is fine', category: 'request-line', feed: 'whole', bytes: 'GET / HTTP/1.0\r\n\r\n', expect: { status: 200, closes: true, handlerCalls: 1, targets: ['/'] }, source: 'RFC 9112 §3.2 (Host is required in HTTP/1.1 only)' },
  { name: 'RTSP/1.0 request line', category: 'request-line', feed: 'whole', bytes: 'OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §2.3 (HTTP-name)' },
];

// ---- request-target forms (RFC 9112 §3.2) ----------------------------------------------------

export const TARGET: AdversarialCase[] = [
  { name: 'asterisk-form with OPTIONS', category: 'target', feed: 'whole', bytes: msg('OPTIONS * HTTP/1.1', ['Host: a']), expect: accepted(['*']), source: 'RFC 9112 §3.2.4' },
  { name: 'asterisk-form with GET', category: 'target', feed: 'whole', bytes: 'GET * HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2.4 (only for OPTIONS)' },
  { name: 'authority-form with GET', category: 'target', feed: 'whole', bytes: 'GET example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2.3 (only for CONNECT)' },
  {
    name: 'authority-form with CONNECT (valid, not implemented)',
    category: 'target', feed: 'whole', bytes: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    expect: rejected(501), source: 'RFC 9110 §9.3.6, §15.6.2',
    note: 'Without an onUpgrade handler brisk is not a proxy: 501 and close, since the client would send tunnel bytes next.',
  },
  { name: 'CONNECT with origin-form', category: 'target', feed: 'whole', bytes: 'CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2.3 (CONNECT takes authority-form only)' },
  { name: 'absolute-form http', category: 'target', feed: 'whole', bytes: 'GET http://a/x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n', expect: accepted(['http://a/x?y=1']), source: 'RFC 9112 §3.2.2 (servers MUST accept absolute-form)' },
  { name: 'absolute-form https', category: 'target', feed: 'split', bytes: 'GET https://a:8443/ HTTP/1.1\r\nHost: a:8443\r\n\r\n', expect: accepted(['https://a:8443/']), source: 'RFC 9112 §3.2.2' },
  { name: 'absolute-form ftp', category: 'target', feed: 'whole', bytes: 'GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2.2, RFC 9110 §4.2' },
  { name: 'fragment in the target (#)', category: 'target', feed: 'whole', bytes: 'GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2 (no form carries a fragment)' },
  { name: 'raw SP inside the target', category: 'target', feed: 'whole', bytes: 'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2' },
  { name: 'raw SP inside the target, smuggling a fake version', category: 'target', feed: 'trickle', bytes: 'GET /a HTTP/1.1 /b HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3' },
  { name: 'relative target without a leading slash', category: 'target', feed: 'whole', bytes: 'GET a/b HTTP/1.1\r\nHost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2.1' },
  {
    name: 'backslash in the target is an ordinary byte',
    category: 'target', feed: 'whole', bytes: 'GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: accepted(['/a\\b']), source: 'RFC 3986 §2, RFC 9112 §3.2',
    note:
      'RFC 3986 has no "\\"; brisk, like llhttp and nginx, accepts every visible ASCII byte but "#" in a target, because real clients send ' +
      'some of them unencoded and none of them can change where the request ends. The target reaches the handler byte for byte.',
  },
  {
    name: 'target longer than maxTargetBytes (64)',
    category: 'target', feed: 'whole', options: { maxTargetBytes: 64 }, bytes: `GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: a\r\n\r\n`,
    expect: rejected(414), source: 'RFC 9112 §3 (414 URI Too Long), RFC 9110 §15.5.15',
  },
  {
    name: 'over-long target trickled byte by byte (414 before the line ends)',
    category: 'target', feed: 'trickle', options: { maxTargetBytes: 64 }, bytes: `GET /${'a'.repeat(90)} HTTP/1.1\r\nHost: a\r\n\r\n`,
    expect: rejected(414), source: 'RFC 9110 §15.5.15',
  },
  {
    name: 'target of exactly maxTargetBytes (64)',
    category: 'target', feed: 'whole', options: { maxTargetBytes: 64 }, bytes: get(`/${'a'.repeat(63)}`),
    expect: accepted([`/${'a'.repeat(63)}`]), source: 'RFC 9110 §15.5.15',
  },
];

// ---- Host (RFC 9112 §3.2, RFC 9110 §7.2) -----------------------------------------------------

export const HOST: AdversarialCase[] = [
  { name: 'HTTP/1.1 without Host', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2 (MUST respond 400)' },
  { name: 'two Host lines', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2 (MUST respond 400)' },
  { name: 'two Host lines with the same value', category: 'host', feed: 'split', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2' },
  { name: 'Host with a space', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2, RFC 3986 §3.2.2' },
  { name: 'Host with a slash', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', expect: rejected(400), source: 'RFC 9110 §7.2' },
  { name: 'Host with userinfo (a@b)', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: a@b\r\n\r\n', expect: rejected(400), source: 'RFC 9110 §7.2 (uri-host [":" port])' },
  { name: 'Host with a list (a, b)', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: a, b\r\n\r\n', expect: rejected(400), source: 'RFC 9110 §7.2 (Host is a singleton)' },
  { name: 'Host with a CTL', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n', expect: rejected(400), source: 'RFC 9110 §5.5, §7.2' },
  { name: 'empty Host', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost:\r\n\r\n', expect: accepted(['/']), source: 'RFC 9110 §7.2 (empty when the target URI has no authority)' },
  { name: 'IPv6 literal Host with a port', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n', expect: accepted(['/']), source: 'RFC 3986 §3.2.2' },
  { name: 'upper-case field name HOST', category: 'host', feed: 'trickle', bytes: 'GET / HTTP/1.1\r\nHOST: a\r\n\r\n', expect: accepted(['/']), source: 'RFC 9110 §5.1 (field names are case-insensitive)' },
  { name: 'Host in HTTP/1.0 with a space', category: 'host', feed: 'whole', bytes: 'GET / HTTP/1.0\r\nHost: a b\r\n\r\n', expect: rejected(400), source: 'RFC 9112 §3.2 (an invalid Host is refused whatever the version)' },
];

// ---- field syntax (RFC 9112 §5, RFC 9110 §5) -------------------------------------------------

export const FIELD_SYNTAX: AdversarialCase[] = [
  { name: 'space before the colon in an ordinary field', category: 'field-syntax', feed: 'whole', bytes: get('/', ['Foo : bar']), expect: rejected(400), source: 'RFC 9112 §5.1 (MUST respond 400), CVE-2019-16276' },
  { name: 'empty field name', category: 'field-syntax', feed: 'whole', bytes: get('/', [': bar']), expect: rejected(400), source: 'RFC 9110 §5.1, CVE-2023-25725 (HAProxy empty header name)' },
  { name: 'field name with a space inside', category: 'field-syntax', feed: 'whole', bytes: get('/', ['Fo o: bar']), expect: rejected(400), source: 'RFC 9110 §5.1' },
  { name: 'field name with a double quote', category: 'field-syntax', feed: 'whole', bytes: get('/', ['Fo"o: bar']), expect: rejected(400), source: 'RFC 9110 §5.6.2 (tchar)' },
  { name: 'field name with a slash', category: 'field-syntax', feed: 'whole', bytes: get('/', ['Fo/o: bar']), expect: rejected(400), source: 'RFC 9110 §5.6.2' },
  { name: 'field line without a colon', category: 'field-syntax', feed: 'whole', bytes: get('/', ['Foo']), expect: rejected(400), source: 'RFC 9112 §5' },
  {
    name: 'obs-fold in an ordinary field',
    category: 'field-syntax', feed: 'split', bytes: get('/', ['Foo: a', ' b']),
    expect: rejected(400), source: 'RFC 9112 §5.2',
    note: 'RFC 9112 §5.2 allows 400 or replacing the fold with SP; brisk answers 400.',
  },
  {
    name: 'obs-fold with HTAB hiding Content-Length (CVE-2024-27982 shape)',
    category: 'field-syntax', feed: 'whole', smuggle: true,
    bytes: `POST / HTTP/1.1\r\nHost: a\r\n\tContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    expect: rejected(400), source: 'CVE-2024-27982, RFC 9112 §5.2',
  },
  { name: 'no whitespace after the colon is fine', category: 'field-syntax', feed: 'whole', bytes: 'GET / HTTP/1.1\r\nHost:a\r\nX:y\r\n\r\n', expect: accepted(['/']), source: 'RFC 9112 §5.1 (OWS is optional)' },
  { name: 'empty field value is fine', category: 'field-syntax', feed: 'whole', bytes: get('/', ['X-Empty:', 'X-Spaces:   ']), expect: accepted(['/']), source: 'RFC 9110 §5.5' },
];
