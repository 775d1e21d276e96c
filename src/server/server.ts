// Server: listening, the set of connections and its limit, the shared clock, graceful shutdown,
// and the operations features around them (TLS, PROXY protocol, trusted proxies, health and
// metrics endpoints, access log file). Everything about one connection lives in Session.
//
// The life of a connection:
//   1. accept(): refused at once when shutting down or at maxConnections.
//   2. Preamble (only with `proxyProtocol` or `tls`): PROXY header, TLS handshake (preamble.ts).
//   3. open(): a Session owns the socket until it closes and calls sessionClosed(). What sessions
//      see of the server (ServerContext) is its private Connections object (connections.ts).
import cluster from 'node:cluster';
import { createWriteStream, type WriteStream } from 'node:fs';
import net from 'node:net';
import { Connections, type ServerStats } from './connections.js';
import type { UpgradeHandler } from './context.js';
import { withEndpoints, type EndpointHost } from '../ops/endpoints.js';
import type { TrustList } from '../ops/forwarded.js';
import { Logger } from './logger.js';
import { Metrics, renderMetrics, type MetricsSnapshot } from '../ops/metrics.js';
import { OPS_OPTION_KEYS, resolveOpsOptions, type OpsOptions, type ResolvedOps, type TlsOptions } from '../ops/ops-options.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { RejectSummary } from './reject-summary.js';
import { ConnectionPreamble } from '../ops/preamble.js';
import type { Handler } from './types.js';
import { createLibuvListener, type LibuvListener, type LibuvTransport } from '../transport/libuv.js';
import { describeTransport, selectTransport, type SelectedTransport } from '../transport/select.js';

export type { ServerStats } from './connections.js';

export interface BriskServerOptions extends Partial<ServerOptions>, OpsOptions {
  /** Takes over sockets of Upgrade / CONNECT requests; without it they are answered as plain HTTP. */
  onUpgrade?: UpgradeHandler;
}

/** Where the server is in its life. Shutdown moves forward only. */
export const enum ServerState {
  Running = 0,
  /** close() began: still accepting (drainDelayMs), health answers 503, responses say Connection: close. */
  Draining = 1,
  /** The port is closed; in-flight requests finish. */
  Closing = 2,
  Closed = 3,
}

export interface CloseOptions {
  /** Grace for requests in flight once the port is closed; then connections are destroyed. */
  timeoutMs?: number;
  /** Keep accepting this long first (health answers 503). Default: the drainDelayMs option. */
  drainDelayMs?: number;
  /** Idle keep-alive connections get this long to send a last request. Default: the idleGraceMs option. */
  idleGraceMs?: number;
}

export class Server implements EndpointHost {
  readonly options: Readonly<ServerOptions>;
  readonly stats: ServerStats = { connectionsAccepted: 0, connectionsRejected: 0, requests: 0, parseErrors: 0, timeouts: 0, rejectedRequests: 0 };
  /** Created only when metricsPath is set. */
  readonly metrics: Metrics | null;
  readonly healthPath: string | null;
  readonly metricsPath: string | null;
  readonly timingRequests: boolean;
  /**
   * Set by the cluster worker: turns this process's snapshot into the cluster's. Without it,
   * the metrics endpoint reports this process only.
   */
  metricsCollector: ((local: MetricsSnapshot) => Promise<MetricsSnapshot>) | null = null;

  /** Proxies whose forwarding fields are believed (req.ip, req.protocol, req.host); null: none. */
  readonly trustProxy: TrustList | null;
  private readonly log: Logger;
  private readonly ops: ResolvedOps;
  private readonly listener: net.Server;
  /** The libuv transport's listener, when that is what listen() chose (else `listener`). */
  private libuv: LibuvListener | null = null;
  private libuvListening = false;
  /** What listen() chose, and why (null before). */
  private selected: SelectedTransport | null = null;
  private readonly preamble: ConnectionPreamble | null;
  /** The sessions, and everything they share and report to (the ServerContext). */
  private readonly connections: Connections;
  private state = ServerState.Running;
  private closing: Promise<void> | null = null;
  private accessLogStream: WriteStream | null = null;

  constructor(handler: Handler, options: BriskServerOptions = {}) {
    if (typeof handler !== 'function') {
      throw new TypeError(`createServer: the handler must be a function (req, res), got ${handler === null ? 'null' : typeof handler}; serve() also takes a fetch app or an Express / Koa app`);
    }
    const { onUpgrade, ...rest } = options;
    if (onUpgrade !== undefined && typeof onUpgrade !== 'function') throw new TypeError(`option onUpgrade must be a function (req, socket, head), got ${typeof onUpgrade}`);
    const opsInput: OpsOptions = {};
    const serverInput: Record<string, unknown> = { ...rest };
    for (const key of OPS_OPTION_KEYS) {
      (opsInput as Record<string, unknown>)[key] = serverInput[key];
      delete serverInput[key];
    }
    this.options = resolveServerOptions(serverInput as Partial<ServerOptions>);
    const ops = (this.ops = resolveOpsOptions(opsInput));
    const o = this.options;
    this.trustProxy = ops.trust;
    this.metrics = ops.metricsPath === null ? null : new Metrics();
    this.healthPath = ops.healthPath;
    this.metricsPath = ops.metricsPath;
    this.timingRequests = this.metrics !== null;
    // An access log file with the format left off means "log there": combined, as nginx does.
    const accessFormat = ops.accessLogFile !== null && o.accessLog === 'off' ? 'combined' : o.accessLog;
    const log = new Logger(o.logLevel, accessFormat, o.log, ops.accessLogFile === null ? null : (line) => this.writeAccessLine(line));
    this.log = log;
    if (ops.accessLogFile !== null && accessFormat !== 'off') this.reopenLogs();
    const connections = (this.connections = new Connections(this, {
      options: o,
      handler: withEndpoints(handler, this),
      upgradeHandler: onUpgrade ?? null,
      trustProxy: ops.trust,
      log,
      metrics: this.metrics,
      stats: this.stats,
      rejects: new RejectSummary(log),
    }));
    this.preamble = connections.preamble =
      ops.tls === null && !ops.proxyProtocol
        ? null
        : new ConnectionPreamble(connections, { tls: ops.tls, proxyProtocol: ops.proxyProtocol, trust: ops.trust, timeoutMs: o.headersTimeoutMs });
    this.listener = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.listener.on('error', (err) => this.log.error(`listener error: ${err.message}`));
  }

  get connectionCount(): number {
    return this.connections.sessions.size;
  }

  get listening(): boolean {
    return this.libuv !== null ? this.libuvListening : this.listener.listening;
  }

  /** The transport listen() chose and why, for the startup log line (`libuv (tcp_wrap handles, self-test 9 ms)`); null before listen(). */
  get transport(): string | null {
    return this.selected === null ? null : describeTransport(this.selected);
  }

  /** True once close() has begun (the health endpoint answers 503). */
  get draining(): boolean {
    return this.state !== ServerState.Running;
  }

  /** Whether connections are served over TLS. */
  get secure(): boolean {
    return this.ops.tls !== null;
  }

  address(): { host: string; port: number } | null {
    if (this.libuv !== null) return this.libuvListening ? this.libuv.address() : null;
    const a = this.listener.address();
    return a !== null && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  /** Start listening; resolves with the bound address (port 0 picks a free one). */
  async listen(port: number = this.options.port, host: string = this.options.host): Promise<{ host: string; port: number }> {
    // A closed server stays closed: its clock, sessions and shutdown promise are spent, and a
    // port bound now would outlive every later close() (issue 12, defect 10).
    if (this.state !== ServerState.Running) {
      throw new Error('listen(): this server was closed; create a new server to listen again');
    }
    const selected = (this.selected = await selectTransport(this.ops.transport, { tls: this.ops.tls !== null, worker: cluster.isWorker }));
    if (this.state !== ServerState.Running) throw new Error('listen(): the server was closed while it was starting');
    if (selected.kind === 'libuv') return this.listenLibuv(port, host, selected.tier);
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.listener.once('error', onError);
      this.listener.listen(port, host, () => {
        this.listener.off('error', onError);
        if (this.state !== ServerState.Running) {
          // close() ran while the port was being bound: it saw nothing listening, so unbind here.
          this.listener.close();
          return reject(new Error('listen(): the server was closed while it was starting'));
        }
        this.connections.clock.start();
        resolve(this.address() as { host: string; port: number });
      });
    });
  }

  private async listenLibuv(port: number, host: string, tier: SelectedTransport['tier'] & string): Promise<{ host: string; port: number }> {
    const listener = (this.libuv = createLibuvListener({
      host,
      port,
      backlog: 511,
      tier,
      admit: () => this.admits(),
      onConnection: (transport) => this.acceptTransport(transport),
      onError: (code) => this.log.error(`listener error: accept ${code}`),
    }));
    const address = await listener.listen();
    if (this.state !== ServerState.Running) {
      await listener.close();
      throw new Error('listen(): the server was closed while it was starting');
    }
    this.libuvListening = true;
    this.connections.clock.start();
    return address;
  }

  /** Swap the TLS certificate (and other secure-context options) for new connections (e.g. on SIGHUP). */
  reloadTls(options: TlsOptions): void {
    if (this.preamble === null || this.ops.tls === null) throw new Error('reloadTls: the server was not created with tls options');
    this.preamble.reloadTls(options);
  }

  /** Reopen the access log file (after logrotate moved it). */
  reopenLogs(): void {
    const path = this.ops.accessLogFile;
    if (path === null) return;
    const previous = this.accessLogStream;
    const stream = createWriteStream(path, { flags: 'a' });
    stream.on('error', (error) => this.log.error(`access log ${path}: ${error.message}`));
    this.accessLogStream = stream;
    previous?.end();
  }

  /** This process's metrics (null when metricsPath is not set). */
  metricsSnapshot(): MetricsSnapshot | null {
    if (this.metrics === null) return null;
    let liveBytesReceived = 0;
    let liveBytesSent = 0;
    for (const session of this.connections.sessions) {
      liveBytesReceived += session.transport.bytesRead;
      liveBytesSent += session.transport.bytesWritten;
    }
    return this.metrics.snapshot({
      connectionsAccepted: this.stats.connectionsAccepted,
      connectionsRejected: this.stats.connectionsRejected,
      openConnections: this.connections.sessions.size + (this.preamble?.size ?? 0),
      liveBytesReceived,
      liveBytesSent,
      draining: this.draining,
    });
  }

  async metricsText(): Promise<string> {
    const local = this.metricsSnapshot();
    if (local === null) return '';
    return renderMetrics(this.metricsCollector === null ? local : await this.metricsCollector(local));
  }

  /**
   * Graceful shutdown:
   *   1. draining: for drainDelayMs (default 0) keep accepting; health answers 503 and every
   *      response says `Connection: close`, so load balancers move away;
   *   2. stop accepting; requests in flight finish (their responses say `Connection: close`);
   *      idle keep-alive connections are closed after idleGraceMs (default 0: at once);
   *   3. after `timeoutMs`, whatever is left is destroyed.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.closing !== null) return this.closing;
    const timeoutMs = options.timeoutMs ?? this.options.shutdownTimeoutMs;
    const drainDelayMs = options.drainDelayMs ?? this.ops.drainDelayMs;
    const idleGraceMs = options.idleGraceMs ?? this.ops.idleGraceMs;
    this.state = ServerState.Draining;
    for (const session of this.connections.sessions) session.shutdownRequested = true;
    this.closing =
      drainDelayMs > 0
        ? new Promise<void>((resolve) => setTimeout(resolve, drainDelayMs)).then(() => this.stopAccepting(timeoutMs, idleGraceMs))
        : this.stopAccepting(timeoutMs, idleGraceMs);
    return this.closing;
  }

  private stopAccepting(timeoutMs: number, idleGraceMs: number): Promise<void> {
    this.state = ServerState.Closing;
    const libuv = this.libuv;
    this.libuvListening = false;
    const listenerClosed =
      libuv !== null
        ? libuv.close()
        : new Promise<void>((done) => {
            if (this.listener.listening) this.listener.close(() => done());
            else done();
          });
    const closeIdle = (): void => {
      this.preamble?.destroyAll();
      for (const session of this.connections.sessions) {
        session.shutdownRequested = true;
        if (!session.isBusy) session.closeGracefully();
      }
    };
    let idleTimer: NodeJS.Timeout | null = null;
    if (idleGraceMs === 0) closeIdle();
    else {
      idleTimer = setTimeout(closeIdle, idleGraceMs);
      idleTimer.unref();
    }
    const timer = setTimeout(() => {
      this.preamble?.destroyAll();
      for (const session of this.connections.sessions) session.destroy();
    }, timeoutMs);
    timer.unref();
    const allClosed = this.connections.allClosed();
    return Promise.all([listenerClosed, allClosed]).then(() => {
      clearTimeout(timer);
      if (idleTimer !== null) clearTimeout(idleTimer);
      this.connections.clock.stop();
      this.state = ServerState.Closed;
      this.accessLogStream?.end();
      this.accessLogStream = null;
    });
  }

  private get openCount(): number {
    return this.connections.openCount;
  }

  /** Whether to take one more connection (counts a refusal otherwise). */
  private admits(): boolean {
    if (this.state >= ServerState.Closing || this.openCount >= this.options.maxConnections) {
      this.stats.connectionsRejected++;
      return false;
    }
    return true;
  }

  /** A connection the libuv listener accepted (admits() said yes). */
  private acceptTransport(transport: LibuvTransport): void {
    this.stats.connectionsAccepted++;
    const now = this.connections.clock.refresh();
    // TLS never runs here (selectTransport), so the preamble is the PROXY header alone.
    if (this.preamble !== null) this.preamble.startTransport(transport, now);
    else this.connections.openTransport(transport, undefined, undefined);
  }

  private accept(socket: net.Socket): void {
    if (!this.admits()) {
      socket.destroy();
      return;
    }
    this.stats.connectionsAccepted++;
    const now = this.connections.clock.refresh();
    if (this.preamble !== null) this.preamble.start(socket, now);
    else this.connections.open(socket, undefined, undefined);
  }

  private writeAccessLine(line: string): void {
    this.accessLogStream?.write(line + '\n');
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
