// What a handler writes to. Fields are validated as they are set (no response splitting);
// the head is serialised once, when the first body byte or end() arrives, with framing from
// http/plan.ts; body bytes go through the matching encoder from http/encoder.ts.
//
// The life of a response:
//   1. The handler sets status and fields (validated here, nothing is written yet).
//   2. write() or end() sends the head: planResponse() (http/plan.ts) decides, once, the framing,
//      the Content-Length and whether the connection is kept, from the method, status, version,
//      the declared or (for end(body)) known length, the handler's Connection field and what the
//      connection reports (request wants close, server closing, client gone, body unread); the
//      head is serialised from that plan, with no side effect on the connection.
//   3. Body pieces go through the encoder (Content-Length enforced, chunks framed) to the socket.
//   4. end() finishes the encoder and tells the session, which logs it and moves to the next request.
import type { Readable } from 'node:stream';
import { currentDateLine } from '../http/date.js';
import { BodyEncoderError, createBodyEncoder, type BodyEncoder } from '../http/encoder.js';
import { hasToken } from '../http/fields.js';
import { parseContentLength, ResponseFraming } from '../http/framing.js';
import { serializeFields } from '../http/head.js';
import {
  isFinalStatus,
  planResponse,
  type BodyUnread,
  type PlanInputSlots,
  type PlanRefusal,
  type PlanTarget,
  type Persistence,
} from '../http/plan.js';
import { bodySourceIterable } from './body-source.js';
import { buildHead, type HeadCache, type HeadKey } from './head-cache.js';
import { ServerError } from './errors.js';
import { checkedFieldName, checkFieldValue } from './response-fields.js';
import type { BodyChunk, BriskResponse } from './types.js';
import { traceHeaders, type RequestTrace } from './diagnostics.js';

export { bodySourceIterable };

/** What a response needs from its connection. */
export interface ResponseSink {
  // The connection's inputs to the response plan, read when the head is sent.
  /** The request does not allow another after it (Connection: close, HTTP/1.0 without keep-alive). */
  readonly requestWantsClose: boolean;
  readonly serverClosing: boolean;
  /** The client half-closed or left, or this exchange is no longer the connection's current one. */
  readonly clientGone: boolean;
  bodyUnread(): BodyUnread;
  /** "Connection: keep-alive" and "Keep-Alive" lines for a kept connection. */
  readonly keepAliveFields: string;
  /** The server's last head (head-cache.ts). */
  readonly heads: HeadCache;
  /** The head is about to be written (the connection's state moves to writing). */
  headStarted(): void;
  /** Queue bytes on the socket; false when its buffer is full. */
  send(data: string | Uint8Array): boolean;
  sendPieces(pieces: Uint8Array[]): boolean;
  drained(): Promise<void>;
  responseFinished(res: Response): void;
  /** The connection is gone: writes are dropped. */
  readonly isClosed: boolean;
  /** The request was aborted (client gone, body failed): a started body must not be ended as if complete. */
  readonly aborted: boolean;
  /** end() of a started body after the abort: the connection is destroyed, without the last chunk. */
  responseCutShort(res: Response): void;
}

export const enum ResponseState {
  /** Nothing written yet. */
  Pending = 0,
  /** Head sent, body being written. */
  Streaming = 1,
  /** end() done. */
  Finished = 2,
}

const CONTENT_LENGTH = 'content-length';
const CONNECTION = 'connection';

/**
 * Bodies up to this size are copied behind the head so the response is one buffer and one
 * write; larger ones are written beside it (writev). 16 KiB: arbitrary, about where a copy
 * starts to cost more than a second iovec.
 */
const JOIN_LIMIT = 16 * 1024;
/** serializeHead's key into the head cache, filled for each head (HeadCache keeps none of it). */
const HEAD_KEY: { -readonly [K in keyof HeadKey]: HeadKey[K] } = { status: 0, contentLength: undefined, chunked: false, connection: '', dateLine: '' };
const CONNECTION_CLOSE = 'Connection: close\r\n';
/** planResponse's input, filled for each head: the call is synchronous and keeps nothing (see PlanTarget). */
const PLAN_INPUT: PlanInputSlots = {
  method: '', status: 0, versionMinor: 1, declaredLength: -1, knownLength: -1,
  requestWantsClose: false, handlerWantsClose: false, serverClosing: false, clientGone: false, bodyUnread: 'none',
};

export class Response implements BriskResponse, PlanTarget {
  status = 200;
  state: ResponseState = ResponseState.Pending;
  /** Body bytes handed to the socket (framing excluded). */
  bodyBytes = 0;
  // The response plan (http/plan.ts), written here once when the head is sent.
  framing: ResponseFraming = ResponseFraming.None;
  contentLength: number | undefined = undefined;
  persistence: Persistence = 'close';
  refusal: PlanRefusal | null = null;
  /** The fields as set, in order, flat: lower-cased name, name, value, lower-cased name, ... */
  private fields: string[] = [];
  private declaredLength = -1;
  private encoder: BodyEncoder | null = null;
  /** One body write's pieces (chunk-size line, data, CRLF); made at the first streamed write. */
  private pieces: Uint8Array[] | null = null;
  /** This request's diagnostics payload while something subscribes (diagnostics.ts), else null. */
  trace: RequestTrace | null = null;

  constructor(
    private readonly sink: ResponseSink,
    readonly method: string,
    readonly versionMinor: number,
  ) {}

  get headersSent(): boolean {
    return this.state !== ResponseState.Pending;
  }

  get finished(): boolean {
    return this.state === ResponseState.Finished;
  }

  /** The plan said the connection carries another request after this response. */
  get keepAlive(): boolean {
    return this.state !== ResponseState.Pending && this.persistence === 'keep-alive';
  }

  // --- fields ---

  setHeader(name: string, value: string | number | readonly string[]): this {
    const lower = this.checkName(name);
    this.removeLower(lower);
    return this.add(lower, name, value);
  }

  appendHeader(name: string, value: string | number | readonly string[]): this {
    return this.add(this.checkName(name), name, value);
  }

  getHeader(name: string): string | string[] | undefined {
    const lower = name.toLowerCase();
    const values: string[] = [];
    const fields = this.fields;
    for (let i = 0; i < fields.length; i += 3) if (fields[i] === lower) values.push(fields[i + 2]);
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  }

  hasHeader(name: string): boolean {
    const lower = name.toLowerCase();
    const fields = this.fields;
    for (let i = 0; i < fields.length; i += 3) if (fields[i] === lower) return true;
    return false;
  }

  removeHeader(name: string): this {
    this.assertPending();
    const lower = name.toLowerCase();
    this.removeLower(lower);
    if (lower === CONTENT_LENGTH) this.declaredLength = -1;
    return this;
  }

  writeHead(status: number, headers?: Record<string, string | number | readonly string[]>): this {
    this.assertPending();
    // 1xx are interim (writeEarlyHints, 100 Continue), 101 belongs to the upgrade path.
    if (!isFinalStatus(status)) throw new ServerError('ERR_INVALID_STATUS', String(status));
    this.status = status;
    if (headers !== undefined) for (const name of Object.keys(headers)) this.setHeader(name, headers[name]);
    return this;
  }

  writeEarlyHints(headers: Record<string, string | readonly string[]>): void {
    this.assertPending();
    // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
    if (this.versionMinor === 0 || this.sink.isClosed) return;
    const flat: string[] = [];
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      for (const v of typeof value === 'string' ? [value] : value) flat.push(name, v);
    }
    this.sink.send('HTTP/1.1 103 Early Hints\r\n' + serializeFields(flat) + '\r\n');
  }

  // --- body ---

  write(chunk: BodyChunk): boolean {
    if (this.state === ResponseState.Finished) throw new ServerError('ERR_WRITE_AFTER_END');
    if (this.state === ResponseState.Pending) this.sendHead(-1, false);
    if (this.sink.isClosed) return false;
    const encoder = this.encoder as BodyEncoder;
    const pieces = (this.pieces ??= []);
    try {
      encoder.encode(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, pieces);
    } catch (error) {
      throw asServerError(error);
    }
    if (pieces.length === 0) return true;
    this.bodyBytes = encoder.bytesWritten;
    const ok = this.sink.sendPieces(pieces);
    pieces.length = 0;
    return ok;
  }

  drained(): Promise<void> {
    return this.sink.drained();
  }

  end(body?: BodyChunk): void {
    if (this.state === ResponseState.Finished) return;
    if (this.state === ResponseState.Pending) {
      this.endWhole(body);
    } else if (this.sink.aborted) {
      // The producer stopped because the request was aborted: never frame that as complete
      // (no last-chunk, no "finished" Content-Length body; issue 12, defect 15).
      this.state = ResponseState.Finished;
      this.sink.responseCutShort(this);
      return;
    } else {
      if (body !== undefined) this.write(body);
      const encoder = this.encoder as BodyEncoder;
      const pieces = (this.pieces ??= []);
      try {
        encoder.finish(pieces);
      } catch (error) {
        throw asServerError(error);
      }
      if (pieces.length > 0 && !this.sink.isClosed) this.sink.sendPieces(pieces);
      pieces.length = 0;
    }
    this.state = ResponseState.Finished;
    this.sink.responseFinished(this);
  }

  async send(source: Readable | ReadableStream<Uint8Array> | AsyncIterable<BodyChunk>): Promise<void> {
    for await (const chunk of bodySourceIterable(source)) {
      if (this.sink.isClosed) break;
      if (!this.write(chunk)) await this.drained();
    }
    if (this.sink.isClosed) {
      (source as { destroy?: () => void }).destroy?.();
      return;
    }
    this.end();
  }

  // --- internals ---

  /** The whole response in one go: head and body in a single socket write. */
  private endWhole(body: BodyChunk | undefined): void {
    let length = 0;
    if (typeof body === 'string') length = body.length === 0 ? 0 : Buffer.byteLength(body, 'utf8');
    else if (body !== undefined) length = body.byteLength;
    // end() with nothing on a HEAD or 304 says "no content follows", not "the 200 is empty":
    // announce only a declared length there (RFC 9110 §8.6).
    const inferLength = body !== undefined || (this.method !== 'HEAD' && this.status !== 304);
    const head = this.sendHead(inferLength ? length : -1, true);
    if (head === null) return;
    if (this.framing === ResponseFraming.None || length === 0) {
      this.sink.send(head);
      return;
    }
    this.bodyBytes = length;
    if (typeof body === 'string') {
      if (length === body.length) {
        // ASCII body: head and body as one latin1 string, one write (the same string as the
        // last response's when both are the same: HeadCache.join).
        this.sink.send(this.sink.heads.join(head, body));
        return;
      }
      const buf = Buffer.allocUnsafe(head.length + length);
      buf.write(head, 0, 'latin1');
      buf.write(body, head.length, 'utf8');
      this.sink.send(buf);
      return;
    }
    const bytes = body as Uint8Array;
    if (length > JOIN_LIMIT) {
      // A large body is not copied behind the head: both go out in one corked writev.
      // (Measured: copying a 1 MiB body per response made /download 0.4x node:http.)
      this.sink.sendPieces([Buffer.from(head, 'latin1'), bytes]);
      return;
    }
    const buf = Buffer.allocUnsafe(head.length + length);
    buf.write(head, 0, 'latin1');
    buf.set(bytes, head.length);
    this.sink.send(buf);
  }

  /**
   * Plan the response and serialise its head. `knownLength` is the whole body's length when
   * end(body) is sending everything, else -1. Streaming writes send the head here; endWhole
   * gets it back to join it with the body. Returns null when the connection is gone. Throws a
   * ServerError, before anything changes, when the plan refuses (ERR_INVALID_STATUS: a 1xx or
   * other non-final status; ERR_CONTENT_LENGTH_MISMATCH): the handler's failure, answered 500.
   */
  private sendHead(knownLength: number, ending: boolean): string | null {
    const sink = this.sink;
    const input = PLAN_INPUT;
    input.method = this.method;
    input.status = this.status;
    input.versionMinor = this.versionMinor;
    input.declaredLength = this.declaredLength;
    input.knownLength = knownLength;
    input.requestWantsClose = sink.requestWantsClose;
    input.handlerWantsClose = this.connectionCloseSet();
    input.serverClosing = sink.serverClosing;
    input.clientGone = sink.clientGone;
    input.bodyUnread = sink.bodyUnread();
    const refusal = planResponse(input, this).refusal;
    if (refusal === 'ERR_INVALID_STATUS') throw new ServerError('ERR_INVALID_STATUS', String(this.status));
    if (refusal !== null) throw new ServerError(refusal, `declared ${this.declaredLength}, the body is ${knownLength} bytes`);
    this.state = ResponseState.Streaming;
    traceHeaders(this);
    sink.headStarted();
    const head = this.serializeHead();
    if (ending) return sink.isClosed ? null : head;
    this.encoder = createBodyEncoder(this.framing, this.contentLength);
    if (!sink.isClosed) sink.send(head);
    return head;
  }

  /**
   * The head as the plan says it: the handler's fields, Date, framing and connection fields;
   * the server's last head when this one is made of the same (HeadCache).
   */
  private serializeHead(): string {
    const key = HEAD_KEY;
    key.status = this.status;
    key.contentLength = this.contentLength;
    key.chunked = this.framing === ResponseFraming.Chunked;
    key.connection = this.persistence === 'keep-alive' ? this.sink.keepAliveFields : CONNECTION_CLOSE;
    key.dateLine = currentDateLine();
    const heads = this.sink.heads;
    const cached = heads.get(key, this.fields);
    return cached !== '' ? cached : heads.set(key, this.fields, buildHead(key, this.fields));
  }

  /** Whether the Connection field, as it stands now, has the `close` option (RFC 9110 §7.6.1). */
  private connectionCloseSet(): boolean {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i += 3) if (fields[i] === CONNECTION && hasToken(fields[i + 2], 'close')) return true;
    return false;
  }

  /** A handler failed before sending anything: forget its fields so an error can be sent instead. */
  resetForError(status: number): void {
    this.assertPending();
    this.status = status;
    this.fields = [];
    this.declaredLength = -1;
  }

  private checkName(name: string): string {
    this.assertPending();
    return checkedFieldName(name);
  }

  private add(lower: string, name: string, value: string | number | readonly string[]): this {
    if (typeof value === 'object') {
      for (const v of value) this.add(lower, name, v);
      return this;
    }
    const text = typeof value === 'number' ? String(value) : value;
    checkFieldValue(text, name);
    if (lower === CONTENT_LENGTH) {
      const n = parseContentLength(text);
      if (n === undefined) throw new ServerError('ERR_INVALID_CONTENT_LENGTH', JSON.stringify(text));
      this.declaredLength = n;
    }
    // The first field makes the list at its size: a push onto [] would grow it to 16 slots.
    if (this.fields.length === 0) this.fields = [lower, name, text];
    else this.fields.push(lower, name, text);
    return this;
  }

  private removeLower(lower: string): void {
    const fields = this.fields;
    for (let i = fields.length - 3; i >= 0; i -= 3) {
      if (fields[i] === lower) {
        fields.splice(i, 3);
      }
    }
  }

  private assertPending(): void {
    if (this.state !== ResponseState.Pending) throw new ServerError('ERR_HEADERS_SENT');
  }
}

/** An encoder's refusal as the server error of the same code (the handler sees one error class). */
function asServerError(error: unknown): unknown {
  if (!(error instanceof BodyEncoderError)) return error;
  const code = error.code === 'ERR_WRITE_AFTER_FINISH' ? 'ERR_WRITE_AFTER_END' : error.code;
  const detail = error.message === error.reason ? undefined : error.message.slice(error.reason.length + 2, -1);
  return new ServerError(code, detail);
}
