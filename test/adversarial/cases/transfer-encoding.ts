// Adversarial rows: Transfer-Encoding values and the chunked framing of bodies.
import { CHUNKED_THEN_SMUGGLED, NEXT, SMUGGLED, accepted, msg, post, rejected, rejectedInBody, type AdversarialCase } from './support.js';

// ---- Transfer-Encoding (RFC 9112 §6.1, §6.3, §7) ---------------------------------------------

export const TRANSFER_ENCODING: AdversarialCase[] = [
  {
    name: 'valid chunked body, then a pipelined request',
    category: 'transfer-encoding', feed: 'split', bytes: post(['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §7.1',
  },
  {
    name: 'Transfer-Encoding: chunked, identity (chunked not last)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunked, identity'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4), CVE-2019-15605',
  },
  {
    name: 'Transfer-Encoding: chunked, gzip (chunked not last)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunked, gzip'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4)',
  },
  {
    name: 'Transfer-Encoding: identity (no chunked at all)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: identity'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4), CVE-2019-15605',
  },
  {
    name: 'Transfer-Encoding: gzip (no chunked at all)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: gzip'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4)',
  },
  {
    name: 'Transfer-Encoding: gzip, chunked (unknown coding, chunked last)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: gzip, chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(501), source: 'RFC 9112 §6.1 (SHOULD respond with 501)',
    note: 'The framing is well defined, so 501 rather than 400; the connection is still closed because the body is not read.',
  },
  {
    name: 'Transfer-Encoding: identity, chunked (identity is no longer registered)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: identity, chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(501), source: 'RFC 9112 §6.1, §7 (identity removed from the registry)',
  },
  {
    name: 'Transfer-Encoding: pigeons, chunked (unknown token)',
    category: 'transfer-encoding', feed: 'split', smuggle: true, bytes: post(['Transfer-Encoding: pigeons, chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(501), source: 'RFC 9112 §6.1',
  },
  {
    name: 'Transfer-Encoding: chunked, chunked',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunked, chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §7 (a sender MUST NOT apply chunked more than once)',
  },
  {
    name: 'two Transfer-Encoding: chunked lines',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §7, CVE-2020-8287 (two Transfer-Encoding fields)',
  },
  {
    name: 'Transfer-Encoding lines chunked then identity (combined: chunked not last)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.3, RFC 9112 §6.3 (4), CVE-2020-8287',
  },
  {
    name: 'Transfer-Encoding lines gzip then chunked (combined: gzip, chunked)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: post(['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(501), source: 'RFC 9110 §5.3, RFC 9112 §6.1',
  },
  {
    name: 'Transfer-Encoding: CHUNKED (codings are case-insensitive)',
    category: 'transfer-encoding', feed: 'whole', bytes: post(['Transfer-Encoding: CHUNKED'], '5\r\nhello\r\n0\r\n\r\n') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §7 (transfer-coding names are case-insensitive)',
  },
  {
    name: 'Transfer-Encoding: ChUnKeD',
    category: 'transfer-encoding', feed: 'trickle', bytes: post(['Transfer-Encoding: ChUnKeD'], '5\r\nhello\r\n0\r\n\r\n') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §7',
  },
  {
    name: 'Transfer-Encoding with OWS around chunked (HTAB before, SP after)',
    category: 'transfer-encoding', feed: 'whole', bytes: post(['Transfer-Encoding: \t chunked '], '5\r\nhello\r\n0\r\n\r\n') + NEXT,
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §5.1',
  },
  {
    name: 'Transfer-Encoding: chunked followed by HTAB',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunked\t'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §5.1, §6.3 (4), llhttp 9.3.1 (Node 20) does not strip a trailing HTAB here',
    note:
      'Trailing OWS is not part of the value, so "chunked<HTAB>" is chunked to the RFC; Node 20\'s llhttp reads it as a coding that is not chunked. ' +
      'Two hops framing one body differently is the smuggling precondition, so brisk refuses it (400) rather than choose a side.',
  },
  {
    name: 'Transfer-Encoding: chunked followed by a vertical tab',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunked\x0b'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.5 (VT is a CTL)',
  },
  {
    name: 'Transfer-Encoding: vertical tab before chunked',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding:\x0bchunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.5',
  },
  {
    name: 'Transfer-Encoding : chunked (space before the colon)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding : chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §5.1 (MUST respond 400), CVE-2021-22959',
  },
  {
    name: 'Transfer-Encoding<HTAB>: chunked (tab before the colon)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding\t: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §5.1',
  },
  {
    name: 'obs-fold: Transfer-Encoding: gzip, then " chunked" on the next line',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: post(['Transfer-Encoding: gzip', ' chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §5.2, CVE-2022-32215 (multi-line Transfer-Encoding)',
    note: 'RFC 9112 §5.2 lets a server either reject obs-fold with 400 or replace it with SP; brisk rejects: most smuggling chains start with a fold one hop joins and the next does not.',
  },
  {
    name: 'obs-fold: empty Transfer-Encoding value continued by "\\tchunked"',
    category: 'transfer-encoding', feed: 'split', smuggle: true,
    bytes: post(['Transfer-Encoding:', '\tchunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §5.2, CVE-2022-32215',
  },
  {
    name: 'obs-fold hides " Transfer-Encoding: chunked" inside another field',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: post(['X-Foo: bar', ' Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §5.2, CVE-2024-27982',
  },
  {
    name: 'whitespace before the first field line (" Transfer-Encoding: chunked")',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: msg('POST / HTTP/1.1', [' Transfer-Encoding: chunked', 'Host: a'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §2.2 (reject, or ignore the line)',
    note: 'RFC 9112 §2.2 allows rejecting or skipping each whitespace-preceded line; brisk rejects.',
  },
  {
    name: 'Transfer-Encoding: xchunked',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: xchunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4), CVE-2022-32213',
  },
  {
    name: 'Transfer-Encoding: chunkedchunked',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunkedchunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4), CVE-2022-32213',
  },
  {
    name: 'Transfer-Encoding: chunk (prefix of chunked)',
    category: 'transfer-encoding', feed: 'trickle', smuggle: true, bytes: post(['Transfer-Encoding: chunk'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4)',
  },
  {
    name: 'Transfer-Encoding: "chunked" (quoted)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: "chunked"'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §7 (transfer-coding is a token)',
  },
  {
    name: 'Transfer-Encoding: chunked;q=1 (parameter on chunked)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunked;q=1'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §7 (chunked defines no parameters)',
  },
  {
    name: 'Transfer-Encoding: chunked, (trailing empty element)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: chunked,'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.6.1, RFC 9112 §6.3',
    note: 'Empty list elements may be ignored (RFC 9110 §5.6.1); on a framing field brisk refuses them, as llhttp does.',
  },
  {
    name: 'Transfer-Encoding: ,chunked (leading empty element)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding: ,chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9110 §5.6.1, RFC 9112 §6.3',
    note: 'As above: allowed to be ignored, refused by brisk on a framing field.',
  },
  {
    name: 'Transfer-Encoding: (empty value)',
    category: 'transfer-encoding', feed: 'whole', smuggle: true, bytes: post(['Transfer-Encoding:'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.3 (4)',
  },
  {
    name: 'Transfer-Encoding: chunked in an HTTP/1.0 request',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: msg('POST / HTTP/1.0', ['Host: a', 'Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.1 (MUST treat the framing as faulty)',
  },
  {
    name: 'Transfer-Encoding: chunked with Content-Length in an HTTP/1.0 request',
    category: 'transfer-encoding', feed: 'split', smuggle: true,
    bytes: msg('POST / HTTP/1.0', ['Host: a', 'Content-Length: 5', 'Transfer-Encoding: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: rejected(400), source: 'RFC 9112 §6.1',
  },
  {
    name: 'Transfer_Encoding: chunked is an ordinary field; Content-Length frames the body',
    category: 'transfer-encoding', feed: 'whole', smuggle: true,
    bytes: post([`Content-Length: ${CHUNKED_THEN_SMUGGLED.length}`, 'Transfer_Encoding: chunked'], CHUNKED_THEN_SMUGGLED),
    expect: accepted(['/'], [CHUNKED_THEN_SMUGGLED]), source: 'RFC 9110 §5.1 (underscore is a tchar; no name normalisation)',
  },
];

// ---- chunked framing (RFC 9112 §7.1) ---------------------------------------------------------

/** A chunked POST whose body is `body` (then the smuggled request). */
const chunkedPost = (body: string): string => post(['Transfer-Encoding: chunked'], body + SMUGGLED);
const chunkedAccepted = (body: string): string => post(['Transfer-Encoding: chunked'], body) + NEXT;

export const CHUNKED: AdversarialCase[] = [
  {
    name: 'chunk size overflow (ffffffffffffffffff)',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('ffffffffffffffffff\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1 (anticipate overflows), CVE-2018-12121-class integer overflow',
  },
  {
    name: 'chunk size 10000000000000023 (wraps to 0x23 in 64-bit arithmetic)',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('10000000000000023\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1',
  },
  {
    name: 'chunk size 0x5',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('0x5\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
  },
  {
    name: 'chunk size +5',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('+5\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1',
  },
  {
    name: 'chunk size -5',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('-5\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1',
  },
  {
    name: 'chunk size with a leading space',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost(' 5\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1',
  },
  {
    name: 'whitespace after the chunk size ("5 ")',
    category: 'chunked', feed: 'split', smuggle: true, bytes: chunkedPost('5 \r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1, llhttp "spaces_after_chunk_size" lenience',
  },
  {
    name: 'HTAB after the chunk size',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\t\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1',
  },
  {
    name: 'BWS before a chunk extension ("5 ;a=b")',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5 ;a=b\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1.1, RFC 9110 §5.6.3 (BWS)',
    note: 'The grammar allows BWS before ";" and RFC 9110 §5.6.3 asks recipients to parse it; brisk refuses it, as llhttp does, because proxies disagree on it (deliberate, listed in SECURITY.md).',
  },
  {
    name: 'empty chunk size line',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1',
  },
  {
    name: 'non-hex chunk size (g)',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('g\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1',
  },
  {
    name: 'chunk extension without a name ("5;")',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5;\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1.1, CVE-2021-22960',
  },
  {
    name: 'chunk extension with an empty value ("5;a=")',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5;a=\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1.1',
  },
  {
    name: 'chunk extension with an unterminated quoted value',
    category: 'chunked', feed: 'trickle', smuggle: true, bytes: chunkedPost('5;a="b\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1.1, CVE-2021-22960',
  },
  {
    name: 'chunk extension value with a space ("5;a=b c")',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5;a=b c\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1.1',
  },
  {
    name: 'NUL in a chunk extension',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5;a\x00=b\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1.1',
  },
  {
    name: 'bare LF inside a quoted chunk extension',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5;a="x\ny"\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1.1, CVE-2021-22960',
  },
  {
    name: 'chunk extensions longer than maxChunkExtensionBytes (64)',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost(`5;a=${'b'.repeat(100)}\r\nhello\r\n0\r\n\r\n`),
    options: { maxChunkExtensionBytes: 64 },
    expect: rejectedInBody(400), source: 'CVE-2024-22019 (unbounded chunk extensions)',
  },
  {
    name: 'valid chunk extensions (token and quoted values)',
    category: 'chunked', feed: 'split', bytes: chunkedAccepted('5;a=b;c="d e;f"\r\nhello\r\n0;last\r\n\r\n'),
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §7.1.1',
  },
  {
    name: 'chunk data longer than its size (no CRLF after data)',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('3\r\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1 (CRLF after chunk-data)',
  },
  {
    name: 'chunk data followed by X instead of CRLF',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhelloX\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §7.1, llhttp "missing CRLF after chunk data"',
  },
  {
    name: 'chunk data followed by bare LF',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, §7.1, CVE-2022-32214',
  },
  {
    name: 'chunk data followed by bare CR',
    category: 'chunked', feed: 'trickle', smuggle: true, bytes: chunkedPost('5\r\nhello\r0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, §7.1, CVE-2023-30589',
  },
  {
    name: 'chunk size line ended by bare LF',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\nhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, §7.1, CVE-2022-32214',
  },
  {
    name: 'chunk size line ended by bare CR',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\rhello\r\n0\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, CVE-2023-30589',
  },
  {
    name: 'last-chunk line ended by bare LF',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, §7.1',
  },
  {
    name: 'end of trailer section is a bare LF',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\r\n\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, §7.1',
  },
  {
    name: 'trailer field line ended by bare LF',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\r\nX-T: v\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, §7.1.2',
  },
  {
    name: 'trailer field line ended by bare CR',
    category: 'chunked', feed: 'split', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\r\nX-T: v\r\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §2.2, §7.1.2, CVE-2022-35256',
  },
  {
    name: 'obs-fold in the trailer section',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\r\nX-T: v\r\n w\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9112 §5.2, §7.1.2',
  },
  {
    name: 'NUL in a trailer field value',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9110 §5.5',
  },
  {
    name: 'Content-Length in the trailer section',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\r\nContent-Length: 35\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9110 §6.5.1',
    note: 'RFC 9110 §6.5.1 lets a recipient discard a prohibited trailer field or treat it as an error; brisk rejects, so no component acts on it late.',
  },
  {
    name: 'Transfer-Encoding in the trailer section',
    category: 'chunked', feed: 'whole', smuggle: true, bytes: chunkedPost('5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n'),
    expect: rejectedInBody(400), source: 'RFC 9110 §6.5.1',
    note: 'As above: rejected rather than discarded.',
  },
  {
    name: 'valid trailer field',
    category: 'chunked', feed: 'trickle', bytes: chunkedAccepted('5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n'),
    expect: accepted(['/', '/next'], ['hello', '']), source: 'RFC 9112 §7.1.2',
  },
  {
    name: 'upper-case hex and a zero-padded last chunk (A, 000)',
    category: 'chunked', feed: 'whole', bytes: chunkedAccepted('A\r\n0123456789\r\n000\r\n\r\n'),
    expect: accepted(['/', '/next'], ['0123456789', '']), source: 'RFC 9112 §7.1 (HEXDIG is case-insensitive)',
  },
  {
    name: 'chunked body whose data looks like a request',
    category: 'chunked', feed: 'split', smuggle: true,
    bytes: post(['Transfer-Encoding: chunked'], `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`),
    expect: accepted(['/'], [SMUGGLED]), source: 'RFC 9112 §7.1 (data is opaque)',
  },
];
