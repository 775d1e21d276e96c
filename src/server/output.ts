// Output: the write side of one connection. Joins the string responses produced while one read
// is parsed into a single socket write, keeps the write deadline (a client that stops reading is
// cut off), and lets handlers wait for 'drain'. It never decides what to write or when to close:
// Response and Session do. It writes to the connection's Transport, never to a socket.
import type { Transport } from '../transport/transport.js';
import type { CoarseClock } from './clock.js';
import { RequestAbortedError } from './errors.js';

export class Output {
  /** No more writes: our side ended, the socket is gone, or it was handed over. */
  closed = false;
  /** When a write that did not drain times out (0: no write pending). */
  deadline = 0;
  /**
   * While one read is being parsed, responses that are strings are joined here and written
   * once at the end: 16 pipelined requests cost one write syscall, not 16. (Measured: the
   * syscall per response was half the CPU time of a pipelined ×16 run.)
   */
  private batching = false;
  private batch = '';
  /** A flush is queued for when the current microtasks have run (see sendSoon()). */
  private flushQueued = false;
  private drainWaiters: { resolve(): void; reject(e: Error): void }[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly clock: CoarseClock,
    private readonly writeTimeoutMs: number,
  ) {}

  beginBatch(): void {
    this.batching = true;
  }

  endBatch(): void {
    this.batching = false;
    // A flush is already queued (this read was parsed from a promise job): leave the batch to it.
    if (!this.flushQueued) this.flush();
  }

  /** Write what the batch holds; false when the socket's buffer is full. */
  flush(): boolean {
    const out = this.batch;
    if (out.length === 0) return true;
    this.batch = '';
    return !this.closed && this.wrote(this.transport.write(out));
  }

  /** Queue bytes (latin1 for strings); false when the socket's buffer is full. */
  send(data: string | Uint8Array): boolean {
    if (this.closed) return false;
    if (typeof data === 'string') {
      this.batch += data;
      return this.batching || this.flushQueued || this.flush();
    }
    this.flush();
    return this.wrote(this.transport.write(data));
  }

  /**
   * A string sent outside a read when more requests are already waiting behind this response:
   * the answer of an async handler, which finishes in a promise job. It is joined with the
   * answers that follow it in the same run of microtasks and written once they have run, so
   * pipelined requests served by an async handler share one write too. (Measured: fetch
   * handler, pipelined ×16: one write per response was 54% of the CPU; 238k → 565k req/s.)
   */
  sendSoon(data: string): boolean {
    if (this.closed) return false;
    this.batch += data;
    if (!this.batching && !this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(runQueuedFlush, this);
    }
    return true;
  }

  /** The queued flush: process.nextTick runs it once the microtask queue is empty. */
  runQueuedFlush(): void {
    this.flushQueued = false;
    this.flush();
  }

  /** Several pieces of one body write (chunk-size line, data, CRLF) as one write. */
  sendPieces(pieces: Uint8Array[]): boolean {
    if (this.closed) return false;
    if (pieces.length === 1) return this.send(pieces[0]);
    this.flush();
    return this.wrote(this.transport.writev(pieces));
  }

  /** Resolves when the socket can take more; rejects once the connection is gone. */
  drained(): Promise<void> {
    if (this.closed) return Promise.reject(new RequestAbortedError());
    if (!this.transport.needsDrain) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** The transport's onDrain. */
  onDrain(): void {
    this.deadline = 0;
    const waiters = this.drainWaiters;
    if (waiters.length === 0) return;
    this.drainWaiters = [];
    for (const w of waiters) w.resolve();
  }

  /** End our side once everything queued is written. */
  end(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.deadline = 0;
    this.transport.end();
  }

  /** The connection is gone (or handed over): drop the batch, fail whoever waits for drain. */
  abandon(): void {
    this.closed = true;
    this.batch = '';
    this.deadline = 0;
    const waiters = this.drainWaiters;
    if (waiters.length === 0) return; // an Error (with its stack) costs ~10 µs: only when someone waits
    this.drainWaiters = [];
    const aborted = new RequestAbortedError();
    for (const w of waiters) w.reject(aborted);
  }

  private wrote(ok: boolean): boolean {
    if (!ok && this.deadline === 0) this.deadline = this.clock.now + this.writeTimeoutMs;
    return ok;
  }
}

function runQueuedFlush(out: Output): void {
  out.runQueuedFlush();
}
