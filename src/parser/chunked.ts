// ChunkedDecoder: the chunked transfer coding (RFC 9112 §7.1) up to the trailer section.
// It finds chunk-size lines, validates chunk extensions against the grammar, and reports each
// run of chunk data as a [start, end) range of the caller's buffer, so data is never copied.
// Pure: no I/O, no allocation per chunk.
import { BACKSLASH, CR, DQUOTE, EQUALS, HEX, LF, QDTEXT, QUOTED_PAIR, SEMICOLON, TOKEN } from './chars.js';
import type { ParseErrorCode } from './errors.js';
import { ParserState as S } from './state.js';

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
      if (state === S.ChunkData) {
        const n = Math.min(this.bytesLeftInChunk, end - i);
        this.bytesLeftInChunk -= n;
        if (this.bytesLeftInChunk === 0) this.state = S.ChunkDataCr;
        this.dataStart = i;
        this.dataEnd = i + n;
        this.event = ChunkEvent.Data;
        return i + n;
      }
      const c = buf[i];
      if (state >= S.ChunkExtNameStart && state <= S.ChunkExtAfterQuoted && c !== CR) {
        if (++this.extensionBytes > this.maxExtensionBytes) return this.fail('CHUNK_EXTENSION_TOO_LONG', i);
      }
      switch (state) {
        case S.ChunkSizeStart:
          if (HEX[c] < 0) return this.fail('INVALID_CHUNK_SIZE', i);
          this.chunkSize = HEX[c];
          this.extensionBytes = 0;
          this.state = S.ChunkSize;
          break;
        case S.ChunkSize: {
          const digit = HEX[c];
          if (digit >= 0) {
            if (this.chunkSize > MAX_SIZE_BEFORE_DIGIT) return this.fail('CHUNK_SIZE_OVERFLOW', i);
            this.chunkSize = this.chunkSize * 16 + digit;
          } else if (c === CR) this.state = S.ChunkSizeLf;
          else if (c === SEMICOLON) {
            // The ";" counts towards maxExtensionBytes (at least 1, so it always fits).
            this.extensionBytes = 1;
            this.state = S.ChunkExtNameStart;
          }
          // Whitespace after the size (BWS before ";") is refused, as llhttp does: a sender
          // must not generate it (RFC 9110 §5.6.3) and intermediaries disagree on it.
          else return this.fail('INVALID_CHUNK_SIZE', i);
          break;
        }
        case S.ChunkExtNameStart:
          if (TOKEN[c] !== 1) return this.fail('INVALID_CHUNK_EXTENSION', i);
          this.state = S.ChunkExtName;
          break;
        case S.ChunkExtName:
          if (TOKEN[c] === 1) break;
          if (c === EQUALS) this.state = S.ChunkExtValueStart;
          else if (c === SEMICOLON) this.state = S.ChunkExtNameStart;
          else if (c === CR) this.state = S.ChunkSizeLf;
          else return this.fail('INVALID_CHUNK_EXTENSION', i);
          break;
        case S.ChunkExtValueStart:
          if (c === DQUOTE) this.state = S.ChunkExtQuoted;
          else if (TOKEN[c] === 1) this.state = S.ChunkExtToken;
          else return this.fail('INVALID_CHUNK_EXTENSION', i);
          break;
        case S.ChunkExtToken:
          if (TOKEN[c] === 1) break;
          if (c === SEMICOLON) this.state = S.ChunkExtNameStart;
          else if (c === CR) this.state = S.ChunkSizeLf;
          else return this.fail('INVALID_CHUNK_EXTENSION', i);
          break;
        case S.ChunkExtQuoted:
          if (c === DQUOTE) this.state = S.ChunkExtAfterQuoted;
          else if (c === BACKSLASH) this.state = S.ChunkExtQuotedPair;
          else if (QDTEXT[c] !== 1) return this.fail('INVALID_CHUNK_EXTENSION', i);
          break;
        case S.ChunkExtQuotedPair:
          if (QUOTED_PAIR[c] !== 1) return this.fail('INVALID_CHUNK_EXTENSION', i);
          this.state = S.ChunkExtQuoted;
          break;
        case S.ChunkExtAfterQuoted:
          if (c === SEMICOLON) this.state = S.ChunkExtNameStart;
          else if (c === CR) this.state = S.ChunkSizeLf;
          else return this.fail('INVALID_CHUNK_EXTENSION', i);
          break;
        case S.ChunkSizeLf:
          if (c !== LF) return this.fail('INVALID_LINE_ENDING', i);
          if (this.chunkSize === 0) {
            this.state = S.ChunkSizeStart;
            this.event = ChunkEvent.LastChunk;
            return i + 1;
          }
          this.bytesLeftInChunk = this.chunkSize;
          this.state = S.ChunkData;
          break;
        case S.ChunkDataCr:
          if (c !== CR) return this.fail('INVALID_CHUNK_DATA_END', i);
          this.state = S.ChunkDataLf;
          break;
        case S.ChunkDataLf:
          if (c !== LF) return this.fail('INVALID_CHUNK_DATA_END', i);
          this.state = S.ChunkSizeStart;
          break;
        default:
          return this.fail('INVALID_CHUNK_SIZE', i);
      }
      i++;
    }
    this.event = ChunkEvent.NeedMore;
    return i;
  }

  private fail(code: ParseErrorCode, index: number): number {
    this.errorCode = code;
    this.errorIndex = index;
    this.event = ChunkEvent.Error;
    return index;
  }
}
