// Adversarial rows: Content-Length, and Content-Length together with Transfer-Encoding.
import { CHUNKED_THEN_SMUGGLED, NEXT, SMUGGLED, accepted, msg, post, rejected, type AdversarialCase } from './support.js';

// ---- Content-Length (RFC 9110 §8.6, RFC 9112 §6.3) --------------------------------------------

export const CONTENT_LENGTH: AdversarialCase[] = [
  {
    name: 'valid Content-Length body, then a pipelined request',
    category: 'content-length', feed: 'split', bytes: post(['Content-Length: 5'], 'hello') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §6.3 (7)',
  },
  {
    name: 'Content-Length: +35 (sign)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: +35'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6 (1*DIGIT)',
  },
  {
    name: 'Content-Length: -1 (negative)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: -1'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6',
  },
  {
    name: 'Content-Length: 3 5 (space inside the number)',
    category: 'content-length', feed: 'split', smuggle: true, bytes: post(['Content-Length: 3 5'], SMUGGLED),
    expect: rejected(400), source: 'CVE-2018-7159 (Node ignored spaces inside Content-Length)',
  },
  {
    name: 'Content-Length: 0x23 (hex)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 0x23'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6',
  },
  {
    name: 'Content-Length: 35.0 (decimal point)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 35.0'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6',
  },
  {
    name: 'Content-Length: 3e1 (exponent)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 3e1'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6',
  },
  {
    name: 'Content-Length: (empty value)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length:'], SMUGGLED),
    expect: rejected(400), source: 'CVE-2023-40225 (HAProxy forwarded an empty Content-Length)',
  },
  {
    name: 'Content-Length: 99999999999999999999 (overflows 64 bits)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 99999999999999999999'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6 (prevent integer conversion overflows)',
  },
  {
    name: 'Content-Length: 18446744073709551651 (2^64 + 35 wraps to 35 in 64-bit code)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 18446744073709551651'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6',
  },
  {
    name: 'Content-Length: 9007199254740992 (2^53, past the safe-integer limit)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 9007199254740992'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §8.6',
    note: 'Any length is valid syntax; brisk refuses lengths past 2^53-1 because a JavaScript number cannot hold them exactly.',
  },
  {
    name: 'Content-Length: 5, 5 (list of identical values is one value)',
    category: 'content-length', feed: 'whole', bytes: post(['Content-Length: 5, 5'], 'hello') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §6.3 (5), RFC 9110 §8.6',
    note: 'RFC 9112 §6.3 processes a list of identical valid values as that single value; issue #3 adopts that rule.',
  },
  {
    name: 'two Content-Length lines with the same value',
    category: 'content-length', feed: 'split', bytes: post(['Content-Length: 5', 'Content-Length: 5'], 'hello') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9110 §8.6, RFC 9112 §6.3 (5)',
    note: 'Two field lines combine into the list "5, 5" (RFC 9110 §5.3), which is one value.',
  },
  {
    name: 'Content-Length: 0, 35 (list of differing values)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 0, 35'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (5)',
  },
  {
    name: 'two Content-Length lines with differing values (0 then 35)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 0', 'Content-Length: 35'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (5), CVE-2020-8287',
  },
  {
    name: 'Content-Length and content-length lines (case variants) with differing values',
    category: 'content-length', feed: 'trickle', smuggle: true, bytes: post(['Content-Length: 35', 'content-length: 0'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (5), RFC 9110 §5.1 (names are case-insensitive)',
  },
  {
    name: 'Content-Length: 35, (trailing empty list element)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 35,'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.6.1, §8.6',
    note: 'RFC 9110 §5.6.1 lets recipients ignore empty list elements; brisk does not on a framing field, since a next hop may read "35," differently.',
  },
  {
    name: 'Content-Length: 005 (leading zeros are still 1*DIGIT)',
    category: 'content-length', feed: 'whole', bytes: post(['Content-Length: 005'], 'hello') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9110 §8.6',
  },
  {
    name: 'Content-Length with OWS (SP and HTAB) around the value',
    category: 'content-length', feed: 'split', bytes: post(['Content-Length: \t5 \t'], 'hello') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §5.1 (OWS around field values)',
  },
  {
    name: 'Content-Length with a vertical tab before the value',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length:\x0b35'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.5, §5.6.3 (VT is not OWS)',
  },
  {
    name: 'Content-Length with NUL after the digits',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length: 35\x00'], SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.5',
  },
  {
    name: 'Content-Length\\r: 35 (CR inside the field name)',
    category: 'content-length', feed: 'whole', smuggle: true, bytes: post(['Content-Length\r: 35'], SMUGGLED),
    expect: rejected(400), source: 'CVE-2020-8201 (CR-to-hyphen in field names)',
  },
  {
    name: 'Content\\rLength: 35',
    category: 'content-length', feed: 'split', smuggle: true, bytes: post(['Content\rLength: 35'], SMUGGLED),
    expect: rejected(400), source: 'CVE-2020-8201, RFC 9112 §2.2',
  },
  {
    name: 'GET with Content-Length: the body is the body, never a second request',
    category: 'content-length', feed: 'whole', smuggle: true,
    bytes: msg('GET / HTTP/1.1', ['Host: a', `Content-Length: ${SMUGGLED.length}`], SMUGGLED),
    expect: accepted(['/'], [SMUGGLED]), source: 'RFC 9110 §9.3.1, RFC 9112 §6.3 (CL.0 desync)',
  },
  {
    name: 'Content-Length: 0 followed by the next request',
    category: 'content-length', feed: 'trickle', bytes: post(['Content-Length: 0']) + NEXT,
    expect: accepted(['/', '/next'], ['', '']), source: 'RFC 9112 §6.3 (6)',
  },
];

// ---- Content-Length together with Transfer-Encoding (RFC 9112 §6.1, §6.3 (3)) -----------------

const CL_TE_NOTE =
  'RFC 9112 §6.3 (3) lets a server process such a message with Transfer-Encoding (closing after it) or reject it; ' +
  'brisk rejects with 400, because the two readings are the classic CL.TE / TE.CL smuggling pair.';

export const CL_TE: AdversarialCase[] = [
  {
    name: 'Content-Length then Transfer-Encoding: chunked',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post([`Content-Length: ${CHUNKED_THEN_SMUGGLED.length - SMUGGLED.length}`, 'Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.1, §6.3 (3)', note: CL_TE_NOTE,
  },
  {
    name: 'Transfer-Encoding: chunked then Content-Length',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post(['Transfer-Encoding: chunked', `Content-Length: ${CHUNKED_THEN_SMUGGLED.length}`], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.1, §6.3 (3)', note: CL_TE_NOTE,
  },
  {
    name: 'Content-Length: 0 with Transfer-Encoding: chunked',
    category: 'cl-te', feed: 'split', smuggle: true,
    bytes: post(['Content-Length: 0', 'Transfer-Encoding: chunked'], `23\r\n${SMUGGLED}\r\n0\r\n\r\n`),
    expect: rejected(400), source: 'RFC 9112 §6.3 (3)', note: CL_TE_NOTE,
  },
  {
    name: 'Content-Length with Transfer-Encoding: identity',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post(['Content-Length: 5', 'Transfer-Encoding: identity'], `hello${SMUGGLED}`),
    expect: rejected(400), source: 'RFC 9112 §6.3 (3), llhttp "post with identity and content-length"',
  },
  {
    name: 'Content-Length with Transfer-Encoding: gzip, chunked',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post(['Content-Length: 5', 'Transfer-Encoding: gzip, chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (3)',
    note: 'Both 400 (CL+TE) and 501 (gzip) apply; brisk reports the framing conflict first.',
  },
  {
    name: 'Content-Length with an empty Transfer-Encoding',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post(['Content-Length: 5', 'Transfer-Encoding:'], `hello${SMUGGLED}`),
    expect: rejected(400), source: 'RFC 9112 §6.3 (3), llhttp "post with empty transfer-encoding and content-length"',
  },
  {
    name: 'Content-Length with an obs-folded Transfer-Encoding',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post(['Content-Length: 5', 'Transfer-Encoding:', ' chunked'], `0\r\n\r\n${SMUGGLED}`),
    expect: rejected(400), source: 'RFC 9112 §5.2, §6.3, CVE-2022-32215',
  },
  {
    name: 'Content-Length with "Transfer-Encoding : chunked" (space before colon)',
    category: 'cl-te', feed: 'trickle', smuggle: true,
    bytes: post(['Content-Length: 5', 'Transfer-Encoding : chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §5.1, CVE-2021-22959',
  },
  {
    name: 'Transfer-Encoding: chunked with a duplicate Content-Length',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post(['Transfer-Encoding: chunked', 'Content-Length: 5', 'Content-Length: 5'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (3)',
  },
  {
    name: 'Content-Length with Transfer-Encoding: CHUNKED (case trick)',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: post(['Content-Length: 5', 'Transfer-Encoding: CHUNKED'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (3)',
  },
  {
    name: 'Content-Length with Transfer-Encoding in HTTP/1.0',
    category: 'cl-te', feed: 'whole', smuggle: true,
    bytes: msg('POST / HTTP/1.0', ['Transfer-Encoding: chunked', 'Content-Length: 5'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.1',
  },
];
