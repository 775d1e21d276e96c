// Where brisk's parser and Node's llhttp may legitimately disagree, by category. The llhttp
// under test is the running Node's (9.3.1 in Node 20, 9.4.4 in 22.23 and 24.22, 9.4.3 in 26.12);
// a category that holds only for some llhttp versions says so and is gated by a probe of the
// binding (see `llhttp-9.3.1-trailing-tab`). differential.test.ts fails on any disagreement no category claims. Nearly every
// category makes brisk *stricter* (it refuses a request llhttp parses); the three exceptions are
// marked `direction: 'brisk-accepts'` and say why none of them lets two hops frame a request
// differently.
import { runParser, splitEvery, type ParseRun } from '../helpers/parser-harness.js';
import { nativeHasTrailingTabFixes, type NativeRun } from '../helpers/node-llhttp.js';

export type Side = 'brisk-stricter' | 'node-stricter' | 'same-progress';

/** One input on which the two parsers disagree, with the first point of difference. */
export interface Disagreement {
  input: Buffer;
  brisk: ParseRun;
  node: NativeRun;
  /** Which parser stopped earlier (fewer complete messages, or an error where the other went on). */
  side: Side;
  /** Index of the message where they part. */
  index: number;
  /** What differs first: "outcome", "keepAlive", "upgrade", "headers", "body", "pending", ... */
  aspect: string;
  detail: string;
}

export interface DiffCategory {
  id: string;
  direction: 'brisk-rejects' | 'brisk-accepts' | 'semantics';
  brisk: string;
  llhttp: string;
  rfc: string;
  reason: string;
  matches(d: Disagreement): boolean;
}

/** brisk refused the message with one of `codes` where llhttp went on. */
function briskRejects(d: Disagreement, ...codes: string[]): boolean {
  return d.side === 'brisk-stricter' && d.brisk.error !== null && codes.includes(d.brisk.error.code);
}

/** The input line (without its line ending) holding byte `at`. */
function lineAt(input: Buffer, at: number): string {
  const text = input.toString('latin1');
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = start;
  while (end < text.length && text[end] !== '\r' && text[end] !== '\n') end++;
  return text.slice(start, end);
}

function briskErrorLine(d: Disagreement): string {
  return lineAt(d.input, d.brisk.error?.offset ?? 0);
}

/** The request line of the message brisk refused (found by re-feeding byte by byte), up to CR/LF. */
function briskRequestLine(d: Disagreement): string {
  const start = runParser(splitEvery(d.input, 1)).messages[d.index]?.startOffset;
  if (start === undefined) return '';
  const text = d.input.toString('latin1');
  let end = start;
  while (end < text.length && text[end] !== '\r' && text[end] !== '\n') end++;
  return text.slice(start, end);
}

/** Field values of message `index` as brisk parsed them, for one field name. */
function briskValues(d: Disagreement, name: string): string[] {
  const flat = d.brisk.messages[d.index]?.headers ?? [];
  const out: string[] = [];
  for (let k = 0; k + 1 < flat.length; k += 2) if (flat[k]!.toLowerCase() === name) out.push(flat[k + 1]!);
  return out;
}

/** Values of one field in message `index` as brisk parsed them; null if brisk never finished that head. */
function briskValuesAt(d: Disagreement, index: number, name: string): string[] | null {
  const m = d.brisk.messages[index];
  if (m === undefined || m.headers === null) return null;
  const out: string[] = [];
  for (let k = 0; k + 1 < m.headers.length; k += 2) if (m.headers[k]!.toLowerCase() === name) out.push(m.headers[k + 1]!);
  return out;
}

/** Connection elements, trimmed and lower-cased. */
function connectionOptions(values: string[]): Set<string> {
  return new Set(values.flatMap((v) => v.split(',')).map((e) => e.trim().toLowerCase()));
}

/**
 * Node 20 bundles llhttp 9.3.1, which refuses a tab after a Content-Length value (#810) and misses
 * close/keep-alive when a tab follows them (#866); llhttp 9.4.2 — the corpus version — fixed both.
 * The category holds when removing those trailing tabs from Content-Length and Connection lines
 * makes the parsers agree and leaves brisk's own result unchanged (offsets aside).
 */
const TRAILING_TAB = /(\r\n(?:content-length|connection):[^\r\n]*?)[ \t]*\t[ \t]*(?=\r\n)/gi;
type Rerun = (input: Buffer) => { disagreement: Disagreement | null; brisk: ParseRun; node: NativeRun };
let rerun: Rerun | null = null;
/** Installed by differential-support.ts, which owns both parsers' drivers. */
export function setRerun(fn: Rerun): void {
  rerun = fn;
}

function briskLogWithoutOffsets(run: ParseRun): string {
  return run.events.join('\n').replace(/@\d+/g, '');
}

/**
 * Per llhttp version: on 9.4+ (Node 22, 24, 26) the trailing tab no longer changes llhttp's result,
 * so this category must claim nothing there — otherwise, being listed before them, it would hide
 * disagreements that belong to other categories (it used to claim 4 inputs on Node 26).
 */
const TRAILING_TAB_CATEGORY_APPLIES = !nativeHasTrailingTabFixes();

function onlyTrailingTabsDiffer(d: Disagreement): boolean {
  if (!TRAILING_TAB_CATEGORY_APPLIES) return false;
  const text = d.input.toString('latin1');
  const cleaned = text.replace(TRAILING_TAB, '$1');
  if (cleaned === text || rerun === null) return false;
  const after = rerun(Buffer.from(cleaned, 'latin1'));
  if (briskLogWithoutOffsets(after.brisk) !== briskLogWithoutOffsets(d.brisk)) return false;
  // Without the tabs they agree, or differ only in another documented way.
  const rest = after.disagreement;
  return rest === null || DIFF_CATEGORIES.some((c) => c.id !== 'llhttp-9.3.1-trailing-tab' && c.matches(rest));
}

/**
 * One parser has refused the message and the other is still waiting for bytes: llhttp checks
 * Content-Length digits as they arrive while brisk checks the value at its CR, and llhttp looks
 * one byte past a field line (for obs-fold) before refusing an empty Content-Length. The category
 * holds when, with the line and head finished ("\r\n\r\n" appended), both refuse that same message.
 */
function onlyDetectionPointDiffers(d: Disagreement): boolean {
  if (d.aspect !== 'outcome' || rerun === null) return false;
  const completeB = d.brisk.messages.filter((m) => m.complete).length;
  const completeN = d.node.messages.filter((m) => m.complete).length;
  if (completeB !== completeN) return false;
  const briskPending = d.brisk.outcome === 'accept' && d.node.outcome === 'reject';
  const nodePending = d.brisk.outcome === 'reject' && d.node.outcome === 'accept';
  if (!briskPending && !nodePending) return false;
  const after = rerun(Buffer.concat([d.input, Buffer.from('\r\n\r\n')]));
  const sameMessage = (r: { messages: { complete: boolean }[] }): boolean => r.messages.filter((m) => m.complete).length === completeB;
  return after.brisk.outcome === 'reject' && after.node.outcome === 'reject' && sameMessage(after.brisk) && sameMessage(after.node);
}

/** llhttp's method list lacks these registered methods (IANA HTTP Method Registry). */
export const REGISTERED_METHODS_UNKNOWN_TO_LLHTTP = new Set([
  'BASELINE-CONTROL', 'CHECKIN', 'LABEL', 'MKREDIRECTREF', 'MKWORKSPACE', 'ORDERPATCH', 'UNCHECKOUT',
  'UPDATE', 'UPDATEREDIRECTREF', 'VERSION-CONTROL',
]);

export const DIFF_CATEGORIES: readonly DiffCategory[] = [
  {
    id: 'missing-host',
    direction: 'brisk-rejects',
    brisk: '400 MISSING_HOST',
    llhttp: 'accepts an HTTP/1.1 request without Host',
    rfc: 'RFC 9112 §3.2',
    reason: 'A server MUST respond with 400 to any HTTP/1.1 request message that lacks a Host header field.',
    matches: (d) => briskRejects(d, 'MISSING_HOST'),
  },
  {
    id: 'host-field',
    direction: 'brisk-rejects',
    brisk: '400 DUPLICATE_HOST / INVALID_HOST',
    llhttp: 'does not look at Host',
    rfc: 'RFC 9112 §3.2, RFC 9110 §7.2, RFC 3986 §3.2.2',
    reason:
      'A server MUST respond with 400 to a request with more than one Host field line or a Host field ' +
      'with an invalid field value (uri-host [ ":" port ]).',
    matches: (d) => briskRejects(d, 'DUPLICATE_HOST', 'INVALID_HOST'),
  },
  {
    id: 'fragment-in-target',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_TARGET',
    llhttp: 'accepts "#" and reports a fragment',
    rfc: 'RFC 9112 §3.2',
    reason: 'No request-target form has a fragment; clients strip it before sending.',
    matches: (d) => briskRejects(d, 'INVALID_TARGET') && briskRequestLine(d).split(' ')[1]?.includes('#') === true,
  },
  {
    id: 'target-form',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_TARGET',
    llhttp: 'accepts any target form with any method, and any scheme',
    rfc: 'RFC 9112 §3.2.1–§3.2.4',
    reason:
      'authority-form is only for CONNECT (and CONNECT only takes authority-form), asterisk-form only for ' +
      'OPTIONS, and absolute-form must be an http(s) URI with an authority.',
    matches: (d) => briskRejects(d, 'INVALID_TARGET'),
  },
  {
    id: 'http-version',
    direction: 'brisk-rejects',
    brisk: '505 UNSUPPORTED_VERSION',
    llhttp: 'accepts HTTP/0.9 and HTTP/2.0 in a request line',
    rfc: 'RFC 9112 §2.3, RFC 9110 §15.6.6',
    reason: 'brisk speaks HTTP/1.0 and HTTP/1.1 only; 505 says so. HTTP/2 does not use this request line.',
    matches: (d) => briskRejects(d, 'UNSUPPORTED_VERSION'),
  },
  {
    id: 'http-0.9-request-line',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_REQUEST_LINE',
    llhttp: 'takes "METHOD target CRLF" as an HTTP/0.9 request',
    rfc: 'RFC 9112 §3, Appendix C.1',
    reason: 'request-line = method SP request-target SP HTTP-version; HTTP/0.9 requests are not served.',
    matches: (d) => briskRejects(d, 'INVALID_REQUEST_LINE') && /^[^ ]+ [^ ]+$/.test(briskRequestLine(d)),
  },
  {
    id: 'request-line-whitespace',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_VERSION / INVALID_REQUEST_LINE / INVALID_TARGET',
    llhttp: 'skips extra SP between method, target and version',
    rfc: 'RFC 9112 §3',
    reason:
      'The grammar has exactly one SP between the parts. Recipients MAY split on any whitespace, but "lenient ' +
      'parsing can result in request smuggling"; brisk does not.',
    matches: (d) =>
      briskRejects(d, 'INVALID_VERSION', 'INVALID_REQUEST_LINE', 'INVALID_TARGET', 'INVALID_METHOD') && /  |\t/.test(briskRequestLine(d)),
  },
  {
    id: 'unsupported-transfer-coding',
    direction: 'brisk-rejects',
    brisk: '501 UNSUPPORTED_TRANSFER_CODING',
    llhttp: 'accepts codings before the final chunked (e.g. "gzip, chunked") and passes them on',
    rfc: 'RFC 9112 §6.1',
    reason:
      'brisk implements no transfer coding but chunked; "A server that receives a request message with a ' +
      'transfer coding it does not understand SHOULD respond with 501 (Not Implemented)."',
    matches: (d) => briskRejects(d, 'UNSUPPORTED_TRANSFER_CODING'),
  },
  {
    id: 'transfer-encoding-syntax',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_TRANSFER_ENCODING',
    llhttp: 'accepts some malformed values: empty, ",chunked", a coding list where the message is a CONNECT',
    rfc: 'RFC 9112 §6.1, §6.3',
    reason:
      'Transfer-Encoding decides where the request ends; a value that is not a clean list of codings ending in ' +
      'chunked leaves the length undetermined, and the server "MUST respond with the 400 (Bad Request)".',
    matches: (d) => briskRejects(d, 'INVALID_TRANSFER_ENCODING'),
  },
  {
    id: 'transfer-encoding-in-http-1.0',
    direction: 'brisk-rejects',
    brisk: '400 TRANSFER_ENCODING_IN_HTTP_1_0',
    llhttp: 'decodes chunked in an HTTP/1.0 request',
    rfc: 'RFC 9112 §6.1',
    reason:
      'A server that receives an HTTP/1.0 message containing Transfer-Encoding "MUST treat the message as if ' +
      'the framing is faulty"; HTTP/1.0 has no chunked coding, so an intermediary may frame it differently.',
    matches: (d) => briskRejects(d, 'TRANSFER_ENCODING_IN_HTTP_1_0'),
  },
  {
    id: 'size-beyond-2^53',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_CONTENT_LENGTH / CHUNK_SIZE_OVERFLOW',
    llhttp: 'accepts lengths up to 2^64-1',
    rfc: 'RFC 9110 §8.6, RFC 9112 §7.1',
    reason:
      'Lengths are JavaScript numbers; past 2^53-1 they lose precision. "A recipient MUST anticipate ' +
      'potentially large decimal numerals and prevent parsing errors due to integer conversion overflows".',
    matches: (d) => {
      if (!briskRejects(d, 'INVALID_CONTENT_LENGTH', 'CHUNK_SIZE_OVERFLOW')) return false;
      if (d.brisk.error?.code === 'CHUNK_SIZE_OVERFLOW') return true;
      const digits = /^content-length:[ \t]*0*(\d+)[ \t]*$/i.exec(briskErrorLine(d));
      return digits !== null && Number(digits[1]) > Number.MAX_SAFE_INTEGER;
    },
  },
  {
    id: 'unknown-method',
    direction: 'brisk-rejects',
    brisk: '501 UNKNOWN_METHOD',
    llhttp: 'knows a method brisk does not implement',
    rfc: 'RFC 9110 §9.1',
    reason: 'An origin server that receives a method that is unrecognized or not implemented SHOULD respond with 501.',
    matches: (d) => briskRejects(d, 'UNKNOWN_METHOD'),
  },
  {
    id: 'bytes-after-close',
    direction: 'brisk-rejects',
    brisk: '400 DATA_AFTER_CLOSE for any byte after a message that closes the connection',
    llhttp: 'skips CR and LF bytes there',
    rfc: 'RFC 9112 §9.6',
    reason: 'After "close" nothing more is read; brisk does not look for harmless bytes in what it will not serve.',
    matches: (d) => briskRejects(d, 'DATA_AFTER_CLOSE') && /^[\r\n]*$/.test(d.input.subarray(d.brisk.error!.offset).toString('latin1')),
  },
  {
    id: 'bare-cr-or-lf-between-messages',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_LINE_ENDING for a bare CR or LF before a request line',
    llhttp: 'skips any CR and LF bytes before a request line',
    rfc: 'RFC 9112 §2.2',
    reason:
      'The robustness rule is to ignore empty lines (CRLF) before a request line; a bare CR or LF is not a ' +
      'line ending to brisk anywhere.',
    matches: (d) => {
      if (!briskRejects(d, 'INVALID_LINE_ENDING') || d.brisk.messages.length !== d.index) return false;
      const at = d.brisk.error!.offset;
      return d.input[at] === 0x0a || d.input[at - 1] === 0x0d;
    },
  },
  {
    id: 'connection-close-wins',
    direction: 'semantics',
    brisk: 'keepAlive=false when Connection has both close and keep-alive (HTTP/1.0)',
    llhttp: 'keeps an HTTP/1.0 connection alive on keep-alive, ignoring close',
    rfc: 'RFC 9112 §9.3, §9.6',
    reason: '"close" means the sender will close; closing is the safe reading of a contradictory field.',
    matches: (d) => {
      if (d.side !== 'same-progress' || d.aspect !== 'keepAlive' || d.brisk.messages[d.index]?.keepAlive !== false) return false;
      const options = connectionOptions(briskValues(d, 'connection'));
      return options.has('close') && options.has('keep-alive');
    },
  },
  {
    id: 'llhttp-9.3.1-trailing-tab',
    direction: 'brisk-accepts',
    brisk: 'trims a trailing HTAB off Content-Length and Connection values (OWS)',
    llhttp:
      'Node 20\'s llhttp 9.3.1 refuses "Content-Length: 5<HTAB>" and misses "close<HTAB>"/"keep-alive<HTAB>"; ' +
      'llhttp 9.4.2 fixed both (#810, #866) and the corpus expects the fixed behaviour. Applies only where ' +
      'the binding still behaves like 9.3.1 (probed at load): Node 20; never on 22, 24, 26',
    rfc: 'RFC 9110 §5.5, §5.6.3',
    reason: 'Trailing OWS is not part of a field value.',
    matches: onlyTrailingTabsDiffer,
  },
  {
    id: 'forbidden-trailer-field',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_TRAILER_FIELD for Host, Content-Length, Transfer-Encoding, Connection, Upgrade, Expect in trailers',
    llhttp: 'accepts them, and acts on a trailing Connection field',
    rfc: 'RFC 9110 §6.5.1',
    reason:
      'Fields that frame, route or control the connection "cannot be processed outside the header section"; ' +
      'acting on them late (llhttp) or ignoring them (the alternative) would make two parsers disagree.',
    matches: (d) => briskRejects(d, 'INVALID_TRAILER_FIELD'),
  },
  {
    id: 'detection-point',
    direction: 'semantics',
    brisk: 'refuses the same message, at another byte',
    llhttp: 'refuses Content-Length digits byte by byte, but waits one byte past a field line',
    rfc: 'RFC 9112 §5 (field lines are read whole)',
    reason:
      'Both parsers refuse the message once its field line is complete; at the end of a truncated input one ' +
      'has refused and the other is still waiting. Neither ever serves it.',
    matches: onlyDetectionPointDiffers,
  },
  {
    id: 'chunk-extension-syntax',
    direction: 'brisk-rejects',
    brisk: '400 INVALID_CHUNK_EXTENSION',
    llhttp: 'accepts some malformed extensions (e.g. a quote inside a token value)',
    rfc: 'RFC 9112 §7.1.1',
    reason: 'chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), chunk-ext-val = token / quoted-string.',
    matches: (d) => briskRejects(d, 'INVALID_CHUNK_EXTENSION'),
  },
  {
    id: 'identical-content-length-values',
    direction: 'brisk-accepts',
    brisk: 'takes "Content-Length: 5, 5" and repeated equal Content-Length lines as one value',
    llhttp: 'HPE_INVALID_CONTENT_LENGTH / HPE_UNEXPECTED_CONTENT_LENGTH for any list or repeat',
    rfc: 'RFC 9110 §8.6, RFC 9112 §6.3 (5); README "Deliberate decisions", issue #3',
    reason:
      'A recipient may "replace the duplicated field values with a single valid Content-Length field"; all ' +
      'elements are equal, so any hop that accepts the field reads the same length. Differing values stay 400.',
    matches: (d) => {
      if (d.side !== 'node-stricter') return false;
      if (d.node.errorCode !== 'HPE_INVALID_CONTENT_LENGTH' && d.node.errorCode !== 'HPE_UNEXPECTED_CONTENT_LENGTH') return false;
      const values = briskValuesAt(d, d.index, 'content-length');
      if (values === null) return false;
      const numbers = values.flatMap((v) => v.split(',')).map((e) => e.trim());
      return numbers.length > 1 && numbers.every((e) => /^\d+$/.test(e) && BigInt(e) === BigInt(numbers[0]!));
    },
  },
  {
    id: 'registered-method-unknown-to-llhttp',
    direction: 'brisk-accepts',
    brisk: 'accepts every method of the IANA HTTP Method Registry',
    llhttp: 'HPE_INVALID_METHOD for registered methods missing from its fixed list (LABEL, UPDATE, CHECKIN, ...)',
    rfc: 'RFC 9110 §9.1, §16.1',
    reason:
      "Method is any token; brisk answers 501 only for methods outside the registry. llhttp's fixed list is its " +
      'own policy (corpus README §3, "llhttp-policy"), not a syntax rule, and both parsers still agree on where ' +
      'the request ends.',
    matches: (d) => {
      if (d.side !== 'node-stricter' || d.node.errorCode !== 'HPE_INVALID_METHOD') return false;
      const m = d.brisk.messages[d.index]?.method;
      return m !== undefined && m !== null && REGISTERED_METHODS_UNKNOWN_TO_LLHTTP.has(m);
    },
  },
];
