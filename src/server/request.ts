// What a handler receives: the request head as parsed (strings made once by the parser), with
// everything derived from it (path, query, header lookup, abort signal) built on first use.
import { EMPTY_BODY, RequestBody } from './body.js';
import { ServerError } from './errors.js';
import { resolveClient, type ClientView, type TrustList } from '../ops/forwarded.js';
import { FieldList } from './headers.js';
import type { BriskRequest, RequestHeaders } from './types.js';

/** The connection facts a request reads lazily. */
export interface RequestOrigin {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** A TLS connection, for req.protocol. */
  readonly encrypted?: boolean;
  /** The server's trusted proxies (null or absent: none), for req.ip / req.protocol / req.host. */
  readonly trustProxy?: TrustList | null;
}

export class Request implements BriskRequest {
  private pathEnd = -1;
  private fieldList: FieldList | null = null;
  private searchParams: URLSearchParams | null = null;
  private abortController: AbortController | null = null;
  private clientView: ClientView | null = null;
  /** performance.now() when the handler was called; set only when metrics time requests. */
  handlerStartMs = 0;
  private abortReason: Error | null = null;
  /** The route pattern that matched, set by the router that dispatched the request. */
  route: string | undefined = undefined;

  constructor(
    readonly method: string,
    readonly target: string,
    private readonly versionMinor: number,
    private readonly fields: string[],
    /** null when the request has no body. */
    readonly bodyStream: RequestBody | null,
    /** Declared Content-Length, or -1 (chunked or none). */
    readonly contentLength: number,
    private readonly origin: RequestOrigin,
    private readonly maxBodyBytes: number,
  ) {}

  get httpVersion(): '1.0' | '1.1' {
    return this.versionMinor === 1 ? '1.1' : '1.0';
  }

  get headers(): RequestHeaders {
    return (this.fieldList ??= new FieldList(this.fields));
  }

  get path(): string {
    const start = this.pathStart();
    const end = this.queryStart();
    // Only an absolute-form target can have an empty path (`http://a.example?x=1`): RFC 9110 §4.2.3 makes it "/".
    return start < end ? this.target.slice(start, end) : '/';
  }

  get search(): string {
    const q = this.queryStart();
    return q < this.target.length ? this.target.slice(q + 1) : '';
  }

  get query(): URLSearchParams {
    return (this.searchParams ??= new URLSearchParams(this.search));
  }

  get remoteAddress(): string {
    return this.origin.remoteAddress;
  }

  get remotePort(): number {
    return this.origin.remotePort;
  }

  /** The client's address: the peer's, or from Forwarded / X-Forwarded-For when the peer is a trusted proxy. */
  get ip(): string {
    if ((this.origin.trustProxy ?? null) === null) return this.origin.remoteAddress; // nothing to parse
    return this.client().ip;
  }

  /** "https" on TLS connections, or what a trusted proxy says the client used. */
  get protocol(): 'http' | 'https' {
    // No trusted proxy: the connection's own, without reading the peer's address (getpeername)
    // or building the client view (every fetch request reads protocol and host for its URL).
    if ((this.origin.trustProxy ?? null) === null) return this.origin.encrypted === true ? 'https' : 'http';
    return this.client().protocol;
  }

  /** host[:port] the client addressed: the target's authority or Host, or a trusted proxy's Forwarded host. */
  get host(): string {
    if ((this.origin.trustProxy ?? null) === null) return this.authority();
    return this.client().host;
  }

  get signal(): AbortSignal {
    if (this.abortController === null) {
      this.abortController = new AbortController();
      if (this.abortReason !== null) this.abortController.abort(this.abortReason);
    }
    return this.abortController.signal;
  }

  get body(): AsyncIterable<Buffer> {
    return this.bodyStream ?? EMPTY_BODY;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this.body[Symbol.asyncIterator]();
  }

  async bytes(limitBytes = this.maxBodyBytes): Promise<Buffer> {
    if (this.bodyStream === null) return Buffer.alloc(0);
    if (this.contentLength > limitBytes) {
      throw new ServerError('ERR_BODY_TOO_LARGE', `${this.contentLength} bytes, the limit is ${limitBytes}`);
    }
    return this.bodyStream.collect(limitBytes);
  }

  async text(limitBytes?: number): Promise<string> {
    return (await this.bytes(limitBytes)).toString('utf8');
  }

  async json(limitBytes?: number): Promise<unknown> {
    const text = await this.text(limitBytes);
    try {
      return JSON.parse(text);
    } catch {
      throw new ServerError('ERR_BODY_INVALID_JSON');
    }
  }

  /** The connection went away before the response completed. */
  abort(reason: Error): void {
    if (this.abortReason !== null) return;
    this.abortReason = reason;
    this.bodyStream?.fail(reason);
    this.abortController?.abort(reason);
  }

  private client(): ClientView {
    if (this.clientView !== null) return this.clientView;
    const trust = this.origin.trustProxy ?? null;
    const headers = this.headers;
    this.clientView = resolveClient(
      {
        peerAddress: this.origin.remoteAddress,
        encrypted: this.origin.encrypted === true,
        host: this.authority(),
        forwarded: trust === null ? undefined : headers.get('forwarded'),
        xForwardedFor: trust === null ? undefined : headers.get('x-forwarded-for'),
        xForwardedProto: trust === null ? undefined : headers.get('x-forwarded-proto'),
        xForwardedHost: trust === null ? undefined : headers.get('x-forwarded-host'),
      },
      trust,
    );
    return this.clientView;
  }

  /** The authority of an absolute-form target, else the Host field (RFC 9112 §3.2.2), else "". */
  private authority(): string {
    const target = this.target;
    if (target.charCodeAt(0) !== 0x2f && this.method !== 'CONNECT' && target !== '*') {
      const start = target.indexOf('//');
      if (start >= 0) {
        let end = start + 2;
        while (end < target.length && target[end] !== '/' && target[end] !== '?') end++;
        const authority = target.slice(start + 2, end);
        const at = authority.lastIndexOf('@');
        return at < 0 ? authority : authority.slice(at + 1);
      }
    }
    if (this.method === 'CONNECT') return target;
    return this.headers.get('host') ?? '';
  }

  /** Index where the path starts: after scheme://authority for absolute-form. */
  private pathStart(): number {
    const target = this.target;
    if (target.charCodeAt(0) === 0x2f || this.method === 'CONNECT' || target === '*') return 0;
    const authority = target.indexOf('//');
    const slash = target.indexOf('/', authority + 2);
    return slash < 0 ? this.queryStart() : Math.min(slash, this.queryStart());
  }

  private queryStart(): number {
    if (this.pathEnd < 0) {
      const q = this.target.indexOf('?');
      this.pathEnd = q < 0 ? this.target.length : q;
    }
    return this.pathEnd;
  }
}
