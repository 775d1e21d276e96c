// One coarse clock per Server: a single unref'd interval that stamps `now` and sweeps the
// connections' deadlines (undici's timers.js idea). Per-request work is a number assignment;
// no timer is created, rescheduled or cleared per request.

export interface Sweepable {
  /** Called on every tick with the clock's time. */
  sweep(nowMs: number): void;
}

export class CoarseClock {
  /** Milliseconds, refreshed every tick and on demand. */
  now = Date.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly tickMs: number,
    private readonly target: Sweepable,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.now = Date.now();
    this.timer = setInterval(() => {
      this.now = Date.now();
      this.target.sweep(this.now);
    }, this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** A precise reading, also refreshing `now`. */
  refresh(): number {
    this.now = Date.now();
    return this.now;
  }
}

/**
 * Tick often enough that the shortest timeout fires within ~10% of its value: between 25 ms
 * (tests with tiny timeouts) and 1 s (production defaults are seconds).
 */
export function tickFor(timeoutsMs: readonly number[]): number {
  const shortest = Math.min(...timeoutsMs.filter((t) => t > 0));
  if (!Number.isFinite(shortest)) return 1000;
  return Math.max(25, Math.min(1000, Math.floor(shortest / 10)));
}
