// The handler API: what a handler receives (BriskRequest) and writes to (BriskResponse).
// Like Go's net/http: one function type, a small response surface; extra powers are methods.
import type { Readable } from 'node:stream';

export type Handler = (req: BriskRequest, res: BriskResponse) => void | Promise<void>;

/** Request header fields: arrival order and original case kept, lookup case-insensitive. */
export interface RequestHeaders extends Iterable<[string, string]> {
  /** All values of a field joined with ", " (RFC 9110 §5.3), or undefined. Cookie is joined with "; ". */
  get(name: string): string | undefined;
  /** Each line's value of a field, in arrival order. */
  getAll(name: string): string[];
  has(name: string): boolean;
  /** Number of field lines. */
  readonly size: number;
  /** [name, value] pairs in arrival order, names as received. */
  entries(): IterableIterator<[string, string]>;
  /** The flat list name0, value0, name1, value1, ... exactly as parsed. */
  readonly raw: readonly string[];
}

export interface BriskRequest extends AsyncIterable<Buffer> {
  readonly method: string;
  /** The raw request-target as received. */
  readonly target: string;
  /** The path part of the target (no query), not percent-decoded. "*" for asterisk-form, the authority for CONNECT. */
  readonly path: string;
  /** The query string without "?", or "". */
  readonly search: string;
  /** Parsed lazily on first access. */
  readonly query: URLSearchParams;
  /** "1.0" or "1.1". */
  readonly httpVersion: '1.0' | '1.1';
  readonly headers: RequestHeaders;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /**
   * The client's address. The peer's own address unless the server's `trustProxy` list contains
   * the peer: then the nearest untrusted address in `Forwarded` (RFC 7239) or `X-Forwarded-For`.
   */
  readonly ip: string;
  /** "https" on a TLS connection, else "http"; from a trusted proxy's `Forwarded: proto=` or `X-Forwarded-Proto`. */
  readonly protocol: 'http' | 'https';
  /** host[:port] the client asked for (absolute-form authority or Host); a trusted proxy's `host=` / `X-Forwarded-Host` wins. */
  readonly host: string;
  /**
   * The route pattern that matched (`/users/:id`), for logs and traces (diagnostics channels):
   * brisk's Router sets it; another router may too. Undefined until one does.
   */
  route?: string;
  /** Aborted when the client goes away before the response is complete (created lazily). */
  readonly signal: AbortSignal;
  /** The body as a stream of Buffers; reading it is what pulls bytes from the socket (backpressure). */
  readonly body: AsyncIterable<Buffer>;
  /** Whole body helpers; reject with ServerError ERR_BODY_TOO_LARGE (413) past `limitBytes` (default: server's maxBodyBytes). */
  bytes(limitBytes?: number): Promise<Buffer>;
  text(limitBytes?: number): Promise<string>;
  json(limitBytes?: number): Promise<unknown>;
}

export type BodyChunk = string | Uint8Array;

export interface BriskResponse {
  /**
   * Final status code to send; default 200. Must be an integer from 200 to 599 when the head
   * goes out: a 1xx is interim (send 103 with `writeEarlyHints`; `100 Continue` is sent by brisk
   * when the body is first read; 101 only by the server's `onUpgrade` path), and one sent as
   * final would make the client take the next pipelined response for this one. Assigning an
   * invalid value is not checked at once; the `write()` or `end()` that sends the head throws a
   * `ServerError` with code `ERR_INVALID_STATUS`, which fails the handler like any error before
   * the head: brisk answers 500 with `Connection: close`.
   */
  status: number;
  /**
   * Replaces every value of the field. The server owns `Content-Length` framing,
   * `Transfer-Encoding` and `Keep-Alive`; a `Connection` field is read as it stands when the head
   * is sent: with the `close` option the connection closes after this response, and setting it
   * back to `keep-alive` (or removing it) before then undoes that.
   */
  setHeader(name: string, value: string | number | readonly string[]): this;
  appendHeader(name: string, value: string | number | readonly string[]): this;
  getHeader(name: string): string | string[] | undefined;
  hasHeader(name: string): boolean;
  removeHeader(name: string): this;
  /**
   * Sets status (and optionally headers) in one call. Does not send anything yet. Throws a
   * `ServerError` (`ERR_INVALID_STATUS`) at once, changing nothing, unless `status` is a final
   * status (an integer 200–599). After the head is sent every field or status change throws
   * `ERR_HEADERS_SENT`; a write after `end()` throws `ERR_WRITE_AFTER_END`; a body longer or
   * shorter than a declared `Content-Length` throws `ERR_CONTENT_LENGTH_MISMATCH`.
   */
  writeHead(status: number, headers?: Record<string, string | number | readonly string[]>): this;
  /** True once the head is on its way to the socket. */
  readonly headersSent: boolean;
  /** True once end() was called. */
  readonly finished: boolean;
  /**
   * Write part of the body. Returns false when the socket's buffer is full: wait for
   * `drained()` before writing more.
   */
  write(chunk: BodyChunk): boolean;
  /** Resolves when the socket can take more data (at once if it can now). */
  drained(): Promise<void>;
  /** Finish the response, optionally with a last (or only) piece of body. */
  end(body?: BodyChunk): void;
  /** Send a Node Readable, a Web ReadableStream or any async iterable as the body, then end. */
  send(source: Readable | ReadableStream<Uint8Array> | AsyncIterable<BodyChunk>): Promise<void>;
  /** 103 Early Hints (RFC 8297), before the final response. */
  writeEarlyHints(headers: Record<string, string | readonly string[]>): void;
}
