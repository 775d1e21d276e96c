// The Web `Request` a fetch handler receives, built from a BriskRequest only as far as the app
// looks. `method`, `url`, `signal` and `headers.get/has` come straight from the brisk request;
// `text()/json()/arrayBuffer()/bytes()/blob()` read the brisk body directly; anything else
// (`body`, `clone()`, `formData()`, `cache` ...) builds the real `Request` once and forwards to it.
// Nothing here replaces a global: `instanceof Request` holds through the prototype chain only.
import type { ReadableStreamDefaultController, UnderlyingSource } from 'node:stream/web';
import type { BriskRequest, RequestHeaders } from '../core.js';

// --- headers -----------------------------------------------------------------------------------

/**
 * `Headers` over the brisk request's field list: `get` and `has` scan the parsed fields (no copy);
 * any other use, or a mutation, builds a real Headers once and forwards from then on.
 */
export class LazyHeaders {
  readonly #fields: RequestHeaders;
  #real: Headers | null = null;

  constructor(fields: RequestHeaders) {
    this.#fields = fields;
  }

  get(name: string): string | null {
    if (this.#real !== null) return this.#real.get(name);
    return this.#fields.get(name) ?? null;
  }

  has(name: string): boolean {
    if (this.#real !== null) return this.#real.has(name);
    return this.#fields.has(name);
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    const self = this as unknown as Headers;
    this.#materialize().forEach((value, name) => callback.call(thisArg, value, name, self));
  }

  /** The real Headers, built on first need. */
  #materialize(): Headers {
    if (this.#real === null) {
      const real = new Headers();
      const raw = this.#fields.raw;
      for (let i = 0; i < raw.length; i += 2) real.append(raw[i], raw[i + 1]);
      this.#real = real;
    }
    return this.#real;
  }

  static {
    // Everything else Headers has (append, set, delete, entries, getSetCookie, iteration ...).
    forwardMembers(LazyHeaders.prototype, Headers.prototype, (self) => (self as LazyHeaders).#materialize());
  }

  /** The real Headers behind a LazyHeaders (or the Headers itself). */
  static materialize(headers: Headers): Headers {
    return #real in headers ? (headers as unknown as LazyHeaders).#materialize() : headers;
  }
}
Object.setPrototypeOf(LazyHeaders.prototype, Headers.prototype);

// --- the request -------------------------------------------------------------------------------

/** Methods `new Request` refuses (Fetch "forbidden methods"); the real Request says GET, ours tells the truth. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

const enum BodyUse {
  /** Nobody read the body yet. */
  Unread = 0,
  /** text()/json()/... read it straight from the brisk request. */
  ReadDirectly = 1,
  /** The real Request owns it (body, clone(), formData() ...). */
  Delegated = 2,
}

const utf8 = new TextDecoder();

/**
 * Whether a Web Request for this message carries a body: every method but GET and HEAD (Fetch
 * forbids one there), even when it is empty (`Content-Length: 0`, or no framing at all) — an empty
 * stream, not null, as undici's Request and @hono/node-server give.
 */
export function requestHasBody(req: BriskRequest): boolean {
  const method = req.method;
  return !(method === 'GET' || method === 'HEAD' || FORBIDDEN_METHODS.has(method));
}

/**
 * A ReadableStream over the brisk body. highWaterMark 0: nothing is read until the app asks, and
 * each pull awaits exactly one chunk, so the socket is read as fast as the app consumes.
 */
export function bodyStream(body: AsyncIterable<Buffer>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(new BodySource(body), { highWaterMark: 0 });
}

class BodySource implements UnderlyingSource<Uint8Array> {
  #iterator: AsyncIterator<Buffer> | null = null;
  constructor(private readonly body: AsyncIterable<Buffer>) {}

  async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    const iterator = (this.#iterator ??= this.body[Symbol.asyncIterator]());
    const { done, value } = await iterator.next();
    if (done) controller.close();
    else controller.enqueue(value);
  }

  async cancel(): Promise<void> {
    // The core drains (or closes on) whatever the app did not read.
    await this.#iterator?.return?.();
  }
}

/** A real Headers with the request's fields, in arrival order. */
export function realHeaders(req: BriskRequest): Headers {
  const headers = new Headers();
  const raw = req.headers.raw;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

/** A real Request for a brisk request, body streamed, signal following the connection. */
export function createRealRequest(req: BriskRequest, url: string, headers: Headers): Request {
  const method = req.method;
  const init: RequestInit & { duplex?: 'half' } = {
    method: FORBIDDEN_METHODS.has(method) ? 'GET' : method,
    headers,
    signal: req.signal,
  };
  if (requestHasBody(req)) {
    init.body = bodyStream(req.body);
    init.duplex = 'half';
  }
  return new Request(url, init);
}

/**
 * The lazy Request. Its prototype chain reaches Request.prototype, so `instanceof Request` holds,
 * but it is not a real Request: `new Request(lazy)` does not work (use `request.url` and an init,
 * or `toHandler(app, { request: 'eager' })`).
 */
export class LazyRequest {
  readonly #req: BriskRequest;
  readonly #url: string;
  readonly #maxBodyBytes: number | undefined;
  #headers: LazyHeaders | null = null;
  #real: Request | null = null;
  #bodyUse: BodyUse = BodyUse.Unread;

  constructor(req: BriskRequest, url: string, maxBodyBytes: number | undefined) {
    this.#req = req;
    this.#url = url;
    this.#maxBodyBytes = maxBodyBytes;
  }

  /** The brisk request behind a lazy Request, or undefined for any other Request. */
  static briskRequestOf(request: Request): BriskRequest | undefined {
    return #req in request ? (request as unknown as LazyRequest).#req : undefined;
  }

  get method(): string {
    return this.#req.method;
  }

  get url(): string {
    return this.#url;
  }

  get headers(): Headers {
    return (this.#headers ??= new LazyHeaders(this.#req.headers)) as unknown as Headers;
  }

  get signal(): AbortSignal {
    return this.#req.signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#bodyUse === BodyUse.ReadDirectly || !requestHasBody(this.#req)) return null;
    return this.#delegate().body;
  }

  get bodyUsed(): boolean {
    if (this.#bodyUse === BodyUse.ReadDirectly) return true;
    return this.#real !== null && this.#real.bodyUsed;
  }

  async text(): Promise<string> {
    return utf8.decode(await this.#readDirectly('text'));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#readDirectly('arrayBuffer');
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    const bytes = await this.#readDirectly('blob');
    return new Blob([bytes], { type: this.#req.headers.get('content-type') ?? '' });
  }

  /**
   * The whole body straight from the brisk request. No limit of the adapter's own unless the
   * handler's maxBodyBytes option is set (then HttpError 413 past it): an app that reads a body
   * whole asked for it, as on @hono/node-server and Bun; the server-wide request-body limit
   * still applies. Once the real Request exists, it answers instead.
   */
  async #readDirectly(kind: 'text' | 'arrayBuffer' | 'blob'): Promise<Uint8Array> {
    if (this.#bodyUse === BodyUse.Delegated) {
      const real = this.#real as Request;
      return new Uint8Array(kind === 'blob' ? await (await real.blob()).arrayBuffer() : await real.arrayBuffer());
    }
    if (this.#bodyUse === BodyUse.ReadDirectly) throw new TypeError('Body is unusable: Body has already been read');
    this.#bodyUse = BodyUse.ReadDirectly;
    if (!requestHasBody(this.#req)) return new Uint8Array(0);
    return this.#req.bytes(this.#maxBodyBytes ?? Number.POSITIVE_INFINITY);
  }

  /** The real Request; from now on it owns the body. */
  #delegate(): Request {
    if (this.#real === null) {
      const headers = LazyHeaders.materialize(this.headers);
      if (this.#bodyUse === BodyUse.ReadDirectly) {
        // The body is gone: a bodiless twin, so the other members still answer.
        this.#real = new Request(this.#url, { method: FORBIDDEN_METHODS.has(this.method) ? 'GET' : this.method, headers, signal: this.#req.signal });
      } else {
        this.#real = createRealRequest(this.#req, this.#url, headers);
        this.#bodyUse = BodyUse.Delegated;
      }
    }
    return this.#real;
  }

  static {
    // clone, formData, cache, credentials, mode, redirect, referrer, keepalive, duplex ...
    forwardMembers(LazyRequest.prototype, Request.prototype, (self) => (self as LazyRequest).#delegate());
  }
}
Object.setPrototypeOf(LazyRequest.prototype, Request.prototype);

/**
 * Define on `target` every member of `source` (a Web class prototype) that `target` does not
 * define itself, forwarding to the object `real(this)` returns. Getters forward as getters,
 * methods as methods. Setup time only.
 */
function forwardMembers(target: object, source: object, real: (self: object) => object): void {
  const keys: (string | symbol)[] = [...Object.getOwnPropertyNames(source), Symbol.iterator];
  for (const key of keys) {
    if (key === 'constructor' || Object.prototype.hasOwnProperty.call(target, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(source, key);
    if (descriptor === undefined) continue;
    if (descriptor.get !== undefined) {
      Object.defineProperty(target, key, {
        configurable: true,
        enumerable: descriptor.enumerable,
        get(this: object) {
          return Reflect.get(real(this), key);
        },
      });
    } else if (typeof descriptor.value === 'function') {
      Object.defineProperty(target, key, {
        configurable: true,
        writable: true,
        enumerable: descriptor.enumerable,
        value(this: object, ...args: unknown[]) {
          const object = real(this) as Record<string | symbol, (...a: unknown[]) => unknown>;
          return object[key](...args);
        },
      });
    }
  }
  Object.defineProperty(target, Symbol.for('nodejs.util.inspect.custom'), {
    configurable: true,
    value(this: object, _depth: number, options: object, inspect: (value: unknown, options: object) => string) {
      return `${source === Headers.prototype ? 'Headers' : 'Request'} (lazy) ${inspect(real(this), options)}`;
    },
  });
}
