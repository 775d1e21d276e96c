// Server: listening, the set of connections and its limit, the shared clock, graceful shutdown.
// Everything about one connection lives in Session.
import net from 'node:net';
import { resolveParserLimits, type ParseError, type ParserLimits } from '../parser/index.js';
import { CoarseClock, tickFor, type Sweepable } from './clock.js';
import type { ServerContext, UpgradeHandler } from './context.js';
import { TimeoutKind } from './errors.js';
import { Logger } from './logger.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import { Session } from './session.js';
import type { Handler } from './types.js';

export interface BriskServerOptions extends Partial<ServerOptions> {
  /** Takes over sockets of Upgrade / CONNECT requests; without it they are answered as plain HTTP. */
  onUpgrade?: UpgradeHandler;
}

/** Counters for logs, tests and (later) metrics. */
export interface ServerStats {
  connectionsAccepted: number;
  connectionsRejected: number;
  requests: number;
  parseErrors: number;
  timeouts: number;
}

export class Server implements ServerContext, Sweepable {
  readonly options: Readonly<ServerOptions>;
  readonly parserLimits: Readonly<ParserLimits>;
  readonly upgradeHandler: UpgradeHandler | null;
  readonly clock: CoarseClock;
  readonly log: Logger;
  readonly keepAliveFields10: string;
  readonly keepAliveFields11: string;
  readonly stats: ServerStats = { connectionsAccepted: 0, connectionsRejected: 0, requests: 0, parseErrors: 0, timeouts: 0 };

  private readonly listener: net.Server;
  private readonly sessions = new Set<Session>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly handler: Handler,
    options: BriskServerOptions = {},
  ) {
    const { onUpgrade, ...rest } = options;
    this.options = resolveServerOptions(rest);
    this.parserLimits = resolveParserLimits(this.options);
    this.upgradeHandler = onUpgrade ?? null;
    const o = this.options;
    this.log = new Logger(o.logLevel, o.accessLog, o.log);
    this.clock = new CoarseClock(
      tickFor([o.headersTimeoutMs, o.bodyIdleTimeoutMs, o.keepAliveTimeoutMs, o.writeTimeoutMs]),
      this,
    );
    const timeoutSeconds = Math.max(1, Math.floor(o.keepAliveTimeoutMs / 1000));
    this.keepAliveFields11 = `Connection: keep-alive\r\nKeep-Alive: timeout=${timeoutSeconds}\r\n`;
    this.keepAliveFields10 = this.keepAliveFields11;
    this.listener = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.listener.on('error', (err) => this.log.error(`listener error: ${err.message}`));
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  address(): { host: string; port: number } | null {
    const a = this.listener.address();
    return a !== null && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  /** Start listening; resolves with the bound address (port 0 picks a free one). */
  listen(port: number = this.options.port, host: string = this.options.host): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.listener.once('error', onError);
      this.listener.listen(port, host, () => {
        this.listener.off('error', onError);
        this.clock.start();
        resolve(this.address() as { host: string; port: number });
      });
    });
  }

  /**
   * Graceful shutdown: stop accepting, close idle connections now, let requests in flight finish
   * (their responses say `Connection: close`), and destroy whatever is left after `timeoutMs`.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closing !== null) return this.closing;
    const timeoutMs = options.timeoutMs ?? this.options.shutdownTimeoutMs;
    this.closing = new Promise<void>((resolve) => {
      const listenerClosed = new Promise<void>((done) => {
        if (this.listener.listening) this.listener.close(() => done());
        else done();
      });
      for (const session of this.sessions) {
        session.shutdownRequested = true;
        if (!session.isBusy) session.closeGracefully();
      }
      const timer = setTimeout(() => {
        for (const session of this.sessions) session.destroy();
      }, timeoutMs);
      timer.unref();
      const allClosed = new Promise<void>((done) => {
        if (this.sessions.size === 0) done();
        else this.idleWaiters.push(done);
      });
      void Promise.all([listenerClosed, allClosed]).then(() => {
        clearTimeout(timer);
        this.clock.stop();
        resolve();
      });
    });
    return this.closing;
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== null || this.sessions.size >= this.options.maxConnections) {
      this.stats.connectionsRejected++;
      socket.destroy();
      return;
    }
    this.stats.connectionsAccepted++;
    this.clock.refresh();
    this.sessions.add(new Session(this.nextId++, socket, this));
  }

  // --- ServerContext ---

  sessionClosed(session: Session): void {
    this.sessions.delete(session);
    if (this.sessions.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  requestDone(_req: Request, _res: Response, _durationMs: number): void {
    this.stats.requests++;
  }

  parseError(_error: ParseError): void {
    this.stats.parseErrors++;
  }

  timedOut(_kind: TimeoutKind): void {
    this.stats.timeouts++;
  }

  sweep(now: number): void {
    for (const session of this.sessions) session.sweep(now);
  }
}

/** A server that is not listening yet: call listen(). */
export function createServer(handler: Handler, options: BriskServerOptions = {}): Server {
  return new Server(handler, options);
}

/** The seed's serve_forever: create and listen on options.host:options.port (default 127.0.0.1:5000). */
export async function serve(handler: Handler, options: BriskServerOptions = {}): Promise<Server> {
  const server = new Server(handler, options);
  await server.listen();
  return server;
}
