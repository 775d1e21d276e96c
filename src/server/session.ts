// Session: one client connection (Go's `conn`). Owns the transport, the parse loop, reading and
// pausing, timeouts and closing, through the lifecycle
//   ReadingHead → ReadingBody → InHandler → Writing → Idle (keep-alive) → … → Closing
// Each request is an Exchange (exchange.ts), served one at a time, in order: while a response is
// in flight the parser is paused after the request's last byte and the socket is not read, so at
// most one socket read of pipelined requests is held. Bad input is answered with its status and
// `Connection: close`; nothing a client sends can throw out of here.
import { currentHttpDate } from '../http/date.js';
import { closingTextResponse } from '../http/head.js';
import { BodyKind, ParserStatus, type HeadInfo, type ParseError, type ParserHandler, type RequestParser } from '../parser/index.js';
import type { ServerContext } from './context.js';
import { HttpError, RequestAbortedError, SERVER_ERRORS, ServerError, TimeoutKind, TIMEOUT_NAMES } from './errors.js';
import { Exchange, type ExchangeConnection } from './exchange.js';
import type { TrustList } from './forwarded.js';
import { Output } from './output.js';
import { ReadDeadline } from './read-deadline.js';
import { traceAbort, traceFinish, traceReject, traceStart, traceUpgrade } from './diagnostics.js';
import type { RequestOrigin } from './request.js';
import { ResponseState } from './response.js';
import type { Transport, TransportOwner } from '../transport/transport.js';

export const enum SessionState {
  ReadingHead = 0,
  ReadingBody = 1,
  InHandler = 2,
  Writing = 3,
  Idle = 4,
  Closing = 5,
}
export const SESSION_STATE_NAMES = ['reading-head', 'reading-body', 'in-handler', 'writing', 'idle', 'closing'] as const;

/** Why the parser is stopped between requests. */
const enum ParsePause {
  None = 0,
  /** A response is in flight; the next request waits. */
  Response = 1,
  /** Responses are piling up in the socket's buffer (client not reading); wait for 'drain'. */
  Drain = 2,
  /** Many requests answered from one read; let other connections run. */
  Yield = 3,
  /** The connection is closing; never resume. */
  Closing = 4,
}

/** After our FIN, keep reading (and discarding) this long so the client sees our response, not a reset. */
const LINGER_MS = 2000;

/**
 * A handler whose client left (FIN) mid-request gets this long after req.signal aborts to
 * finish; then the connection is destroyed, so a handler that ignores the signal cannot hold
 * it (issue 12, defect 3). Short: nobody is waiting for the answer (nginx gives none: 499).
 */
const ABORT_GRACE_MS = 1000;

/**
 * Pipelined bytes held while a response is in flight before the socket stops being read.
 * Reading on (rather than pausing at once) is what lets a FIN during a long handler be seen.
 * 64 KiB is one socket read: arbitrary, but it bounds a connection's buffered requests.
 */
const MAX_PENDING_BYTES = 64 * 1024;

export class Session implements ParserHandler, ExchangeConnection, TransportOwner {
  state: SessionState = SessionState.ReadingHead;
  /** Close after the current response (server shutting down). */
  shutdownRequested = false;

  /** The peer as the PROXY protocol reported it, else read from the socket on first use. */
  private peer: RequestOrigin | null;

  /** Lent by the server's pool while a request is being parsed; null between requests. */
  private parser: RequestParser | null = null;
  private readonly out: Output;
  /** The request being served, from its head until its response and body are both done. */
  private exchange: Exchange | null = null;

  private pending: Buffer | null = null;
  private inExecute = false;
  private parsePause = ParsePause.None;
  private bodyPaused = false;
  private reading = true;
  private answeredInBatch = 0;

  private destroyed = false;
  private clientEnded = false;
  /**
   * A request with a body paused the parser at its head so that it is dispatched knowing how
   * many bytes of this read follow the head (Exchange.bodyInHand): the head of an early answer
   * says Connection: close unless the rest of the body is already in hand. The HeadInfo is
   * intact until the parser resumes.
   */
  private dispatchAtPause: HeadInfo | null = null;
  /** By when the client must have sent more (head, body, next request, linger). */
  private readonly deadline: ReadDeadline;

  /**
   * `origin` overrides the transport's peer address (PROXY protocol); `initial` holds bytes read
   * before the session existed (after a PROXY header), parsed first.
   */
  constructor(
    readonly id: number,
    readonly transport: Transport,
    readonly ctx: ServerContext,
    origin?: RequestOrigin,
    initial?: Buffer,
  ) {
    this.out = new Output(transport, ctx.clock, ctx.options.writeTimeoutMs);
    this.peer = origin ?? null;
    this.deadline = new ReadDeadline(ctx.clock, ctx.options);
    this.deadline.start(TimeoutKind.Headers, ctx.options.headersTimeoutMs);
    transport.attach(this);
    transport.startReading();
    if (ctx.log.debugEnabled) this.debug(`Socket established with ${this.remoteAddress}:${this.remotePort}.`);
    if (initial !== undefined && initial.length > 0) this.onData(initial);
  }

  /**
   * The client's address. Read lazily: getpeername is a syscall, and most requests never ask
   * (measured: ~1.4% of a Connection: close run).
   */
  get remoteAddress(): string {
    return this.origin().remoteAddress;
  }

  get remotePort(): number {
    return this.origin().remotePort;
  }

  private origin(): RequestOrigin {
    return (this.peer ??= { remoteAddress: this.transport.remoteAddress, remotePort: this.transport.remotePort });
  }

  /** A TLS connection (for req.protocol). */
  get encrypted(): boolean {
    return this.transport.encrypted;
  }

  /** The server's trusted proxies, for req.ip / req.protocol / req.host. */
  get trustProxy(): TrustList | null {
    return this.ctx.trustProxy ?? null;
  }

  /** Whether a request is being handled (for graceful shutdown). */
  get isBusy(): boolean {
    return this.exchange !== null || (this.parser !== null && !this.parser.isIdle);
  }

  // --- ExchangeConnection ---

  get current(): Exchange | null {
    return this.exchange;
  }

  get serverClosing(): boolean {
    return this.shutdownRequested;
  }

  get clientGone(): boolean {
    return this.clientEnded || this.destroyed;
  }

  get isClosed(): boolean {
    return this.out.closed;
  }

  get isGone(): boolean {
    return this.destroyed;
  }

  send(data: string | Uint8Array): boolean {
    // More requests already wait behind this answer (pipelined): let it join theirs.
    if (this.pending !== null && typeof data === 'string') return this.out.sendSoon(data);
    return this.out.send(data);
  }

  sendPieces(pieces: Uint8Array[]): boolean {
    return this.out.sendPieces(pieces);
  }

  drained(): Promise<void> {
    return this.out.drained();
  }

  responseStarted(): void {
    this.state = SessionState.Writing;
  }

  // --- socket events ---

  /** The socket's 'data' event. */
  onData(chunk: Buffer): void {
    if (this.out.closed) return; // lingering: discard
    if (this.parsePause !== ParsePause.None) {
      // A response is in flight (or the client is not reading): hold pipelined bytes, bounded.
      this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
      if (this.pending.length >= MAX_PENDING_BYTES) this.updateReading();
      return;
    }
    this.answeredInBatch = 0;
    this.feedBatch(chunk);
  }

  /** Parse one read with its responses batched into one write. */
  private feedBatch(chunk: Buffer): void {
    this.out.beginBatch();
    try {
      this.feed(chunk);
    } finally {
      this.out.endBatch();
    }
    this.returnIdleParser();
  }

  private feed(chunk: Buffer): void {
    const parser = (this.parser ??= this.ctx.parsers.acquire(this));
    let data = chunk;
    for (;;) {
      this.inExecute = true;
      const consumed = parser.execute(data);
      this.inExecute = false;
      if (this.out.closed) return;
      switch (parser.status) {
        case ParserStatus.Ok:
          return;
        case ParserStatus.Paused: {
          const rest = data.subarray(consumed);
          const info = this.dispatchAtPause;
          if (info !== null) {
            this.dispatchAtPause = null;
            (this.exchange as Exchange).dispatch(info, rest.length);
            if (this.out.closed) return;
          }
          if (this.parsePause === ParsePause.None) {
            // The exchange that paused the parser finished meanwhile: carry on.
            parser.resume();
            if (rest.length === 0) return;
            data = rest;
            continue;
          }
          this.pending = rest.length > 0 ? rest : null;
          this.afterPause();
          return;
        }
        case ParserStatus.Upgraded:
          this.onUpgraded(data.subarray(consumed));
          return;
        case ParserStatus.Error:
          this.onParseError(parser.error as ParseError);
          return;
      }
    }
  }

  /** Between requests with every byte read parsed, the parser goes back to the pool. */
  private returnIdleParser(): void {
    const parser = this.parser;
    if (parser === null || this.state !== SessionState.Idle || this.pending !== null) return;
    if (parser.status !== ParserStatus.Ok || !parser.isIdle) return;
    this.parser = null;
    this.ctx.parsers.release(parser);
  }

  private afterPause(): void {
    if (this.parsePause === ParsePause.Yield) setImmediate(() => this.resumeParsing(ParsePause.Yield));
    this.updateReading();
  }

  private resumeParsing(reason: ParsePause): void {
    if (this.parsePause !== reason || this.out.closed) return;
    this.parsePause = ParsePause.None;
    this.answeredInBatch = 0;
    this.parser?.resume();
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) this.feedBatch(pending);
    if (this.clientEnded && !this.out.closed) {
      // Everything the client sent before its FIN is parsed: end as at EOF; or a request from
      // those bytes is with its handler now, and gets its bounded time.
      if (this.pending === null && this.parsePause === ParsePause.None) this.handleEof(false);
      else this.boundAfterFin();
    }
    this.updateReading();
  }

  private updateReading(): void {
    const holding = this.parsePause === ParsePause.Response || this.parsePause === ParsePause.Drain;
    const want =
      !this.destroyed && !this.bodyPaused &&
      (this.parsePause === ParsePause.None || (holding && (this.pending === null || this.pending.length < MAX_PENDING_BYTES)));
    if (want === this.reading) return;
    this.reading = want;
    if (want) this.transport.startReading();
    else this.transport.stopReading();
  }

  /** The transport's onEnd: the client sent FIN. */
  onEnd(): void {
    this.clientEnded = true;
    this.debug('Client closed its side.');
    // Lingering after our FIN: once it is flushed both sides are done and the transport closes
    // itself (its contract); destroying earlier would drop the end of the response.
    if (this.out.closed) return;
    // Requests the client pipelined before its FIN are answered first (see resumeParsing), but
    // the one in flight is bounded: nothing else would end a handler that never answers.
    if (this.pending === null) this.handleEof(true);
    else this.boundAfterFin();
  }

  /**
   * The client has sent FIN, and the request in flight is still to be answered without its
   * signal aborting (it was pipelined before the FIN): it gets writeTimeoutMs, then the
   * connection is destroyed. (Found by the model test: with pipelined bytes held, a handler that
   * never answered kept a half-closed connection open for ever.)
   */
  private boundAfterFin(): void {
    const exchange = this.exchange;
    if (exchange !== null && exchange.res.state !== ResponseState.Finished) {
      this.deadline.start(TimeoutKind.AbortGrace, this.ctx.options.writeTimeoutMs);
    }
  }

  /**
   * The client will send nothing more and every byte it sent has been parsed. A FIN while its
   * request is in flight (`atFin`) means the client is gone for that request (RFC 9112 §9.6
   * leaves it open; nginx answers 499, Go cancels the context): req.signal aborts. A response
   * the handler then completes whole still goes out; a streamed one is never terminated as if
   * complete (Response.end destroys the connection instead), and a handler that does not finish
   * within ABORT_GRACE_MS has its connection destroyed.
   */
  private handleEof(atFin: boolean): void {
    const error = this.parser === null ? null : this.parser.finish();
    const exchange = this.exchange;
    if (exchange !== null) {
      const res = exchange.res;
      if (!exchange.requestComplete) {
        // Body bytes are owed and will never come. Already answered (draining): close now
        // rather than wait out the body timeout (defect 16).
        if (res.state === ResponseState.Finished) return this.closeGracefully();
        exchange.abort(new ServerError('ERR_BODY_INCOMPLETE'));
      } else if (atFin && res.state !== ResponseState.Finished) {
        exchange.abort(new RequestAbortedError('The client closed the connection'));
      } else {
        return this.boundAfterFin();
      }
      this.deadline.start(TimeoutKind.AbortGrace, ABORT_GRACE_MS);
      return;
    }
    if (error !== null) return this.onParseError(error);
    this.closeGracefully();
  }

  /** The transport's onDrain. */
  onDrain(): void {
    this.out.onDrain();
    if (this.parsePause === ParsePause.Drain) this.resumeParsing(ParsePause.Drain);
  }

  /** The transport's onError (onClose follows). */
  onError(code: string): void {
    if (this.ctx.log.debugEnabled) this.debug(`socket error: ${code}`);
  }

  /** The transport's onClose: exactly once, last. */
  onClose(): void {
    this.destroyed = true;
    this.dropParser();
    this.out.abandon();
    this.state = SessionState.Closing;
    this.deadline.stop();
    traceAbort(this.exchange);
    const exchange = this.exchange;
    if (exchange !== null && (exchange.res.state !== ResponseState.Finished || !exchange.requestComplete)) {
      exchange.abort(new RequestAbortedError());
    }
    this.ctx.sessionClosed(this);
    if (this.ctx.log.debugEnabled) this.debug(`Socket with ${this.remoteAddress}:${this.remotePort} closed.`);
  }

  /** The connection is over (closed or handed over): its parser, whatever its state, goes back to the pool. */
  private dropParser(): void {
    const parser = this.parser;
    if (parser === null) return;
    this.parser = null;
    this.ctx.parsers.release(parser);
  }

  // --- parser callbacks ---

  onMessageBegin(): void {
    if (this.state === SessionState.Idle) {
      this.state = SessionState.ReadingHead;
      this.deadline.start(TimeoutKind.Headers, this.ctx.options.headersTimeoutMs);
    }
  }

  onUrl(method: string, target: string, versionMinor: number): void {
    if (this.ctx.log.debugEnabled) this.debug(`Received url: ${method} ${target} HTTP/1.${versionMinor}`);
  }

  onHeadersComplete(info: HeadInfo): void {
    const ctx = this.ctx;
    if (ctx.log.debugEnabled) {
      for (let i = 0; i < info.headers.length; i += 2) this.debug(`Received header: (${info.headers[i]}, ${info.headers[i + 1]})`);
    }
    const exchange = new Exchange(this, info);
    this.exchange = exchange;
    traceStart(this, exchange);
    if (info.bodyKind !== BodyKind.None) {
      this.state = SessionState.ReadingBody;
      this.deadline.startBody(0);
      this.dispatchAtPause = info;
      this.parser?.pause();
      return;
    }
    this.state = SessionState.InHandler;
    this.deadline.stop();
    exchange.dispatch(info, 0);
  }

  onBody(data: Buffer): void {
    if (this.exchange !== null && !this.exchange.onBody(data)) {
      this.debug('Unread request body too large to drain; closing.');
      this.parsePause = ParsePause.Closing;
      this.parser?.pause();
      this.closeGracefully();
      return;
    }
    this.deadline.bodyProgress();
  }

  onTrailers(): void {
    // Trailer fields are validated by the parser and not exposed yet.
  }

  onMessageComplete(): void {
    const exchange = this.exchange as Exchange;
    exchange.onComplete();
    this.debug('Received request completely.');
    this.deadline.bodyDone();
    if (exchange.upgrading) return; // the parser stops with Upgraded: onUpgraded hands the socket over
    if (exchange.res.state === ResponseState.Finished) {
      this.exchangeDone(exchange);
    } else {
      if (this.state === SessionState.ReadingBody) this.state = SessionState.InHandler;
      this.parsePause = ParsePause.Response;
      this.parser?.pause();
    }
  }

  /** Both the request and its response are complete: log, then next request or close. */
  exchangeDone(exchange: Exchange): void {
    if (exchange !== this.exchange) return;
    const ctx = this.ctx;
    const req = exchange.req;
    const res = exchange.res;
    if (ctx.log.accessEnabled) exchange.logAccess();
    if (ctx.log.debugEnabled) this.debug(`Response sent: ${res.status} (${res.bodyBytes} body bytes).`);
    this.exchange = null;
    traceFinish(exchange);
    ctx.requestDone(req, res, ctx.clock.now - exchange.startMs);
    // The plan's decision (exchange.keepAlive), and what happened since the head went out.
    if (!exchange.keepAlive || !exchange.requestComplete || this.clientEnded || this.shutdownRequested) {
      this.parsePause = ParsePause.Closing;
      if (this.inExecute) this.parser?.pause();
      // The client asked to close and its request was read whole: it sends nothing more.
      this.closeGracefully(exchange.requestWantsClose && !exchange.mustClose && exchange.requestComplete);
      return;
    }
    this.state = SessionState.Idle;
    this.deadline.start(TimeoutKind.KeepAlive, ctx.options.keepAliveTimeoutMs);
    // A pause its body asked for (queued past 64 KiB, then completed in the same read) ends
    // with the exchange: else the socket stays paused and the next request is never read.
    if (this.bodyPaused) {
      this.bodyPaused = false;
      this.updateReading();
    }
    const wasWaiting = this.parsePause === ParsePause.Response;
    // Bound the work done for one read, and stop reading while the client is not reading.
    let next = ParsePause.None;
    if (this.transport.needsDrain) next = ParsePause.Drain;
    else if (++this.answeredInBatch >= ctx.options.maxPipelinedRequests) next = ParsePause.Yield;
    if (this.inExecute) {
      this.parsePause = next;
      if (next !== ParsePause.None) this.parser?.pause();
      return;
    }
    if (wasWaiting) {
      this.parsePause = ParsePause.Response;
      if (next === ParsePause.None) this.resumeParsing(ParsePause.Response);
      else {
        this.parsePause = next;
        this.afterPause();
      }
    }
  }

  // --- the request body's flow control ---

  pauseBody(): void {
    this.bodyPaused = true;
    this.deadline.bodyPaused();
    this.updateReading();
  }

  resumeBody(): void {
    if (!this.bodyPaused) return;
    this.bodyPaused = false;
    const exchange = this.exchange;
    if (this.deadline.kind === TimeoutKind.Body && exchange !== null && !exchange.requestComplete) {
      this.deadline.startBody(exchange.bodyReceived);
    }
    this.updateReading();
  }

  // --- upgrade, errors, timeouts ---

  private onUpgraded(rest: Buffer): void {
    const upgrade = this.ctx.upgradeHandler;
    const exchange = this.exchange;
    if (exchange === null || !exchange.upgrading || upgrade === null) {
      // Declined (no upgrade handler): keep speaking HTTP/1.1 on this connection.
      this.parser?.resume();
      if (this.parsePause === ParsePause.None) {
        if (rest.length > 0) this.feed(rest);
      } else {
        this.pending = rest.length > 0 ? rest : null;
        this.afterPause();
      }
      return;
    }
    this.debug('Connection upgraded; handing the socket over.');
    this.out.flush();
    this.out.abandon();
    this.deadline.stop();
    // Paused and without our listeners, like node:http hands sockets over: nothing is emitted
    // before the new owner listens.
    const socket = this.transport.takeOver();
    this.dropParser();
    this.ctx.sessionClosed(this);
    traceUpgrade(exchange);
    try {
      upgrade(exchange.req, socket, rest);
    } catch (error) {
      this.ctx.serverError('ERR_UPGRADE_HANDLER');
      this.ctx.log.error(`ERR_UPGRADE_HANDLER: upgrade handler error: ${(error as Error)?.stack ?? String(error)}`);
      socket.destroy();
    }
  }

  private onParseError(error: ParseError): void {
    this.ctx.parseError(error);
    // Scanners send these all day: info, counted; the error level gets a rate-limited summary.
    if (this.ctx.log.infoEnabled) this.ctx.log.info(`${error.code}: bad request from ${this.remoteAddress}:${this.remotePort}: at byte ${error.offset} (${error.reason}) → ${error.status}`);
    const exchange = this.exchange;
    if (exchange !== null) {
      // The error is in the body of the request being handled.
      const res = exchange.res;
      exchange.abort(new HttpError(error.status, error.reason, true));
      if (res.state === ResponseState.Pending) exchange.answerError(error.status, error.reason);
      else if (res.state === ResponseState.Streaming) this.destroy();
      else this.closeGracefully();
      return;
    }
    this.sendErrorAndClose(error.status, error.reason, error.code);
  }

  /** An answer outside any request (parse errors, timeouts before a head): status, reason, close. */
  private sendErrorAndClose(status: number, message: string, code: string): void {
    traceReject(this, status, code, message);
    this.send(closingTextResponse(status, message, currentHttpDate()));
    this.closeGracefully();
  }

  /**
   * End our side after the queued writes, then linger briefly reading and discarding, unless
   * `peerDone` (nothing more will come): then close once our FIN is out.
   */
  closeGracefully(peerDone = false): void {
    if (this.out.closed) return;
    this.out.end();
    this.state = SessionState.Closing;
    this.parsePause = ParsePause.Closing;
    this.pending = null;
    // The client already ended its side: nothing to linger for, only our queued answer to flush
    // (the transport closes itself once it is); bounded like any write.
    if (this.clientEnded) {
      this.deadline.start(TimeoutKind.Write, this.ctx.options.writeTimeoutMs);
      return;
    }
    this.deadline.start(TimeoutKind.Write, LINGER_MS);
    // Waiting for the client's FIN costs a read and a turn of the loop per connection (close
    // mode on Node 26: +20 % CPU per request over node:http, which closes at its FIN's flush).
    if (peerDone) this.transport.closeWhenFlushed?.();
    // Keep reading so that a client still sending gets our answer rather than a reset.
    this.reading = true;
    this.transport.startReading();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.out.abandon();
    this.transport.destroy();
  }

  /** Called by the server's clock on every tick. */
  sweep(now: number): void {
    const fired = this.deadline.expired(now, this.exchange?.bodyReceived ?? 0, this.bodyPaused);
    if (fired !== TimeoutKind.None) return this.onTimeout(this.out.closed ? TimeoutKind.Write : fired);
    if (this.out.deadline !== 0 && now >= this.out.deadline) this.onTimeout(TimeoutKind.Write);
  }

  private onTimeout(kind: TimeoutKind): void {
    this.deadline.stop();
    this.out.deadline = 0;
    this.ctx.timedOut(kind);
    if (this.ctx.log.debugEnabled) this.debug(`${TIMEOUT_NAMES[kind]} timeout in state ${SESSION_STATE_NAMES[this.state]}.`);
    switch (kind) {
      case TimeoutKind.Headers:
        if (this.exchange === null) {
          const timeout = SERVER_ERRORS.ERR_HEADERS_TIMEOUT;
          return this.sendErrorAndClose(timeout.status, timeout.reason, 'HEADERS_TIMEOUT');
        }
        return this.destroy();
      case TimeoutKind.Body: {
        const exchange = this.exchange;
        exchange?.abort(new ServerError('ERR_BODY_TIMEOUT'));
        if (exchange !== null && exchange.res.state === ResponseState.Pending) {
          exchange.answerServerError('ERR_BODY_TIMEOUT');
        } else {
          this.destroy();
        }
        return;
      }
      case TimeoutKind.KeepAlive:
        return this.closeGracefully();
      default:
        return this.destroy();
    }
  }

  debug(message: string): void {
    if (this.ctx.log.debugEnabled) this.ctx.log.debug(this.id, `(${SESSION_STATE_NAMES[this.state]}) ${message}`);
  }
}
