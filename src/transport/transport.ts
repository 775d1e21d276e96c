import type { Socket } from 'node:net';

// The Transport seam: what a connection (Session) needs from the bytes beneath it, and nothing
// more. Session talks only to this interface, never to net.Socket, so that
//   - net-socket.ts drives a net.Socket / tls.TLSSocket (the portable transport, and TLS);
//   - libuv.ts drives a TCP handle directly (reads into pooled buffers through `onread`, writes
//     with one writev/writeLatin1String per batch), where the runtime offers it;
//   - test/helpers/fake-transport.ts delivers bytes in any split and lets a test decide when
//     writes complete and when the client half-closes or resets.
//
// Contract (every implementation, tested by the shared transport suite):
//   - Events arrive only after attach(), on the owner given there, never re-entrantly from a
//     call the owner makes (write/end/destroy never call back synchronously).
//   - onData's chunk belongs to the owner only for the duration of the call when
//     `readsReuseBuffer` is true: whatever the owner keeps past the call it must copy.
//   - onEnd: the peer half-closed (FIN); reading has stopped; writes still go out.
//   - onClose comes exactly once, last; after it nothing else is emitted and every call is a no-op.
//   - write/writev return false when the transport's buffer is above its high-water mark;
//     onDrain follows once it has emptied. Bytes are queued, never dropped, until close.

/** The owner of a transport: one connection. */
export interface TransportOwner {
  /** Bytes from the peer. See `readsReuseBuffer` for how long `chunk` is valid. */
  onData(chunk: Buffer): void;
  /** The peer sent FIN: no more data will come. */
  onEnd(): void;
  /** Everything queued has been written (only after a write returned false). */
  onDrain(): void;
  /** A socket error (ECONNRESET, EPIPE, ...); onClose follows. `code` is the errno name. */
  onError(code: string): void;
  /** The transport is closed; exactly once, the last event. */
  onClose(): void;
}

export interface Transport {
  /** 'net' or 'libuv' or 'fake': what the startup log line and tests report. */
  readonly kind: string;
  /** True when onData's chunk is reused after the call returns (the owner copies what it keeps). */
  readonly readsReuseBuffer: boolean;
  /** The peer's address and port (read lazily: getpeername is a syscall). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** TLS connection. */
  readonly encrypted: boolean;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** A write returned false and onDrain has not come yet. */
  readonly needsDrain: boolean;
  /** Start delivering events to `owner`. Reading starts paused: call startReading(). */
  attach(owner: TransportOwner): void;
  startReading(): void;
  stopReading(): void;
  /** Queue a latin1 string or bytes. */
  write(data: string | Uint8Array): boolean;
  /** Queue several pieces as one write (one syscall where the transport can). */
  writev(pieces: readonly Uint8Array[]): boolean;
  /** Half-close once everything queued is written (FIN). Reading goes on until the peer closes. */
  end(): void;
  /**
   * After end(): close as soon as our FIN is out instead of when the peer's arrives (its
   * request said it sends nothing more). Optional: without it the owner lingers until the peer's
   * FIN or its deadline.
   */
  closeWhenFlushed?(): void;
  /** Close at once, dropping what is queued. */
  destroy(): void;
  /**
   * Hand the connection over as a net.Socket (an accepted Upgrade or CONNECT): paused, with
   * none of the owner's listeners. After it the transport emits nothing and every call is a no-op.
   */
  takeOver(): Socket;
}
