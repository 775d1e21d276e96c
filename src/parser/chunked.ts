// ChunkedDecoder: the chunked transfer coding (RFC 9112 §7.1) up to the trailer section.
// It finds chunk-size lines, validates chunk extensions against the grammar, and reports each
// run of chunk data as a [start, end) range of the caller's buffer, so data is never copied.
// Pure: no I/O, no allocation per chunk.
import * as chars from './chars.js';
import type { ParseErrorCode } from './errors.js';
import { ParserState as S } from './state.js';

// Module-local bindings rather than named imports: see the note at the top of chars.ts.
const { BACKSLASH, CR, DQUOTE, EQUALS, HEX, LF, QDTEXT, QUOTED_PAIR, SEMICOLON, TOKEN } = chars;

/** Why run() returned. */
export const enum ChunkEvent {
  /** Input exhausted; call again with more. */
  NeedMore = 0,
  /** [dataStart, dataEnd) is chunk data. */
  Data = 1,
  /** The last-chunk line ("0" CRLF) is done; the trailer section starts at the returned index. */
  LastChunk = 2,
  /** errorCode at errorIndex. */
  Error = 3,
}

/** 2^53 / 16: one more hex digit past this would lose precision. */
const MAX_SIZE_BEFORE_DIGIT = Math.floor(Number.MAX_SAFE_INTEGER / 16);

export class ChunkedDecoder {
  state: S = S.ChunkSizeStart;
  event: ChunkEvent = ChunkEvent.NeedMore;
  dataStart = 0;
  dataEnd = 0;
  errorCode: ParseErrorCode = 'INVALID_CHUNK_SIZE';
  errorIndex = 0;
  private chunkSize = 0;
  private bytesLeftInChunk = 0;
  private extensionBytes = 0;

  constructor(private readonly maxExtensionBytes: number) {}

  reset(): void {
    this.state = S.ChunkSizeStart;
    this.chunkSize = 0;
    this.bytesLeftInChunk = 0;
    this.extensionBytes = 0;
  }

  /** Decodes from buf[i] up to end; returns the index where it stopped (see `event`). */
  run(buf: Uint8Array, i: number, end: number): number {
    while (i < end) {
      const state = this.state;
      if (state === S.ChunkData) return this.data(i, end);
      const c = buf[i];
      if (state <= S.ChunkSize) {
        const code = this.sizeByte(state, c);
        if (code !== null) return this.fail(code, i);
      } else if (state <= S.ChunkExtAfterQuoted) {
        if (c !== CR && ++this.extensionBytes > this.maxExtensionBytes) {
          return this.fail('CHUNK_EXTENSION_TOO_LONG', i);
        }
        if (!this.extensionByte(state, c)) return this.fail('INVALID_CHUNK_EXTENSION', i);
      } else if (state === S.ChunkSizeLf) {
        if (c !== LF) return this.fail('INVALID_LINE_ENDING', i);
        if (this.chunkSize === 0) {
          this.state = S.ChunkSizeStart;
          this.event = ChunkEvent.LastChunk;
          return i + 1;
        }
        this.bytesLeftInChunk = this.chunkSize;
        this.state = S.ChunkData;
      } else if (state === S.ChunkDataCr) {
        if (c !== CR) return this.fail('INVALID_CHUNK_DATA_END', i);
        this.state = S.ChunkDataLf;
      } else if (state === S.ChunkDataLf) {
        if (c !== LF) return this.fail('INVALID_CHUNK_DATA_END', i);
        this.state = S.ChunkSizeStart;
      } else {
        return this.fail('INVALID_CHUNK_SIZE', i);
      }
      i++;
    }
    this.event = ChunkEvent.NeedMore;
    return i;
  }

  /** ChunkData: as much of the chunk as buf[i, end) holds, reported as a range. */
  private data(i: number, end: number): number {
    const n = Math.min(this.bytesLeftInChunk, end - i);
    this.bytesLeftInChunk -= n;
    if (this.bytesLeftInChunk === 0) this.state = S.ChunkDataCr;
    this.dataStart = i;
    this.dataEnd = i + n;
    this.event = ChunkEvent.Data;
    return i + n;
  }

  /** One byte of chunk-size (ChunkSizeStart, ChunkSize); null, or why it is refused. */
  private sizeByte(state: S, c: number): ParseErrorCode | null {
    const digit = HEX[c];
    if (state === S.ChunkSizeStart) {
      if (digit < 0) return 'INVALID_CHUNK_SIZE';
      this.chunkSize = digit;
      this.extensionBytes = 0;
      this.state = S.ChunkSize;
    } else if (digit >= 0) {
      if (this.chunkSize > MAX_SIZE_BEFORE_DIGIT) return 'CHUNK_SIZE_OVERFLOW';
      this.chunkSize = this.chunkSize * 16 + digit;
    } else if (c === CR) {
      this.state = S.ChunkSizeLf;
    } else if (c === SEMICOLON) {
      // The ";" counts towards maxExtensionBytes (at least 1, so it always fits).
      this.extensionBytes = 1;
      this.state = S.ChunkExtNameStart;
    } else {
      // Whitespace after the size (BWS before ";") is refused, as llhttp does: a sender
      // must not generate it (RFC 9110 §5.6.3) and intermediaries disagree on it.
      return 'INVALID_CHUNK_SIZE';
    }
    return null;
  }

  /**
   * One byte of chunk-ext (RFC 9112 §7.1.1): *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS
   * chunk-ext-val ] ), without the BWS. Returns whether the byte fits the grammar.
   */
  private extensionByte(state: S, c: number): boolean {
    switch (state) {
      case S.ChunkExtNameStart:
        if (TOKEN[c] !== 1) return false;
        this.state = S.ChunkExtName;
        return true;
      case S.ChunkExtName:
        if (TOKEN[c] === 1) return true;
        if (c === EQUALS) this.state = S.ChunkExtValueStart;
        else return this.endOfExtension(c);
        return true;
      case S.ChunkExtValueStart:
        if (c === DQUOTE) this.state = S.ChunkExtQuoted;
        else if (TOKEN[c] === 1) this.state = S.ChunkExtToken;
        else return false;
        return true;
      case S.ChunkExtToken:
        return TOKEN[c] === 1 || this.endOfExtension(c);
      case S.ChunkExtQuoted:
        if (c === DQUOTE) this.state = S.ChunkExtAfterQuoted;
        else if (c === BACKSLASH) this.state = S.ChunkExtQuotedPair;
        else return QDTEXT[c] === 1;
        return true;
      case S.ChunkExtQuotedPair:
        if (QUOTED_PAIR[c] !== 1) return false;
        this.state = S.ChunkExtQuoted;
        return true;
      default: // S.ChunkExtAfterQuoted
        return this.endOfExtension(c);
    }
  }

  /** After a complete extension: ";" starts another, CR ends the chunk-size line. */
  private endOfExtension(c: number): boolean {
    if (c === SEMICOLON) this.state = S.ChunkExtNameStart;
    else if (c === CR) this.state = S.ChunkSizeLf;
    else return false;
    return true;
  }

  private fail(code: ParseErrorCode, index: number): number {
    this.errorCode = code;
    this.errorIndex = index;
    this.event = ChunkEvent.Error;
    return index;
  }
}
