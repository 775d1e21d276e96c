// What a handler receives: the request head as parsed (strings made once by the parser), with
// everything derived from it (path, query, header lookup, abort signal) built on first use.
import { EMPTY_BODY, RequestBody } from './body.js';
import { HttpError } from './errors.js';
import { FieldList } from './headers.js';
import type { BriskRequest, RequestHeaders } from './types.js';

/** The connection facts a request reads lazily. */
export interface RequestOrigin {
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export class Request implements BriskRequest {
  private pathEnd = -1;
  private fieldList: FieldList | null = null;
  private searchParams: URLSearchParams | null = null;
  private abortController: AbortController | null = null;

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
    const target = this.target;
    return target.slice(this.pathStart(), this.queryStart());
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

  get signal(): AbortSignal {
    return (this.abortController ??= new AbortController()).signal;
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
      throw new HttpError(413, `Request body of ${this.contentLength} bytes exceeds ${limitBytes}`, true);
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
      throw new HttpError(400, 'Request body is not valid JSON');
    }
  }

  /** The connection went away before the response completed. */
  abort(reason: Error): void {
    this.bodyStream?.fail(reason);
    this.abortController?.abort(reason);
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
