// The libuv transport: a connection driven on its libuv TCP handle, beneath net.Socket's stream
// layer. THE ONE FILE THAT USES UNDOCUMENTED NODE.JS INTERNALS:
//   - process.binding('tcp_wrap'):    TCP (server and client handles: bind/bind6/listen/onconnection,
//                                      readStart/readStop, getpeername, setNoDelay, close)
//   - process.binding('stream_wrap'): WriteWrap, ShutdownWrap, streamBaseState and its indices
//   - net.Socket's `_handle` (tier 2 only) and `new net.Socket({ handle })` (takeOver)
// This is how lib/net.js and lib/internal/stream_base_commons.js drive the same handles. Nothing
// here is used before libuv-probe.ts has checked, on a loopback pair, that it exists and behaves;
// otherwise the server runs on the net transport. process.binding is DEP0111 (documentation-only):
// it prints nothing unless --pending-deprecation, which loadBindings() detects and refuses.
//
// Tiers (what `libuvTier()` reports):
//   'handles': tcp_wrap TCP server handle; accepted connections never become net.Sockets.
//   'sockets': a net.Server (pauseOnConnect) accepts; each net.Socket's handle is driven directly.
//   null:      use the net transport (reason in the probe result).
import net from 'node:net';
import { isIPv6 } from 'node:net';
import { getDefaultHighWaterMark } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import type { Transport, TransportOwner } from './transport.js';

// --- the bindings ---------------------------------------------------------------------------

interface WriteReq {
  oncomplete: (this: WriteReq, status: number) => void;
  owner: LibuvTransport | null;
  bytes: number;
  /** Keeps the written buffers alive while libuv holds pointers into them. */
  data: unknown;
}

interface ShutdownReq {
  oncomplete: (this: ShutdownReq, status: number) => void;
  owner: LibuvTransport | null;
}

interface PeerName {
  address?: string;
  port?: number;
  family?: string;
}

/** The methods of a tcp_wrap TCP handle this file calls (see src/tcp_wrap.cc, stream_wrap.cc). */
interface TcpHandle {
  /** An accessor: assigning anything but a function aborts the process (CHECK in base_object-inl.h). */
  onread: (this: TcpHandle, arrayBuffer: ArrayBuffer | undefined) => unknown;
  reading?: boolean;
  readStart(): number;
  readStop(): number;
  useUserBuffer(buffer: Uint8Array): void;
  writeBuffer(req: WriteReq, data: Uint8Array): number;
  writeLatin1String(req: WriteReq, data: string): number;
  writev(req: WriteReq, chunks: readonly Uint8Array[], allBuffers: boolean): number;
  shutdown(req: ShutdownReq): number;
  close(callback?: (this: TcpHandle) => void): void;
  getpeername(out: PeerName): number;
  getsockname(out: PeerName): number;
  setNoDelay(on: boolean): number;
  [OWNER]?: LibuvTransport | LibuvListener | null;
}

interface TcpServerHandle {
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  getsockname(out: PeerName): number;
  close(callback?: (this: TcpServerHandle) => void): void;
  onconnection: ((this: TcpServerHandle, err: number, client: TcpHandle | undefined) => void) | null;
  [OWNER]?: LibuvListener;
}

interface Bindings {
  /** null: tcp_wrap is missing or incomplete (tier 'sockets' at best). */
  TCP: (new (type: number) => TcpServerHandle) | null;
  tcpServerType: number;
  WriteWrap: new () => WriteReq;
  ShutdownWrap: new () => ShutdownReq;
  state: Int32Array;
  kReadBytesOrError: number;
  /** Where a read landed in the ArrayBuffer Node allocated for it (tier 'sockets'). */
  kArrayBufferOffset: number;
  kBytesWritten: number;
  kLastWriteWasAsync: number;
}

export type BindingLoader = (name: string) => unknown;
export type LibuvTier = 'handles' | 'sockets';

const OWNER = Symbol('brisk.libuv.owner');
/** Whether accepted sockets inherit TCP_NODELAY from the listening socket (Linux does). */
const INHERITS_NODELAY = process.platform === 'linux';
const STREAM_METHODS = ['readStart', 'readStop', 'useUserBuffer', 'writeBuffer', 'writeLatin1String', 'writev', 'shutdown', 'close', 'getpeername', 'getsockname', 'setNoDelay'] as const;
const SERVER_METHODS = ['bind', 'bind6', 'listen', 'getsockname', 'close'] as const;
/** libuv's UV_EOF (the same on every platform); the probe checks getSystemErrorName agrees. */
export const UV_EOF = -4095;

let B: Bindings | null = null;

/** process.binding, absent from @types/node (it is deprecated). */
function processBinding(): ((name: string) => unknown) | undefined {
  const binding = (process as unknown as { binding?: unknown }).binding;
  return typeof binding === 'function' ? (binding as (name: string) => unknown) : undefined;
}

/**
 * Why calling process.binding now would print something, or null. Under --pending-deprecation
 * (flag, NODE_OPTIONS or NODE_PENDING_DEPRECATION=1) Node wraps process.binding in
 * util.deprecate, which prints DEP0111 on the first call (and throws with --throw-deprecation).
 * We fall back rather than suppress the warning: whoever asked for pending deprecations asked
 * to hear about exactly this. --no-deprecation silences it, so then the bindings are used.
 */
export function deprecationConflict(): string | null {
  if (process.noDeprecation === true) return null;
  const binding = processBinding();
  const wrapped = binding !== undefined && binding.name !== 'binding';
  const flagged =
    process.execArgv.includes('--pending-deprecation') ||
    (process.env.NODE_OPTIONS ?? '').includes('--pending-deprecation') ||
    process.env.NODE_PENDING_DEPRECATION === '1';
  return wrapped || flagged ? 'process.binding() would print DEP0111 under --pending-deprecation' : null;
}

/**
 * Runs `load` with any warning about process.binding held back: a Node line that made one of
 * our bindings runtime-deprecated would print it, and the promise is that nothing is printed.
 * Such a warning means "fall back" (the caller's reason), not "suppress and go on".
 */
function quietly<T>(load: () => T): { value: T; warning: string | null } {
  const emitWarning = process.emitWarning;
  let warning: string | null = null;
  process.emitWarning = function (this: unknown, w: string | Error, ...rest: unknown[]): void {
    const message = typeof w === 'string' ? w : w?.message;
    if (typeof message === 'string' && message.includes('process.binding')) {
      warning ??= message;
      return;
    }
    return (emitWarning as (...args: unknown[]) => void).call(process, w, ...rest);
  } as typeof process.emitWarning;
  try {
    return { value: load(), warning };
  } finally {
    process.emitWarning = emitWarning;
  }
}

function hasMethods(proto: unknown, names: readonly string[]): string | null {
  if (proto === null || typeof proto !== 'object') return 'no prototype';
  for (const name of names) if (typeof (proto as Record<string, unknown>)[name] !== 'function') return `no ${name}()`;
  return null;
}

/**
 * Loads and shape-checks the bindings (`binding` replaces process.binding, for tests).
 * Returns the tier they allow or the reason there is none; does not install them.
 */
export function loadBindings(binding?: BindingLoader): { bindings: Bindings; tier: LibuvTier } | { reason: string } {
  if (binding === undefined) {
    const conflict = deprecationConflict();
    if (conflict !== null) return { reason: conflict };
    const real = processBinding();
    if (real === undefined) return { reason: 'process.binding is not available' };
    const loaded = quietly(() => loadBindings((name) => real.call(process, name)));
    return loaded.warning === null ? loaded.value : { reason: `process.binding() warned: ${loaded.warning}` };
  }
  let sw: Record<string, unknown>;
  try {
    sw = binding('stream_wrap') as Record<string, unknown>;
  } catch (error) {
    return { reason: `process.binding('stream_wrap'): ${(error as Error).message}` };
  }
  const state = sw?.streamBaseState;
  const indices = ['kReadBytesOrError', 'kArrayBufferOffset', 'kBytesWritten', 'kLastWriteWasAsync'].map((k) => sw?.[k]);
  if (typeof sw?.WriteWrap !== 'function' || typeof sw.ShutdownWrap !== 'function') return { reason: "stream_wrap has no WriteWrap/ShutdownWrap" };
  if (!(state instanceof Int32Array) || !indices.every((i) => typeof i === 'number' && i >= 0 && i < state.length)) {
    return { reason: 'stream_wrap has no usable streamBaseState' };
  }
  const bindings: Bindings = {
    TCP: null,
    tcpServerType: 1,
    WriteWrap: sw.WriteWrap as Bindings['WriteWrap'],
    ShutdownWrap: sw.ShutdownWrap as Bindings['ShutdownWrap'],
    state,
    kReadBytesOrError: indices[0] as number,
    kArrayBufferOffset: indices[1] as number,
    kBytesWritten: indices[2] as number,
    kLastWriteWasAsync: indices[3] as number,
  };
  try {
    const tcp = binding('tcp_wrap') as { TCP?: { prototype: unknown }; constants?: { SERVER?: number } };
    const problem = typeof tcp?.TCP !== 'function' ? 'no TCP' : hasMethods(tcp.TCP.prototype, [...STREAM_METHODS, ...SERVER_METHODS]);
    if (problem === null && typeof tcp.constants?.SERVER === 'number') {
      bindings.TCP = tcp.TCP as unknown as Bindings['TCP'];
      bindings.tcpServerType = tcp.constants.SERVER;
    }
  } catch {
    // tier 'sockets' at best
  }
  return { bindings, tier: bindings.TCP !== null ? 'handles' : 'sockets' };
}

let activeTier: LibuvTier | null = null;

/** Install checked bindings (libuv-probe.ts does, after loadBindings and before its self-test). */
export function installBindings(bindings: Bindings, tier: LibuvTier): void {
  B = bindings;
  activeTier = tier;
}

/** The tier installed, or null when the libuv transport must not be used. */
export function libuvTier(): LibuvTier | null {
  return activeTier;
}

/**
 * No new listeners from now on (a failed probe). The bindings themselves stay for connections
 * already open on them (tests probe several times in one process).
 */
export function uninstallBindings(): void {
  activeTier = null;
}

function bindings(): Bindings {
  if (B === null) throw new Error('libuv transport: bindings not installed (run probeLibuvTransport first)');
  return B;
}

// --- the transport --------------------------------------------------------------------------

/**
 * One read buffer for every connection of the 'handles' tier: reads are delivered one at a
 * time on this thread and the owner copies what it keeps (readsReuseBuffer). 64 KiB is what
 * libuv suggests per read and what Node allocates for each read of a net.Socket.
 */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
const READ_ARRAY_BUFFER = READ_BUFFER.buffer;

/**
 * Views of READ_BUFFER by length, made once: a read of n bytes is handed over as views[n]
 * rather than a new subarray. Sharing the view is no different from sharing the memory, which
 * every read already does (readsReuseBuffer). Reads up to VIEW_CACHE_LIMIT bytes (request heads,
 * one keep-alive request per read) are cached; larger ones get their own view.
 */
const VIEW_CACHE_LIMIT = 4096;
const READ_VIEWS: (Buffer | undefined)[] = new Array(VIEW_CACHE_LIMIT + 1).fill(undefined);

function readView(n: number): Buffer {
  if (n > VIEW_CACHE_LIMIT) return READ_BUFFER.subarray(0, n);
  return (READ_VIEWS[n] ??= READ_BUFFER.subarray(0, n));
}

/**
 * Bytes in flight (written but not yet taken by the kernel) above which write() returns false.
 * The same as the net transport on this Node line (stream's default: 16 KiB on 20, 64 KiB from
 * 22), so backpressure does not change with the transport.
 */
const HIGH_WATER_MARK = getDefaultHighWaterMark(false);

/** A WriteWrap for the next write: writes that complete at once never bind it, so it is reused. */
let spareReq: WriteReq | null = null;

function takeReq(): WriteReq {
  const req = spareReq ?? newWriteReq();
  spareReq = req;
  return req;
}

function newWriteReq(): WriteReq {
  const req = new (bindings().WriteWrap)();
  req.oncomplete = onWriteComplete;
  req.owner = null;
  req.bytes = 0;
  req.data = null;
  return req;
}

function onWriteComplete(this: WriteReq, status: number): void {
  const owner = this.owner;
  this.owner = null;
  this.data = null;
  owner?.writeDone(this.bytes, status);
}

function onShutdownComplete(this: ShutdownReq, status: number): void {
  const owner = this.owner;
  this.owner = null;
  owner?.shutdownDone(status);
}

function onHandleRead(this: TcpHandle, arrayBuffer: ArrayBuffer | undefined): undefined {
  const t = this[OWNER];
  if (t instanceof LibuvTransport) t.read(B!.state[B!.kReadBytesOrError] as number, arrayBuffer);
  return undefined;
}

function onHandleClose(this: TcpHandle): void {
  const t = this[OWNER];
  this[OWNER] = null;
  if (t instanceof LibuvTransport) t.closed();
}

function onSocketClose(this: net.Socket): void {
  const t = (this as net.Socket & { [OWNER]?: LibuvTransport })[OWNER];
  if (t !== undefined) t.closed();
}

function emitFailure(t: LibuvTransport, code: string): void {
  t.fail(code);
}

function ignore(): void {}

/** Flags of LibuvTransport.flags. */
const enum F {
  Reading = 1,
  Eof = 2,
  Ending = 4,
  ShutdownDone = 8,
  Closing = 16,
  Closed = 32,
  TakenOver = 64,
  /** closeWhenFlushed(): close at our FIN's completion rather than at the peer's. */
  CloseAtShutdown = 128,
}

export class LibuvTransport implements Transport {
  bytesRead = 0;
  bytesWritten = 0;
  needsDrain = false;
  private owner: TransportOwner | null = null;
  private flags = 0;
  /** Bytes of writes libuv has queued (not yet taken by the kernel). */
  private inFlight = 0;
  private peer: PeerName | null = null;

  /**
   * `socket` (tier 'sockets'): the net.Socket the handle belongs to, which is destroyed to close
   * it (so net.Server counts it gone). `listener` hears when the connection closes.
   */
  constructor(
    private readonly handle: TcpHandle,
    private readonly socket: net.Socket | null,
    private readonly listener: LibuvListener | null,
  ) {
    handle[OWNER] = this;
    handle.onread = onHandleRead;
    if (socket === null) handle.useUserBuffer(READ_BUFFER);
    else {
      (socket as net.Socket & { [OWNER]?: LibuvTransport })[OWNER] = this;
      socket.on('close', onSocketClose);
      socket.on('error', ignore);
    }
    if (listener === null || !(listener as { inheritsNoDelay?: boolean }).inheritsNoDelay) handle.setNoDelay(true);
  }

  // Getters, not fields: an idle connection carries only what differs between connections.
  get kind(): string {
    return 'libuv';
  }

  get encrypted(): boolean {
    return false;
  }

  /**
   * Our own handles read into READ_BUFFER, shared by all; a net.Socket's handle (tier 'sockets')
   * keeps Node's allocator (a fresh buffer per read), so that takeOver() can give the socket
   * back with net's own onread.
   */
  get readsReuseBuffer(): boolean {
    return this.socket === null;
  }

  get remoteAddress(): string {
    return this.peerName().address ?? '';
  }

  get remotePort(): number {
    return this.peerName().port ?? 0;
  }

  private peerName(): PeerName {
    if (this.peer === null) {
      const out: PeerName = {};
      if ((this.flags & F.Closing) === 0) this.handle.getpeername(out);
      if ((this.flags & F.Closing) !== 0 || out.address !== undefined) this.peer = out;
      return out;
    }
    return this.peer;
  }

  attach(owner: TransportOwner): void {
    this.owner = owner;
  }

  startReading(): void {
    if ((this.flags & (F.Reading | F.Eof | F.Closing)) !== 0) return;
    this.flags |= F.Reading;
    const err = this.handle.readStart();
    if (err !== 0) this.failSoon(err);
  }

  stopReading(): void {
    if ((this.flags & F.Reading) === 0) return;
    this.flags &= ~F.Reading;
    if ((this.flags & F.Closing) === 0) this.handle.readStop();
  }

  /** The handle's onread: `nread` bytes (or an error / EOF). */
  read(nread: number, arrayBuffer: ArrayBuffer | undefined): void {
    const owner = this.owner;
    if (owner === null || (this.flags & F.Closing) !== 0) return;
    if (nread > 0) {
      this.bytesRead += nread;
      if (this.socket === null) owner.onData(readView(nread));
      else owner.onData(Buffer.from(arrayBuffer as ArrayBuffer, B!.state[B!.kArrayBufferOffset], nread));
      return;
    }
    if (nread === 0) return; // EAGAIN
    if (nread === UV_EOF) {
      this.stopReading();
      this.flags |= F.Eof;
      owner.onEnd();
      if ((this.flags & F.ShutdownDone) !== 0) this.closeHandle();
      return;
    }
    this.fail(getSystemErrorName(nread));
  }

  write(data: string | Uint8Array): boolean {
    if ((this.flags & (F.Ending | F.Closing)) !== 0) return false;
    if (data.length === 0) return !this.needsDrain;
    const req = takeReq();
    let err: number;
    if (typeof data === 'string') err = this.handle.writeLatin1String(req, data);
    else {
      // A view of the shared read buffer would be overwritten by the next read while libuv still points at it.
      if (data.buffer === READ_ARRAY_BUFFER) data = Buffer.from(data);
      err = this.handle.writeBuffer(req, data);
    }
    return this.dispatched(req, err, data);
  }

  writev(pieces: readonly Uint8Array[]): boolean {
    if (pieces.length === 1) return this.write(pieces[0] as Uint8Array);
    if ((this.flags & (F.Ending | F.Closing)) !== 0) return false;
    if (pieces.length === 0) return !this.needsDrain;
    let list = pieces;
    for (let i = 0; i < pieces.length; i++) {
      if ((pieces[i] as Uint8Array).buffer === READ_ARRAY_BUFFER) {
        list = pieces.map((p) => (p.buffer === READ_ARRAY_BUFFER ? Buffer.from(p) : p));
        break;
      }
    }
    const req = takeReq();
    return this.dispatched(req, this.handle.writev(req, list, true), list);
  }

  /** After a write call: count it; an asynchronous one binds its WriteWrap until oncomplete. */
  private dispatched(req: WriteReq, err: number, data: unknown): boolean {
    const b = B as Bindings;
    const bytes = b.state[b.kBytesWritten] as number;
    this.bytesWritten += bytes;
    if (err !== 0) {
      this.failSoon(err);
      return false;
    }
    if (b.state[b.kLastWriteWasAsync] !== 0) {
      spareReq = null;
      req.owner = this;
      req.bytes = bytes;
      // The caller may reuse its array of pieces; the buffers must outlive the write.
      req.data = Array.isArray(data) ? data.slice() : data;
      this.inFlight += bytes;
      if (this.inFlight >= HIGH_WATER_MARK) this.needsDrain = true;
    }
    return !this.needsDrain;
  }

  /** A WriteWrap completed (asynchronous writes only). */
  writeDone(bytes: number, status: number): void {
    if ((this.flags & F.Closing) !== 0) return;
    this.inFlight -= bytes;
    if (status < 0) return this.fail(getSystemErrorName(status));
    if (this.inFlight === 0 && this.needsDrain) {
      this.needsDrain = false;
      this.owner?.onDrain();
    }
  }

  end(): void {
    if ((this.flags & (F.Ending | F.Closing)) !== 0) return;
    this.flags |= F.Ending;
    const req = new (bindings().ShutdownWrap)();
    req.oncomplete = onShutdownComplete;
    req.owner = this;
    const err = this.handle.shutdown(req);
    // 1: completed synchronously; ENOTCONN: the peer is gone already (net treats both as done).
    if (err === 1 || (err < 0 && getSystemErrorName(err) === 'ENOTCONN')) {
      req.owner = null;
      process.nextTick(shutdownSoon, this);
    } else if (err !== 0) {
      req.owner = null;
      this.failSoon(err);
    }
  }

  /** The FIN went out after every queued write. */
  shutdownDone(status: number): void {
    if ((this.flags & F.Closing) !== 0) return;
    this.flags |= F.ShutdownDone;
    if (status < 0 && getSystemErrorName(status) !== 'ENOTCONN') return this.fail(getSystemErrorName(status));
    if ((this.flags & (F.Eof | F.CloseAtShutdown)) !== 0) this.closeHandle();
  }

  closeWhenFlushed(): void {
    if ((this.flags & F.Ending) === 0 || (this.flags & F.Closing) !== 0) return;
    if ((this.flags & F.ShutdownDone) !== 0) this.closeHandle();
    else this.flags |= F.CloseAtShutdown;
  }

  destroy(): void {
    this.closeHandle();
  }

  /** A libuv error: onError, then the close. */
  fail(code: string): void {
    if ((this.flags & F.Closing) !== 0) return;
    this.owner?.onError(code);
    this.closeHandle();
  }

  /** An error from a call the owner made: reported on the next tick, never re-entrantly. */
  private failSoon(err: number): void {
    process.nextTick(emitFailure, this, getSystemErrorName(err));
  }

  private closeHandle(): void {
    if ((this.flags & F.Closing) !== 0) return;
    this.flags |= F.Closing;
    this.flags &= ~F.Reading;
    this.needsDrain = false;
    if (this.socket !== null) this.socket.destroy();
    else this.handle.close(onHandleClose);
  }

  /** The handle is closed: onClose, once. */
  closed(): void {
    if ((this.flags & (F.Closed | F.TakenOver)) !== 0) return;
    this.flags |= F.Closed | F.Closing;
    const owner = this.owner;
    this.owner = null;
    this.listener?.connectionClosed();
    owner?.onClose();
  }

  takeOver(): net.Socket {
    if ((this.flags & F.Closing) !== 0) throw new Error('takeOver: the connection is closed');
    this.stopReading();
    this.flags |= F.Closing | F.TakenOver;
    this.owner = null;
    this.listener?.connectionClosed();
    const handle = this.handle;
    handle[OWNER] = null;
    handle.reading = false;
    if (this.socket !== null) {
      const socket = this.socket;
      socket.off('close', onSocketClose);
      socket.off('error', ignore);
      (socket as net.Socket & { [OWNER]?: LibuvTransport })[OWNER] = undefined;
      handle.onread = netOnRead as TcpHandle['onread'];
      socket.pause();
      return socket;
    }
    // Our user buffer stays installed on the handle (it cannot be removed from JavaScript), so the
    // new socket reads through net's documented `onread` option: each read is copied out of the
    // shared buffer and pushed, which keeps the Readable's flow control (push() false → readStop).
    // (onread is an accessor that aborts the process unless given a function.)
    handle.onread = ignore;
    const options = {
      handle,
      allowHalfOpen: true,
      readable: true,
      writable: true,
      pauseOnCreate: true,
      onread: { buffer: READ_BUFFER, callback: pushCopy },
    } as unknown as net.SocketConstructorOpts;
    return new net.Socket(options);
  }
}

function shutdownSoon(t: LibuvTransport): void {
  t.shutdownDone(0);
}

/** net's onread for taken-over sockets of tier 'sockets' (saved from the first handle seen). */
let netOnRead: unknown = null;

function pushCopy(this: net.Socket, nread: number, buffer: Buffer): boolean {
  return this.push(Buffer.from(buffer.subarray(0, nread)));
}

// --- listeners ------------------------------------------------------------------------------

export interface LibuvListenerOptions {
  host: string;
  port: number;
  /** listen(2) backlog; net's default. */
  backlog?: number;
  /** Open connections beyond which new ones are closed at once (Infinity: no limit). */
  maxConnections?: number;
  /** Asked before each accept; false closes the connection at once (shutdown, the server's own limit). */
  admit?: () => boolean;
  /** A new connection, not reading yet: attach an owner and startReading(). */
  onConnection(transport: LibuvTransport): void;
  /** An accept error (EMFILE, ...): the listener keeps listening. */
  onError?(code: string): void;
  /**
   * 'sockets' even where 'handles' is available: a cluster worker must listen through net.Server
   * (cluster hands it the connections), and a bare TCP handle would bypass that.
   */
  tier?: LibuvTier;
}

export interface LibuvListener {
  readonly tier: LibuvTier;
  /** Connections accepted and not yet closed or taken over. */
  readonly connections: number;
  /** Connections closed at once by maxConnections or admit(). */
  readonly refused: number;
  listen(): Promise<{ host: string; port: number }>;
  address(): { host: string; port: number } | null;
  /** Stop accepting; resolves once the port is closed. Open connections are the owner's to close. */
  close(): Promise<void>;
  /** @internal a transport of this listener closed or was taken over. */
  connectionClosed(): void;
}

/** A listener on the installed tier. */
export function createLibuvListener(options: LibuvListenerOptions): LibuvListener {
  const installed = libuvTier();
  const tier = installed === null ? null : options.tier === 'sockets' ? 'sockets' : installed;
  if (tier === 'handles') return new HandleListener(options);
  if (tier === 'sockets') return new SocketListener(options);
  throw new Error('libuv transport: not available (use the net transport)');
}

abstract class ListenerBase {
  connections = 0;
  refused = 0;
  protected closing = false;
  constructor(protected readonly options: LibuvListenerOptions) {}

  /** Whether to take a new connection (counts a refusal otherwise). */
  protected admits(): boolean {
    const o = this.options;
    if (this.closing || this.connections >= (o.maxConnections ?? Infinity) || (o.admit !== undefined && !o.admit())) {
      this.refused++;
      return false;
    }
    return true;
  }

  protected accepted(handle: TcpHandle, socket: net.Socket | null): void {
    this.connections++;
    this.options.onConnection(new LibuvTransport(handle, socket, this as unknown as LibuvListener));
  }

  connectionClosed(): void {
    this.connections--;
  }
}

function onServerConnection(this: TcpServerHandle, err: number, client: TcpHandle | undefined): void {
  (this[OWNER] as unknown as HandleListener).incoming(err, client);
}

function onServerClose(this: TcpServerHandle): void {
  (this[OWNER] as unknown as HandleListener).serverClosed();
}

/** Tier 'handles': a tcp_wrap server handle; accepted connections are bare TCP handles. */
class HandleListener extends ListenerBase implements LibuvListener {
  readonly tier = 'handles' as const;
  /** Accepted sockets have TCP_NODELAY already (set on the listening socket, Linux). */
  inheritsNoDelay = false;
  private server: TcpServerHandle | null = null;
  private bound: { host: string; port: number } | null = null;
  private closed: Promise<void> | null = null;
  private resolveClosed: (() => void) | null = null;

  async listen(): Promise<{ host: string; port: number }> {
    const b = bindings();
    const { host, port } = this.options;
    const address = net.isIP(host) !== 0 ? host : (await import('node:dns')).promises.lookup(host).then((r) => r.address);
    const ip = await address;
    const server = new (b.TCP as NonNullable<Bindings['TCP']>)(b.tcpServerType);
    let err = isIPv6(ip) ? server.bind6(ip, port, 0) : server.bind(ip, port);
    if (err === 0) err = server.listen(this.options.backlog ?? 511);
    // Linux copies TCP_NODELAY from the listening socket to every socket accept() returns: one
    // setsockopt here instead of one per connection (measured: setNoDelay was 7.7% of the busy
    // CPU of a Connection: close run, Node 26). Elsewhere each connection sets it.
    if (err === 0 && INHERITS_NODELAY) this.inheritsNoDelay = (server as unknown as TcpHandle).setNoDelay(true) === 0;
    if (err !== 0) {
      server.close();
      const code = getSystemErrorName(err);
      throw Object.assign(new Error(`listen ${code} ${ip}:${port}`), { code, syscall: 'listen', address: ip, port });
    }
    server[OWNER] = this as unknown as LibuvListener;
    server.onconnection = onServerConnection;
    this.server = server;
    const out: PeerName = {};
    server.getsockname(out);
    this.bound = { host: out.address ?? ip, port: out.port ?? port };
    return this.bound;
  }

  incoming(err: number, client: TcpHandle | undefined): void {
    if (err !== 0 || client === undefined) {
      this.options.onError?.(getSystemErrorName(err));
      return;
    }
    if (!this.admits()) {
      client.close();
      return;
    }
    this.accepted(client, null);
  }

  address(): { host: string; port: number } | null {
    return this.server === null ? null : this.bound;
  }

  close(): Promise<void> {
    if (this.closed !== null) return this.closed;
    this.closing = true;
    const server = this.server;
    if (server === null) return (this.closed = Promise.resolve());
    this.closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
    server.onconnection = ignoreConnection;
    server.close(onServerClose);
    return this.closed;
  }

  serverClosed(): void {
    this.server = null;
    this.resolveClosed?.();
  }
}

/** Tier 'sockets': net.Server accepts (paused); each socket's handle is driven directly. */
class SocketListener extends ListenerBase implements LibuvListener {
  readonly tier = 'sockets' as const;
  private readonly server: net.Server;

  constructor(options: LibuvListenerOptions) {
    super(options);
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.incoming(socket));
    // net refuses past maxConnections itself, before it makes a net.Socket.
    if (options.maxConnections !== undefined && Number.isFinite(options.maxConnections)) this.server.maxConnections = options.maxConnections;
    this.server.on('drop', () => this.refused++);
    this.server.on('error', (error: NodeJS.ErrnoException) => options.onError?.(error.code ?? error.message));
  }

  private incoming(socket: net.Socket): void {
    const handle = (socket as unknown as { _handle?: TcpHandle | null })._handle;
    if (handle === null || handle === undefined || hasMethods(handle, STREAM_METHODS) !== null || !this.admits()) {
      socket.destroy();
      return;
    }
    netOnRead ??= handle.onread;
    this.accepted(handle, socket);
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port, backlog: this.options.backlog ?? 511 }, () => {
        this.server.off('error', reject);
        resolve(this.address() as { host: string; port: number });
      });
    });
  }

  address(): { host: string; port: number } | null {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  close(): Promise<void> {
    this.closing = true;
    // net.Server.close's callback waits for its sockets, which are the owner's to close: the
    // port is closed synchronously here, the handle's close completes on the next turn.
    if (this.server.listening) this.server.close();
    return new Promise((resolve) => setImmediate(resolve));
  }
}

function ignoreConnection(this: TcpServerHandle, _err: number, client: TcpHandle | undefined): void {
  client?.close();
}
