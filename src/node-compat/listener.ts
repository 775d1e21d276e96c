// fromNodeListener(listener): a node:http request listener `(req, res)` — an Express or Connect
// app, Koa's app.callback(), plain node:http code — as a brisk Handler. Built on the public core
// only; the core never imports this.
//
// The life of one request:
//   1. A CompatSocket (socket.ts) stands in for the connection: addresses and TLS from brisk's
//      request. `req` is a real http.IncomingMessage over it (Express re-parents req onto its
//      own object inheriting from IncomingMessage.prototype, so look-alikes break), with
//      method, url, httpVersion, rawHeaders and node's headers object (headers.ts).
//   2. The body is pushed into req from brisk's body stream, one chunk per read, and only while
//      req.push() says its buffer has room: brisk's backpressure reaches the socket (brisk stops
//      reading it), and `Expect: 100-continue` is answered when the app first reads.
//   3. `res` is a real http.ServerResponse. Node keeps its header store (setHeader, getHeader,
//      getHeaders, appendHeader ... and headersSent); the write side is replaced (response.ts)
//      so status, fields and body go to brisk's response, which frames them.
//   4. The exchange ends with res 'finish' (then res 'close', and req 'close' once its body is
//      done), or with an abort: the client leaving (brisk's req.signal, watched from the next
//      turn of the event loop for responses still open) gives req 'aborted' and 'close' and
//      res 'close'; the app destroying the socket or res aborts the connection.
//
// Per request this layer allocates the three node objects and the exchange, and no closure or
// promise: what an exchange schedules (its 'finish', the watch for a client leaving) goes into
// module-level queues drained by one process.nextTick / setImmediate for all exchanges, and an
// app that answers later (Koa: async middleware) gets the exchange itself back as brisk's
// handler result, a thenable (see then()).
import { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, type BriskRequest, type BriskResponse, type Handler } from '../core.js';
import { nodeHeaders } from './headers.js';
import { installWriteSide, kExchange, type ResponseExchange } from './response.js';
import { CompatSocket, type SocketOwner } from './socket.js';
import { makeRequest, makeResponse, objectKindsOf, type ObjectKinds } from './prototypes.js';

/** A node:http request listener, as `http.createServer(listener)` takes it. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

const EMPTY_RAW: string[] = [];

/** An error like node's for a request whose client went away (code ECONNRESET, message "aborted"). */
function abortedError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

/** One request/response pair between brisk and the app. */
class NodeExchange implements SocketOwner, ResponseExchange {
  readonly socket: CompatSocket;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Status and fields have been copied to brisk's response. */
  committed = false;
  headStatus = 0;
  /** The response ended (or the exchange was aborted): nothing more goes to brisk. */
  done = false;
  needDrain = false;
  private drainWaiting = false;
  /** Callbacks of write() calls waiting for the socket to drain. */
  drainCallbacks: ((error?: Error | null) => void)[] | null = null;
  /** req's _read was called and the body pump runs or waits for room. */
  private pumping = false;
  private readWanted = false;
  private bodyStarted = false;
  /** The request has no body (no Content-Length or 0, not chunked). */
  private bodiless = false;
  private body: AsyncIterator<Buffer> | null = null;
  /** brisk's callbacks on this exchange as a thenable (then()), or null before it asks. */
  private onEnded: ((value: void) => unknown) | null = null;
  private onFailed: ((error: unknown) => unknown) | null = null;
  /** Why the exchange failed before brisk asked for the outcome (thrown by run(), or passed to then()). */
  private failure: unknown = undefined;
  /** res said 'close'. */
  private resClosed = false;
  /** Listening to brisk's req.signal. */
  private watching = false;

  constructor(
    readonly breq: BriskRequest,
    readonly bres: BriskResponse,
    kinds: ObjectKinds,
  ) {
    const socket = new CompatSocket(this, breq);
    this.socket = socket;
    const req = makeRequest(kinds, socket);
    this.req = req;
    const minor = breq.httpVersion === '1.1' ? 1 : 0;
    req.httpVersionMajor = 1;
    req.httpVersionMinor = minor;
    req.httpVersion = breq.httpVersion;
    req.method = breq.method;
    req.url = breq.target;
    const raw = breq.headers.raw;
    req.rawHeaders = raw.length === 0 ? EMPTY_RAW : raw.slice();
    const headers = nodeHeaders(raw);
    req.headers = headers as IncomingMessage['headers'];
    (req as unknown as Record<symbol, unknown>)[kExchange] = this;
    // The documented way to implement a Readable (what `new Readable({ read })` does), as an own
    // property because Express replaces req's prototype.
    (req as unknown as { _read: () => void })._read = readRequestBody;
    if (headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0')) {
      // No body: its end is pushed when req is first read (wantBody), not now; a request nobody
      // reads or listens to is left as it is (afterFinish).
      req.complete = true;
      this.bodiless = true;
    }
    const res = makeResponse(kinds, req);
    this.res = res;
    installWriteSide(res, this);
    // node's assignSocket would also listen for the socket's 'close' (for res 'close': done in
    // socketClosed()) and flush node's empty output: 0.2 µs a request. `res.socket` is the public
    // property (a setter in node; @types/node marks it readonly).
    (res as { socket: unknown }).socket = socket;
  }

  /**
   * Run the app. A response that ended while the listener ran needs nothing more (undefined);
   * otherwise the exchange itself is the outcome (a thenable, see then()): it fulfils when the
   * exchange ends, or is rejected (brisk aborts the connection).
   */
  run(listener: NodeRequestListener): PromiseLike<void> | undefined {
    listener(this.req, this.res);
    if (this.done) {
      if (this.failure !== undefined) throw this.failure;
      return undefined;
    }
    // Most responses end within this turn of the event loop; only the others need to hear that
    // the client left. Measured on Node 20: creating brisk's req.signal (an AbortController) and
    // listening to it cost ~10 µs, more than the rest of this layer; one setImmediate for all
    // the exchanges of a turn, ~0.3 µs each when it was one per exchange (Koa, Node 26).
    watchSoon(this);
    return this;
  }

  /**
   * The exchange as brisk's handler result: brisk's core registers once, for the failure. A
   * Promise and its two closures cost ~0.35 µs a request (Node 26) where this costs none;
   * `await` and Promise.resolve() take it too (one registration each). Chained then() calls
   * are not kept apart: each later one replaces the earlier.
   */
  then(onEnded?: ((value: void) => unknown) | null, onFailed?: ((error: unknown) => unknown) | null): PromiseLike<never> {
    this.onEnded = onEnded ?? null;
    this.onFailed = onFailed ?? null;
    if (this.failure !== undefined) this.fail(this.failure);
    else if (this.done && this.resClosed) this.onEnded?.();
    return this as unknown as PromiseLike<never>;
  }

  /** End the exchange for brisk: reject its outcome (or remember why, for run() and then()). */
  private fail(error: unknown): void {
    const onFailed = this.onFailed;
    if (onFailed === null) {
      this.failure = error;
      return;
    }
    this.onFailed = this.onEnded = null;
    onFailed(error);
  }

  /** Listen for the client leaving (brisk's req.signal); a signal that fired meanwhile is already aborted. */
  watch(): void {
    if (this.done) return;
    const signal = this.breq.signal;
    if (signal.aborted) return this.handleEvent();
    signal.addEventListener('abort', this);
    this.watching = true;
  }

  // --- the request body ---

  /** req wants data (its _read): start or continue pushing body chunks. */
  wantBody(): void {
    if (this.bodiless) {
      this.req.push(null);
      return;
    }
    this.readWanted = true;
    if (!this.pumping) void this.pump();
  }

  /** Start reading the body if nobody has (res.writeContinue: brisk sends 100 Continue on the first read). */
  startBody(): void {
    if (!this.bodyStarted && !this.req.complete) this.wantBody();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    this.bodyStarted = true;
    const req = this.req;
    const body = (this.body ??= this.breq.body[Symbol.asyncIterator]());
    try {
      for (;;) {
        const next = await body.next();
        if (req.destroyed) return;
        if (next.done === true) {
          req.complete = true;
          req.push(null);
          return;
        }
        this.readWanted = false;
        // false: req's buffer is full; its next _read resumes (brisk stops reading meanwhile).
        if (!req.push(next.value) && !this.readWanted) return;
      }
    } catch (error) {
      if (!req.destroyed) req.destroy(this.done ? undefined : (error as Error));
    } finally {
      this.pumping = false;
    }
  }

  // --- the response (called by response.ts) ---

  /** res ended: 'finish', then the socket goes (res 'close'), then the unread request is dumped. */
  finished(): void {
    if (this.done) return;
    this.done = true;
    if (this.watching) this.breq.signal.removeEventListener('abort', this);
    finishSoon(this);
  }

  afterFinish(): void {
    const { req, res } = this;
    res.emit('finish');
    const onEnded = this.onEnded;
    this.onEnded = this.onFailed = null;
    onEnded?.();
    // What node:http's server does after 'finish' (its emitCloseNT): res is destroyed and says
    // 'close'. The socket is left alone: destroying a Duplex costs ~2 µs and nobody holds it.
    this.closeResponse();
    // As node:http does for a request nobody read: dump it, so 'end' and 'close' follow. brisk
    // drains (or closes past maxDrainBytes) whatever of the body has not arrived. A request
    // without a body that nobody listens to is left alone: nothing would see its 'end' and
    // 'close' (node's Readable needs ~5 ticks for them: ~0.3 µs a request).
    if (this.bodiless && unobserved(req)) return;
    if (!this.bodyStarted && req.readableFlowing !== true && !req.destroyed) {
      req.removeAllListeners('data');
      req.resume();
    }
  }

  /** res is destroyed and says 'close', once. */
  private closeResponse(): void {
    if (this.resClosed) return;
    this.resClosed = true;
    this.res.destroyed = true;
    this.res.emit('close');
  }

  waitForDrain(): void {
    if (this.drainWaiting) return;
    this.drainWaiting = true;
    this.bres.drained().then(() => this.drain());
  }

  private drain(): void {
    this.drainWaiting = false;
    const callbacks = this.drainCallbacks;
    this.drainCallbacks = null;
    if (callbacks !== null) for (const cb of callbacks) cb();
    if (this.needDrain && !this.done) {
      this.needDrain = false;
      this.res.emit('drain');
    }
  }

  // --- the end of the exchange, other than a normal finish ---

  /** brisk's req.signal: the client went away (or its request failed) before the response ended. */
  handleEvent(): void {
    if (this.done) return;
    this.done = true;
    // node:http: the request is destroyed ('aborted' when incomplete, then 'close'), then the socket (res 'close').
    if (!this.req.destroyed) this.req.destroy(abortedError());
    this.socket.destroy();
    this.drain();
    // The app was told the client is gone and stops: nothing will end brisk's response, so the
    // exchange fails. brisk aborts the connection if the head is out, else answers this error's
    // status with Connection: close (400 for an incomplete body, as brisk's own handlers get).
    const reason: unknown = this.breq.signal.reason;
    this.fail(reason instanceof HttpError ? reason : new HttpError(400, 'The client closed the connection', true));
  }

  /** The app destroyed the socket (res.destroy(), req.socket.destroy(), an aborted req). */
  socketDestroyed(error: Error | null): boolean {
    return this.abandon(error ?? new Error('The app destroyed the connection before the response was complete'));
  }

  /** brisk refused what res was asked to send (a status outside 200–599, a body longer than its Content-Length). */
  responseRefused(error: unknown): void {
    this.abandon(error);
  }

  /**
   * The exchange ends without a response from the app. Rejecting makes brisk end the
   * connection: aborted if the head is out, else this error's status (500 unless it is an
   * HttpError) with Connection: close.
   */
  private abandon(error: unknown): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.watching) this.breq.signal.removeEventListener('abort', this);
    if (!this.req.destroyed) this.req.destroy();
    this.fail(error);
    return true;
  }

  /** The socket said 'close': so does res (node:http's onServerResponseClose), unless it has. */
  socketClosed(): void {
    this.closeResponse();
  }
}

// Two queues for all exchanges: one process.nextTick emits the 'finish' of every response ended
// in this run of the event loop's callbacks (16 for a pipelined read), one setImmediate starts
// watching every exchange still open after a turn. Each drain takes its queue whole first:
// exchanges queued while it runs go to the next drain, in order.
class ExchangeQueue {
  private items: NodeExchange[] = [];

  constructor(
    private readonly schedule: (drain: () => void) => void,
    private readonly each: (exchange: NodeExchange) => void,
  ) {}

  add(exchange: NodeExchange): void {
    if (this.items.push(exchange) === 1) this.schedule(this.drain);
  }

  private readonly drain = (): void => {
    const queue = this.items;
    this.items = [];
    let i = 0;
    try {
      for (; i < queue.length; i++) this.each(queue[i]);
    } finally {
      // A listener threw (an uncaught exception): the exchanges after it still get their turn.
      if (++i < queue.length) {
        this.items = queue.slice(i).concat(this.items);
        this.schedule(this.drain);
      }
    }
  };
}

const finishes = new ExchangeQueue((drain) => process.nextTick(drain), (exchange) => exchange.afterFinish());
const watches = new ExchangeQueue((drain) => setImmediate(drain), (exchange) => exchange.watch());

function finishSoon(exchange: NodeExchange): void {
  finishes.add(exchange);
}

function watchSoon(exchange: NodeExchange): void {
  watches.add(exchange);
}

/** What reading a request to its end would emit. */
const READ_EVENTS = ['end', 'close', 'data', 'readable', 'error', 'aborted'] as const;

/** Nobody listens for the events of req's end. (Readable#eventNames lists own keys: 5x the cost.) */
function unobserved(req: IncomingMessage): boolean {
  for (let i = 0; i < READ_EVENTS.length; i++) if (req.listenerCount(READ_EVENTS[i]) !== 0) return false;
  return true;
}

function readRequestBody(this: IncomingMessage): void {
  ((this as unknown as Record<symbol, NodeExchange>)[kExchange]).wantBody();
}

/**
 * A brisk Handler that serves a node:http request listener: an Express or Connect app, Koa's
 * `app.callback()`, or any `(req, res) => …` written for `http.createServer`.
 */
export function fromNodeListener(listener: NodeRequestListener): Handler {
  if (typeof listener !== 'function') throw new TypeError('fromNodeListener: expected a function (req, res)');
  const kinds = objectKindsOf(listener);
  // The outcome is a thenable (NodeExchange.then), which brisk's core treats as the Promise it is typed as.
  return (req, res) => new NodeExchange(req, res, kinds).run(listener) as Promise<void> | undefined;
}
