// FakeTransport: a Transport with no socket under it, driven by the test. The test decides
//   - how the client's bytes arrive: in any split (`receive(data, offsets)`), delivered while the
//     owner reads, by pump() — called by the test, or on a microtask when `autoPump` is on;
//   - when writes complete: at once (`autoComplete`), or when the test calls completeWrites(),
//     with `needsDrain` / onDrain as a net.Socket has them around a high-water mark;
//   - when the client half-closes (clientEnd) or resets (clientReset).
// It keeps the Transport contract (src/transport/transport.ts): no event before attach(), none
// from inside a call the owner makes (those are deferred to a microtask), onClose exactly once and
// last, every call a no-op after it. With `readsReuseBuffer`, each chunk is overwritten after
// onData returns, so an owner that keeps a chunk without copying it reads garbage.
import net from 'node:net';
import type { Socket } from 'node:net';
import type { Transport, TransportOwner } from '../../src/transport/transport.js';

export interface FakeTransportOptions {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly encrypted?: boolean;
  readonly readsReuseBuffer?: boolean;
  /** Writes complete at once (default true); else they wait for completeWrites(). */
  readonly autoComplete?: boolean;
  /** Queued bytes above which write() returns false (net.Socket's default: 16 KiB). */
  readonly highWaterMark?: number;
  /** Deliver received bytes on a microtask while reading (default true); else only on pump(). */
  readonly autoPump?: boolean;
}

export type FakeEvent = 'data' | 'end' | 'drain' | 'error' | 'close';

export class FakeTransport implements Transport {
  readonly kind = 'fake';
  readonly readsReuseBuffer: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly encrypted: boolean;
  bytesRead = 0;
  bytesWritten = 0;
  needsDrain = false;

  /** Every write/writev call's bytes, in order, as the owner made them. */
  readonly writes: Buffer[] = [];
  /** The owner called end() (our FIN, sent once the queue is written). */
  ended = false;
  /** Our FIN reached the client: every queued byte was written after end(). */
  finSent = false;
  destroyed = false;
  takenOver = false;
  closed = false;
  reading = false;
  clientEnded = false;
  /** The events the owner was given, in order (for assertions on the contract). */
  readonly events: FakeEvent[] = [];

  private owner: TransportOwner | null = null;
  private readonly inbox: Buffer[] = [];
  /** Bytes written by the owner, not yet completed. */
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private readonly completed: Buffer[] = [];
  /** The client's FIN comes after the bytes before it in the inbox. */
  private endPending = false;
  private pumpQueued = false;
  /** Writes complete at once; the test may switch it (a client that stops and starts reading). */
  autoComplete: boolean;
  private readonly highWaterMark: number;
  private readonly autoPump: boolean;

  constructor(options: FakeTransportOptions = {}) {
    this.remoteAddress = options.remoteAddress ?? '127.0.0.1';
    this.remotePort = options.remotePort ?? 40000;
    this.encrypted = options.encrypted ?? false;
    this.readsReuseBuffer = options.readsReuseBuffer ?? false;
    this.autoComplete = options.autoComplete ?? true;
    this.highWaterMark = options.highWaterMark ?? 16 * 1024;
    this.autoPump = options.autoPump ?? true;
  }

  // --- Transport (the owner's side) ---

  attach(owner: TransportOwner): void {
    this.owner = owner;
  }

  startReading(): void {
    if (this.closed || this.takenOver) return;
    this.reading = true;
    this.schedulePump();
  }

  stopReading(): void {
    this.reading = false;
  }

  write(data: string | Uint8Array): boolean {
    if (this.closed || this.takenOver || this.ended) return false;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    this.writes.push(bytes);
    return this.enqueue(bytes);
  }

  writev(pieces: readonly Uint8Array[]): boolean {
    if (this.closed || this.takenOver || this.ended) return false;
    const bytes = Buffer.concat(pieces.map((p) => Buffer.from(p)));
    this.writes.push(bytes);
    return this.enqueue(bytes);
  }

  end(): void {
    if (this.closed || this.takenOver || this.ended) return;
    this.ended = true;
    this.maybeFinish();
  }

  destroy(): void {
    if (this.closed || this.takenOver) return;
    this.destroyed = true;
    this.queue.length = 0;
    this.queued = 0;
    queueMicrotask(() => this.close());
  }

  takeOver(): Socket {
    this.takenOver = true;
    this.reading = false;
    // Nothing is connected under a fake: an unconnected socket stands in for the handed-over one.
    return new net.Socket();
  }

  // --- the test's side ---

  /** The client sends `data`, split at `offsets` (each a byte offset into data) into several reads. */
  receive(data: string | Buffer, offsets: readonly number[] = []): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let start = 0;
    for (const offset of [...offsets].sort((a, b) => a - b)) {
      if (offset <= start || offset >= bytes.length) continue;
      this.inbox.push(Buffer.from(bytes.subarray(start, offset)));
      start = offset;
    }
    if (start < bytes.length) this.inbox.push(Buffer.from(bytes.subarray(start)));
    this.schedulePump();
  }

  /** Deliver what the client sent while the owner reads; returns the chunks delivered. */
  pump(): number {
    let delivered = 0;
    while (this.reading && !this.closed && !this.takenOver && this.inbox.length > 0) {
      const chunk = this.inbox.shift() as Buffer;
      this.bytesRead += chunk.length;
      delivered++;
      this.emit('data', chunk);
      if (this.readsReuseBuffer) chunk.fill(0x23); // '#': what a reused read buffer holds next
    }
    if (this.endPending && this.inbox.length === 0 && this.reading && !this.closed && !this.takenOver) {
      this.endPending = false;
      this.clientEnded = true;
      this.reading = false;
      this.emit('end');
      this.maybeFinish();
    }
    return delivered;
  }

  /** The client half-closes (FIN) after the bytes it sent before. */
  clientEnd(): void {
    if (this.closed || this.clientEnded) return;
    this.endPending = true;
    this.schedulePump();
  }

  /** The client resets the connection: error, then close. */
  clientReset(code = 'ECONNRESET'): void {
    if (this.closed || this.takenOver) return;
    this.inbox.length = 0;
    this.queue.length = 0;
    this.queued = 0;
    this.emit('error', code);
    this.close();
  }

  /** Complete up to `bytes` of the queued writes (all by default); onDrain once the queue empties. */
  completeWrites(bytes = Infinity): void {
    let budget = bytes;
    while (budget > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.length <= budget) {
        this.queue.shift();
        this.completed.push(head);
        this.queued -= head.length;
        this.bytesWritten += head.length;
        budget -= head.length;
      } else {
        this.completed.push(head.subarray(0, budget));
        this.queue[0] = head.subarray(budget);
        this.queued -= budget;
        this.bytesWritten += budget;
        budget = 0;
      }
    }
    if (this.needsDrain && this.queued === 0 && !this.closed) {
      this.needsDrain = false;
      this.emit('drain');
    }
    this.maybeFinish();
  }

  /** Bytes queued by the owner and not yet completed. */
  get pendingBytes(): number {
    return this.queued;
  }

  /** Everything written so far that has completed, as the client would have read it. */
  output(): Buffer {
    return Buffer.concat(this.completed);
  }

  /** output() as latin1 text. */
  text(): string {
    return this.output().toString('latin1');
  }

  // --- internals ---

  private enqueue(bytes: Buffer): boolean {
    if (bytes.length === 0) return !this.needsDrain;
    this.queue.push(bytes);
    this.queued += bytes.length;
    if (this.autoComplete) {
      this.completeWritesQuietly();
      return true;
    }
    if (this.queued >= this.highWaterMark) this.needsDrain = true;
    return !this.needsDrain;
  }

  /** completeWrites without any event: a write that completes at once never needed a drain. */
  private completeWritesQuietly(): void {
    for (const b of this.queue) {
      this.completed.push(b);
      this.bytesWritten += b.length;
    }
    this.queue.length = 0;
    this.queued = 0;
  }

  private schedulePump(): void {
    if (!this.autoPump || this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Our FIN goes once the queue is written; with the client's FIN too, the connection closes. */
  private maybeFinish(): void {
    if (!this.ended || this.queued > 0 || this.closed) return;
    this.finSent = true;
    if (this.clientEnded) queueMicrotask(() => this.close());
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reading = false;
    // As the real transports: nothing is waiting to drain on a closed connection (found by
    // running the shared contract on the fake).
    this.needsDrain = false;
    this.emit('close');
  }

  private emit(event: FakeEvent, arg?: Buffer | string): void {
    const owner = this.owner;
    if (owner === null || this.takenOver) return;
    this.events.push(event);
    switch (event) {
      case 'data':
        return owner.onData(arg as Buffer);
      case 'end':
        return owner.onEnd();
      case 'drain':
        return owner.onDrain();
      case 'error':
        return owner.onError(arg as string);
      case 'close':
        return owner.onClose();
    }
  }
}
