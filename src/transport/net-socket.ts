// The portable Transport: a net.Socket (or a tls.TLSSocket, which is one) behind the seam
// Session talks to. One object per connection and no closures: the socket's listeners are shared
// by every socket and find their transport on the socket itself (measured with Session, when it
// still listened to sockets itself: five closures per connection were a visible part of an idle connection's RSS
// and of the garbage per connection under Connection: close).
import type { Socket } from 'node:net';
import type { Transport, TransportOwner } from './transport.js';

const TRANSPORT = Symbol('brisk.netSocketTransport');

interface OwnedSocket extends Socket {
  [TRANSPORT]?: NetSocketTransport;
}

function transportOf(socket: Socket): NetSocketTransport {
  return (socket as OwnedSocket)[TRANSPORT] as NetSocketTransport;
}

const LISTENERS: readonly (readonly [string, (this: Socket, ...args: any[]) => void])[] = [
  ['data', function (this: Socket, chunk: Buffer) { transportOf(this).emitData(chunk); }],
  ['end', function (this: Socket) { transportOf(this).emitEnd(); }],
  ['drain', function (this: Socket) { transportOf(this).emitDrain(); }],
  ['error', function (this: Socket, err: NodeJS.ErrnoException) { transportOf(this).emitError(err); }],
  ['close', function (this: Socket) { transportOf(this).emitClose(); }],
];

/** An owner that hears nothing: before attach() and after close or takeOver(). */
const DEAF: TransportOwner = {
  onData() {},
  onEnd() {},
  onDrain() {},
  onError() {},
  onClose() {},
};

export class NetSocketTransport implements Transport {
  readonly kind = 'net';
  /** Node hands every read its own Buffer. */
  readonly readsReuseBuffer = false;
  private owner: TransportOwner = DEAF;
  /** Closed or taken over: every call is a no-op, no event is delivered. */
  private done = false;
  /** end() was called: later writes are refused (the contract), not handed to a socket that would destroy itself. */
  private ended = false;

  constructor(private readonly socket: Socket) {}

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  get encrypted(): boolean {
    return (this.socket as { encrypted?: boolean }).encrypted === true;
  }

  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.socket.bytesWritten;
  }

  get needsDrain(): boolean {
    return !this.done && this.socket.writableNeedDrain;
  }

  attach(owner: TransportOwner): void {
    const socket = this.socket;
    this.owner = owner;
    // Paused before the 'data' listener goes on, so that adding it does not start the flow.
    socket.pause();
    (socket as OwnedSocket)[TRANSPORT] = this;
    for (const [event, listener] of LISTENERS) socket.on(event, listener);
  }

  startReading(): void {
    if (!this.done) this.socket.resume();
  }

  stopReading(): void {
    if (!this.done) this.socket.pause();
  }

  write(data: string | Uint8Array): boolean {
    // After end() a net.Socket errors on a write and destroys itself, dropping the queued bytes.
    if (this.done || this.ended) return false;
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  writev(pieces: readonly Uint8Array[]): boolean {
    if (this.done || this.ended) return false;
    const socket = this.socket;
    if (pieces.length === 1) return socket.write(pieces[0]!);
    socket.cork();
    let ok = true;
    for (const piece of pieces) ok = socket.write(piece);
    socket.uncork();
    return ok;
  }

  end(): void {
    if (this.done || this.ended) return;
    this.ended = true;
    this.socket.end();
  }

  destroy(): void {
    if (!this.done) this.socket.destroy();
  }

  closeWhenFlushed(): void {
    if (this.done || !this.ended) return;
    // allowHalfOpen keeps the socket open after 'finish' until the peer's FIN: close it then
    // ourselves, as node:http does after a last response. A shared listener, no closure.
    if (this.socket.writableFinished) this.socket.destroy();
    else this.socket.on('finish', destroyOnFinish);
  }

  /**
   * Exactly the listeners attach() added come off. An 'error' before the new owner listens must
   * not be unhandled (it would end the process), so one that ignores it stays.
   */
  takeOver(): Socket {
    const socket = this.socket;
    if (this.done) return socket;
    this.done = true;
    this.owner = DEAF;
    for (const [event, listener] of LISTENERS) socket.off(event, listener);
    (socket as OwnedSocket)[TRANSPORT] = undefined;
    socket.on('error', ignoreError);
    socket.pause();
    return socket;
  }

  // --- the shared listeners' way in ---

  emitData(chunk: Buffer): void {
    this.owner.onData(chunk);
  }

  emitEnd(): void {
    this.owner.onEnd();
  }

  emitDrain(): void {
    this.owner.onDrain();
  }

  emitError(err: NodeJS.ErrnoException): void {
    this.owner.onError(err.code ?? 'ERR_SOCKET');
  }

  emitClose(): void {
    const owner = this.owner;
    this.done = true;
    this.owner = DEAF;
    owner.onClose();
  }
}

function ignoreError(): void {}

function destroyOnFinish(this: Socket): void {
  this.destroy();
}
