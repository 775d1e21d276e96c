// The request-line (RFC 9112 §3): method SP request-target SP HTTP-version CRLF, scanned in the
// buffer it arrived in, one part per call, so that any split of the input gives the same result.
// Owns the method, target and version of the message being parsed. It never calls the handler
// and never changes the parser's state: RequestParser moves from part to part.
import * as chars from './chars.js';
import type { ParseErrorCode } from './errors.js';
import * as methods from './methods.js';
import * as scan from './scan.js';
import type { Refusal, SliceableBuffer } from './scan.js';

// Module-local bindings rather than named imports: see the note at the top of chars.ts.
const { COLON, CR, HOST, LF, LOWER, SP, TARGET, TOKEN } = chars;
const { KNOWN_METHODS, MAX_METHOD_LENGTH, isMethodPrefix } = methods;
const { NEED_MORE, skipTable } = scan;

/** "http", lower case, for absolute-form targets. */
const HTTP_SCHEME = [0x68, 0x74, 0x74, 0x70];
/** "HTTP/" */
const VERSION_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f];

export class RequestLine {
  /** Method as received, e.g. "GET"; valid once scanMethod has passed it. */
  method = '';
  /** The raw request-target; valid once scanTarget has passed it. */
  target = '';
  versionMinor = 1;
  /** Where the method or target being scanned starts (an index into the scan buffer). */
  private partStart = 0;
  /** Bytes of "HTTP/x.y" read so far, for a version split across reads. */
  private versionIndex = 0;
  private versionMajor = 0;

  constructor(
    private readonly refusal: Refusal,
    private readonly maxTargetBytes: number,
  ) {}

  /** A request-line starts at `i` (its first byte is a tchar). */
  begin(i: number): void {
    this.partStart = i;
    this.versionIndex = 0;
  }

  /** The scan buffer moved: index `delta` of the old one is index 0 of the new one. */
  rebase(delta: number): void {
    this.partStart -= delta;
  }

  /** method SP: returns the index after the SP, NEED_MORE or FAILED. */
  scanMethod(buf: SliceableBuffer, i: number, end: number): number {
    const start = this.partStart;
    const stop = Math.min(end, start + MAX_METHOD_LENGTH + 1);
    while (i < stop && TOKEN[buf[i]] === 1) i++;
    if (i - start > MAX_METHOD_LENGTH) return this.refusal.at('UNKNOWN_METHOD', start);
    if (i === end || buf[i] !== SP) {
      // Refuse as soon as no known method starts this way, at any split of the input.
      if (!isMethodPrefix(buf, start, i)) return this.refusal.at('UNKNOWN_METHOD', start);
      if (i === end) return NEED_MORE;
      return this.refusal.at(buf[i] === CR || buf[i] === LF ? 'INVALID_REQUEST_LINE' : 'INVALID_METHOD', i);
    }
    const code = this.readMethod(buf, start, i);
    if (code !== null) return this.refusal.at(code, start);
    this.partStart = ++i;
    return i;
  }

  /** request-target SP: returns the index after the SP, NEED_MORE or FAILED. */
  scanTarget(buf: SliceableBuffer, i: number, end: number): number {
    const start = this.partStart;
    const max = this.maxTargetBytes;
    i = skipTable(TARGET, buf, i, Math.min(end, start + max + 1));
    if (i - start > max) return this.refusal.at('TARGET_TOO_LONG', start + max);
    if (i === end) return NEED_MORE;
    const c = buf[i];
    if (c !== SP) return this.refusal.at(c === CR || c === LF ? 'INVALID_REQUEST_LINE' : 'INVALID_TARGET', i);
    if (i === start) return this.refusal.at('INVALID_TARGET', i);
    if (!this.isAllowedForm(buf, start, i)) return this.refusal.at('INVALID_TARGET', start);
    // "/" is the most common target of all; skip the native slice for it.
    this.target = i - start === 1 && buf[start] === 0x2f ? '/' : buf.latin1Slice(start, i);
    return i + 1;
  }

  /**
   * "HTTP/" DIGIT "." DIGIT CR: returns the index after the CR, NEED_MORE or FAILED. Anything
   * else is 400; a well-formed version other than 1.0 or 1.1 is 505.
   */
  scanVersion(buf: Uint8Array, i: number, end: number): number {
    // Fast path: the whole "HTTP/1.1\r" or "HTTP/1.0\r" is here.
    if (
      this.versionIndex === 0 && i + 9 <= end &&
      buf[i] === 0x48 && buf[i + 1] === 0x54 && buf[i + 2] === 0x54 && buf[i + 3] === 0x50 &&
      buf[i + 4] === 0x2f && buf[i + 5] === 0x31 && buf[i + 6] === 0x2e &&
      (buf[i + 7] === 0x31 || buf[i + 7] === 0x30) && buf[i + 8] === CR
    ) {
      this.versionMajor = 1;
      this.versionMinor = buf[i + 7] - 0x30;
      return i + 9;
    }
    for (; i < end; i++) {
      const k = this.versionIndex++;
      const c = buf[i];
      if (k < 5) {
        if (c !== VERSION_PREFIX[k]) return this.refusal.at('INVALID_VERSION', i);
      } else if (k === 5) {
        if (c < 0x30 || c > 0x39) return this.refusal.at('INVALID_VERSION', i);
        this.versionMajor = c - 0x30;
      } else if (k === 6) {
        if (c !== 0x2e) return this.refusal.at('INVALID_VERSION', i);
      } else if (k === 7) {
        if (c < 0x30 || c > 0x39) return this.refusal.at('INVALID_VERSION', i);
        this.versionMinor = c - 0x30;
        // Refuse as soon as the version is known, like llhttp: no need to wait for the CR.
        if (this.versionMajor !== 1 || this.versionMinor > 1) return this.refusal.at('UNSUPPORTED_VERSION', i - 7);
      } else {
        if (c !== CR) return this.refusal.at(c === LF ? 'INVALID_LINE_ENDING' : 'INVALID_VERSION', i);
        return i + 1;
      }
    }
    return NEED_MORE;
  }

  /** Interns the common methods; anything else must be a registered method (501 otherwise). */
  private readMethod(buf: SliceableBuffer, start: number, end: number): ParseErrorCode | null {
    const len = end - start;
    const c0 = buf[start];
    if (len === 3 && c0 === 0x47 && buf[start + 1] === 0x45 && buf[start + 2] === 0x54) {
      this.method = 'GET';
      return null;
    }
    if (len === 4 && c0 === 0x50 && buf[start + 1] === 0x4f && buf[start + 2] === 0x53 && buf[start + 3] === 0x54) {
      this.method = 'POST';
      return null;
    }
    const method = buf.latin1Slice(start, end);
    if (KNOWN_METHODS.has(method)) {
      this.method = method;
      return null;
    }
    return method === 'PRI' ? 'HTTP2_PREFACE' : 'UNKNOWN_METHOD';
  }

  /** The four request-target forms (RFC 9112 §3.2), each only where it is allowed. */
  private isAllowedForm(buf: Uint8Array, start: number, end: number): boolean {
    const first = buf[start];
    if (this.method === 'CONNECT') return isAuthorityForm(buf, start, end);
    if (first === 0x2f) return true; // origin-form
    if (first === 0x2a && end - start === 1) return this.method === 'OPTIONS'; // asterisk-form
    // absolute-form: only http and https make sense to an HTTP server
    return isHttpUri(buf, start, end);
  }
}

/** authority-form (RFC 9112 §3.2.3): uri-host ":" port, nothing else. */
function isAuthorityForm(buf: Uint8Array, start: number, end: number): boolean {
  let colon = -1;
  for (let k = start; k < end; k++) {
    const c = buf[k];
    if (HOST[c] !== 1 || c === 0x40) return false;
    if (c === COLON) colon = k;
  }
  if (colon <= start || colon === end - 1) return false;
  for (let k = colon + 1; k < end; k++) if (buf[k] < 0x30 || buf[k] > 0x39) return false;
  return true;
}

/**
 * absolute-form with an http or https scheme and a non-empty authority (RFC 9110 §4.2.1) whose
 * bytes are those of userinfo, host and port (RFC 3986 §3.2), with at most one "@".
 */
function isHttpUri(buf: Uint8Array, start: number, end: number): boolean {
  let k = start;
  for (const ch of HTTP_SCHEME) if (k >= end || LOWER[buf[k++]] !== ch) return false;
  if (k < end && LOWER[buf[k]] === 0x73) k++; // "s"
  if (end - k < 4 || buf[k] !== COLON || buf[k + 1] !== 0x2f || buf[k + 2] !== 0x2f) return false;
  k += 3;
  const authorityStart = k;
  let ats = 0;
  for (; k < end; k++) {
    const c = buf[k];
    if (c === 0x2f || c === 0x3f) break;
    if (c === 0x40) {
      if (++ats > 1) return false;
    } else if (HOST[c] !== 1) return false;
  }
  return k > authorityStart;
}
