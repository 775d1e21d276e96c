// What every Session of one Server shares: resolved options, the handler, the clock, the logger,
// precomputed field lines, and the callbacks through which sessions report back.
import type { Socket } from 'node:net';
import type { ParseError, ParserLimits } from '../parser/index.js';
import type { CoarseClock } from './clock.js';
import type { TrustList } from './forwarded.js';
import type { TimeoutKind } from './errors.js';
import type { Logger } from './logger.js';
import type { ParserPool } from './parser-pool.js';
import type { ServerOptions } from './options.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import type { Session } from './session.js';
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
  sessionClosed(session: Session): void;
  /** A request and its response are both complete (for access logs and metrics). */
  requestDone(req: Request, res: Response, durationMs: number): void;
  parseError(error: ParseError): void;
  timedOut(kind: TimeoutKind): void;
  /** A request the server answered itself with an error before or instead of the handler (413, 417, 501), by kind. */
  requestRejected(kind: string): void;
}
