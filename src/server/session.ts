// Session: one client connection (Go's `conn`). Its state is the Reading × Writing pair of
// conn-state.ts; the read side (session-read.ts: feeding the parser, holding pipelined bytes,
// the client's FIN) is its base class. Here: the exchanges, in order — each request is an
// Exchange (exchange.ts), served one at a time: while a response is in flight the parser is
// stopped after the request's last byte, so at most one socket read of pipelined requests is
// held — the parser's callbacks, upgrades, errors, timeouts and closing. Bad input is answered
// with its status and `Connection: close`; nothing a client sends can throw out of here.
import { currentHttpDate } from '../http/date.js';
import { closingTextResponse } from '../http/head.js';
import type { HeadInfo, ParseError } from '../parser/index.js';
import { keepConnection, Reading, SESSION_STATE_NAMES, stateName, Writing } from './conn-state.js';
import type { ServerContext } from './context.js';
import { HttpError, RequestAbortedError, SERVER_ERRORS, ServerError, TimeoutKind, TIMEOUT_NAMES } from './errors.js';
import { Exchange, type ExchangeConnection } from './exchange.js';
import type { TrustList } from '../ops/forwarded.js';
import { traceAbort, traceFinish, traceReject, traceStart, traceUpgrade } from './diagnostics.js';
import type { RequestOrigin } from './request.js';
import { ResponseState } from './response.js';
import { SessionReader } from './session-read.js';
import type { Transport, TransportOwner } from '../transport/transport.js';

export { SESSION_STATE_NAMES };

export class Session extends SessionReader implements ExchangeConnection, TransportOwner {
  /** The peer as the PROXY protocol reported it, else read from the socket on first use. */
  private peer: RequestOrigin | null;

  /**
   * `origin` overrides the transport's peer address (PROXY protocol); `initial` holds bytes read
   * before the session existed (after a PROXY header), parsed first.
   */
  constructor(
    readonly id: number,
    transport: Transport,
    ctx: ServerContext,
    origin?: RequestOrigin,
    initial?: Buffer,
  ) {
    super(transport, ctx);
    this.peer = origin ?? null;
    transport.attach(this);
    this.sync(); // (Head, Idle): the headers deadline, reading
    if (ctx.log.debugEnabled) this.debug(`Socket established with ${this.remoteAddress}:${this.remotePort}.`);
    if (initial !== undefined && initial.length > 0) this.onData(initial);
  }

  /** The state's name in debug lines (README, Logging). */
  get state(): string {
    return stateName(this.reading, this.writing);
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
    return this.reading === Reading.Eof || this.finHeld || this.writing === Writing.Closed;
  }

  get isClosed(): boolean {
    return this.out.closed;
  }

  get isGone(): boolean {
    return this.writing === Writing.Closed;
  }

  send(data: string | Uint8Array): boolean {
    // More requests already wait behind this answer (pipelined): let it join theirs.
    if (this.held !== null && typeof data === 'string') return this.out.sendSoon(data);
    return this.out.send(data);
  }

  sendPieces(pieces: Uint8Array[]): boolean {
    return this.out.sendPieces(pieces);
  }

  drained(): Promise<void> {
    return this.out.drained();
  }

  responseStarted(): void {
    if (this.writing === Writing.Pending) this.writing = Writing.Body;
  }

  // --- transport events (onData, onEnd, onDrain: the read side) ---

  /** The transport's onError (onClose follows). */
  onError(code: string): void {
    if (this.ctx.log.debugEnabled) this.debug(`socket error: ${code}`);
  }

  /** The transport's onClose: exactly once, last. */
  onClose(): void {
    this.dropParser();
    this.out.abandon();
    this.held = null;
    this.enter(Reading.Closed, Writing.Closed);
    traceAbort(this.exchange);
    const exchange = this.exchange;
    if (exchange !== null && (exchange.res.state !== ResponseState.Finished || !exchange.requestComplete)) {
      exchange.abort(new RequestAbortedError());
    }
    this.ctx.sessionClosed(this);
    if (this.ctx.log.debugEnabled) this.debug(`Socket with ${this.remoteAddress}:${this.remotePort} closed.`);
  }

  // --- parser callbacks ---

  onMessageBegin(): void {
    if (this.reading === Reading.Idle) this.enter(Reading.Head, Writing.Idle);
  }

  onUrl(method: string, target: string, versionMinor: number): void {
    if (this.ctx.log.debugEnabled) this.debug(`Received url: ${method} ${target} HTTP/1.${versionMinor}`);
  }

  onHeadersComplete(info: HeadInfo): void {
    if (this.ctx.log.debugEnabled) {
      for (let i = 0; i < info.headers.length; i += 2) this.debug(`Received header: (${info.headers[i]}, ${info.headers[i + 1]})`);
    }
    const exchange = new Exchange(this, info);
    this.exchange = exchange;
    traceStart(this, exchange);
    // A body: dispatched when the parser stops at the head (session-read.ts, feed).
    if (!this.headParsed(info)) exchange.dispatch(info, 0);
  }

  /** A piece of the body (a view into the read: Exchange keeps it only through RequestBody.push). */
  onBody(data: Buffer): void {
    if (this.exchange !== null && !this.exchange.onBody(this.own(data))) {
      this.debug('Unread request body too large to drain; closing.');
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
    this.reading = Reading.Held;
    if (exchange.upgrading) return; // the parser stops with Upgraded: onUpgraded hands the socket over
    if (exchange.res.state === ResponseState.Finished) return this.exchangeDone(exchange);
    this.parser?.pause();
    this.sync();
  }

  /** Both the request and its response are complete: log, then next request or close. */
  exchangeDone(exchange: Exchange): void {
    if (exchange !== this.exchange) return;
    const ctx = this.ctx;
    const res = exchange.res;
    if (ctx.log.accessEnabled) exchange.logAccess();
    if (ctx.log.debugEnabled) this.debug(`Response sent: ${res.status} (${res.bodyBytes} body bytes).`);
    this.exchange = null;
    traceFinish(exchange);
    ctx.requestDone(exchange.req, res, ctx.clock.now - exchange.startMs);
    if (this.writing < Writing.Done) this.writing = Writing.Done;
    // The plan's decision (exchange.keepAlive), and what happened since the head went out.
    if (!keepConnection(this.reading, this.writing, exchange.keepAlive, this.shutdownRequested, this.finHeld)) {
      // The client asked to close and its request was read whole: it sends nothing more.
      return this.closeGracefully(exchange.requestWantsClose && !exchange.mustClose && exchange.requestComplete);
    }
    // A pause its body asked for ends with the exchange: else the next request is never read.
    this.bodyPaused = false;
    // Bound the work done for one read, and stop parsing while the client is not reading.
    const hold = this.transport.needsDrain || ++this.answeredInBatch >= ctx.options.maxPipelinedRequests;
    if (this.executing) {
      if (hold) this.parser?.pause(); // feed() sees the pause and waits (waitToParse)
      return this.enter(hold ? Reading.Held : Reading.Idle, Writing.Idle);
    }
    this.writing = Writing.Idle;
    if (hold) this.waitToParse();
    else this.resumeParsing();
  }

  // --- the request body's flow control ---

  pauseBody(): void {
    this.bodyPaused = true;
    this.sync();
  }

  resumeBody(): void {
    if (!this.bodyPaused) return;
    this.bodyPaused = false;
    this.sync();
  }

  drainBody(): void {
    if (this.writing < Writing.Done) this.writing = Writing.Done;
    this.resumeBody();
  }

  // --- upgrade, errors, closing, timeouts ---

  protected onUpgraded(rest: Buffer): void {
    const upgrade = this.ctx.upgradeHandler!;
    const exchange = this.exchange!;
    this.debug('Connection upgraded; handing the socket over.');
    this.out.flush();
    this.out.abandon();
    this.enter(Reading.Closed, Writing.Closed);
    // Paused and without our listeners, like node:http hands sockets over: nothing is emitted
    // before the new owner listens.
    const socket = this.transport.takeOver();
    this.dropParser();
    this.ctx.sessionClosed(this);
    traceUpgrade(exchange);
    try {
      upgrade(exchange.req, socket, this.own(rest));
    } catch (error) {
      this.ctx.serverError('ERR_UPGRADE_HANDLER');
      this.ctx.log.error(`ERR_UPGRADE_HANDLER: upgrade handler error: ${(error as Error)?.stack ?? String(error)}`);
      socket.destroy();
    }
  }

  protected onParseError(error: ParseError): void {
    this.ctx.parseError(error);
    // Scanners send these all day: info, counted; the error level gets a rate-limited summary.
    if (this.ctx.log.infoEnabled) this.ctx.log.info(`${error.code}: bad request from ${this.remoteAddress}:${this.remotePort}: at byte ${error.offset} (${error.reason}) → ${error.status}`);
    const exchange = this.exchange;
    if (exchange === null) return this.sendErrorAndClose(error.status, error.reason, error.code);
    // The error is in the body of the request being handled.
    exchange.abort(new HttpError(error.status, error.reason, true));
    const state = exchange.res.state;
    if (state === ResponseState.Pending) exchange.answerError(error.status, error.reason);
    else if (state === ResponseState.Streaming) this.destroy();
    else this.closeGracefully();
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
    if (this.executing) this.parser?.pause(); // nothing after this request is parsed
    this.out.end();
    this.held = null;
    // A FIN behind held bytes: the client has ended, nothing to linger for (flush only).
    const reading = this.reading === Reading.Eof || this.finHeld ? Reading.Eof : Reading.Closed;
    this.finHeld = false;
    this.enter(reading, Writing.Lingering);
    // Waiting for the client's FIN costs a read and a turn of the loop per connection (close
    // mode on Node 26: +20 % CPU per request over node:http, which closes at its FIN's flush).
    if (peerDone && reading === Reading.Closed) this.transport.closeWhenFlushed?.();
  }

  destroy(): void {
    if (this.writing === Writing.Closed) return;
    if (this.executing) this.parser?.pause();
    this.out.abandon();
    this.held = null;
    this.enter(this.reading, Writing.Closed);
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
    if (this.ctx.log.debugEnabled) this.debug(`${TIMEOUT_NAMES[kind]} timeout in state ${this.state}.`);
    const exchange = this.exchange;
    switch (kind) {
      case TimeoutKind.Headers:
        if (exchange !== null) return this.destroy();
        return this.sendErrorAndClose(SERVER_ERRORS.ERR_HEADERS_TIMEOUT.status, SERVER_ERRORS.ERR_HEADERS_TIMEOUT.reason, 'HEADERS_TIMEOUT');
      case TimeoutKind.Body:
        exchange?.abort(new ServerError('ERR_BODY_TIMEOUT'));
        if (exchange !== null && exchange.res.state === ResponseState.Pending) return exchange.answerServerError('ERR_BODY_TIMEOUT');
        return this.destroy();
      case TimeoutKind.KeepAlive:
        return this.closeGracefully();
      default:
        return this.destroy();
    }
  }

  debug(message: string): void {
    if (this.ctx.log.debugEnabled) this.ctx.log.debug(this.id, `(${stateName(this.reading, this.writing)}) ${message}`);
  }
}
