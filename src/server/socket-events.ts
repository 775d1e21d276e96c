// A socket's events delivered to the object that owns it, with no closures per connection:
// the listeners are shared by every socket and find their owner on the socket itself.
// Measured with Session: five closures per connection were a visible part of the RSS of an
// idle connection and of the allocation (GC) per connection under Connection: close.
import type { Socket } from 'node:net';

/** What a socket's owner hears. */
export interface SocketOwner {
  onData(chunk: Buffer): void;
  /** The client sent FIN. */
  onEnd(): void;
  onDrain(): void;
  /** 'close' follows. */
  onSocketError(err: NodeJS.ErrnoException): void;
  onClose(): void;
}

const OWNER = Symbol('brisk.socketOwner');

interface OwnedSocket extends Socket {
  [OWNER]?: SocketOwner;
}

function ownerOf(socket: Socket): SocketOwner {
  return (socket as OwnedSocket)[OWNER] as SocketOwner;
}

const LISTENERS: readonly (readonly [string, (this: Socket, ...args: any[]) => void])[] = [
  ['data', function (this: Socket, chunk: Buffer) { ownerOf(this).onData(chunk); }],
  ['end', function (this: Socket) { ownerOf(this).onEnd(); }],
  ['drain', function (this: Socket) { ownerOf(this).onDrain(); }],
  ['error', function (this: Socket, err: NodeJS.ErrnoException) { ownerOf(this).onSocketError(err); }],
  ['close', function (this: Socket) { ownerOf(this).onClose(); }],
];

/** From now on `owner` hears `socket`'s events. */
export function attachSocket(socket: Socket, owner: SocketOwner): void {
  (socket as OwnedSocket)[OWNER] = owner;
  for (const [event, listener] of LISTENERS) socket.on(event, listener);
}

/**
 * Removes exactly the listeners attachSocket added (the socket is being handed to someone else).
 * An 'error' until the new owner listens must not be unhandled (it would end the process), so
 * one that ignores it stays.
 */
export function detachSocket(socket: Socket): void {
  for (const [event, listener] of LISTENERS) socket.off(event, listener);
  (socket as OwnedSocket)[OWNER] = undefined;
  socket.on('error', ignoreError);
}

function ignoreError(): void {}
