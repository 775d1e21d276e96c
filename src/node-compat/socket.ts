// The socket a node:http app sees as `req.socket` / `res.socket`: a minimal Duplex owned by
// brisk, one per request, that is NOT the connection. brisk keeps the real socket (its parser,
// limits, timeouts, keep-alive and pipelining); this one carries the connection's facts
// (addresses, TLS) and one behaviour: destroying it (`res.destroy()`, `req.socket.destroy()`,
// or node's IncomingMessage destroying an aborted request) ends the exchange — brisk then
// aborts the connection if the response had started, as node:http would.
//
// Reading from it gives nothing (the body reaches the app through `req`), and raw writes are
// refused: the response goes through `res`, where brisk frames it.
import { Duplex } from 'node:stream';
import type { BriskRequest } from '../core.js';

/** What the socket tells when it is destroyed. */
export interface SocketOwner {
  /** true when this destroy ended the exchange (the app's doing), false when it was over already. */
  socketDestroyed(error: Error | null): boolean;
  /** After the socket's 'close' event. */
  socketClosed(): void;
}

const RAW_WRITE_REFUSED = 'brisk: writing to req.socket directly is not supported; write through res';
const NOT_SET = Symbol('not set');

// Fields are `declare`d and assigned in the constructor: initialised class fields (define
// semantics) made construction ~400 ns slower, close to the cost of the Duplex itself.
export class CompatSocket extends Duplex {
  /** Always false here: there is no connect phase to wait for. */
  declare connecting: boolean;
  declare private owner: SocketOwner | null;
  declare private readonly request: BriskRequest;
  /** What the app assigned to `encrypted`, or NOT_SET. */
  declare private encryptedValue: unknown;

  constructor(owner: SocketOwner, request: BriskRequest) {
    super({ allowHalfOpen: true });
    this.owner = owner;
    this.request = request;
    this.connecting = false;
    this.encryptedValue = NOT_SET;
  }

  // The addresses are getters, as on net.Socket, read from brisk's request when asked: most
  // requests never ask, and req.ip resolves trusted proxies (Forwarded fields) on first use.

  /** The client's address (brisk's req.ip: the peer, or the client a trusted proxy names). */
  get remoteAddress(): string {
    return this.request.ip;
  }

  get remotePort(): number {
    return this.request.remotePort;
  }

  get remoteFamily(): string {
    return this.request.ip.includes(':') ? 'IPv6' : 'IPv4';
  }

  /**
   * true on a TLS connection, or when a trusted proxy says the client used https (as TLSSocket
   * has it); else undefined, as on net.Socket. Asked only when read: brisk's req.protocol
   * resolves the client's view (Forwarded fields) on first use.
   */
  get encrypted(): true | undefined {
    if (this.encryptedValue !== NOT_SET) return this.encryptedValue as true | undefined;
    return this.request.protocol === 'https' ? true : undefined;
  }

  /**
   * Assignable, as on net.Socket, which has no such property until something sets it: apps and
   * test suites mark a socket secure themselves (Express's own tests set `req.socket.encrypted`).
   */
  set encrypted(value: true | undefined) {
    this.encryptedValue = value;
  }

  override _read(): void {
    // Nothing arrives here: the request body is pushed into req by the exchange.
  }

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback(new Error(RAW_WRITE_REFUSED));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const owner = this.owner;
    this.owner = null;
    const byTheApp = owner?.socketDestroyed(error) === true;
    // The error has gone to the exchange. As on node:http, whoever listens on the socket hears
    // an error the app destroyed it with (on-finished, which Koa and Express middleware use,
    // listens for 'error' and 'close'); node's server keeps its own 'error' listener on every
    // socket, so there an unheard error is absorbed, and so it is here. Not when the exchange
    // was over already: a client that left makes node destroy req with "aborted", which reaches
    // here, but on node:http its socket is closed by then and says no error. Queued before the
    // callback, so 'error' comes before 'close'.
    if (error !== null && byTheApp) process.nextTick(emitIfHeard, this, error);
    callback(null);
    // The Duplex says 'close' on the next tick (queued by the callback); res follows it.
    if (owner !== null) process.nextTick(afterClose, owner);
  }

  // --- net.Socket's methods that apps and middleware call; brisk owns the real socket ---

  /** brisk's own timeouts (headers, body, write, keep-alive) govern the connection; this one never fires. */
  setTimeout(_ms: number, callback?: () => void): this {
    if (callback !== undefined) this.once('timeout', callback);
    return this;
  }

  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  setKeepAlive(_enable?: boolean, _delay?: number): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    return {};
  }
}

function emitIfHeard(socket: CompatSocket, error: Error): void {
  if (socket.listenerCount('error') > 0) socket.emit('error', error);
}

function afterClose(owner: SocketOwner): void {
  owner.socketClosed();
}
