// Exchange: one request and its response on a connection (Go's `response` to Session's `conn`).
// Made at headers-complete, it builds the Request, the Response and the body stream, calls the
// handler (or answers 417 / 501 / an error itself), delivers or drains the body, sends
// `100 Continue` when the body is first read, and decides whether the connection can carry
// another request after this response. Reading, pausing, timeouts and closing belong to the
// connection (ExchangeConnection, implemented by Session), which it reports back to.
//
// A Response a handler keeps after its exchange ended still points at that exchange, never at the
// next one: a late write or failure is dropped there (`connection.current !== this`).
import { isFinalStatus, type BodyUnread } from '../http/plan.js';
import { reasonPhrase } from '../http/status.js';
import { BodyKind, type HeadInfo } from '../parser/index.js';
import { BodyState, RequestBody, type BodySource } from './body.js';
import type { ServerContext } from './context.js';
import { HttpError, SERVER_ERRORS, ServerError, type ServerErrorCode } from './errors.js';
import { Request, type RequestOrigin } from './request.js';
import { Response, ResponseState, type ResponseSink } from './response.js';
import { traceError } from './diagnostics.js';

const CONTINUE_100 = 'HTTP/1.1 100 Continue\r\n\r\n';

/** What an exchange needs from its connection. */
export interface ExchangeConnection extends RequestOrigin {
  readonly ctx: ServerContext;
  /** The exchange being served; others are over. */
  readonly current: Exchange | null;
  /** The server is shutting down: this response is the connection's last. */
  readonly serverClosing: boolean;
  /** The client half-closed (FIN) or the socket is gone. */
  readonly clientGone: boolean;
  /** No more writes (our side ended or the socket is gone). */
  readonly isClosed: boolean;
  /** The socket is gone. */
  readonly isGone: boolean;
  send(data: string | Uint8Array): boolean;
  sendPieces(pieces: Uint8Array[]): boolean;
  drained(): Promise<void>;
  responseStarted(): void; // the head is being written (for the session's state)
  /** Request and response are both complete: next request, or close. */
  exchangeDone(exchange: Exchange): void;
  pauseBody(): void;
  resumeBody(): void;
  drainBody(): void; // the response is done before the request's body: drain the rest
  /** Close without waiting (an unanswerable failure mid-response). */
  destroy(): void;
  debug(message: string): void;
}

export class Exchange implements ResponseSink, BodySource {
  readonly req: Request;
  readonly res: Response;
  /** null when the request has no body. */
  readonly body: RequestBody | null;
  /** The clock's time at headers-complete. */
  readonly startMs: number;
  /** The request's last byte has been parsed. */
  requestComplete = false;
  /** The request is being handed to the upgrade handler at message complete. */
  upgrading = false;
  /**
   * The connection cannot carry another request whatever the response says: the server rejected
   * the request, or its unread body cannot be skipped safely. A plan input (requestWantsClose).
   */
  mustClose = false;
  /** abort() was called: the request failed or its client left. */
  aborted = false;
  /** What the request was first aborted with. */
  private abortError: Error | null = null;

  // What the exchange needs of the HeadInfo, copied: the parser reuses that object.
  private readonly requestKeepAlive: boolean;
  private readonly expectContinue: boolean;
  private readonly contentLength: number;
  private continueSent = false;
  /** Body bytes read and thrown away after the response was finished. */
  drainedBytes = 0;
  /** Bytes of the current read after the head not yet parsed: the body bytes among them are in hand. */
  private bodyInHand = 0;

  constructor(
    private readonly connection: ExchangeConnection,
    info: HeadInfo,
  ) {
    const ctx = connection.ctx;
    this.startMs = ctx.clock.now;
    this.requestKeepAlive = info.keepAlive;
    this.expectContinue = info.expectContinue;
    const hasLength = info.bodyKind === BodyKind.Length;
    this.contentLength = hasLength ? info.contentLength : -1;
    const body = info.bodyKind === BodyKind.None ? null : new RequestBody(this);
    this.body = body;
    this.req = new Request(
      info.method, info.target, info.versionMinor, info.headers, body,
      this.contentLength, connection, ctx.options.maxBodyBytes,
    );
    this.res = new Response(this, info.method, info.versionMinor);
  }

  /**
   * Hand the request to whoever answers it: the upgrade handler (at message complete), an
   * error answer (CONNECT without one: 501; an unknown expectation: 417), or the handler.
   */
  dispatch(info: HeadInfo, inHand: number): void {
    this.bodyInHand = inHand;
    const ctx = this.connection.ctx;
    if (info.upgrade) {
      const upgrade = ctx.upgradeHandler;
      const isConnect = info.method === 'CONNECT';
      // RFC 9110 §7.8: a server MUST ignore Upgrade in an HTTP/1.0 request.
      if (upgrade !== null && (isConnect || info.versionMinor === 1) && (upgrade.accepts?.(this.req) ?? true)) {
        this.upgrading = true;
        // Nobody reads this body before message complete: drain it (bounded) rather than queue
        // it, or it would pause the socket with no deadline running and stall for ever.
        this.body?.return();
        return;
      }
      if (isConnect) return this.reject('ERR_CONNECT_UNSUPPORTED');
    }
    if (info.expectOther) return this.reject('ERR_EXPECTATION');
    // One limit for every handler style, before any of them runs (as Bun's maxRequestBodySize).
    if (this.contentLength > ctx.options.maxRequestBodyBytes) {
      return this.reject('ERR_BODY_TOO_LARGE', `over ${ctx.options.maxRequestBodyBytes} bytes`);
    }
    this.invoke();
  }

  /**
   * The server answers this request itself with one of SERVER_ERRORS (the handler never runs, or
   * its body failed): counted, logged at info (scanners produce these all day), and closed.
   */
  private reject(code: ServerErrorCode, detail?: string): void {
    const connection = this.connection;
    connection.ctx.requestRejected(code);
    if (connection.ctx.log.infoEnabled) {
      const kind = SERVER_ERRORS[code];
      const why = detail === undefined ? kind.reason : `${kind.reason} (${detail})`;
      connection.ctx.log.info(`${code}: rejected ${this.req.method} ${this.req.target} from ${this.req.remoteAddress}: ${kind.status} ${why}`);
    }
    this.mustClose = true;
    this.answerServerError(code, detail);
  }

  private invoke(): void {
    const res = this.res;
    try {
      const result = this.connection.ctx.handler(this.req, res);
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (error: unknown) => this.handlerFailed(error));
      }
    } catch (error) {
      this.handlerFailed(error);
    }
  }

  private handlerFailed(error: unknown): void {
    const connection = this.connection;
    if (connection.current !== this || connection.isGone) {
      connection.debug(`handler failed after its connection moved on: ${String(error)}`);
      return;
    }
    traceError(this.res, error);
    if (this.aborted && !(error instanceof HttpError)) {
      // The handler gave up because its request was aborted (the client left): expected, not a
      // server error, and nobody is waiting for a 500. A started or pending response ends here.
      connection.debug(`handler stopped after the abort: ${String(error)}`);
      if (this.res.state !== ResponseState.Finished) connection.destroy();
      return;
    }
    if (error === this.abortError && this.res.state === ResponseState.Finished) {
      // The handler passed on the error its request was aborted with, after the server answered
      // (its own 413 for a chunked body past maxRequestBodyBytes): counted with the abort already.
      connection.debug(`handler ended with its request's abort: ${String(error)}`);
      return;
    }
    // An HttpError with a status that cannot be final (1xx, 600) is the handler's bug too: 500.
    const status = error instanceof HttpError && isFinalStatus(error.status) ? error.status : 500;
    // The log line names the error by its code: the ServerError's own (ERR_HEADERS_SENT, ...),
    // else ERR_HANDLER for whatever the handler threw.
    const code = error instanceof ServerError ? error.code : 'ERR_HANDLER';
    // A handler's own HttpError (404, 401, ...) is an answer it chose, not a server error.
    if (error instanceof ServerError || !(error instanceof HttpError)) connection.ctx.serverError(code);
    if (status >= 500) {
      connection.ctx.log.error(`${code}: handler error on ${this.req.method} ${this.req.target}: ${(error as Error)?.stack ?? String(error)}`);
    } else {
      connection.debug(`${code}: handler answered ${status}: ${(error as Error).message}`);
    }
    // The answer is complete (the handler failed after end()): nothing of it needs undoing, and
    // destroying could drop the answer's tail.
    if (this.res.state === ResponseState.Finished) return;
    if (this.res.state !== ResponseState.Pending) {
      // Part of the response is on the wire: the only honest end is an abort.
      connection.destroy();
      return;
    }
    const close = status >= 500 || (error instanceof HttpError && error.closeConnection);
    this.answerError(status, status >= 500 ? reasonPhrase(status) : (error as Error).message, close);
  }

  /**
   * Answer one of SERVER_ERRORS: its status, its reason (with `detail`), and Connection: close
   * where it says so. Counting is the caller's (a timeout is counted as one, a reject as one).
   */
  answerServerError(code: ServerErrorCode, detail?: string): void {
    const kind = SERVER_ERRORS[code];
    this.answerError(kind.status, detail === undefined ? kind.reason : `${kind.reason} (${detail})`, kind.close);
  }

  /** Answer through the normal response path (framing, Date, Connection) with a short text body. */
  answerError(status: number, message: string, close = true): void {
    const res = this.res;
    res.resetForError(status);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    if (close) res.setHeader('Connection', 'close');
    res.end(message + '\n');
  }

  /** The request failed under the handler (bad body, timeout, client gone): its signal fires. */
  abort(error: Error): void {
    traceError(this.res, error);
    if (!this.aborted) this.abortError = error;
    this.aborted = true;
    this.req.abort(error);
  }

  responseCutShort(res: Response): void {
    if (res !== this.res || this.connection.current !== this) return;
    this.connection.debug('Response cut short after the request was aborted; destroying the connection.');
    this.connection.destroy();
  }

  // --- the request body, fed by the session ---

  /**
   * A piece of the body. Once the response is finished nobody reads it: it is drained so the
   * next request parses. Returns false when more than maxDrainBytes would have to be drained.
   */
  onBody(data: Buffer): boolean {
    this.bodyInHand = this.bodyInHand > data.length ? this.bodyInHand - data.length : 0;
    const body = this.body;
    if (body !== null && body.state === BodyState.Streaming && this.res.state !== ResponseState.Finished) {
      if (body.received + data.length > this.connection.ctx.options.maxRequestBodyBytes) return this.bodyTooLarge();
      body.push(data);
      return true;
    }
    this.drainedBytes += data.length;
    if (this.drainedBytes <= this.connection.ctx.options.maxDrainBytes) return true;
    this.mustClose = true;
    if (this.upgrading) {
      this.upgrading = false;
      this.reject('ERR_BODY_TOO_LARGE', `more than ${this.connection.ctx.options.maxDrainBytes} bytes before an upgrade`);
      return false;
    }
    if (this.res.state === ResponseState.Finished) return false;
    // The handler abandoned the body (return()) but still answers: stop reading until it has, then close.
    this.connection.pauseBody();
    return true;
  }

  /**
   * A chunked body grew past maxRequestBodyBytes: its stream fails with ERR_BODY_TOO_LARGE (413);
   * the server answers 413 if nothing was sent yet, else aborts. Returns false: stop parsing.
   */
  private bodyTooLarge(): boolean {
    const detail = `over ${this.connection.ctx.options.maxRequestBodyBytes} bytes`;
    this.abort(new ServerError('ERR_BODY_TOO_LARGE', detail));
    if (this.res.state === ResponseState.Pending) this.reject('ERR_BODY_TOO_LARGE', detail);
    else {
      this.mustClose = true;
      this.connection.ctx.requestRejected('ERR_BODY_TOO_LARGE');
      this.connection.destroy();
    }
    return false;
  }

  /** The request's last byte was parsed. */
  onComplete(): void {
    this.requestComplete = true;
    this.body?.end();
  }

  /** Body bytes received so far, delivered or drained (the rate check and the drain decision count both). */
  get bodyReceived(): number {
    return (this.body?.received ?? 0) + this.drainedBytes;
  }

  // --- ResponseSink ---

  get isClosed(): boolean {
    return this.connection.isClosed;
  }

  /**
   * Whether the connection carries another request after this response: the response plan's
   * decision (http/plan.ts), made once when the head was sent. False before that.
   */
  get keepAlive(): boolean {
    return this.res.keepAlive && !this.mustClose;
  }

  // The connection's inputs to the response plan (see ResponsePlanInput).

  /** The request does not allow another after it, or its body cannot be skipped safely (mustClose). */
  get requestWantsClose(): boolean {
    return !this.requestKeepAlive || this.mustClose;
  }

  get serverClosing(): boolean {
    return this.connection.serverClosing;
  }

  get clientGone(): boolean {
    return this.connection.clientGone || this.connection.current !== this;
  }

  get heads(): ServerContext['heads'] { return this.connection.ctx.heads; }

  get keepAliveFields(): string {
    const ctx = this.connection.ctx;
    return this.res.versionMinor === 0 ? ctx.keepAliveFields10 : ctx.keepAliveFields11;
  }

  /**
   * Where the request body stands as the head goes out: `in-hand` when its remaining bytes are
   * in the current read and within maxDrainBytes (draining them is exact); `owed` when the client
   * may never send them (it waits for a 100 Continue that was not sent), they have not arrived
   * (a front-end answered early may never send them and hand us the next client's request as
   * this body: ATS 9.2 does), a chunked body's end is not in hand, or it is too much to drain.
   */
  bodyUnread(): BodyUnread {
    if (this.requestComplete || this.body === null) return 'none';
    if (this.expectContinue && !this.continueSent) return 'owed';
    if (this.contentLength >= 0) {
      const rest = this.contentLength - this.bodyReceived;
      if (rest <= this.bodyInHand && rest <= this.connection.ctx.options.maxDrainBytes) return 'in-hand';
    }
    return 'owed';
  }

  headStarted(): void {
    this.connection.responseStarted();
  }

  send(data: string | Uint8Array): boolean {
    return this.connection.current === this && this.connection.send(data);
  }

  sendPieces(pieces: Uint8Array[]): boolean {
    return this.connection.current === this && this.connection.sendPieces(pieces);
  }

  drained(): Promise<void> {
    return this.connection.drained();
  }

  responseFinished(res: Response): void {
    const connection = this.connection;
    if (res !== this.res || connection.current !== this) return;
    if (this.requestComplete) return connection.exchangeDone(this);
    // No body: onMessageComplete follows in this same execute() call and finishes the exchange.
    if (this.body === null) return;
    // The handler finished before the request body did: close, or drain what is left.
    if (!this.keepAlive) return connection.exchangeDone(this);
    connection.drainBody();
  }

  // --- BodySource ---

  pauseBody(): void {
    if (this.connection.current === this) this.connection.pauseBody();
  }

  resumeBody(): void {
    if (this.connection.current === this) this.connection.resumeBody();
  }

  bodyWanted(): void {
    if (this.expectContinue && !this.continueSent && this.res.state === ResponseState.Pending) {
      this.continueSent = true;
      this.send(CONTINUE_100);
    }
  }

  /** One access log entry for this exchange. */
  logAccess(): void {
    const ctx = this.connection.ctx;
    const req = this.req;
    const res = this.res;
    ctx.log.access({
      remoteAddress: req.ip,
      method: req.method,
      target: req.target,
      httpVersion: req.httpVersion,
      status: res.status,
      bytes: res.bodyBytes,
      durationMs: ctx.clock.refresh() - this.startMs,
      userAgent: req.headers.get('user-agent'),
      referer: req.headers.get('referer'),
    });
  }
}
