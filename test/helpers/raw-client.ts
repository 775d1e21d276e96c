// A raw-socket HTTP client for tests: send exact bytes (whole, split, trickled), then read
// responses one at a time with the test parser, or everything until the server closes.
// Every wait has a deadline, so a misbehaving server fails a test instead of hanging it.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseResponse, type ParsedResponse } from './http-response.js';

export const DEFAULT_WAIT_MS = 5_000;

export interface ReadOptions {
  /** Method of the request being answered (HEAD responses have no body). */
  readonly method?: string;
  readonly timeoutMs?: number;
}

export class RawClient {
  /** Bytes received and not yet consumed by readResponse. */
  private buffered: Buffer = Buffer.alloc(0);
  private notify: (() => void) | undefined;
  /** The server ended its side (FIN) or the connection failed. */
  private ended = false;
  /** A socket error (ECONNRESET, EPIPE ...) seen on this connection, if any. */
  error: NodeJS.ErrnoException | undefined;
  /** When the peer's FIN (or an error) arrived, by performance.now(). */
  endedAt: number | undefined;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('end', () => this.markEnded());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error;
      this.markEnded();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.closed.then(() => this.markEnded());
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = DEFAULT_WAIT_MS): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private markEnded(): void {
    if (!this.ended) {
      this.ended = true;
      this.endedAt = performance.now();
    }
    this.wake();
  }

  private wake(): void {
    const notify = this.notify;
    this.notify = undefined;
    notify?.();
  }

  /** Wait for the next data, end or error event, or until the deadline (then throw). */
  private async nextEvent(deadline: number, what: string): Promise<void> {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw new Error(`timed out waiting for ${what}; buffered: ${this.preview()}`);
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.notify = resolve;
      timer = setTimeout(resolve, remaining);
    });
    clearTimeout(timer);
  }

  private preview(): string {
    return JSON.stringify(this.buffered.toString('latin1', 0, 300));
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Bytes received but not yet consumed. */
  get pending(): Buffer {
    return this.buffered;
  }

  /** Write bytes; resolves once handed to the kernel. Errors are recorded, not thrown. */
  write(data: string | Buffer): Promise<void> {
    if (this.socket.destroyed || this.socket.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.write(data, (error) => {
        if (error) this.error ??= error as NodeJS.ErrnoException;
        resolve();
      });
    });
  }

  /** Write bytes in pieces of `pieceBytes`, pausing `delayMs` between pieces. */
  async trickle(data: string | Buffer, pieceBytes = 1, delayMs = 1): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (let i = 0; i < bytes.length && !this.ended; i += pieceBytes) {
      await this.write(bytes.subarray(i, i + pieceBytes));
      if (delayMs > 0) await sleep(delayMs);
    }
  }

  /** Write bytes split at the given offsets. */
  async writeSplit(data: string | Buffer, offsets: readonly number[], delayMs = 5): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let start = 0;
    for (const offset of [...offsets, bytes.length]) {
      await this.write(bytes.subarray(start, offset));
      start = offset;
      await sleep(delayMs);
    }
  }

  /** Wait until the received bytes contain `needle` (without consuming them). */
  async waitFor(needle: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.buffered.includes(needle)) {
      if (this.ended) throw new Error(`connection ended before ${JSON.stringify(needle)}; got ${this.preview()}`);
      await this.nextEvent(deadline, JSON.stringify(needle));
    }
  }

  /** Read and consume the next complete response (any 1xx before it lands in `interim`). */
  async readResponse(options: ReadOptions = {}): Promise<ParsedResponse> {
    const deadline = performance.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
    for (;;) {
      const result = parseResponse(this.buffered, { method: options.method, eof: this.ended });
      if (result !== undefined) {
        this.buffered = this.buffered.subarray(result.consumed);
        return result.response;
      }
      if (this.ended) {
        throw new Error(`connection ended before a complete response (error: ${this.error?.code}); got ${this.preview()}`);
      }
      await this.nextEvent(deadline, 'a response');
    }
  }

  async readResponses(count: number, options: ReadOptions = {}): Promise<ParsedResponse[]> {
    const responses: ParsedResponse[] = [];
    for (let i = 0; i < count; i++) responses.push(await this.readResponse(options));
    return responses;
  }

  /** Wait until the server ends the connection; returns the unconsumed bytes. */
  async readUntilClose(timeoutMs = DEFAULT_WAIT_MS): Promise<Buffer> {
    const deadline = performance.now() + timeoutMs;
    while (!this.ended) await this.nextEvent(deadline, 'the server to close the connection');
    return this.buffered;
  }

  /** Resolves true if the server ends the connection within timeoutMs, false if it stays open. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    try {
      await this.readUntilClose(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Half-close: send FIN, keep reading. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Abort with a TCP RST instead of a FIN. */
  reset(): void {
    this.socket.resetAndDestroy();
  }
}

/** Connect, run fn, and always destroy the socket afterwards. */
export async function withClient<T>(port: number, fn: (client: RawClient) => Promise<T>): Promise<T> {
  const client = await RawClient.connect(port);
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

/** A request head as CRLF-joined lines, ending with the empty line. */
export function request(lines: readonly string[], body: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from(lines.map((l) => l + '\r\n').join('') + '\r\n', 'latin1'), Buffer.from(body)]);
}

/** Encode a body with chunked transfer coding (RFC 9112 §7.1), in pieces of chunkBytes. */
export function chunked(body: Buffer, chunkBytes: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunkBytes) {
    const piece = body.subarray(i, i + chunkBytes);
    parts.push(Buffer.from(piece.length.toString(16) + '\r\n'), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
