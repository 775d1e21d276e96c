// Web-standard fetch handlers on brisk: `toHandler(app)` turns anything with
// `fetch(request: Request): Response | Promise<Response>` (Hono, itty, plain objects) into a core
// Handler. The Request is lazy (fetch-request.ts); the Response is written through BriskResponse.
//
// The life of a fetch exchange:
//   1. The URL string is made (origin-form: "http://" + Host + target; checked, 400 if bad).
//   2. A LazyRequest wraps the brisk request; `app.fetch(request, { req, res })` is called.
//   3. Status and fields are copied (Set-Cookie lines one by one, from getSetCookie()).
//   4. Body: none → end(); built from a string / bytes → one end(body) with Content-Length,
//      head and body in a single socket write, no stream touched; otherwise the ReadableStream is
//      pumped chunk by chunk, waiting for drained() when the socket is full, and cancelled when the
//      client goes away (so Hono's stream helpers see onAbort).
//   5. Errors thrown by the app (or its stream before the head is out) reach the core: 500.
import type { BriskRequest, BriskResponse, Handler } from '../core.js';
import { FastResponse, type FastParts } from './fast-response.js';
import { createRealRequest, LazyRequest, realHeaders, requestUrl } from './fetch-request.js';
import { Router } from './router.js';
import { fromNodeListener } from '../node-compat/listener.js';
import { nodeListenerOf, type NodeApp } from '../node-compat/detect.js';

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
   * (past it: 413). Default: the server's maxBodyBytes. `request.body` (a stream) has no limit.
   */
  maxBodyBytes?: number;
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
  const defaultHost = options.defaultHost ?? 'localhost';
  const maxBodyBytes = options.maxBodyBytes;
  const eager = options.request === 'eager';
  return (req, res) => {
    const url = requestUrl(req, defaultHost);
    const request = eager ? createRealRequest(req, url, realHeaders(req)) : (new LazyRequest(req, url, maxBodyBytes) as unknown as Request);
    const result = app.fetch(request, { req, res } satisfies FetchEnv);
    if (isPromiseLike(result)) return writeWhenResolved(result, req, res);
    return writeResponse(result, req, res);
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<Response> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

async function writeWhenResolved(result: PromiseLike<Response>, req: BriskRequest, res: BriskResponse): Promise<void> {
  return writeResponse(await result, req, res);
}

// --- the response ------------------------------------------------------------------------------

/** The body of a Response built from a string or bytes, without touching its stream; null when it has none. */
type StaticBody = string | Uint8Array | null;
/** Marks a body that has to be streamed. */
const STREAMED = Symbol('streamed');

/**
 * undici keeps a Response's construction-time body as `[state].body.source` (a string for text
 * and JSON, a Uint8Array for bytes). Found by probing once at load; if a Node version hides it, every
 * body is streamed instead (correct, slower). Measured on Node 20.20 for `new Response('hello
 * world')`: constructing it costs ~4.5 µs (undici builds a ReadableStream), reading `source` adds
 * nothing, `await response.arrayBuffer()` adds ~5 µs and a reader loop ~3 µs, plus chunked framing.
 */
const RESPONSE_STATE: symbol | null = (() => {
  const probe = new Response('probe');
  for (const key of Object.getOwnPropertySymbols(probe)) {
    const state = (probe as unknown as Record<symbol, { body?: { source?: unknown } } | undefined>)[key];
    if (state?.body?.source === 'probe') return key;
  }
  return null;
})();

function staticBody(response: Response): StaticBody | typeof STREAMED {
  if (RESPONSE_STATE !== null) {
    const state = (response as unknown as Record<symbol, { body: { source: unknown } | null } | undefined>)[RESPONSE_STATE];
    if (state !== undefined) {
      const body = state.body;
      if (body === null || body === undefined) return null;
      const source = body.source;
      if ((typeof source === 'string' || source instanceof Uint8Array) && !response.bodyUsed) return source;
    }
  } else if (response.body === null) {
    return null;
  }
  return STREAMED;
}

/** Status, fields, then the body as cheaply as its origin allows. */
export function writeResponse(response: Response, req: BriskRequest, res: BriskResponse): void | Promise<void> {
  if (response === null || typeof response !== 'object' || typeof response.status !== 'number') {
    throw new TypeError('A fetch handler must return a Response');
  }
  if (response.status < 200) throw new TypeError('A fetch handler returned a network error (Response.error())');
  if (res.headersSent) return; // the app answered through env.res itself
  const fast = FastResponse.fastParts(response);
  if (fast !== null) return writeFastParts(fast, res);
  res.status = response.status;
  copyFields(response.headers, res);
  const body = staticBody(response);
  if (body !== STREAMED) {
    res.end(body ?? undefined);
    return;
  }
  const stream = response.body as ReadableStream<Uint8Array>;
  if (req.method === 'HEAD' || !bodyAllowed(response.status)) {
    stream.cancel().catch(ignore);
    res.end();
    return;
  }
  return pump(stream, req, res);
}

/**
 * An untouched FastResponse: status, the init's fields and the body, with no Response or
 * Headers object ever built. The same bytes as the general path (including undici's default
 * Content-Type for a string body).
 */
function writeFastParts(parts: FastParts, res: BriskResponse): void {
  res.status = parts.status;
  const init = parts.headers;
  let hasContentType = false;
  if (init !== undefined) {
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
  if (typeof body === 'string' && !hasContentType) res.setHeader('Content-Type', 'text/plain;charset=UTF-8');
  res.end(body ?? undefined);
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

/**
 * Copy a ReadableStream to the response with backpressure: one read, one write, and a wait for
 * drained() whenever the socket's buffer is full. A client that goes away cancels the stream.
 */
async function pump(stream: ReadableStream<Uint8Array>, req: BriskRequest, res: BriskResponse): Promise<void> {
  const reader = stream.getReader();
  const signal = req.signal;
  const onAbort = (): void => void reader.cancel(signal.reason).catch(ignore);
  signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (signal.aborted) return;
      if (!res.write(value)) await res.drained();
    }
  } catch (error) {
    reader.cancel(error).catch(ignore);
    if (signal.aborted) return; // the client left: nobody to tell
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (!signal.aborted) res.end();
}

function ignore(): void {}

// --- one entry point for every kind of app -----------------------------------------------------

/** What `serve` and the CLI accept: a core Handler, a Router, a fetch app, or an Express / Connect / Koa app. */
export type BriskApp = Handler | Router | FetchApp | { handle: Handler } | NodeApp;

/**
 * A Handler for any app: an Express / Connect / Koa app goes through fromNodeListener; another
 * function is taken as a core Handler `(req, res)`; a Router (or any object with a `handle`
 * function) gives its `handle`; an object with `fetch` goes through toHandler. A plain function
 * is never treated as a fetch function (wrap it as `{ fetch }`) nor as a node:http listener
 * (wrap it with fromNodeListener).
 */
export function toBriskHandler(app: BriskApp, options?: FetchHandlerOptions): Handler {
  if (app instanceof Router) return app.handle;
  // node:http apps (docs/node-compat.md): Express / Connect are functions told apart by their
  // handle() and use(); Koa has callback(). An object with fetch() stays a fetch app.
  if (typeof app === 'function' || typeof (app as FetchApp | null)?.fetch !== 'function') {
    const listener = nodeListenerOf(app);
    if (listener !== null) return fromNodeListener(listener);
  }
  if (typeof app === 'function') return app as Handler;
  if (app !== null && typeof app === 'object') {
    if (typeof (app as FetchApp).fetch === 'function') return toHandler(app as FetchApp, options);
    if (typeof (app as { handle?: unknown }).handle === 'function') return (app as { handle: Handler }).handle;
  }
  throw new TypeError('Expected a handler function, a Router, an object with a fetch(request) method, or an Express / Connect / Koa app');
}
