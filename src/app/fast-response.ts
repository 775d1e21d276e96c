// FastResponse: a stand-in for the global Response. undici's `new Response(body)` builds a
// ReadableStream (and registers it for cleanup) up front: measured with bench/fetch-objects.ts,
// 15-30 µs per construction on Node 20, 22, 24 and 26 under load, more than brisk spends on a
// whole hello-world request. FastResponse keeps the body and init as given and builds the real
// Response only when something other than the fetch adapter's fast path looks inside it.
//
// serve() and the CLI install it for fetch apps (as @hono/node-server does by default), with the
// `fastResponse: false` fetch option to keep the runtime's; toHandler() alone never touches
// globals; installFastResponse() does it explicitly.

const NativeResponse: typeof Response = globalThis.Response;

type BodyInit = ConstructorParameters<typeof Response>[0];
type HeadersInit = ResponseInit['headers'];

/** What the fetch adapter can write without a real Response: status, init headers, body. */
export interface FastParts {
  readonly status: number;
  readonly headers: HeadersInit;
  readonly body: string | Uint8Array | Blob | null;
  /**
   * For a bodiless response made from another untouched one (`new Response(null, getResponse)`,
   * Hono's answer to HEAD): that one's body length, so HEAD gets the GET's Content-Length; else -1.
   */
  readonly twinLength: number;
}

export class FastResponse {
  #body: BodyInit;
  #init: ResponseInit | undefined;
  #real: Response | null = null;

  constructor(body?: BodyInit, init?: ResponseInit) {
    this.#body = body ?? null;
    this.#init = init;
    const status = init?.status;
    // Let the real constructor raise the errors it would raise (bad status, body on 204, ...).
    if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 599 || status === 204 || status === 205 || status === 304)) {
      this.#real = new NativeResponse(body, init);
    }
  }

  /** Every Response, native or fast, is an instance (the prototype chain ends in Response's). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && Object.prototype.isPrototypeOf.call(NativeResponse.prototype, value);
  }

  static json(data: unknown, init?: ResponseInit): Response {
    return NativeResponse.json(data, init);
  }

  static error(): Response {
    return NativeResponse.error();
  }

  static redirect(url: string | URL, status?: number): Response {
    return NativeResponse.redirect(url, status as Parameters<typeof Response.redirect>[1]);
  }

  /**
   * The adapter's fast path: the parts of an untouched FastResponse (nobody read its headers or
   * body, so what was given is what goes out) with a string, bytes, Blob or no body; else null.
   */
  static fastParts(response: unknown): FastParts | null {
    if (typeof response !== 'object' || response === null || !(#body in response)) return null;
    const fast = response as FastResponse;
    if (fast.#real !== null) return null;
    let body = fast.#body;
    if (body instanceof ArrayBuffer) body = new Uint8Array(body);
    else if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array) && !(body instanceof Blob)) return null;
    const init = fast.#init;
    if (init !== undefined && #body in init) {
      // The init is itself a FastResponse: take its status and fields without building it.
      const twin = init as unknown as FastResponse;
      // Its body's length is known from what it was given, even if something read that body since.
      const twinLength = body === null ? bodyLength(twin.#body) : -1;
      if (twin.#real !== null) return { status: twin.status, headers: twin.#real.headers, body, twinLength };
      return { status: twin.status, headers: twin.#init?.headers, body, twinLength };
    }
    return { status: init?.status ?? 200, headers: init?.headers, body, twinLength: -1 };
  }

  get status(): number {
    return this.#real?.status ?? this.#init?.status ?? 200;
  }
  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status <= 299;
  }
  get statusText(): string {
    return this.real().statusText;
  }
  get headers(): Headers {
    return this.real().headers;
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this.real().body;
  }
  get bodyUsed(): boolean {
    return this.real().bodyUsed;
  }
  get type(): Response['type'] {
    return this.real().type;
  }
  get url(): string {
    return this.real().url;
  }
  get redirected(): boolean {
    return this.real().redirected;
  }
  text(): Promise<string> {
    return this.real().text();
  }
  json(): Promise<unknown> {
    return this.real().json();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.real().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.real().blob();
  }
  formData(): Promise<FormData> {
    return this.real().formData();
  }
  clone(): Response {
    return this.real().clone();
  }

  private real(): Response {
    return (this.#real ??= new NativeResponse(this.#body, this.#init));
  }
}

/** The byte length of a body FastResponse writes itself, else -1. */
function bodyLength(body: BodyInit): number {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return body.byteLength;
  if (body instanceof Blob) return body.size;
  return -1;
}

Object.setPrototypeOf(FastResponse.prototype, NativeResponse.prototype);
Object.setPrototypeOf(FastResponse, NativeResponse);

/**
 * Replace globalThis.Response with FastResponse (so `new Response(...)` in the app, Hono's
 * c.text() and c.json() included, is cheap). Returns a function that puts the native one back.
 */
export function installFastResponse(): () => void {
  const previous = globalThis.Response;
  globalThis.Response = FastResponse as unknown as typeof Response;
  return () => {
    globalThis.Response = previous;
  };
}

/** installFastResponse() unless FastResponse is already the global (serve() and the CLI, for fetch apps). */
export function installFastResponseOnce(): void {
  if (globalThis.Response !== (FastResponse as unknown as typeof Response)) installFastResponse();
}
