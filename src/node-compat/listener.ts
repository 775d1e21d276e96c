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
  private body: AsyncIterator<Buffer> | null = null;
  private settle: ((error?: unknown) => void) | null = null;
  /** Why the exchange failed while the listener was still running (thrown by run()). */
  private failure: unknown = undefined;
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
      req.complete = true;
      req.push(null);
    }
    const res = makeResponse(kinds, req);
    this.res = res;
    installWriteSide(res, this);
    res.assignSocket(socket as never);
  }

  /**
   * Run the app. A response that ended while the listener ran needs nothing more (undefined);
   * otherwise the promise settles when the exchange ends (rejected: brisk aborts the connection).
   */
  run(listener: NodeRequestListener): Promise<void> | undefined {
    listener(this.req, this.res);
    if (this.done) {
      if (this.failure !== undefined) throw this.failure;
      return undefined;
    }
    // Most responses end within this turn of the event loop; only the others need to hear that
    // the client left. Measured on Node 20: creating brisk's req.signal (an AbortController) and
    // listening to it cost ~10 µs, more than the rest of this layer; setImmediate ~0.1 µs.
    setImmediate(watchClient, this);
    return new Promise<void>((resolve, reject) => {
      this.settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
    });
  }

  /** End the exchange for brisk: resolve its promise, or reject it (or remember why, for run()). */
  private fail(error: unknown): void {
    if (this.settle !== null) this.settle(error);
    else this.failure = error;
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
    process.nextTick(emitFinish, this);
  }

  afterFinish(): void {
    const { req, res } = this;
    res.emit('finish');
    this.settle?.();
    // What node:http's server does after 'finish' (its emitCloseNT): res is destroyed and says
    // 'close'. The socket is left alone: destroying a Duplex costs ~2 µs and nobody holds it.
    res.destroyed = true;
    res.emit('close');
    // As node:http does for a request nobody read: dump it, so 'end' and 'close' follow. brisk
    // drains (or closes past maxDrainBytes) whatever of the body has not arrived.
    if (!this.bodyStarted && req.readableFlowing !== true && !req.destroyed) {
      req.removeAllListeners('data');
      req.resume();
    }
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
  socketDestroyed(error: Error | null): void {
    if (!this.done) {
      this.done = true;
      if (this.watching) this.breq.signal.removeEventListener('abort', this);
      if (!this.req.destroyed) this.req.destroy();
      // Rejecting makes brisk end the connection: aborted if the head is out, else a 500 with Connection: close.
      this.fail(error ?? new Error('The app destroyed the connection before the response was complete'));
    }
  }
}

function emitFinish(exchange: NodeExchange): void {
  exchange.afterFinish();
}

function watchClient(exchange: NodeExchange): void {
  exchange.watch();
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
  return (req, res) => new NodeExchange(req, res, kinds).run(listener);
}
