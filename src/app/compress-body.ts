// The compressing half of compress.ts: a node:zlib stream in front of a BriskResponse, with
// backpressure both ways and optional flushing, plus the one-shot synchronous path for small
// whole bodies. Knows nothing about negotiation or fields; compress.ts decides, this pumps.
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { RequestAbortedError, type BodyChunk, type BriskResponse } from '../core.js';
import type { ContentCoding } from './accept-encoding.js';

/** Compression levels, from CompressOptions. */
export interface CompressorSettings {
  readonly gzipLevel: number;
  readonly brotliQuality: number;
  readonly zstdLevel: number;
}

/** node:zlib's zstd (22.15+, 23.8+), absent from @types/node 20: feature-detected, never assumed. */
interface ZstdZlib {
  createZstdCompress(options: { params: Record<number, number>; pledgedSrcSize?: number }): Transform & zlib.Zlib;
  zstdCompressSync(input: Uint8Array, options: { params: Record<number, number>; pledgedSrcSize?: number }): Buffer;
  constants: { ZSTD_c_compressionLevel: number; ZSTD_e_flush: number };
}
const zstd = zlib as unknown as Partial<ZstdZlib>;
/** Whether this Node's zlib can produce zstd (RFC 8878 as an HTTP coding, RFC 9659). */
export const ZSTD_AVAILABLE = typeof zstd.createZstdCompress === 'function' && typeof zstd.zstdCompressSync === 'function';

/** Where a compressed body is in its life. */
const enum BodyState {
  /** Taking write()s. */
  Open = 0,
  /** end() called: zlib is emitting what is left. */
  Ending = 1,
  /** The real response has ended. */
  Done = 2,
  /** The client went away, zlib failed, or the response was ended elsewhere. */
  Failed = 3,
}

/**
 * A zlib stream in front of the real response. Output goes to res.write(); when that says the
 * socket is full, the zlib stream pauses until res.drained(), so its buffers fill and its
 * write() returns false to the handler: backpressure end to end.
 */
export class CompressedBody {
  private state = BodyState.Open;
  private failure: Error | null = null;
  private flushQueued = false;
  private doneWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly flushKind: number;

  constructor(
    private readonly res: BriskResponse,
    private readonly stream: Transform & zlib.Zlib,
    coding: ContentCoding,
    private readonly flushEachTurn: boolean,
  ) {
    this.flushKind =
      coding === 'br' ? zlib.constants.BROTLI_OPERATION_FLUSH : coding === 'zstd' ? (zstd as ZstdZlib).constants.ZSTD_e_flush : zlib.constants.Z_SYNC_FLUSH;
    stream.on('data', (out: Buffer) => this.forward(out));
    stream.on('end', () => this.finish());
    stream.on('error', (error: Error) => this.abort(error));
  }

  write(chunk: BodyChunk): boolean {
    if (this.state !== BodyState.Open) return false;
    if (chunk.length === 0) return !this.stream.writableNeedDrain;
    const ok = this.stream.write(chunk);
    if (this.flushEachTurn && !this.flushQueued) {
      // One flush per event-loop turn, however many write()s it saw: live, without a flush
      // marker (and a lost match window) per tiny write.
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        if (this.state === BodyState.Open) this.stream.flush(this.flushKind);
      });
    }
    return ok;
  }

  drained(): Promise<void> {
    if (this.state === BodyState.Failed) return Promise.reject(this.failure);
    const stream = this.stream;
    if (!stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        stream.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        stream.off('drain', onDrain);
        reject(this.failure ?? new RequestAbortedError());
      };
      stream.once('drain', onDrain);
      stream.once('close', onClose);
    });
  }

  end(chunk?: BodyChunk): void {
    if (this.state !== BodyState.Open) return;
    this.state = BodyState.Ending;
    if (chunk !== undefined && chunk.length > 0) this.stream.end(chunk);
    else this.stream.end();
  }

  /** Resolves when the real response has ended, rejects if the body failed. */
  done(): Promise<void> {
    if (this.state === BodyState.Done) return Promise.resolve();
    if (this.state === BodyState.Failed) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.doneWaiters.push({ resolve, reject }));
  }

  private forward(out: Buffer): void {
    if (this.state === BodyState.Failed) return;
    const res = this.res;
    // The handler failed and the server answered (or gave up) on the real response.
    if (res.finished) return this.abort(new RequestAbortedError('The response was ended elsewhere'));
    let ok: boolean;
    try {
      ok = res.write(out);
    } catch (error) {
      return this.abort(error as Error);
    }
    if (!ok) {
      this.stream.pause();
      res.drained().then(
        () => {
          if (this.state !== BodyState.Failed) this.stream.resume();
        },
        (error: Error) => this.abort(error),
      );
    }
  }

  private finish(): void {
    if (this.state === BodyState.Failed || this.state === BodyState.Done) return;
    this.state = BodyState.Done;
    if (!this.res.finished) this.res.end();
    for (const w of this.doneWaiters.splice(0)) w.resolve();
  }

  private abort(error: Error): void {
    if (this.state === BodyState.Failed || this.state === BodyState.Done) return;
    this.state = BodyState.Failed;
    this.failure = error;
    this.stream.destroy();
    for (const w of this.doneWaiters.splice(0)) w.reject(error);
  }
}

export function createCompressor(coding: ContentCoding, config: CompressorSettings, sizeHint: number): Transform & zlib.Zlib {
  // No pledged size when streaming: a declared Content-Length is the handler's word, and zstd fails a wrong pledge.
  if (coding === 'zstd') return (zstd as ZstdZlib).createZstdCompress(zstdOptions(config, 0));
  if (coding === 'br') return zlib.createBrotliCompress(brotliOptions(config, sizeHint));
  if (coding === 'gzip') return zlib.createGzip({ level: config.gzipLevel });
  return zlib.createDeflate({ level: config.gzipLevel });
}

export function compressSync(coding: ContentCoding, input: Uint8Array, config: CompressorSettings): Buffer {
  if (coding === 'zstd') return (zstd as ZstdZlib).zstdCompressSync(input, zstdOptions(config, input.byteLength));
  if (coding === 'br') return zlib.brotliCompressSync(input, brotliOptions(config, input.byteLength));
  if (coding === 'gzip') return zlib.gzipSync(input, { level: config.gzipLevel });
  return zlib.deflateSync(input, { level: config.gzipLevel });
}

/**
 * zstd at `zstdLevel`; levels up to 19 keep the window at or under the 8 MiB that RFC 9659 §3
 * lets a client require (level 3's is at most 2 MiB). An exact size (the one-shot path) goes into
 * the frame header.
 */
function zstdOptions(config: CompressorSettings, sizeHint: number): { params: Record<number, number>; pledgedSrcSize?: number } {
  const params = { [(zstd as ZstdZlib).constants.ZSTD_c_compressionLevel]: config.zstdLevel };
  return sizeHint > 0 ? { params, pledgedSrcSize: sizeHint } : { params };
}

function brotliOptions(config: CompressorSettings, sizeHint: number): zlib.BrotliOptions {
  const params: Record<number, number> = {
    [zlib.constants.BROTLI_PARAM_QUALITY]: config.brotliQuality,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  };
  if (sizeHint > 0) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
  return { params };
}
