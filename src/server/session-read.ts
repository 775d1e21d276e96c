// The read side of a connection (Session's base): the Reading × Writing pair and what follows
// from it (conn-state.ts) applied to the transport and the read deadline, feeding the parser,
// holding pipelined bytes while a response is in flight, resuming, and the client's FIN.
// Session (session.ts) adds the exchanges, the parser's callbacks, errors and closing.
import { BodyKind, ParserStatus, type HeadInfo, type ParseError, type ParserHandler, type RequestParser } from '../parser/index.js';
import { deadlineFor, Reading, shouldRead, Writing } from './conn-state.js';
import type { ServerContext } from './context.js';
import { RequestAbortedError, ServerError, TimeoutKind } from './errors.js';
import type { Exchange } from './exchange.js';
import { Output } from './output.js';
import { ReadDeadline } from './read-deadline.js';
import type { Transport } from '../transport/transport.js';

/** After our FIN, keep reading (and discarding) this long so the client sees our response, not a reset. */
const LINGER_MS = 2000;

/**
 * A handler whose client left (FIN) mid-request gets this long after req.signal aborts to
 * finish; then the connection is destroyed, so a handler that ignores the signal cannot hold
 * it (issue 12, defect 3). Short: nobody is waiting for the answer (nginx gives none: 499).
 */
const ABORT_GRACE_MS = 1000;

export abstract class SessionReader implements ParserHandler {
  reading = Reading.Head;
  writing = Writing.Idle;
  /** Close after the current response (server shutting down). */
  shutdownRequested = false;
  /** The handler paused the request body (back-pressure): not read, no body deadline. */
  protected bodyPaused = false;
  /** The client's FIN came while bytes were held: it is seen once they are parsed. */
  protected finHeld = false;

  /** Lent by the server's pool while a request is being parsed; null between requests. */
  protected parser: RequestParser | null = null;
  protected readonly out: Output;
  /** The request being served, from its head until its response and body are both done. */
  protected exchange: Exchange | null = null;
  /** Bytes read while parsing is stopped (Reading.Held), parsed once it resumes. */
  protected held: Buffer | null = null;
  /** The parser is running: its callbacks are on the stack (stop it with pause(), do not re-enter it). */
  protected executing = false;
  /**
   * A request with a body paused the parser at its head so that it is dispatched knowing how
   * many bytes of this read follow the head (Exchange.bodyInHand): the head of an early answer
   * says Connection: close unless the rest of the body is already in hand. The HeadInfo is
   * intact until the parser resumes.
   */
  protected dispatchAtPause: HeadInfo | null = null;
  protected answeredInBatch = 0;
  /** What the transport was last told (startReading / stopReading). */
  private readingOn = false;
  /** By when the client must have sent more (head, body, next request, linger). */
  protected readonly deadline: ReadDeadline;

  constructor(
    readonly transport: Transport,
    readonly ctx: ServerContext,
  ) {
    this.out = new Output(transport, ctx.clock, ctx.options.writeTimeoutMs);
    this.deadline = new ReadDeadline(ctx.clock, ctx.options);
  }

  protected abstract onParseError(error: ParseError): void;
  protected abstract onUpgraded(rest: Buffer): void;
  abstract closeGracefully(): void;
  abstract debug(message: string): void;
  abstract onMessageBegin(): void;
  abstract onUrl(method: string, target: string, versionMinor: number): void;
  abstract onHeadersComplete(info: HeadInfo): void;
  abstract onBody(data: Buffer): void;
  abstract onTrailers(): void;
  abstract onMessageComplete(): void;

  // --- the pair, applied ---

  protected enter(reading: Reading, writing: Writing): void {
    this.reading = reading;
    this.writing = writing;
    this.sync();
  }

  /** Make the transport and the read deadline what the pair calls for (conn-state.ts). */
  protected sync(): void {
    const kind = deadlineFor(this.reading, this.writing, this.bodyPaused, this.finHeld);
    const d = this.deadline;
    if (kind !== (d.at === 0 ? TimeoutKind.None : d.kind)) this.startDeadline(kind);
    const want = shouldRead(this.reading, this.writing, this.bodyPaused, this.held === null ? 0 : this.held.length);
    if (want === this.readingOn) return;
    this.readingOn = want;
    if (want) this.transport.startReading();
    else this.transport.stopReading();
  }

  private startDeadline(kind: TimeoutKind): void {
    const d = this.deadline;
    const options = this.ctx.options;
    switch (kind) {
      case TimeoutKind.None:
        return d.stop();
      case TimeoutKind.Headers:
        return d.start(kind, options.headersTimeoutMs);
      case TimeoutKind.Body:
        return d.startBody(this.exchange === null ? 0 : this.exchange.bodyReceived);
      case TimeoutKind.KeepAlive:
        return d.start(kind, options.keepAliveTimeoutMs);
      case TimeoutKind.AbortGrace:
        return d.start(kind, this.exchange !== null && this.exchange.aborted ? ABORT_GRACE_MS : options.writeTimeoutMs);
      case TimeoutKind.Write:
        // The client already ended its side: nothing to linger for, only our answer to flush.
        return d.start(kind, this.reading === Reading.Eof ? options.writeTimeoutMs : LINGER_MS);
    }
  }

  // --- reading ---

  /** The transport's onData. */
  onData(chunk: Buffer): void {
    if (this.writing >= Writing.Lingering) return; // lingering: discard
    if (this.reading === Reading.Held) {
      // A response is in flight (or the client is not reading): hold pipelined bytes, bounded.
      this.retain(chunk);
      this.sync();
      return;
    }
    this.answeredInBatch = 0;
    this.feedBatch(chunk);
  }

  /**
   * Keep bytes past the onData call that brought them: the one place the read side holds a
   * chunk (a transport with `readsReuseBuffer` needs them copied here).
   */
  protected retain(chunk: Buffer): void {
    this.held = this.held === null ? this.own(chunk) : Buffer.concat([this.held, chunk]);
  }

  /**
   * Bytes of a read that outlive onData (held pipelined bytes, body chunks for the handler, the
   * rest after an upgrade): copied when the transport reuses its read buffer (libuv), else kept
   * as they are (a net.Socket read is a Buffer of its own).
   */
  protected own(bytes: Buffer): Buffer {
    return this.transport.readsReuseBuffer ? Buffer.from(bytes) : bytes;
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

  protected feed(chunk: Buffer): void {
    const parser = (this.parser ??= this.ctx.parsers.acquire(this));
    let data = chunk;
    for (;;) {
      this.executing = true;
      const consumed = parser.execute(data);
      this.executing = false;
      if (this.out.closed) return;
      const status = parser.status;
      if (status === ParserStatus.Ok) return;
      if (status === ParserStatus.Error) return this.onParseError(parser.error as ParseError);
      const rest = data.subarray(consumed);
      if (status === ParserStatus.Upgraded && this.exchange !== null && this.exchange.upgrading) return this.onUpgraded(rest);
      const info = this.dispatchAtPause;
      if (info !== null) {
        this.dispatchAtPause = null;
        (this.exchange as Exchange).dispatch(info, rest.length);
        if (this.out.closed) return;
      }
      // Paused, or an Upgrade declined: keep speaking HTTP/1.1 unless the parser must wait.
      if (this.reading !== Reading.Held) {
        parser.resume();
        if (rest.length === 0) return;
        data = rest;
        continue;
      }
      if (status === ParserStatus.Upgraded) parser.resume();
      if (rest.length > 0) this.retain(rest);
      return this.waitToParse();
    }
  }

  /** Between requests with every byte read parsed, the parser goes back to the pool. */
  private returnIdleParser(): void {
    const parser = this.parser;
    if (parser === null || this.reading !== Reading.Idle || this.held !== null) return;
    if (parser.status !== ParserStatus.Ok || !parser.isIdle) return;
    this.parser = null;
    this.ctx.parsers.release(parser);
  }

  /** The connection is over (closed or handed over): its parser, whatever its state, goes back to the pool. */
  protected dropParser(): void {
    const parser = this.parser;
    if (parser === null) return;
    this.parser = null;
    this.ctx.parsers.release(parser);
  }

  /**
   * Parsing is stopped (Held). With no response in flight it waits for the client to read our
   * answers ('drain'), else for the next turn of the event loop (many requests were answered from
   * one read: let other connections run).
   */
  protected waitToParse(): void {
    if (this.writing === Writing.Idle && !this.transport.needsDrain) setImmediate(resumeAfterYield, this);
    this.sync();
  }

  /** Between requests with parsing stopped: parse what is held. */
  resumeParsing(): void {
    if (this.reading !== Reading.Held || this.writing !== Writing.Idle) return;
    this.answeredInBatch = 0;
    this.reading = Reading.Idle;
    this.parser?.resume();
    const held = this.held;
    this.held = null;
    if (held !== null) this.feedBatch(held);
    // Everything the client sent before its FIN is parsed: end as at EOF. (Or a request from
    // those bytes is with its handler now: the FIN stays held, and bounds its time.)
    if (this.finHeld && this.held === null && (this.reading as Reading) !== Reading.Held && this.writing < Writing.Lingering) this.handleEof(false);
    else this.sync();
  }

  /** The transport's onEnd: the client sent FIN. */
  onEnd(): void {
    this.debug('Client closed its side.');
    // Lingering after our FIN: once it is flushed both sides are done and the transport closes
    // itself (its contract); destroying earlier would drop the end of the response.
    if (this.writing >= Writing.Lingering) return this.enter(Reading.Eof, this.writing);
    // Requests the client pipelined before its FIN are answered first (see resumeParsing), but
    // the one in flight is bounded: nothing else would end a handler that never answers.
    if (this.held === null) return this.handleEof(true);
    this.finHeld = true;
    this.sync();
  }

  /**
   * The client will send nothing more and every byte it sent has been parsed. A FIN while its
   * request is in flight (`atFin`) means the client is gone for that request (RFC 9112 §9.6
   * leaves it open; nginx answers 499, Go cancels the context): req.signal aborts. A response
   * the handler then completes whole still goes out; a streamed one is never terminated as if
   * complete (Response.end destroys the connection instead), and a handler that does not finish
   * within its grace has its connection destroyed (the AbortGrace deadline).
   */
  protected handleEof(atFin: boolean): void {
    const error = this.parser === null ? null : this.parser.finish();
    const exchange = this.exchange;
    const writing = this.writing;
    this.finHeld = false;
    this.reading = Reading.Eof;
    if (exchange !== null) {
      if (!exchange.requestComplete) {
        // Body bytes are owed and will never come. Already answered (draining): close now
        // rather than wait out the body timeout (defect 16).
        if (writing === Writing.Done) return this.closeGracefully();
        exchange.abort(new ServerError('ERR_BODY_INCOMPLETE'));
      } else if (atFin && writing !== Writing.Done) {
        exchange.abort(new RequestAbortedError('The client closed the connection'));
      }
      return this.sync();
    }
    if (error !== null) return this.onParseError(error);
    this.closeGracefully();
  }

  /** The transport's onDrain. */
  onDrain(): void {
    this.out.onDrain();
    this.resumeParsing();
  }

  /** A request's head is complete: with a body, the parser stops so it is dispatched knowing what is in hand. */
  protected headParsed(info: HeadInfo): boolean {
    if (info.bodyKind === BodyKind.None) {
      this.enter(Reading.Held, Writing.Pending);
      return false;
    }
    this.enter(Reading.Body, Writing.Pending);
    this.dispatchAtPause = info;
    this.parser?.pause();
    return true;
  }
}

function resumeAfterYield(session: SessionReader): void {
  if (!session.transport.needsDrain) session.resumeParsing();
}
