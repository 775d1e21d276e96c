// What every Session of one Server shares: resolved options, the handler, the clock, the logger,
// precomputed field lines, and the callbacks through which sessions report back.
import type { Socket } from 'node:net';
import type { ParseError, ParserLimits } from '../parser/index.js';
import type { CoarseClock } from './clock.js';
import type { TrustList } from '../ops/forwarded.js';
import type { ServerErrorCode, TimeoutKind } from './errors.js';
import type { Logger } from './logger.js';
import type { HeadCache } from './head-cache.js';
import type { ParserPool } from './parser-pool.js';
import type { ServerOptions } from './options.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import type { Transport } from '../transport/transport.js';
import type { BriskRequest, Handler } from './types.js';

/**
 * Takes over the socket of an Upgrade (HTTP/1.1 only, RFC 9110 §7.8) or CONNECT request once the
 * request is complete; `head` holds the bytes that followed it. The socket is handed over
 * paused, with no listeners of brisk's: attach yours, then `socket.resume()`.
 * `accepts(req)`, when present, is asked first; declined requests are served as plain HTTP by the
 * handler (a server may ignore Upgrade), and a declined CONNECT is answered 501.
 */
export interface UpgradeHandler {
  (req: BriskRequest, socket: Socket, head: Buffer): void;
  accepts?(req: BriskRequest): boolean;
}

/**
 * What the server keeps of one connection (a Session): enough to count, sweep and shut it down.
 * An interface here, not the Session class, so that this module imports no module that imports it.
 */
export interface ServedConnection {
  /** Close after the current response (server shutting down). */
  shutdownRequested: boolean;
  /** A request is being handled (for graceful shutdown). */
  readonly isBusy: boolean;
  /** Its transport (bytes read and written, for the metrics). */
  readonly transport: Transport;
  /** The coarse clock's tick: fire whatever deadline has passed. */
  sweep(now: number): void;
  closeGracefully(): void;
  destroy(): void;
}

export interface ServerContext {
  readonly options: Readonly<ServerOptions>;
  /** The parser's share of the options, resolved once for every connection. */
  readonly parserLimits: Readonly<ParserLimits>;
  /** Parsers lent to connections while they parse a request. */
  readonly parsers: ParserPool;
  readonly handler: Handler;
  readonly upgradeHandler: UpgradeHandler | null;
  /** Peers whose Forwarded / X-Forwarded-* fields are believed (null: none). */
  readonly trustProxy?: TrustList | null;
  readonly clock: CoarseClock;
  readonly log: Logger;
  /** "Connection: keep-alive\r\nKeep-Alive: timeout=N\r\n", for 1.0 and 1.1 clients. */
  readonly keepAliveFields10: string;
  readonly keepAliveFields11: string;
  /** The last response head serialised, reused by a response made of the same inputs. */
  readonly heads: HeadCache;
  sessionClosed(session: ServedConnection): void;
  /** A request and its response are both complete (for access logs and metrics). */
  requestDone(req: Request, res: Response, durationMs: number): void;
  parseError(error: ParseError): void;
  /** A request was refused or failed with one of SERVER_ERRORS (for metrics). */
  serverError(code: ServerErrorCode): void;
  timedOut(kind: TimeoutKind): void;
  /**
   * The server answered a request itself with one of SERVER_ERRORS, before or instead of the
   * handler (413 over maxRequestBodyBytes, 417, 501): counted (stats, the same metric as
   * serverError) and summarised at level error.
   */
  requestRejected(code: ServerErrorCode): void;
}
