// Web-standard fetch handlers on brisk: `toHandler(app)` turns anything with
// `fetch(request: Request): Response | Promise<Response>` (Hono, itty, plain objects) into a core
// Handler. The Request is lazy (fetch-request.ts, its URL from fetch-url.ts); the Response is
// written through BriskResponse.
//
// The life of a fetch exchange:
//   1. The URL string is made (scheme from the connection, a real authority, the target's path;
//      400 if bad). `OPTIONS *` is answered here.
//   2. A LazyRequest wraps the brisk request; `app.fetch(request, { req, res })` is called.
//   3. Status and fields are copied when the Response is written (Set-Cookie lines one by one).
//   4. Body: an untouched FastResponse's string / bytes → one end(body) with Content-Length,
//      head and body in a single socket write, no stream touched (a Blob: its size, then its
//      stream). Any other body is read through its public stream: whole at once → the same one
//      write; otherwise the head goes out by the next macrotask and the stream is pumped chunk by
//      chunk, waiting for drained() when the socket is full.
//   5. Errors thrown by the app (or its stream before the head is out) reach the core: 500. A
//      client that leaves, or a stream that fails after the head, cancels the stream and rejects,
//      so the core aborts the connection (never left open, never ended as if complete).
import type { BriskRequest, BriskResponse, Handler } from '../core.js';
import { FastResponse, type FastParts } from './fast-response.js';
import { createRealRequest, LazyRequest, realHeaders } from './fetch-request.js';
import { checkDefaultHost, HostMemo, requestUrl } from './fetch-url.js';

export { LazyRequest, LazyHeaders } from './fetch-request.js';

/** What a fetch app receives as its second argument: the brisk request and response behind it. */
export interface FetchEnv {
  readonly req: BriskRequest;
  readonly res: BriskResponse;
}

/** A Web-standard app: Hono, or any object with a `fetch` method. */
export interface FetchApp {
  // `any`: apps declare their own env and context parameter types (Hono: Bindings, ExecutionContext).
  fetch(request: Request, ...rest: any[]): Response | Promise<Response>;
}

export interface FetchHandlerOptions {
  /**
   * 'lazy' (default): a Request-like object that builds the real Request only when the app needs
   * it. 'eager': a real Request per request (body streamed), for code that does
   * `new Request(request, init)` on the incoming request (Hono's bodyLimit, methodOverride).
   */
  request?: 'lazy' | 'eager';
  /** Host used in the URL when the request has no Host field (HTTP/1.0). Default "localhost". */
  defaultHost?: string;
  /**
   * Limit for request.text()/json()/arrayBuffer()/blob() read straight from the connection
   * (past it: 413). Default: none of the adapter's own (the server-wide request-body limit
   * applies), as on @hono/node-server and Bun. `request.body` (a stream) has no limit either.
   */
  maxBodyBytes?: number;
  /**
   * serve() and the CLI only (toBriskHandler): put brisk's FastResponse in globalThis.Response
   * for the app, as @hono/node-server does by default (measured in docs/app-router-fetch.md:
   * `new Response('hello')` 15-30 µs on Node 20-26 under load, FastResponse 0.03 µs). Default
   * true; false keeps the runtime's Response. toHandler() never touches globals.
   */
  fastResponse?: boolean;
}

/** The brisk request behind a Request made by toHandler (lazy mode), else undefined. */
export function briskRequestOf(request: Request): BriskRequest | undefined {
  return LazyRequest.briskRequestOf(request);
}

/** A core Handler serving a fetch app. */
export function toHandler(app: FetchApp, options: FetchHandlerOptions = {}): Handler {
  if (app === null || (typeof app !== 'object' && typeof app !== 'function') || typeof app.fetch !== 'function') {
    throw new TypeError('toHandler: expected an object with a fetch(request) method');
  }
  const defaultHost = checkDefaultHost(options.defaultHost ?? 'localhost');
  const maxBodyBytes = options.maxBodyBytes;
  const eager = options.request === 'eager';
  const hosts = new HostMemo();
  return (req, res) => {
    if (req.target === '*') return answerAsterisk(res);
    const url = requestUrl(req, defaultHost, hosts);
    const request = eager ? createRealRequest(req, url, realHeaders(req)) : (new LazyRequest(req, url, maxBodyBytes) as unknown as Request);
    const result = app.fetch(request, { req, res } satisfies FetchEnv);
    if (isPromiseLike(result)) return writeWhenResolved(result, req, res);
    return writeResponse(result, req, res);
  };
}

/**
 * `OPTIONS *` asks about the server, not a resource, and no URL can carry it: answered here, as
 * Go's net/http does (200, empty), never passed to the app as some path it is not.
 */
function answerAsterisk(res: BriskResponse): void {
  res.status = 200;
  res.end();
}

function isPromiseLike(value: unknown): value is PromiseLike<Response> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

async function writeWhenResolved(result: PromiseLike<Response>, req: BriskRequest, res: BriskResponse): Promise<void> {
  return writeResponse(await result, req, res);
}

// --- the response ------------------------------------------------------------------------------

/** Status, fields, then the body as cheaply as its origin allows. */
export function writeResponse(response: Response, req: BriskRequest, res: BriskResponse): void | Promise<void> {
  if (response === null || typeof response !== 'object' || typeof response.status !== 'number') {
    throw new TypeError('A fetch handler must return a Response');
  }
  if (response.status < 200) throw new TypeError('A fetch handler returned a network error (Response.error())');
  if (res.headersSent) return; // the app answered through env.res itself
  const fast = FastResponse.fastParts(response);
  if (fast !== null) return writeFastParts(fast, req, res);
  res.status = response.status;
  copyFields(response.headers, res);
  const stream = response.body;
  if (stream === null) {
    res.end();
    return;
  }
  if (!bodyAllowed(response.status)) {
    stream.cancel().catch(ignore);
    res.end();
    return;
  }
  return sendStream(stream, req, res);
}

/**
 * An untouched FastResponse: status, the init's fields and the body, with no Response or
 * Headers object ever built. The same bytes as the general path (including undici's default
 * Content-Type for a string body).
 */
function writeFastParts(parts: FastParts, req: BriskRequest, res: BriskResponse): void | Promise<void> {
  res.status = parts.status;
  const init = parts.headers;
  let hasContentType = false;
  if (init !== undefined && init !== null) {
    if (init instanceof Headers) {
      copyFields(init, res);
      hasContentType = init.has('content-type');
    } else if (Array.isArray(init)) {
      for (const [name, value] of init as [string, string][]) {
        res.appendHeader(name, value);
        if (isContentType(name)) hasContentType = true;
      }
    } else {
      // for-in over a plain object allocates nothing (Object.entries made two arrays a request).
      const record = init as Record<string, string>;
      for (const name in record) {
        if (!Object.hasOwn(record, name)) continue;
        res.appendHeader(name, record[name]);
        if (isContentType(name)) hasContentType = true;
      }
    }
  }
  const body = parts.body;
  if (typeof body === 'string') {
    if (!hasContentType) res.setHeader('Content-Type', 'text/plain;charset=UTF-8');
    res.end(body);
    return;
  }
  if (body === null) {
    if (parts.twinLength >= 0 && req.method === 'HEAD') res.setHeader('Content-Length', parts.twinLength);
    res.end();
    return;
  }
  if (body instanceof Uint8Array) {
    res.end(body);
    return;
  }
  // A Blob: its size is its Content-Length (as @hono/node-server sends), its bytes are streamed.
  if (!hasContentType && body.type !== '') res.setHeader('Content-Type', body.type);
  res.setHeader('Content-Length', body.size);
  if (req.method === 'HEAD' || body.size === 0) {
    res.end();
    return;
  }
  return sendStream(body.stream(), req, res);
}

/** Case-insensitive "content-type" without making a lower-case copy for the usual spellings. */
function isContentType(name: string): boolean {
  if (name.length !== 12) return false;
  return name === 'Content-Type' || name === 'content-type' || name.toLowerCase() === 'content-type';
}

function copyFields(headers: Headers, res: BriskResponse): void {
  let hasSetCookie = false;
  for (const [name, value] of headers) {
    if (name === 'set-cookie') hasSetCookie = true;
    else res.appendHeader(name, value);
  }
  // Each Set-Cookie stays its own field line (RFC 6265 §3: never combined).
  if (hasSetCookie) for (const cookie of headers.getSetCookie()) res.appendHeader('set-cookie', cookie);
}

/** RFC 9110 §6.4.1: no content in 1xx, 204 and 304 responses. */
function bodyAllowed(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

// --- streamed bodies ---------------------------------------------------------------------------

type Chunk = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;

/** What waitBriefly resolves with when the read is still pending at the next macrotask. */
const LATER = Symbol('later');

/**
 * Resolves with LATER at the next macrotask. One setImmediate serves every response waiting in
 * the same turn of the event loop.
 */
let nextMacrotask: Promise<typeof LATER> | null = null;
function macrotask(): Promise<typeof LATER> {
  return (nextMacrotask ??= new Promise((resolve) =>
    setImmediate(() => {
      nextMacrotask = null;
      resolve(LATER);
    }),
  ));
}

/** The read's result if it settles before the next macrotask, else LATER (the read stays pending). */
function waitBriefly(read: Promise<Chunk>): Promise<Chunk | typeof LATER> {
  return Promise.race([read, macrotask()]);
}

/**
 * A body read through its public stream (never a runtime's stored source, which a clone may
 * have consumed). A body that is already whole — a string, bytes or a Blob given to
 * `new Response`, a clone's other branch: the first read settles at once and the second says
 * done within two macrotasks — goes out with Content-Length in one write. Anything else sends the head (chunked, or the
 * declared Content-Length) as soon as the first read is not settled by the next macrotask, so
 * SSE `open` and clients waiting for headers never wait for the producer, then copies chunks
 * with backpressure.
 */
async function sendStream(stream: ReadableStream<Uint8Array>, req: BriskRequest, res: BriskResponse): Promise<void> {
  const reader = stream.getReader();
  let pending: Promise<Chunk> | null = reader.read();
  let first: Chunk | typeof LATER;
  try {
    first = await waitBriefly(pending);
    if (first !== LATER) {
      pending = null;
      if (first.done) {
        res.end();
        return;
      }
      pending = reader.read();
      let second = await waitBriefly(pending);
      // A Blob's stream says done one macrotask after its bytes (Node 24+): one more turn, once
      // there are bytes to send anyway.
      if (second === LATER) second = await waitBriefly(pending);
      if (second !== LATER && second.done) {
        res.end(first.value); // the whole body: Content-Length, head and body in one write
        return;
      }
    }
  } catch (error) {
    // The stream failed before anything was sent: the core answers 500.
    reader.cancel(error).catch(ignore);
    throw error;
  }
  if (req.method === 'HEAD') {
    // The GET's head without a length we would have to read the whole body for.
    reader.cancel().catch(ignore);
    res.end();
    return;
  }
  // The head now, before the producer goes on (res.write of nothing sends it).
  res.write(first === LATER ? EMPTY : first.value);
  return pump(reader, pending, req, res);
}

const EMPTY = new Uint8Array(0);

/**
 * Copy the rest of a stream to the response with backpressure: one read, one write, and a wait for
 * drained() whenever the socket's buffer is full. `pending` is a read already started. A client
 * that goes away, or a stream that fails, cancels the stream and rejects: the core then aborts
 * the connection (the response can never be complete), so it is never left open or ended as if
 * the body were whole.
 */
async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, pending: Promise<Chunk> | null, req: BriskRequest, res: BriskResponse): Promise<void> {
  const signal = req.signal;
  const onAbort = (): void => void reader.cancel(signal.reason).catch(ignore);
  signal.addEventListener('abort', onAbort);
  try {
    if (signal.aborted) throw signal.reason;
    for (;;) {
      const { done, value } = await (pending ?? reader.read());
      pending = null;
      if (signal.aborted) throw signal.reason;
      if (done) break;
      if (!res.write(value)) await res.drained();
    }
  } catch (error) {
    reader.cancel(error).catch(ignore);
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  res.end();
}

function ignore(): void {}
