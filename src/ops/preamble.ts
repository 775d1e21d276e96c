// What a connection goes through between accept() and its Session, when the server is configured
// for it: (1) a PROXY protocol header, read strictly and within the header timeout, only from a
// trusted peer; (2) a TLS handshake (node:tls, ALPN http/1.1). Plain HTTP connections never come
// here. A connection in its preamble is "pending": counted against maxConnections, swept by the
// server's clock, destroyed by close()'s deadline.
import type net from 'node:net';
import tls from 'node:tls';
import type { TrustList } from './forwarded.js';
import type { Logger } from '../server/logger.js';
import type { Metrics } from './metrics.js';
import type { TlsOptions } from './ops-options.js';
import { parseProxyHeader, type ProxiedOrigin, type ProxyHeaderResult } from './proxy-protocol.js';
import type { Transport, TransportOwner } from '../transport/transport.js';

export interface PreambleHost {
  readonly log: Logger;
  readonly metrics: Metrics | null;
  /** The preamble is done: hand the socket (TLS or raw), the client's address and any bytes read past the header to a Session. */
  open(socket: net.Socket, origin: ProxiedOrigin | undefined, initial: Buffer | undefined): void;
  /** The same for a connection on a Transport (the libuv transport; never TLS). */
  openTransport(transport: Transport, origin: ProxiedOrigin | undefined, initial: Buffer | undefined): void;
  /** A pending connection left (opened, refused or closed). */
  pendingDone(): void;
}

/** What the preamble needs of a connection: a net.Socket or a Transport. */
interface Conn {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  destroy(): void;
}

interface Pending {
  readonly socket: Conn;
  /** Clock time after which the connection is destroyed (0: none). */
  deadline: number;
  origin: ProxiedOrigin | undefined;
}

export interface PreambleOptions {
  readonly tls: TlsOptions | null;
  readonly proxyProtocol: boolean;
  readonly trust: TrustList | null;
  /** The PROXY header and the TLS handshake must each complete within this (headersTimeoutMs). */
  readonly timeoutMs: number;
}

const peerKey = (socket: Conn): string => `${socket.remoteAddress}|${socket.remotePort}`;

export class ConnectionPreamble {
  private readonly pending = new Set<Pending>();
  /** TLS handshakes in progress, by peer address and port (unique among open connections). */
  private readonly handshaking = new Map<string, Pending>();
  private readonly tlsServer: tls.Server | null;

  constructor(
    private readonly host: PreambleHost,
    private readonly options: PreambleOptions,
  ) {
    this.tlsServer = options.tls === null ? null : this.createTlsServer(options.tls);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Start the preamble of an accepted connection. */
  start(socket: net.Socket, now: number): void {
    if (this.options.proxyProtocol) this.readProxyHeader(socket, now);
    else this.startTls(socket, undefined, now);
  }

  /** New certificate and key (and other secure-context options) for new connections. */
  reloadTls(options: TlsOptions): void {
    if (this.tlsServer === null) throw new Error('reloadTls: the server was not created with tls options');
    this.tlsServer.setSecureContext(options);
  }

  sweep(now: number): void {
    if (this.pending.size === 0) return;
    for (const entry of this.pending) {
      if (entry.deadline !== 0 && now >= entry.deadline) {
        this.host.metrics?.timedOut(this.handshaking.get(peerKey(entry.socket)) === entry ? 'tls-handshake' : 'proxy-header');
        this.host.log.info(`connection from ${entry.socket.remoteAddress} timed out in its ${this.tlsServer ? 'PROXY header or TLS handshake' : 'PROXY header'}`);
        this.forget(entry);
        entry.socket.destroy();
      }
    }
  }

  /** Close every connection still in its preamble (shutdown: none of them has sent a request yet). */
  destroyAll(): void {
    for (const entry of [...this.pending]) {
      this.forget(entry);
      entry.socket.destroy();
    }
  }

  /**
   * A connection on a Transport: only the PROXY header (TLS runs on net.Socket). The header is
   * read through the transport itself, so the connection never becomes a net.Socket.
   */
  startTransport(transport: Transport, now: number): void {
    if (this.tlsServer !== null || !this.options.proxyProtocol) throw new Error('preamble: a Transport carries the PROXY header only');
    const peer = transport.remoteAddress;
    if (peer === '') {
      transport.destroy();
      return;
    }
    if (!this.peerTrusted(peer)) {
      transport.destroy();
      return;
    }
    new ProxyHeaderReader(this, transport, this.track(transport, now));
  }

  /** @internal the header read by a ProxyHeaderReader is complete (or bad, or the client left). */
  transportHeader(reader: ProxyHeaderReader, result: ProxyHeaderResult | null, buffered: Buffer): void {
    this.forget(reader.entry);
    const transport = reader.transport;
    if (result === null) return; // closed
    if (result.status === 'error') {
      this.refuseHeader(transport.remoteAddress, result.code, result.reason);
      transport.destroy();
      return;
    }
    if (result.status !== 'done') return;
    const rest = buffered.subarray(result.consumed);
    this.host.openTransport(transport, result.origin ?? undefined, rest.length > 0 ? rest : undefined);
  }

  private peerTrusted(peer: string): boolean {
    if (this.options.trust !== null && this.options.trust.contains(peer)) return true;
    this.host.metrics?.proxyProtocolError('UNTRUSTED_PEER');
    this.host.log.error(`PROXY protocol: refused a connection from ${peer}, which is not in trustProxy`);
    return false;
  }

  private refuseHeader(peer: string | undefined, code: string, reason: string): void {
    this.host.metrics?.proxyProtocolError(code);
    this.host.log.error(`PROXY protocol: refused a connection from ${peer}: ${code} (${reason})`);
  }

  private track(socket: Conn, now: number): Pending {
    const entry: Pending = { socket, deadline: now + this.options.timeoutMs, origin: undefined };
    this.pending.add(entry);
    return entry;
  }

  private forget(entry: Pending): void {
    if (!this.pending.delete(entry)) return;
    const key = peerKey(entry.socket);
    if (this.handshaking.get(key) === entry) this.handshaking.delete(key);
    this.host.pendingDone();
  }

  // --- PROXY protocol ---

  private readProxyHeader(socket: net.Socket, now: number): void {
    const peer = socket.remoteAddress;
    if (peer === undefined) {
      socket.destroy(); // gone already (reset before we got to it): nobody to refuse
      return;
    }
    if (!this.peerTrusted(peer)) {
      socket.destroy();
      return;
    }
    const entry = this.track(socket, now);
    let buffered: Buffer | null = null;
    const onClose = (): void => this.forget(entry);
    const onData = (chunk: Buffer): void => {
      buffered = buffered === null ? chunk : Buffer.concat([buffered, chunk]);
      const result = parseProxyHeader(buffered);
      if (result.status === 'needs-more') return;
      socket.pause();
      socket.off('data', onData);
      socket.off('close', onClose);
      this.forget(entry);
      if (result.status === 'error') {
        this.refuseHeader(peer, result.code, result.reason);
        socket.destroy();
        return;
      }
      const rest = buffered.subarray(result.consumed);
      const origin = result.origin ?? undefined;
      if (this.tlsServer !== null) {
        if (rest.length > 0) socket.unshift(rest);
        this.startTls(socket, origin, now);
        return;
      }
      // resume() only schedules the flow (next tick): the Session's listeners are in place by then,
      // and a pause() the Session makes while parsing `rest` still wins.
      socket.resume();
      this.host.open(socket, origin, rest.length > 0 ? rest : undefined);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    // Errors end in 'close'; a listener keeps a reset during the header from being uncaught.
    socket.on('error', () => {});
  }

  // --- TLS ---

  private createTlsServer(options: TlsOptions): tls.Server {
    const server = tls.createServer({
      ...options,
      ALPNProtocols: ['http/1.1'],
      allowHalfOpen: true,
      handshakeTimeout: this.options.timeoutMs,
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      // Half-close is allowed again once the handshake is done (see startTls).
      socket.allowHalfOpen = true;
      const key = peerKey(socket);
      const entry = this.handshaking.get(key);
      if (entry !== undefined) this.forget(entry);
      this.host.open(socket, entry?.origin, undefined);
    });
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      this.host.metrics?.tlsHandshakeError();
      this.host.log.info(`TLS handshake with ${socket.remoteAddress} failed: ${error.code ?? error.message}`);
      const entry = this.handshaking.get(peerKey(socket));
      if (entry !== undefined) this.forget(entry);
      // With a tlsClientError listener, node:tls leaves a timed-out handshake's socket open.
      socket.destroy();
    });
    return server;
  }

  /**
   * Hand the raw socket to node:tls as if its server had accepted it ('connection'): the
   * TLSSocket it makes reads what is buffered on the raw socket first (bytes after a PROXY header).
   */
  private startTls(socket: net.Socket, origin: ProxiedOrigin | undefined, now: number): void {
    const server = this.tlsServer as tls.Server;
    const entry = this.track(socket, now);
    // The TLS server's own handshake timer fires first; this deadline is a backstop.
    entry.deadline += this.options.timeoutMs;
    entry.origin = origin;
    this.handshaking.set(peerKey(socket), entry);
    socket.once('close', () => this.forget(entry));
    // The TLSSocket inherits this. While half-open is allowed, node:tls does not notice a client
    // that hangs up mid-handshake until the handshake timeout; without it, that is ECONNRESET at once.
    socket.allowHalfOpen = false;
    server.emit('connection', socket);
  }
}

/**
 * The owner of a transport while its PROXY header is read. It copies what it receives (the
 * transport may reuse its read buffer), so the bytes past the header are the Session's to keep.
 */
class ProxyHeaderReader implements TransportOwner {
  private buffered: Buffer | null = null;
  private done = false;

  constructor(
    private readonly preamble: ConnectionPreamble,
    readonly transport: Transport,
    readonly entry: Pending,
  ) {
    transport.attach(this);
    transport.startReading();
  }

  onData(chunk: Buffer): void {
    if (this.done) return;
    const buffered = (this.buffered = this.buffered === null ? Buffer.from(chunk) : Buffer.concat([this.buffered, chunk]));
    const result = parseProxyHeader(buffered);
    if (result.status === 'needs-more') return;
    this.done = true;
    // The Session attaches itself (and reads on) from here; the rest of this read is its first input.
    this.preamble.transportHeader(this, result, buffered);
  }

  /** The client half-closed before its header was complete: it can never be. */
  onEnd(): void {
    if (!this.done) this.transport.destroy();
  }

  onDrain(): void {}

  onError(): void {}

  onClose(): void {
    if (this.done) return;
    this.done = true;
    this.preamble.transportHeader(this, null, Buffer.alloc(0));
  }
}
