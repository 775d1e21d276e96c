// ReadDeadline: by when a connection's client must have sent more, and which timeout that is —
// the request head, the body (idle time and a minimum rate), the pause between keep-alive
// requests, or the linger after our FIN. A number compared on each tick of the server's coarse
// clock: no timer per connection. What a timeout does to the connection is Session's business.
import type { CoarseClock } from './clock.js';
import { TimeoutKind } from './errors.js';
import type { ServerOptions } from './options.js';

export class ReadDeadline {
  kind: TimeoutKind = TimeoutKind.None;
  /** Clock time at which it fires; 0 while not running. */
  at = 0;
  /** Where the body's rate is measured from: the body's start, or its last resume. */
  private rateStartMs = 0;
  private rateStartBytes = 0;

  constructor(
    private readonly clock: CoarseClock,
    private readonly options: Readonly<ServerOptions>,
  ) {}

  /** Run `kind`, firing `ms` from now (0: never). */
  start(kind: TimeoutKind, ms: number): void {
    this.kind = kind;
    this.at = ms > 0 ? this.clock.now + ms : 0;
  }

  /** Not waiting for the client (its request is with the handler). */
  stop(): void {
    this.at = 0;
  }

  /** A request body starts, or resumes after the handler paused it, with `received` bytes in. */
  startBody(received: number): void {
    this.start(TimeoutKind.Body, this.options.bodyIdleTimeoutMs);
    this.rateStartMs = this.clock.now;
    this.rateStartBytes = received;
  }

  /**
   * Body bytes arrived: the idle time starts again — unless the handler paused the body (at is
   * 0): the bytes that made it pause must not re-arm the deadline it just stopped (issue 12,
   * defect 6). Session starts it again (startBody) when the handler reads again.
   */
  bodyProgress(): void {
    if (this.kind === TimeoutKind.Body && this.at !== 0) this.at = this.clock.now + this.options.bodyIdleTimeoutMs;
  }

  /**
   * The timeout that has fired at `now`, else TimeoutKind.None: past its time, or a body
   * arriving below bodyMinBytesPerSecond, averaged since it started (or last resumed).
   */
  expired(now: number, bodyReceived: number, bodyPaused: boolean): TimeoutKind {
    if (this.at === 0) return TimeoutKind.None;
    if (now >= this.at) return this.kind;
    if (this.kind !== TimeoutKind.Body || bodyPaused) return TimeoutKind.None;
    const minRate = this.options.bodyMinBytesPerSecond;
    const elapsed = now - this.rateStartMs;
    if (minRate === 0 || elapsed < this.options.bodyIdleTimeoutMs) return TimeoutKind.None;
    const rate = ((bodyReceived - this.rateStartBytes) * 1000) / elapsed;
    return rate < minRate ? TimeoutKind.Body : TimeoutKind.None;
  }
}
