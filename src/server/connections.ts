// Connections: the Server's side that its sessions see (ServerContext) — the set of open
// connections, what every Session shares (options, handler, clock, logger, parser pool, field
// lines) and the callbacks through which sessions report back (closed, request done, parse error,
// timeout, rejected request), the clock's sweep and the preamble's hand-over. Held privately by Server, so none of
// it is part of the public API.
import { HeadCache } from './head-cache.js';
import type net from 'node:net';
import { flatString } from '../http/head.js';
import { resolveParserLimits, type ParseError, type ParserLimits } from '../parser/index.js';
import { CoarseClock, tickFor, type Sweepable } from './clock.js';
import type { ServedConnection, ServerContext, UpgradeHandler } from './context.js';
import { TIMEOUT_NAMES, type ServerErrorCode, type TimeoutKind } from './errors.js';
import type { TrustList } from '../ops/forwarded.js';
import type { Logger } from './logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { ServerOptions } from './options.js';
import { ParserPool } from './parser-pool.js';
import type { ConnectionPreamble, PreambleHost } from '../ops/preamble.js';
import type { ProxiedOrigin } from '../ops/proxy-protocol.js';
import type { RejectSummary } from './reject-summary.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import { Session } from './session.js';
import { NetSocketTransport } from '../transport/net-socket.js';
import type { Transport } from '../transport/transport.js';
import type { Handler } from './types.js';

/** Counters for logs, tests and metrics. */
export interface ServerStats {
  connectionsAccepted: number;
  connectionsRejected: number;
  requests: number;
  parseErrors: number;
  timeouts: number;
  /** Requests the server refused itself, before or instead of the handler (413 over maxRequestBodyBytes, 417, 501 CONNECT). */
  rejectedRequests: number;
}

/** What Connections asks of its server. */
export interface ConnectionsOwner {
  /** close() has begun: new connections close after their first response. */
  readonly draining: boolean;
}

export interface ConnectionsInit {
  readonly options: Readonly<ServerOptions>;
  readonly handler: Handler;
  readonly upgradeHandler: UpgradeHandler | null;
  readonly trustProxy: TrustList | null;
  readonly log: Logger;
  readonly metrics: Metrics | null;
  readonly stats: ServerStats;
  /** The rate-limited summary of rejected requests at level error. */
  readonly rejects: RejectSummary;
}

export class Connections implements ServerContext, Sweepable, PreambleHost {
  readonly options: Readonly<ServerOptions>;
  readonly parserLimits: Readonly<ParserLimits>;
  readonly parsers: ParserPool;
  readonly handler: Handler;
  readonly upgradeHandler: UpgradeHandler | null;
  readonly trustProxy: TrustList | null;
  readonly clock: CoarseClock;
  readonly log: Logger;
  readonly metrics: Metrics | null;
  readonly keepAliveFields10: string;
  readonly keepAliveFields11: string;
  readonly heads = new HeadCache();
  readonly sessions = new Set<ServedConnection>();
  /** Connections between accept() and their Session (PROXY header, TLS handshake); null when not configured. */
  preamble: ConnectionPreamble | null = null;
  private readonly stats: ServerStats;
  private readonly rejects: RejectSummary;
  private nextId = 1;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly owner: ConnectionsOwner,
    init: ConnectionsInit,
  ) {
    const o = (this.options = init.options);
    this.parserLimits = resolveParserLimits(o);
    this.parsers = new ParserPool(this.parserLimits);
    this.handler = init.handler;
    this.upgradeHandler = init.upgradeHandler;
    this.trustProxy = init.trustProxy;
    this.log = init.log;
    this.metrics = init.metrics;
    this.stats = init.stats;
    this.rejects = init.rejects;
    this.clock = new CoarseClock(tickFor([o.headersTimeoutMs, o.bodyIdleTimeoutMs, o.keepAliveTimeoutMs, o.writeTimeoutMs]), this);
    const timeoutSeconds = Math.max(1, Math.floor(o.keepAliveTimeoutMs / 1000));
    this.keepAliveFields11 = flatString(`Connection: keep-alive\r\nKeep-Alive: timeout=${timeoutSeconds}\r\n`);
    this.keepAliveFields10 = this.keepAliveFields11;
  }

  /** Sessions and connections still in their preamble. */
  get openCount(): number {
    return this.sessions.size + (this.preamble?.size ?? 0);
  }

  /** Resolves once no connection is open. */
  allClosed(): Promise<void> {
    return new Promise<void>((done) => {
      if (this.openCount === 0) done();
      else this.idleWaiters.push(done);
    });
  }

  // --- PreambleHost ---

  open(socket: net.Socket, origin: ProxiedOrigin | undefined, initial: Buffer | undefined): void {
    socket.setNoDelay(true);
    this.openTransport(new NetSocketTransport(socket), origin, initial);
  }

  /** A Session on any Transport (the server's sockets come through open()). */
  openTransport(transport: Transport, origin: ProxiedOrigin | undefined, initial: Buffer | undefined): void {
    const session = new Session(this.nextId++, transport, this, origin, initial);
    this.sessions.add(session);
    if (this.owner.draining) session.shutdownRequested = true;
  }

  pendingDone(): void {
    this.wakeIdleWaiters();
  }

  // --- ServerContext ---

  sessionClosed(session: ServedConnection): void {
    this.sessions.delete(session);
    if (this.metrics !== null) this.metrics.connectionClosed(session.transport.bytesRead, session.transport.bytesWritten);
    this.wakeIdleWaiters();
  }

  requestDone(req: Request, res: Response, durationMs: number): void {
    this.stats.requests++;
    if (this.metrics !== null) {
      // The session's duration is on the coarse clock; a handler-timed request has a precise one.
      const start = req.handlerStartMs;
      this.metrics.requestDone(res.status, start > 0 ? performance.now() - start : durationMs);
    }
  }

  parseError(error: ParseError): void {
    this.stats.parseErrors++;
    this.metrics?.parseError(error.code);
    this.rejects.count(error.code, this.clock.now);
  }

  serverError(code: ServerErrorCode): void {
    this.metrics?.serverError(code);
  }

  requestRejected(code: ServerErrorCode): void {
    this.stats.rejectedRequests++;
    this.metrics?.serverError(code);
    this.rejects.count(code, this.clock.now);
  }

  timedOut(kind: TimeoutKind): void {
    this.stats.timeouts++;
    this.metrics?.timedOut(TIMEOUT_NAMES[kind]);
  }

  // --- Sweepable ---

  sweep(now: number): void {
    this.rejects.flush(now);
    for (const session of this.sessions) session.sweep(now);
    this.preamble?.sweep(now);
  }

  private wakeIdleWaiters(): void {
    if (this.openCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
