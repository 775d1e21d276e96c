// RequestBody: the request body as an async iterable of Buffers, fed by the parser's onBody.
// Backpressure: past HIGH_WATER queued bytes it asks its owner to stop reading the socket, and
// asks to resume once the reader has drained below LOW_WATER. The first read sends
// `100 Continue` when the client is waiting for it (RFC 9110 §10.1.1, as Go does).
import { ServerError } from './errors.js';

/** What a body needs from the connection that feeds it. */
export interface BodySource {
  /** Stop reading the socket (too much queued). */
  pauseBody(): void;
  /** Read again. */
  resumeBody(): void;
  /** Called once, on the first read, before any data is awaited. */
  bodyWanted(): void;
}

export const enum BodyState {
  Streaming = 0,
  Ended = 1,
  Failed = 2,
  /** The reader stopped early (return()): nothing more is queued; the session drains the rest. */
  Abandoned = 3,
}

/** 64 KiB: one socket read. Arbitrary, in line with Node's stream highWaterMark for sockets. */
const HIGH_WATER = 64 * 1024;
const LOW_WATER = 16 * 1024;

const DONE: IteratorResult<Buffer> = Object.freeze({ value: undefined, done: true }) as IteratorResult<Buffer>;

export class RequestBody implements AsyncIterator<Buffer>, AsyncIterable<Buffer> {
  state: BodyState = BodyState.Streaming;
  /** Body bytes received so far (from the parser). */
  received = 0;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private paused = false;
  private wanted = false;
  private error: Error | null = null;
  private waiting: { resolve(r: IteratorResult<Buffer>): void; reject(e: Error): void } | null = null;

  constructor(private readonly source: BodySource) {}

  /** Whether the handler has started reading. */
  get isWanted(): boolean {
    return this.wanted;
  }

  // --- fed by the session ---

  push(chunk: Buffer): void {
    if (this.state !== BodyState.Streaming) return;
    this.received += chunk.length;
    const waiting = this.waiting;
    if (waiting !== null) {
      this.waiting = null;
      waiting.resolve({ value: chunk, done: false });
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.queuedBytes > HIGH_WATER) {
      this.paused = true;
      this.source.pauseBody();
    }
  }

  end(): void {
    if (this.state !== BodyState.Streaming) return;
    this.state = BodyState.Ended;
    const waiting = this.waiting;
    if (waiting !== null && this.queue.length === 0) {
      this.waiting = null;
      waiting.resolve(DONE);
    }
  }

  fail(error: Error): void {
    if (this.state !== BodyState.Streaming) return;
    this.state = BodyState.Failed;
    this.error = error;
    this.queue = [];
    this.queuedBytes = 0;
    const waiting = this.waiting;
    if (waiting !== null) {
      this.waiting = null;
      waiting.reject(error);
    }
  }

  // --- read by the handler ---

  next(): Promise<IteratorResult<Buffer>> {
    if (!this.wanted) {
      this.wanted = true;
      this.source.bodyWanted();
    }
    if (this.queue.length > 0) {
      const chunk = this.queue.shift() as Buffer;
      this.queuedBytes -= chunk.length;
      if (this.paused && this.queuedBytes < LOW_WATER) {
        this.paused = false;
        this.source.resumeBody();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.state === BodyState.Ended || this.state === BodyState.Abandoned) return Promise.resolve(DONE);
    if (this.state === BodyState.Failed) return Promise.reject(this.error);
    if (this.waiting !== null) return Promise.reject(new Error('RequestBody: concurrent reads are not supported'));
    if (this.paused) {
      this.paused = false;
      this.source.resumeBody();
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Stop reading early (break out of for-await): the rest is drained by the session. */
  return(): Promise<IteratorResult<Buffer>> {
    // From now on push() is not called: the exchange drains what still arrives (bounded by maxDrainBytes).
    if (this.state === BodyState.Streaming) this.state = BodyState.Abandoned;
    this.queue = [];
    this.queuedBytes = 0;
    if (this.paused) {
      this.paused = false;
      this.source.resumeBody();
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }

  /** The whole body, or ServerError ERR_BODY_TOO_LARGE (413) once more than `limitBytes` arrive. */
  async collect(limitBytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { value, done } = await this.next();
      if (done) break;
      total += value.length;
      if (total > limitBytes) {
        this.return();
        throw new ServerError('ERR_BODY_TOO_LARGE', `more than ${limitBytes} bytes`);
      }
      chunks.push(value);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  }
}

/** The body of a request that has none: ends at once, costs nothing. */
export const EMPTY_BODY: AsyncIterable<Buffer> = {
  [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(DONE) }),
};

