// Rejected requests (parse errors, the server's own 413 / 417 / 501) are what internet scanners
// produce all day: each is logged at info and counted in the metrics, and the `error` level gets
// at most one summary line per interval, with the counts by kind (issue 12, defect 13).
import type { Logger } from './logger.js';

/** One summary line a minute at most. */
export const REJECT_SUMMARY_INTERVAL_MS = 60_000;

export class RejectSummary {
  private counts = new Map<string, number>();
  private total = 0;
  /** Clock time before which no summary is written (0: the next reject writes one at once). */
  private nextAt = 0;

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = REJECT_SUMMARY_INTERVAL_MS,
  ) {}

  /** A request was rejected with `kind` (a parse error code or a reject kind) at clock time `now`. */
  count(kind: string, now: number): void {
    if (!this.log.errorEnabled) return;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.total++;
    this.flush(now);
  }

  /** Write the summary if one is due (called on each reject and each tick of the clock). */
  flush(now: number): void {
    if (this.total === 0 || now < this.nextAt) return;
    const kinds = [...this.counts].map(([kind, n]) => `${kind} ${n}`).join(', ');
    const window = this.nextAt === 0 ? '' : ` in the last ${Math.round((now - this.nextAt + this.intervalMs) / 1000)} s`;
    this.log.error(`rejected ${this.total} request${this.total === 1 ? '' : 's'}${window}: ${kinds} (each one is logged at level info)`);
    this.counts.clear();
    this.total = 0;
    this.nextAt = now + this.intervalMs;
  }
}
