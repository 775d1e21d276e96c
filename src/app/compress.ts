// compress(handler): response compression (zstd, br, gzip, deflate) negotiated from Accept-Encoding.
// A wrapper: the handler receives a thin BriskResponse that forwards to the real one and, once
// the first body byte or end() shows what the response is, either steps aside (identity) or
// puts a node:zlib stream in front of it. Never buffers a streamed body; backpressure runs
// from the socket through the zlib stream back to the handler's write()/drained().
//
// The life of a compressed response:
//   1. The handler sets status and fields through the wrapper (forwarded as they come).
//   2. Its first write(), send() or end() triggers the decision (chooseCoding): status, method,
//      existing Content-Encoding, Content-Type filter, Cache-Control: no-transform, size
//      threshold, then Accept-Encoding. Vary: Accept-Encoding is added whenever the type is
//      compressible, so caches key on it even when this client got identity.
//   3. Identity: every later call goes straight to the real response.
//   4. Encoding: Content-Length and Accept-Ranges go, Content-Encoding comes, a strong ETag
//      becomes weak. A whole body given to end() is compressed synchronously when small
//      (see SYNC_MAX_BYTES) and sent with a Content-Length; anything else streams through zlib,
//      chunked, flushed after each event-loop turn of writes when `flush` is on.
import type { Readable } from 'node:stream';
import { bodySourceIterable, ServerError, type BodyChunk, type BriskRequest, type BriskResponse, type Handler } from '../core.js';
import { DEFAULT_CODINGS, isCompressibleType, preferredCodings, type ContentCoding } from './accept-encoding.js';
import { CompressedBody, compressSync, createCompressor, ZSTD_AVAILABLE, type CompressorSettings } from './compress-body.js';

export interface CompressOptions {
  /**
   * Codings offered, in the server's order of preference at equal q. Default
   * ["zstd", "br", "gzip", "deflate"] where node:zlib has zstd (Node 22.15+), else
   * ["br", "gzip", "deflate"]. Naming "zstd" where it is missing throws.
   */
  encodings?: readonly ContentCoding[];
  /** Bodies known to be smaller than this many bytes are sent as they are. Default 1024. */
  threshold?: number;
  /** Which Content-Types to compress. Default: isCompressibleType (text/*, JSON, JS, XML, SVG, +json, +xml, wasm). */
  filter?: (contentType: string) => boolean;
  /**
   * Flush the compressor after the writes of each event-loop turn (Z_SYNC_FLUSH /
   * BROTLI_OPERATION_FLUSH), so streamed responses (server-sent events, progress) reach the
   * client as they are written. Costs a little ratio on bulk streams. Default true.
   */
  flush?: boolean;
  /** zlib level for gzip and deflate (0-9). Default 6 (zlib's own default). */
  gzipLevel?: number;
  /** Brotli quality (0-11). Default 4: close to gzip -6 in speed, smaller output; 11 is for precompression. */
  brotliQuality?: number;
  /** zstd level (1-19; higher levels need a window past RFC 9659's 8 MiB). Default 3, zstd's own default. */
  zstdLevel?: number;
}

/**
 * The default order at equal q. zstd first: measured on Node 26 (one core, in-process, sync),
 * zstd -3 took a third of the CPU of brotli q4 and gzip -6 on 30 KiB of text or JSON (≈0.36 vs
 * ≈1.0 ms, 0.19 vs ≈0.6 ms) for output between the two (text: 42.1 % vs br 40.7 %, gzip 40.1 %;
 * JSON: 4.0 % vs br 3.4 %, gzip 9.1 %), and at 4 KiB as fast as gzip, twice as fast as br. On
 * the fly, server CPU is what a compressing server runs out of; browsers that send zstd
 * (Chrome, Firefox) list br and gzip too, so a client without zstd loses nothing.
 */
export const DEFAULT_ENCODINGS: readonly ContentCoding[] = DEFAULT_CODINGS.filter((c) => c !== 'zstd' || ZSTD_AVAILABLE);

interface CompressConfig extends CompressorSettings {
  readonly encodings: readonly ContentCoding[];
  readonly threshold: number;
  readonly filter: (contentType: string) => boolean;
  readonly flush: boolean;
  /** Accept-Encoding value → chosen coding (null: identity). Browsers send a handful of distinct values. */
  readonly negotiated: Map<string, ContentCoding | null>;
}

/**
 * A whole body up to this size is compressed synchronously, in the handler's turn. Measured on
 * HTML-like text (Node 20, x64): gzipSync 0.07 ms at 1 KiB and 0.13 ms at 64 KiB, brotli q4
 * about the same, while the async zlib path costs 0.2–0.35 ms per response in thread-pool
 * round trips. Past 64 KiB (gzipSync ≈ 0.5 ms at 256 KiB) the event loop matters more.
 */
const SYNC_MAX_BYTES = 64 * 1024;
/** Arbitrary bound on the negotiation cache; it is cleared, not evicted, when full. */
const NEGOTIATION_CACHE_ENTRIES = 64;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;
const EMPTY = Buffer.alloc(0);

export function compress(handler: Handler, options: CompressOptions = {}): Handler {
  const config = resolveCompressOptions(options);
  return (req, res) => handler(req, new CompressingResponse(res, req, config));
}

function resolveCompressOptions(options: CompressOptions): CompressConfig {
  const threshold = options.threshold ?? 1024;
  if (!(Number.isInteger(threshold) && threshold >= 0)) throw new TypeError(`compress: threshold must be a whole number of bytes: ${threshold}`);
  const encodings = options.encodings ?? DEFAULT_ENCODINGS;
  for (const e of encodings) {
    if (!DEFAULT_CODINGS.includes(e)) throw new TypeError(`compress: unknown encoding ${JSON.stringify(e)}`);
    if (e === 'zstd' && !ZSTD_AVAILABLE) throw new TypeError(`compress: zstd needs node:zlib's zstd (Node 22.15+), not in ${process.version}`);
  }
  const gzipLevel = options.gzipLevel ?? 6;
  if (!(Number.isInteger(gzipLevel) && gzipLevel >= 0 && gzipLevel <= 9)) throw new TypeError(`compress: gzipLevel must be 0-9: ${gzipLevel}`);
  const brotliQuality = options.brotliQuality ?? 4;
  if (!(Number.isInteger(brotliQuality) && brotliQuality >= 0 && brotliQuality <= 11)) {
    throw new TypeError(`compress: brotliQuality must be 0-11: ${brotliQuality}`);
  }
  const zstdLevel = options.zstdLevel ?? 3;
  if (!(Number.isInteger(zstdLevel) && zstdLevel >= 1 && zstdLevel <= 19)) throw new TypeError(`compress: zstdLevel must be 1-19: ${zstdLevel}`);
  return {
    encodings,
    threshold,
    filter: options.filter ?? isCompressibleType,
    flush: options.flush ?? true,
    gzipLevel,
    brotliQuality,
    zstdLevel,
    negotiated: new Map(),
  };
}

const enum CodingState {
  /** Nothing decided: fields forward to the real response. */
  Pending = 0,
  /** Not compressing: everything forwards. */
  Identity = 1,
  /** Compressing: fields are frozen, the body goes through `body` (or one sync call). */
  Encoding = 2,
}

class CompressingResponse implements BriskResponse {
  private state = CodingState.Pending;
  private coding: ContentCoding = 'gzip';
  private body: CompressedBody | null = null;
  private ended = false;

  constructor(
    private readonly res: BriskResponse,
    private readonly req: BriskRequest,
    private readonly config: CompressConfig,
  ) {}

  get status(): number {
    return this.res.status;
  }

  set status(value: number) {
    this.assertFieldsOpen();
    this.res.status = value;
  }

  get headersSent(): boolean {
    return this.state !== CodingState.Pending || this.res.headersSent;
  }

  get finished(): boolean {
    return this.ended || this.res.finished;
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.assertFieldsOpen();
    this.res.setHeader(name, value);
    return this;
  }

  appendHeader(name: string, value: string | number | readonly string[]): this {
    this.assertFieldsOpen();
    this.res.appendHeader(name, value);
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.res.getHeader(name);
  }

  hasHeader(name: string): boolean {
    return this.res.hasHeader(name);
  }

  removeHeader(name: string): this {
    this.assertFieldsOpen();
    this.res.removeHeader(name);
    return this;
  }

  writeHead(status: number, headers?: Record<string, string | number | readonly string[]>): this {
    this.assertFieldsOpen();
    this.res.writeHead(status, headers);
    return this;
  }

  writeEarlyHints(headers: Record<string, string | readonly string[]>): void {
    this.res.writeEarlyHints(headers);
  }

  write(chunk: BodyChunk): boolean {
    if (this.ended) throw new ServerError('ERR_WRITE_AFTER_END');
    if (this.state === CodingState.Pending) this.decide(-1);
    if (this.state === CodingState.Identity) return this.res.write(chunk);
    return (this.body as CompressedBody).write(chunk);
  }

  drained(): Promise<void> {
    if (this.state === CodingState.Encoding && this.body !== null) return this.body.drained();
    return this.res.drained();
  }

  end(chunk?: BodyChunk): void {
    if (this.ended) return;
    if (this.state === CodingState.Pending) this.decide(chunk === undefined ? 0 : byteLength(chunk));
    this.ended = true;
    if (this.state === CodingState.Identity) return this.res.end(chunk);
    if (this.body !== null) return this.body.end(chunk);
    // Decided by end(body): the whole body is here.
    const input = chunk === undefined ? EMPTY : typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (input.byteLength <= SYNC_MAX_BYTES) {
      this.res.end(compressSync(this.coding, input, this.config));
      return;
    }
    this.body = new CompressedBody(this.res, createCompressor(this.coding, this.config, input.byteLength), this.coding, false);
    this.body.end(input);
  }

  async send(source: Readable | ReadableStream<Uint8Array> | AsyncIterable<BodyChunk>): Promise<void> {
    if (this.ended) throw new ServerError('ERR_WRITE_AFTER_END', 'send()');
    if (this.state === CodingState.Pending) this.decide(-1);
    if (this.state === CodingState.Identity) return this.res.send(source);
    const body = this.body as CompressedBody;
    for await (const chunk of bodySourceIterable(source)) {
      if (!this.write(chunk)) await this.drained();
    }
    this.end();
    await body.done();
  }

  private assertFieldsOpen(): void {
    if (this.state === CodingState.Encoding) throw new ServerError('ERR_HEADERS_SENT');
  }

  /** Step 2: choose identity or a coding; for a coding, rewrite the fields and, unless the whole body is known, start the stream. */
  private decide(knownLength: number): void {
    const coding = this.chooseCoding(knownLength);
    if (coding === null) {
      this.state = CodingState.Identity;
      return;
    }
    const res = this.res;
    const declared = declaredLength(res);
    res.removeHeader('Content-Length');
    // Byte ranges would address the identity bytes, not these (nginx's gzip filter drops it too).
    res.removeHeader('Accept-Ranges');
    res.setHeader('Content-Encoding', coding);
    const etag = res.getHeader('etag');
    // RFC 9110 §8.8.3: the coded bytes differ from the strong tag's; a weak tag still validates 304s.
    if (typeof etag === 'string' && !etag.startsWith('W/')) res.setHeader('ETag', 'W/' + etag);
    this.state = CodingState.Encoding;
    this.coding = coding;
    if (knownLength < 0) {
      const sizeHint = declared >= 0 ? declared : 0;
      this.body = new CompressedBody(res, createCompressor(coding, this.config, sizeHint), coding, this.config.flush);
    }
  }

  private chooseCoding(knownLength: number): ContentCoding | null {
    const res = this.res;
    const status = res.status;
    // 206: the ranges address identity bytes; 204/304/1xx carry no content.
    if (status < 200 || status === 204 || status === 206 || status === 304) return null;
    if (res.hasHeader('content-encoding')) return null;
    const type = res.getHeader('content-type');
    if (typeof type !== 'string' || !this.config.filter(type)) return null;
    const cacheControl = res.getHeader('cache-control');
    if (cacheControl !== undefined && NO_TRANSFORM.test(String(cacheControl))) return null;
    appendVary(res);
    if (this.req.method === 'HEAD') return null;
    const length = knownLength >= 0 ? knownLength : declaredLength(res);
    if (length === 0 || (length > 0 && length < this.config.threshold)) return null;
    return this.negotiate(this.req.headers.get('accept-encoding'));
  }

  private negotiate(acceptEncoding: string | undefined): ContentCoding | null {
    if (acceptEncoding === undefined) return null;
    const cache = this.config.negotiated;
    let coding = cache.get(acceptEncoding);
    if (coding === undefined) {
      coding = preferredCodings(acceptEncoding, this.config.encodings)[0] ?? null;
      if (cache.size >= NEGOTIATION_CACHE_ENTRIES) cache.clear();
      cache.set(acceptEncoding, coding);
    }
    return coding;
  }
}

/** Add Accept-Encoding to Vary unless it (or "*") is already listed; never replaces other members. */
function appendVary(res: BriskResponse): void {
  const vary = res.getHeader('vary');
  if (vary === undefined) {
    res.setHeader('Vary', 'Accept-Encoding');
    return;
  }
  const members = (typeof vary === 'string' ? vary : vary.join(',')).split(',');
  for (const m of members) {
    const token = m.trim().toLowerCase();
    if (token === 'accept-encoding' || token === '*') return;
  }
  if (typeof vary === 'string') res.setHeader('Vary', `${vary}, Accept-Encoding`);
  else res.appendHeader('Vary', 'Accept-Encoding');
}

/** The Content-Length the handler declared, or -1. */
function declaredLength(res: BriskResponse): number {
  const value = res.getHeader('content-length');
  if (typeof value !== 'string' || value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

function byteLength(chunk: BodyChunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.byteLength;
}

