// RequestParser: a streaming HTTP/1.1 request parser (RFC 9112), strict by default.
// execute(chunk) takes any split of the input and makes the same callbacks as if it had all
// arrived at once. Owns the parser state (state.ts), the callbacks, pause/resume and the byte
// accounting; the grammar lives in the scanners it drives, which never call the handler.
// Pure: no sockets, timers or streams; nothing outside src/parser is imported.
//
// The life of a request:
//   1. MessageStart: a tchar begins the message (onMessageBegin); CRLFs before it are skipped.
//   2. Method, Target, Version, RequestLineLf: RequestLine scans each part; onUrl at the LF.
//   3. FieldStart ... FieldLineLf: FieldLines takes whole lines in one loop and falls back to a
//      state per part of a line; MessageFraming reads the fields that frame the message.
//   4. HeadEndLf: MessageFraming decides the framing; onHeadersComplete.
//   5. BodyLength, or the chunk states (ChunkedDecoder): onBody with views of the input; after
//      the last chunk, a trailer section goes through step 3 again (onTrailers).
//   6. onMessageComplete; then MessageStart (keep-alive), Closed or Upgraded.
// Heads are scanned in the caller's buffer; a head (or trailer section) that runs out of input
// is copied into HeadBuffer and continued there on the next read. Bodies are never copied.
import * as chars from './chars.js';
import { ChunkedDecoder, ChunkEvent } from './chunked.js';
import { ParseError, type ParseErrorCode } from './errors.js';
import { FieldLines } from './field-lines.js';
import { MessageFraming } from './framing.js';
import { HeadBuffer } from './head-buffer.js';
import { resolveParserLimits, type ParserLimits } from './options.js';
import { RequestLine } from './request-line.js';
import * as scan from './scan.js';
import { Refusal, type SliceableBuffer } from './scan.js';
import { ParserState as S, ParserStatus } from './state.js';
import { BodyKind, emptyHeadInfo, type HeadInfo, type ParserHandler } from './types.js';

// Module-local bindings rather than named imports: see the note at the top of chars.ts.
const { CR, LF, TOKEN } = chars;
const { FAILED, NEED_MORE } = scan;

export class RequestParser {
  state: S = S.MessageStart;
  status: ParserStatus = ParserStatus.Ok;
  error: ParseError | null = null;

  private handler: ParserHandler;
  private readonly limits: ParserLimits;
  private readonly refusal = new Refusal();
  private readonly requestLine: RequestLine;
  private readonly framing: MessageFraming;
  private readonly fields: FieldLines;
  private readonly held: HeadBuffer;
  private readonly chunked: ChunkedDecoder;
  private readonly info: HeadInfo;

  private pauseRequested = false;
  /** Bytes consumed by earlier execute() calls since reset(). */
  private streamOffset = 0;
  /** Stream offset of index 0 of the buffer being scanned (for error offsets). */
  private bufBase = 0;
  /** Index in the buffer being scanned where the head (or trailer section) starts. */
  private headStart = 0;
  private bodyRemaining = 0;

  constructor(handler: ParserHandler, limits: Partial<ParserLimits> = {}) {
    this.handler = handler;
    this.limits = resolveParserLimits(limits);
    this.requestLine = new RequestLine(this.refusal, this.limits.maxTargetBytes);
    this.framing = new MessageFraming(this.refusal);
    this.fields = new FieldLines(this.refusal, this.framing, this.limits.maxHeaderCount);
    this.held = new HeadBuffer(this.limits.maxHeadBytes);
    this.chunked = new ChunkedDecoder(this.limits.maxChunkExtensionBytes);
    this.info = emptyHeadInfo();
  }

  /** Parses `data`; returns how many bytes were consumed. Then look at `status`. */
  execute(data: Buffer): number {
    if (this.status !== ParserStatus.Ok) return 0;
    const len = data.length;
    let i = 0;
    if (this.held.length > 0) {
      i = this.continueHead(data);
      if (i === FAILED) return this.failed(len);
      if (i === NEED_MORE) return this.done(len);
      if (this.pauseRequested || this.status !== ParserStatus.Ok) return this.stopped(i);
    } else if (this.state > S.MessageStart && this.state <= S.HeadEndLf) {
      // A trailer section whose first byte is the first byte of this read.
      this.headStart = 0;
    }
    while (i < len) {
      const state = this.state;
      if (state <= S.HeadEndLf) {
        if (state === S.MessageStart) this.headStart = i;
        const limitEnd = Math.min(len, this.headStart + this.limits.maxHeadBytes);
        this.bufBase = this.streamOffset;
        const r = this.scanHead(data as SliceableBuffer, i, limitEnd);
        if (r === FAILED) return this.failed(len);
        if (r === NEED_MORE) {
          if (limitEnd < len) {
            this.fail('HEADERS_TOO_LARGE', limitEnd);
            return this.failed(len);
          }
          this.stash(data);
          return this.done(len);
        }
        i = r;
      } else if (state === S.BodyLength) {
        const n = Math.min(this.bodyRemaining, len - i);
        this.bodyRemaining -= n;
        this.handler.onBody(data.subarray(i, i + n));
        i += n;
        if (this.bodyRemaining === 0) this.messageComplete();
      } else if (state <= S.ChunkDataLf) {
        i = this.chunkedBody(data, i, len);
        if (i === FAILED) return this.failed(len);
      } else if (state === S.Closed) {
        this.bufBase = this.streamOffset;
        this.fail('DATA_AFTER_CLOSE', i);
        return this.failed(len);
      } else {
        return this.done(i);
      }
      if (this.pauseRequested || this.status !== ParserStatus.Ok) return this.stopped(i);
    }
    return this.done(len);
  }

  /** The peer closed its side. A message cut short is an error (INCOMPLETE_MESSAGE). */
  finish(): ParseError | null {
    if (this.status === ParserStatus.Error) return this.error;
    const s = this.state;
    if (s === S.MessageStart || s === S.LeadingLf || s === S.Closed || s === S.Upgraded) return null;
    this.bufBase = 0;
    this.fail('INCOMPLETE_MESSAGE', this.streamOffset);
    return this.error;
  }

  /** From inside a callback: stop after this event (headers-complete, a body piece, message-complete). */
  pause(): void {
    this.pauseRequested = true;
  }

  /** Continue after a pause, or keep parsing HTTP after an upgrade the server declined. */
  resume(): void {
    if (this.status === ParserStatus.Paused) this.status = ParserStatus.Ok;
    else if (this.status === ParserStatus.Upgraded) {
      this.status = ParserStatus.Ok;
      this.state = this.info.keepAlive ? S.MessageStart : S.Closed;
    }
  }

  /**
   * Ready for a new connection that reports to `handler`: a server keeps idle parsers in a pool
   * rather than one per connection (its scan buffers are the largest part of a parser).
   */
  reuse(handler: ParserHandler): void {
    this.handler = handler;
    this.reset();
  }

  /** Report to `handler` from now on, with the parser as it is (a pooled parser was reset when it was returned). */
  attach(handler: ParserHandler): void {
    this.handler = handler;
  }

  /** Ready for a new connection. */
  reset(): void {
    this.state = S.MessageStart;
    this.status = ParserStatus.Ok;
    this.error = null;
    this.pauseRequested = false;
    this.streamOffset = 0;
    this.held.clear();
    this.framing.clear();
    this.fields.clear();
    this.chunked.reset();
  }

  /** Between messages: nothing of a next request has arrived. */
  get isIdle(): boolean {
    return this.state === S.MessageStart && this.held.length === 0;
  }

  /** Total bytes consumed since reset(). */
  get bytesConsumed(): number {
    return this.streamOffset;
  }

  // --- head ---------------------------------------------------------------------------------

  /** Head states over buf[i, end): the index after the head (events made), NEED_MORE or FAILED (error set). */
  private scanHead(buf: SliceableBuffer, i: number, end: number): number {
    if (this.state < S.FieldStart) i = this.scanRequestLine(buf, i, end);
    if (i >= 0) i = this.scanFieldSection(buf, i, end);
    if (i === FAILED) this.fail(this.refusal.code, this.refusal.index);
    return i;
  }

  /**
   * States MessageStart to RequestLineLf: returns the index after the LF, NEED_MORE or FAILED.
   * Each part is entered in turn from the one before, without going round a loop.
   */
  private scanRequestLine(buf: SliceableBuffer, i: number, end: number): number {
    const line = this.requestLine;
    if (this.state <= S.LeadingLf) {
      i = this.messageStart(buf, i, end);
      if (i < 0) return i;
    }
    if (this.state === S.Method) {
      i = line.scanMethod(buf, i, end);
      if (i < 0) return i;
      this.state = S.Target;
    }
    if (this.state === S.Target) {
      i = line.scanTarget(buf, i, end);
      if (i < 0) return i;
      this.state = S.Version;
    }
    if (this.state === S.Version) {
      i = line.scanVersion(buf, i, end);
      if (i < 0) return i;
      this.state = S.RequestLineLf;
    }
    if (i === end) return NEED_MORE;
    if (buf[i] !== LF) return this.refusal.at('INVALID_LINE_ENDING', i);
    this.framing.begin(line.versionMinor);
    this.handler.onUrl(line.method, line.target, line.versionMinor);
    this.state = S.FieldStart;
    return i + 1;
  }

  /** States MessageStart and LeadingLf: returns the index of the method's first byte, NEED_MORE or FAILED. */
  private messageStart(buf: Uint8Array, i: number, end: number): number {
    for (; i < end; i++) {
      const c = buf[i];
      if (this.state === S.LeadingLf) {
        if (c !== LF) return this.refusal.at('INVALID_LINE_ENDING', i);
        this.state = S.MessageStart;
      } else if (c === CR) {
        // RFC 9112 §2.2: ignore at least one empty line (CRLF) before the request-line.
        this.state = S.LeadingLf;
      } else {
        if (TOKEN[c] !== 1) return this.refusal.at(c === LF ? 'INVALID_LINE_ENDING' : 'INVALID_METHOD', i);
        this.handler.onMessageBegin();
        this.requestLine.begin(i);
        this.state = S.Method;
        return i;
      }
    }
    return NEED_MORE;
  }

  /** States FieldStart to HeadEndLf (headers or trailers): the index after the section, NEED_MORE or FAILED. */
  private scanFieldSection(buf: SliceableBuffer, i: number, end: number): number {
    const fields = this.fields;
    while (i < end) {
      switch (this.state) {
        case S.FieldStart:
          // Whole field lines go through the fast path; it stops at the first line it cannot
          // finish (end of section, end of input, or an error) and the states below take over.
          i = fields.scanLines(buf, i, end);
          if (i < 0) return i;
          if (i === end) return NEED_MORE;
          if (buf[i] === CR) {
            this.state = S.HeadEndLf;
            i++;
            break;
          }
          i = fields.startName(buf, i);
          if (i < 0) return i;
          this.state = S.FieldName;
          break;
        case S.FieldName:
          i = fields.scanName(buf, i, end);
          if (i < 0) return i;
          this.state = S.FieldValueStart;
          break;
        case S.FieldValueStart:
          i = fields.scanValueStart(buf, i, end);
          if (i < 0) return i;
          this.state = S.FieldValue;
          break;
        case S.FieldValue:
          i = fields.scanValue(buf, i, end);
          if (i < 0) return i;
          this.state = S.FieldLineLf;
          break;
        case S.FieldLineLf:
          if (buf[i] !== LF) return this.refusal.at('INVALID_LINE_ENDING', i);
          this.state = S.FieldStart;
          i++;
          break;
        default: // S.HeadEndLf
          if (buf[i] !== LF) return this.refusal.at('INVALID_LINE_ENDING', i);
          return this.framing.inTrailers ? this.trailersComplete(buf, i + 1) : this.headComplete(buf, i + 1);
      }
    }
    return NEED_MORE;
  }

  /** The blank line ending the head was read; `i` is just past it. Decide framing and report. */
  private headComplete(buf: SliceableBuffer, i: number): number {
    const line = this.requestLine;
    const info = this.info;
    if (this.framing.decide(info, line.method, line.versionMinor, i - 1) === FAILED) return FAILED;
    info.method = line.method;
    info.target = line.target;
    info.headers = this.fields.take(buf);
    const bodyKind = info.bodyKind;
    const contentLength = info.contentLength;
    this.handler.onHeadersComplete(info);
    if (bodyKind === BodyKind.None) {
      this.messageComplete();
    } else if (bodyKind === BodyKind.Length) {
      this.bodyRemaining = contentLength;
      this.state = S.BodyLength;
    } else {
      this.chunked.reset();
      this.state = S.ChunkSizeStart;
    }
    return i;
  }

  /** The blank line ending the trailer section was read; `i` is just past it. */
  private trailersComplete(buf: SliceableBuffer, i: number): number {
    if (this.fields.count > 0) this.handler.onTrailers(this.fields.take(buf));
    this.messageComplete();
    return i;
  }

  // --- body ---------------------------------------------------------------------------------

  private chunkedBody(data: Buffer, i: number, len: number): number {
    const decoder = this.chunked;
    i = decoder.run(data, i, len);
    switch (decoder.event) {
      case ChunkEvent.Data:
        this.state = decoder.state;
        this.handler.onBody(data.subarray(decoder.dataStart, decoder.dataEnd));
        return i;
      case ChunkEvent.LastChunk:
        this.framing.enterTrailers();
        this.state = S.FieldStart;
        this.headStart = i;
        return i;
      case ChunkEvent.Error:
        this.bufBase = this.streamOffset;
        return this.fail(decoder.errorCode, decoder.errorIndex);
      default:
        this.state = decoder.state;
        return i;
    }
  }

  private messageComplete(): void {
    const info = this.info;
    this.framing.clear();
    this.handler.onMessageComplete();
    if (info.upgrade) {
      this.state = S.Upgraded;
      this.status = ParserStatus.Upgraded;
    } else {
      this.state = info.keepAlive ? S.MessageStart : S.Closed;
    }
  }

  // --- bookkeeping --------------------------------------------------------------------------

  /** Keep the unfinished head: copy it (once) into the HeadBuffer and make its spans relative to it. */
  private stash(data: Buffer): void {
    const start = this.headStart;
    this.held.hold(data, start, this.streamOffset + start);
    this.requestLine.rebase(start);
    this.fields.rebase(start);
    this.headStart = 0;
  }

  /** Append the next read to the held head and scan the new bytes; returns an index into data. */
  private continueHead(data: Buffer): number {
    const held = this.held;
    const old = held.length;
    const n = held.append(data);
    this.bufBase = held.streamStart;
    const r = this.scanHead(held.bytes, old, held.length);
    if (r === FAILED) return FAILED;
    if (r === NEED_MORE) {
      // Refuse only once a byte past the limit has arrived, as the single-buffer path does:
      // a head that is exactly maxHeadBytes long so far may still end at the limit.
      if (n === data.length) return NEED_MORE;
      return this.fail('HEADERS_TOO_LARGE', this.limits.maxHeadBytes);
    }
    held.clear();
    return r - old;
  }

  /** Enters the error state for good (until reset); returns FAILED. */
  private fail(code: ParseErrorCode, index: number): number {
    this.error = new ParseError(code, this.bufBase + index);
    this.state = S.Failed;
    this.status = ParserStatus.Error;
    this.held.clear();
    return FAILED;
  }

  /** Accounts for `consumed` bytes of this read and returns it. */
  private done(consumed: number): number {
    this.streamOffset += consumed;
    return consumed;
  }

  /** After a failure: consumed is everything before the offending byte. */
  private failed(len: number): number {
    const at = (this.error as ParseError).offset - this.streamOffset;
    return this.done(Math.max(0, Math.min(len, at)));
  }

  private stopped(i: number): number {
    if (this.pauseRequested && this.status === ParserStatus.Ok) this.status = ParserStatus.Paused;
    this.pauseRequested = false;
    return this.done(i);
  }
}
