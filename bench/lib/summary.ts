// From samples to the numbers people read: medians with min–max, ratios to node:http and to the
// raw ceiling from the same run, and each target of issue 6 met or missed.
import { BASELINE, BUN, CEILING, TARGETS, type Mode, type ModeName, type Target } from './modes.js';

export interface Result {
  readonly mode: ModeName;
  readonly server: string;
  readonly round: number;
  readonly value: number | null;
  readonly errors: number;
  readonly note?: string;
  readonly error?: string;
}

export interface Cell {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Rounds that produced a number. */
  readonly n: number;
  /** Sum of errors over the rounds (wrk socket errors + non-2xx; lost idle connections). */
  readonly errors: number;
  /** median / node:http's median in the same mode (null if either is missing). */
  readonly vsNode: number | null;
  /** median / raw ceiling's median; null for memory, where the ceiling is no ceiling. */
  readonly vsRaw: number | null;
  /** median / Bun.serve's median in the same mode (memory too: lower is better there). */
  readonly vsBun: number | null;
}

export type Table = { [mode: string]: { [server: string]: Cell } };

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarise(records: readonly Result[], modes: readonly Mode[], servers: readonly string[]): Table {
  const table: Table = {};
  for (const mode of modes) {
    const raw: { [server: string]: { values: number[]; errors: number } } = {};
    for (const server of servers) {
      const mine = records.filter((r) => r.mode === mode.name && r.server === server);
      raw[server] = {
        values: mine.flatMap((r) => (r.value === null ? [] : [r.value])),
        errors: mine.reduce((sum, r) => sum + r.errors, 0),
      };
    }
    const medianOf = (server: string): number | null => {
      const values = raw[server]?.values ?? [];
      return values.length === 0 ? null : median(values);
    };
    const node = medianOf(BASELINE);
    const ceiling = mode.kind === 'memory' ? null : medianOf(CEILING);
    const bun = medianOf(BUN);
    const row: { [server: string]: Cell } = {};
    for (const server of servers) {
      const { values, errors } = raw[server] as { values: number[]; errors: number };
      if (values.length === 0) continue;
      const m = median(values);
      row[server] = {
        median: m,
        min: Math.min(...values),
        max: Math.max(...values),
        n: values.length,
        errors,
        vsNode: node !== null && node > 0 ? m / node : null,
        vsRaw: ceiling !== null && ceiling > 0 ? m / ceiling : null,
        vsBun: bun !== null && bun > 0 ? m / bun : null,
      };
    }
    table[mode.name] = row;
  }
  return table;
}

export interface TargetResult {
  readonly target: Target;
  readonly ratio: number | null;
  readonly met: boolean | null;
  /** The run was too noisy in this target's mode (see ceilingBeaten): the mark proves nothing. */
  readonly noisy: boolean;
}

export function checkTargets(table: Table, noisyModes: ReadonlySet<string> = new Set()): TargetResult[] {
  return TARGETS.map((target) => {
    const cell = table[target.mode]?.[target.server];
    const ratio = cell === undefined ? null : target.against === CEILING ? cell.vsRaw : cell.vsNode;
    const met = ratio === null ? null : target.op === '>=' ? ratio >= target.ratio : ratio <= target.ratio;
    return { target, ratio, met, noisy: noisyModes.has(target.mode) };
  });
}

export function targetFor(server: string, mode: ModeName): Target | undefined {
  return TARGETS.find((t) => t.server === server && t.mode === mode);
}

export interface CeilingBeaten {
  readonly mode: ModeName;
  readonly text: string;
}

/**
 * Cells where a Node.js server beat the raw ceiling by more than `slack`: impossible without noise
 * (the ceiling does strictly less work on the same runtime), so they mark a run too noisy to judge.
 */
export function ceilingBeaten(table: Table, modes: readonly Mode[], nodeServers: readonly string[], slack = 0.05): CeilingBeaten[] {
  const out: CeilingBeaten[] = [];
  for (const mode of modes) {
    for (const server of nodeServers) {
      if (server === CEILING) continue;
      const r = table[mode.name]?.[server]?.vsRaw;
      if (r != null && r > 1 + slack) out.push({ mode: mode.name, text: `${server} at ${r.toFixed(2)}× the raw ceiling in ${mode.label}` });
    }
  }
  return out;
}
