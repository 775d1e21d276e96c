// Reading the header fields that decide framing and connection handling, straight from the
// input bytes (no strings): Content-Length, Transfer-Encoding, Connection, Host, Expect.
// Pure functions over (buf, start, end); the parser calls them once per such field line.
import { COMMA, HOST, HTAB, LOWER, SEMICOLON, SP, TOKEN } from './chars.js';

/** Which special field a name is, by length then case-insensitive bytes. */
export const enum SpecialField {
  None = 0,
  Host = 1,
  Expect = 2,
  Upgrade = 3,
  Connection = 4,
  ContentLength = 5,
  TransferEncoding = 6,
}

const NAMES: [SpecialField, Uint8Array][] = [
  [SpecialField.Host, bytes('host')],
  [SpecialField.Expect, bytes('expect')],
  [SpecialField.Upgrade, bytes('upgrade')],
  [SpecialField.Connection, bytes('connection')],
  [SpecialField.ContentLength, bytes('content-length')],
  [SpecialField.TransferEncoding, bytes('transfer-encoding')],
];
/** Lookup by name length (the names above all differ in length). */
const BY_LENGTH: (Uint8Array | undefined)[] = [];
const KIND_BY_LENGTH: SpecialField[] = [];
for (const [kind, name] of NAMES) {
  BY_LENGTH[name.length] = name;
  KIND_BY_LENGTH[name.length] = kind;
}

function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

function equalsLower(buf: Uint8Array, start: number, lower: Uint8Array): boolean {
  for (let k = 0; k < lower.length; k++) if (LOWER[buf[start + k]] !== lower[k]) return false;
  return true;
}

export function specialField(buf: Uint8Array, start: number, end: number): SpecialField {
  const len = end - start;
  const name = BY_LENGTH[len];
  if (name === undefined || !equalsLower(buf, start, name)) return SpecialField.None;
  return KIND_BY_LENGTH[len];
}

const MAX_SAFE_DIV_10 = Math.floor(Number.MAX_SAFE_INTEGER / 10);

/**
 * Content-Length = 1*DIGIT (RFC 9110 §8.6), or a list of identical values ("42, 42"), which is
 * one value (RFC 9110 §8.6 lets a recipient replace it by that value; README, issue #3). Returns
 * the length, or -1 for anything else: signs, spaces inside, hex, empty elements, differing
 * values, values past 2^53-1. llhttp refuses every list; since all elements are equal, no hop
 * that accepts the field at all can read another length.
 */
export function parseContentLength(buf: Uint8Array, start: number, end: number): number {
  let result = -1;
  let i = start;
  for (;;) {
    let value = 0;
    const digitsStart = i;
    while (i < end) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (value > MAX_SAFE_DIV_10 || (value === MAX_SAFE_DIV_10 && d > Number.MAX_SAFE_INTEGER % 10)) return -1;
      value = value * 10 + d;
      i++;
    }
    if (i === digitsStart) return -1;
    if (result !== -1 && result !== value) return -1;
    result = value;
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    if (i === end) return result;
    if (buf[i] !== COMMA) return -1;
    i++;
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
  }
}

/** Facts gathered from every Transfer-Encoding field line of one message. */
export const enum Coding {
  /** Some coding was listed. */
  Seen = 1,
  /** The last coding listed so far is chunked. */
  ChunkedLast = 2,
  /** chunked was listed more than once (it must be applied exactly once, RFC 9112 §6.1). */
  ChunkedTwice = 4,
  /** A coding other than chunked was listed (we implement none: 501). */
  Unsupported = 8,
  /** The value is not a list of transfer-codings. */
  Invalid = 16,
  /** chunked was listed at some point. */
  ChunkedSeen = 32,
}

const CHUNKED = bytes('chunked');

/**
 * Folds one Transfer-Encoding field value into `acc` (RFC 9112 §6.1):
 * transfer-coding = token *( OWS ";" OWS transfer-parameter ), comma-separated, OWS around.
 * Stricter than the list rule in one way: an empty element (",chunked", "chunked,") is Invalid.
 * llhttp refuses "chunked," and for a framing field we refuse both rather than guess.
 */
export function scanTransferEncoding(buf: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (;;) {
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    if (i === end || TOKEN[buf[i]] !== 1) return acc | Coding.Invalid;
    const tokenStart = i;
    while (i < end && TOKEN[buf[i]] === 1) i++;
    const isChunked = i - tokenStart === CHUNKED.length && equalsLower(buf, tokenStart, CHUNKED);
    if (isChunked) {
      if (acc & Coding.ChunkedSeen) acc |= Coding.ChunkedTwice;
      acc |= Coding.ChunkedSeen | Coding.ChunkedLast | Coding.Seen;
    } else {
      acc = (acc & ~Coding.ChunkedLast) | Coding.Unsupported | Coding.Seen;
    }
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    if (i < end && buf[i] === SEMICOLON) {
      // chunked takes no parameters; the others are unsupported anyway (501), so skip theirs
      if (isChunked) return acc | Coding.Invalid;
      while (i < end && buf[i] !== COMMA) i++;
    }
    if (i === end) return acc;
    if (buf[i] !== COMMA) return acc | Coding.Invalid;
    i++;
  }
}

/** Connection options (RFC 9110 §7.6.1) that change how the parser frames and ends a message. */
export const enum ConnectionOption {
  Close = 1,
  KeepAlive = 2,
  Upgrade = 4,
}

const CLOSE = bytes('close');
const KEEP_ALIVE = bytes('keep-alive');
const UPGRADE = bytes('upgrade');

/**
 * ORs the options named in one Connection field value (RFC 9110 §7.6.1: #connection-option).
 * Each comma-separated element is compared whole after trimming OWS, as llhttp does: "close"
 * and "close<HTAB>" name close; "foo close" and "closed" name nothing. Unknown tokens are ignored.
 */
export function scanConnection(buf: Uint8Array, start: number, end: number): number {
  let options = 0;
  let i = start;
  while (i <= end) {
    let elementStart = i;
    while (elementStart < end && (buf[elementStart] === SP || buf[elementStart] === HTAB)) elementStart++;
    let comma = elementStart;
    while (comma < end && buf[comma] !== COMMA) comma++;
    let elementEnd = comma;
    while (elementEnd > elementStart && (buf[elementEnd - 1] === SP || buf[elementEnd - 1] === HTAB)) elementEnd--;
    const len = elementEnd - elementStart;
    if (len === CLOSE.length && equalsLower(buf, elementStart, CLOSE)) options |= ConnectionOption.Close;
    else if (len === KEEP_ALIVE.length && equalsLower(buf, elementStart, KEEP_ALIVE)) options |= ConnectionOption.KeepAlive;
    else if (len === UPGRADE.length && equalsLower(buf, elementStart, UPGRADE)) options |= ConnectionOption.Upgrade;
    i = comma + 1;
  }
  return options;
}

/** Host = uri-host [ ":" port ] (RFC 9110 §7.2); empty is allowed. */
export function isValidHost(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  const end4 = end - 4;
  // 4 bytes a step: Host is on every request
  while (i <= end4 && (HOST[buf[i]] & HOST[buf[i + 1]] & HOST[buf[i + 2]] & HOST[buf[i + 3]]) === 1) i += 4;
  while (i < end && HOST[buf[i]] === 1) i++;
  return i === end;
}

const CONTINUE = bytes('100-continue');

/** Expect: 100-continue, compared case-insensitively (RFC 9110 §10.1.1). */
export function isExpectContinue(buf: Uint8Array, start: number, end: number): boolean {
  return end - start === CONTINUE.length && equalsLower(buf, start, CONTINUE);
}
