// What a header section says about its message: the fields that frame it or decide the
// connection (Content-Length, Transfer-Encoding, Connection, Host, Upgrade, Expect) are read as
// their lines arrive, and the framing is decided once, at the end of the head (RFC 9112 §6.3
// message body length, §9.3 persistence). Works on byte ranges of the scan buffer: it never makes
// strings, never calls the handler and never moves the parser's state.
import * as fields from './fields.js';
import { Coding, SpecialField } from './fields.js';
import * as scan from './scan.js';
import type { Refusal } from './scan.js';
import { BodyKind, type HeadInfo } from './types.js';

// Module-local bindings rather than named imports: see the note at the top of chars.ts.
const { isExpectContinue, isValidHost, parseContentLength, scanConnection, scanTransferEncoding } = fields;
const { hasHtab } = scan;

/** Facts about the message being parsed; bit values of the Connection ones match ConnectionOption. */
const enum Flag {
  ConnectionClose = 1,
  ConnectionKeepAlive = 2,
  ConnectionUpgrade = 4,
  UpgradeField = 8,
  ContentLength = 16,
  Host = 32,
  ExpectContinue = 64,
  ExpectOther = 128,
  InTrailers = 256,
}

export class MessageFraming {
  private flags = 0;
  private coding = 0;
  private contentLength = 0;
  /** Of the request being parsed (Transfer-Encoding is refused in HTTP/1.0). */
  private versionMinor = 1;

  constructor(private readonly refusal: Refusal) {}

  /** The request-line is complete; its header section follows. */
  begin(versionMinor: number): void {
    this.versionMinor = versionMinor;
  }

  /** The last chunk was read: the field lines that follow are a trailer section. */
  enterTrailers(): void {
    this.flags |= Flag.InTrailers;
  }

  get inTrailers(): boolean {
    return (this.flags & Flag.InTrailers) !== 0;
  }

  /** Forget the message: the next one starts from nothing. */
  clear(): void {
    this.flags = 0;
    this.coding = 0;
    this.contentLength = 0;
  }

  /**
   * One complete field line whose name is `kind` (not SpecialField.None). The value is
   * [valueStart, valueEnd), OWS trimmed; `lineEnd` is the CR (the untrimmed end).
   * Returns 0, or FAILED with the reason in the Refusal.
   */
  readField(
    kind: SpecialField,
    buf: Uint8Array,
    nameStart: number,
    valueStart: number,
    valueEnd: number,
    lineEnd: number,
  ): number {
    if (this.flags & Flag.InTrailers) {
      // Framing, routing and connection fields are not allowed in a trailer section (RFC 9110
      // §6.5.1). llhttp would act on a trailing "Connection: close"; refusing is the safe middle.
      return this.refusal.at('INVALID_TRAILER_FIELD', nameStart);
    }
    switch (kind) {
      case SpecialField.ContentLength:
        return this.readContentLength(buf, nameStart, valueStart, valueEnd);
      case SpecialField.TransferEncoding:
        return this.readTransferEncoding(buf, nameStart, valueStart, valueEnd, lineEnd);
      case SpecialField.Connection:
        this.flags |= scanConnection(buf, valueStart, valueEnd);
        return 0;
      case SpecialField.Host:
        if (this.flags & Flag.Host) return this.refusal.at('DUPLICATE_HOST', nameStart);
        if (!isValidHost(buf, valueStart, valueEnd)) return this.refusal.at('INVALID_HOST', valueStart);
        this.flags |= Flag.Host;
        return 0;
      case SpecialField.Upgrade:
        // An empty Upgrade names no protocol to switch to (llhttp ignores it as well).
        if (valueEnd > valueStart) this.flags |= Flag.UpgradeField;
        return 0;
      default: // SpecialField.Expect
        this.flags |= isExpectContinue(buf, valueStart, valueEnd) ? Flag.ExpectContinue : Flag.ExpectOther;
        return 0;
    }
  }

  /**
   * The head is complete; the LF of its blank line is at `lfIndex`. Decides the framing and fills
   * every field of `info` but method, target and headers. Returns 0, or FAILED (see the Refusal).
   */
  decide(info: HeadInfo, method: string, versionMinor: number, lfIndex: number): number {
    const flags = this.flags;
    const http11 = versionMinor === 1;
    if (http11 && !(flags & Flag.Host)) return this.refusal.at('MISSING_HOST', lfIndex);
    let bodyKind = BodyKind.None;
    if (this.coding & Coding.Seen) {
      // RFC 9112 §6.3: chunked must be the final coding, or the length cannot be known (400);
      // a coding we do not implement is 501 (RFC 9112 §6.1).
      if (!(this.coding & Coding.ChunkedLast)) return this.refusal.at('INVALID_TRANSFER_ENCODING', lfIndex);
      if (this.coding & Coding.Unsupported) return this.refusal.at('UNSUPPORTED_TRANSFER_CODING', lfIndex);
      bodyKind = BodyKind.Chunked;
    } else if (this.contentLength > 0) {
      bodyKind = BodyKind.Length;
    }
    const isConnect = method === 'CONNECT';
    // CONNECT content has no defined semantics (RFC 9110 §9.3.6): the tunnel starts after the head.
    if (isConnect) bodyKind = BodyKind.None;
    info.versionMinor = versionMinor;
    info.bodyKind = bodyKind;
    info.contentLength = bodyKind === BodyKind.Length ? this.contentLength : 0;
    info.keepAlive = !(flags & Flag.ConnectionClose) && (http11 || (flags & Flag.ConnectionKeepAlive) !== 0);
    info.upgrade = isConnect || ((flags & Flag.ConnectionUpgrade) !== 0 && (flags & Flag.UpgradeField) !== 0);
    info.expectContinue = http11 && (flags & Flag.ExpectContinue) !== 0;
    info.expectOther = (flags & Flag.ExpectOther) !== 0;
    return 0;
  }

  private readContentLength(buf: Uint8Array, nameStart: number, valueStart: number, valueEnd: number): number {
    if (this.coding & Coding.Seen) return this.refusal.at('CONTENT_LENGTH_WITH_TRANSFER_ENCODING', nameStart);
    const n = parseContentLength(buf, valueStart, valueEnd);
    if (n < 0) return this.refusal.at('INVALID_CONTENT_LENGTH', valueStart);
    // Another line with the same value is the same list (RFC 9110 §5.3); a different one is 400.
    if (this.flags & Flag.ContentLength && n !== this.contentLength) {
      return this.refusal.at('CONFLICTING_CONTENT_LENGTH', nameStart);
    }
    this.contentLength = n;
    this.flags |= Flag.ContentLength;
    return 0;
  }

  private readTransferEncoding(
    buf: Uint8Array,
    nameStart: number,
    valueStart: number,
    valueEnd: number,
    lineEnd: number,
  ): number {
    if (this.versionMinor === 0) return this.refusal.at('TRANSFER_ENCODING_IN_HTTP_1_0', nameStart);
    if (this.flags & Flag.ContentLength) return this.refusal.at('CONTENT_LENGTH_WITH_TRANSFER_ENCODING', nameStart);
    const coding = scanTransferEncoding(buf, valueStart, valueEnd, this.coding);
    // llhttp only skips SP after the last coding, so "chunked<HTAB>" is not chunked to it;
    // refuse it rather than frame a body the next hop may not.
    if (coding & (Coding.Invalid | Coding.ChunkedTwice) || hasHtab(buf, valueEnd, lineEnd)) {
      return this.refusal.at('INVALID_TRANSFER_ENCODING', valueStart);
    }
    this.coding = coding;
    return 0;
  }
}
