// Body encoders, the mirror of the parser's decoders (Length, Chunked, CloseDelimited, None):
// each enforces the framing the response plan (plan.ts) chose and turns body chunks into wire pieces, appended
// to a caller-owned array the server writes (corked) and clears. Pure: no I/O.
//
// Allocation budget per write: none for Length / CloseDelimited (the chunk itself is pushed),
// at most one small Buffer for a chunked size line (none for sizes < 1024 or powers of two).

import { ResponseFraming } from './framing.js';
import { serializeFields } from './head.js';

export type BodyEncoderErrorCode =
  | 'ERR_CONTENT_LENGTH_MISMATCH'
  | 'ERR_WRITE_AFTER_FINISH'
  | 'ERR_INVALID_CONTENT_LENGTH';

export const BODY_ENCODER_ERROR_REASONS: { readonly [code in BodyEncoderErrorCode]: string } = {
  ERR_CONTENT_LENGTH_MISMATCH: 'Body length does not match the declared Content-Length',
  ERR_WRITE_AFTER_FINISH: 'Body written after it was finished',
  ERR_INVALID_CONTENT_LENGTH: 'Content-Length is not a non-negative safe integer',
};

export class BodyEncoderError extends Error {
  readonly reason: string;
  constructor(
    readonly code: BodyEncoderErrorCode,
    detail?: string,
  ) {
    const reason = BODY_ENCODER_ERROR_REASONS[code];
    super(detail === undefined ? reason : `${reason} (${detail})`);
    this.name = 'BodyEncoderError';
    this.reason = reason;
  }
}

export const enum EncoderState {
  /** Accepting body chunks. */
  Open = 0,
  /** finish() succeeded; every further call throws ERR_WRITE_AFTER_FINISH. */
  Finished = 1,
}

export interface BodyEncoder {
  readonly framing: ResponseFraming;
  readonly state: EncoderState;
  /** Body bytes accepted so far, framing excluded. */
  readonly bytesWritten: number;
  /**
   * Append the wire pieces for `chunk` to `out` (0..3 pieces). Pieces alias `chunk` or shared
   * constants: neither may be modified until written. An empty chunk appends nothing.
   */
  encode(chunk: Uint8Array, out: Uint8Array[]): void;
  /**
   * End the body, appending its terminator (if any) to `out`. `trailers` is a flat
   * name, value list; only chunked framing can carry a trailer section, others drop it.
   */
  finish(out: Uint8Array[], trailers?: readonly string[]): void;
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF: Uint8Array = Buffer.from('\r\n', 'latin1');
/** last-chunk with an empty trailer section (RFC 9112 §7.1). */
const LAST_CHUNK: Uint8Array = Buffer.from('0\r\n\r\n', 'latin1');
const HEX_DIGITS: Uint8Array = Buffer.from('0123456789abcdef', 'latin1');

/**
 * "<hex>\r\n" for sizes 0..1023, all views into one slab. 1024 is arbitrary: small JSON or
 * template pieces land here; bigger writes are usually a stream's 16 KiB / 64 KiB pieces,
 * which the power-of-two table below catches.
 */
const SMALL_SIZE_LINES: readonly Uint8Array[] = buildSizeLines(1024);
/** "<hex>\r\n" for 2^0 .. 2^24, indexed by the exponent. */
const POW2_SIZE_LINES: readonly Uint8Array[] = Array.from({ length: 25 }, (_, e) =>
  renderSizeLine(2 ** e),
);
const MAX_POW2_SIZE = 2 ** 24;

function buildSizeLines(count: number): Uint8Array[] {
  const text: string[] = [];
  for (let n = 0; n < count; n++) text.push(n.toString(16) + '\r\n');
  const slab = Buffer.from(text.join(''), 'latin1');
  const lines: Uint8Array[] = [];
  let offset = 0;
  for (const line of text) {
    lines.push(slab.subarray(offset, offset + line.length));
    offset += line.length;
  }
  return lines;
}

/** One small Buffer (from Node's pool) holding "<hex>\r\n". */
function renderSizeLine(size: number): Uint8Array {
  let digits = 1;
  for (let n = size; n >= 16; n = Math.floor(n / 16)) digits++;
  const line = Buffer.allocUnsafe(digits + 2);
  let n = size;
  for (let i = digits - 1; i >= 0; i--) {
    line[i] = HEX_DIGITS[n % 16]!;
    n = Math.floor(n / 16);
  }
  line[digits] = CR;
  line[digits + 1] = LF;
  return line;
}

/** chunk-size line for a chunk of `size` > 0 bytes. */
export function chunkSizeLine(size: number): Uint8Array {
  if (size < SMALL_SIZE_LINES.length) return SMALL_SIZE_LINES[size]!;
  if (size <= MAX_POW2_SIZE && (size & (size - 1)) === 0) {
    return POW2_SIZE_LINES[31 - Math.clz32(size)]!;
  }
  return renderSizeLine(size);
}

function isContentLength(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Content-Length framing: exactly `contentLength` bytes, refusing any past it. */
export class LengthEncoder implements BodyEncoder {
  readonly framing = ResponseFraming.Length;
  state = EncoderState.Open;
  bytesWritten = 0;

  constructor(readonly contentLength: number) {
    if (!isContentLength(contentLength)) {
      throw new BodyEncoderError('ERR_INVALID_CONTENT_LENGTH', String(contentLength));
    }
  }

  /** Bytes still owed to the declared length. */
  get remaining(): number {
    return this.contentLength - this.bytesWritten;
  }

  encode(chunk: Uint8Array, out: Uint8Array[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    const size = chunk.byteLength;
    // Refuse the whole chunk, like Go's ErrContentLength: a truncated body would still
    // leave the handler believing it sent everything.
    if (size > this.remaining) {
      throw new BodyEncoderError(
        'ERR_CONTENT_LENGTH_MISMATCH',
        `declared ${this.contentLength}, write would reach ${this.bytesWritten + size}`,
      );
    }
    if (size === 0) return;
    out.push(chunk);
    this.bytesWritten += size;
  }

  /** Throws ERR_CONTENT_LENGTH_MISMATCH if fewer bytes were written than declared. */
  finish(_out: Uint8Array[], _trailers?: readonly string[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    if (this.remaining !== 0) {
      throw new BodyEncoderError(
        'ERR_CONTENT_LENGTH_MISMATCH',
        `declared ${this.contentLength}, finished after ${this.bytesWritten}`,
      );
    }
    this.state = EncoderState.Finished;
  }
}

/** Transfer-Encoding: chunked (RFC 9112 §7.1). */
export class ChunkedEncoder implements BodyEncoder {
  readonly framing = ResponseFraming.Chunked;
  state = EncoderState.Open;
  bytesWritten = 0;

  encode(chunk: Uint8Array, out: Uint8Array[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    const size = chunk.byteLength;
    // Don't send 0-length data: a chunk of size 0 is the last-chunk, it ends the body.
    if (size === 0) return;
    out.push(chunkSizeLine(size), chunk, CRLF);
    this.bytesWritten += size;
  }

  /** Appends last-chunk, the trailer section (validated via head.ts) and the final CRLF. */
  finish(out: Uint8Array[], trailers?: readonly string[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    if (trailers === undefined || trailers.length === 0) {
      out.push(LAST_CHUNK);
    } else {
      out.push(Buffer.from('0\r\n' + serializeFields(trailers) + '\r\n', 'latin1'));
    }
    this.state = EncoderState.Finished;
  }
}

/** Content delimited by closing the connection (HTTP/1.0, unknown length). */
export class CloseDelimitedEncoder implements BodyEncoder {
  readonly framing = ResponseFraming.CloseDelimited;
  state = EncoderState.Open;
  bytesWritten = 0;

  encode(chunk: Uint8Array, out: Uint8Array[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    if (chunk.byteLength === 0) return;
    out.push(chunk);
    this.bytesWritten += chunk.byteLength;
  }

  /** Appends nothing: the server ends the body by closing (the plan's persistence is close). */
  finish(_out: Uint8Array[], _trailers?: readonly string[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    this.state = EncoderState.Finished;
  }
}

/**
 * No content on the wire (HEAD, 204, 304, 2xx to CONNECT). Bytes a handler writes anyway are
 * dropped and counted, as Go and Node do for HEAD: a GET handler answers HEAD unchanged.
 */
export class NoBodyEncoder implements BodyEncoder {
  readonly framing = ResponseFraming.None;
  state = EncoderState.Open;
  readonly bytesWritten = 0;
  /** Bytes a handler wrote and we dropped. */
  discardedBytes = 0;

  encode(chunk: Uint8Array, _out: Uint8Array[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    if (chunk.byteLength === 0) return;
    this.discardedBytes += chunk.byteLength;
  }

  finish(_out: Uint8Array[], _trailers?: readonly string[]): void {
    if (this.state !== EncoderState.Open) throw new BodyEncoderError('ERR_WRITE_AFTER_FINISH');
    this.state = EncoderState.Finished;
  }
}

/**
 * The encoder that enforces `framing`. `contentLength` is required for Length (throws
 * ERR_INVALID_CONTENT_LENGTH otherwise) and ignored by the rest.
 */
export function createBodyEncoder(framing: ResponseFraming, contentLength: number | undefined): BodyEncoder {
  switch (framing) {
    case ResponseFraming.None:
      return new NoBodyEncoder();
    case ResponseFraming.Length:
      return new LengthEncoder(contentLength ?? Number.NaN);
    case ResponseFraming.Chunked:
      return new ChunkedEncoder();
    case ResponseFraming.CloseDelimited:
      return new CloseDelimitedEncoder();
  }
}
