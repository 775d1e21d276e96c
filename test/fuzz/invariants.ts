// The parser invariants the fuzzer checks on every input, shared with regressions.test.ts:
//   1. no exception: a failure is the typed path (status Error, a ParseError with a known code);
//   2. the harness's contract checks hold (consumed ≤ input, Ok means all consumed, body views
//      point into the input, callback order) and no input needs unbounded execute() calls;
//   3. the same events whole, byte by byte, and at random splits with pause/resume;
//   4. agreement with Node's native llhttp, or a disagreement one of the documented categories
//      of test/parser/differential-deviations.ts claims (the same categorisation the
//      differential test uses; none is invented here).
import type { ParserLimits } from '../../src/parser/options.js';
import { DIFF_CATEGORIES, type Disagreement } from '../parser/differential-deviations.js';
import { compareOn } from '../parser/differential-support.js';
import { nativeUnavailable } from '../helpers/node-llhttp.js';
import { runParser, splitAt, splitEvery, type ParseRun } from '../helpers/parser-harness.js';

export type FindingKind = 'threw' | 'contract' | 'split' | 'differential' | 'slow' | 'hang';

export interface Finding {
  kind: FindingKind;
  /**
   * Breaks an invariant outright. Only a differential finding can be non-fatal: when brisk is
   * the stricter side (it refuses, or stops earlier, where llhttp goes on) the difference fails
   * closed and cannot desynchronise a proxy in front; it still wants a documented category.
   */
  fatal: boolean;
  /** One line: what went wrong. */
  detail: string;
  /** Stable key for de-duplication: the kind and the shape of the failure, no offsets. */
  signature: string;
}

export interface CheckOptions {
  /** Parser limits (small limits reach the 414/431 paths); the differential check needs the defaults. */
  limits?: Partial<ParserLimits>;
  /** Offsets for the random-split run (any order; out-of-range ignored). */
  cuts?: readonly number[];
  /** Compare with Node's llhttp (default true; skipped when `limits` is set). */
  differential?: boolean;
  /** An input whose checks take longer than this is a finding (quadratic behaviour). */
  slowMs?: number;
}

export interface CheckResult {
  finding: Finding | null;
  /** The whole-input run (for outcome statistics). */
  whole: ParseRun;
  /** 'agree', a documented category id, 'undocumented', or 'skipped'. */
  differential: string;
}

function shape(text: string): string {
  return text.replace(/\d+/g, 'N').slice(0, 160);
}

/** The first broken rule of one run: an exception or a contract violation. */
function runFinding(run: ParseRun, label: string): Finding | null {
  if (run.outcome === 'threw') {
    const first = (run.thrown ?? '').split('\n')[0] ?? '';
    return { kind: 'threw', fatal: true, detail: `${label}: threw ${first}`, signature: `threw:${shape(first)}` };
  }
  if (run.violations.length > 0) {
    const first = run.violations[0] ?? '';
    return { kind: 'contract', fatal: true, detail: `${label}: ${run.violations.join('; ')}`, signature: `contract:${shape(first)}` };
  }
  return null;
}

/** Where two event logs part, or null when they are equal. */
function firstDifference(a: readonly string[], b: readonly string[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return `event ${i}: ${JSON.stringify(a[i] ?? '<none>').slice(0, 120)} vs ${JSON.stringify(b[i] ?? '<none>').slice(0, 120)}`;
  }
  return null;
}

function splitFinding(whole: ParseRun, other: ParseRun, label: string): Finding | null {
  const diff = firstDifference(whole.events, other.events);
  if (diff === null) return null;
  const kindOf = (e: string | undefined): string => (e ?? '<none>').split(/[ @]/)[0] ?? '';
  const i = whole.events.findIndex((e, k) => e !== other.events[k]);
  const at = i < 0 ? whole.events.length : i;
  return {
    kind: 'split',
    fatal: true,
    detail: `whole vs ${label} differ at ${diff}`,
    signature: `split:${label}:${kindOf(whole.events[at])}/${kindOf(other.events[at])}:${shape(whole.error?.code ?? '')}/${shape(other.error?.code ?? '')}`,
  };
}

/** Runs every invariant on one input; the first broken one is the finding. */
export function checkInput(input: Buffer, options: CheckOptions = {}): CheckResult {
  const started = performance.now();
  const limits = options.limits;
  const whole = runParser([input], { limits, finish: true, maxExecuteCalls: 10 });
  const result: CheckResult = { finding: runFinding(whole, 'whole'), whole, differential: 'skipped' };
  if (result.finding !== null) return result;

  const bytewise = runParser(splitEvery(input, 1), { limits, finish: true, maxExecuteCalls: input.length + 10 });
  result.finding = runFinding(bytewise, 'byte-by-byte') ?? splitFinding(whole, bytewise, 'byte-by-byte');
  if (result.finding !== null) return result;

  const cuts = options.cuts ?? [];
  const pieces = splitAt(input, cuts);
  const paused = runParser(pieces, { limits, finish: true, pauseOnComplete: true, maxExecuteCalls: 2 * pieces.length + input.length + 10 });
  result.finding = runFinding(paused, 'random split + pause') ?? splitFinding(whole, paused, 'random split + pause');
  if (result.finding !== null) return result;

  // Without Node's llhttp binding (nativeUnavailable: the fuzzer prints why) the comparison is skipped.
  if (options.differential !== false && limits === undefined && nativeUnavailable === null) {
    const verdict = differentialVerdict(input);
    result.differential = verdict.category;
    if (verdict.disagreement !== null) {
      const d = verdict.disagreement;
      result.finding = {
        kind: 'differential',
        fatal: d.side !== 'brisk-stricter',
        detail: `llhttp disagreement in no documented category: ${d.side} at message ${d.index}, ${d.aspect}: ${d.detail}`,
        signature: `differential:${d.side}:${d.aspect}:${d.brisk.error?.code ?? d.brisk.outcome}:${d.node.errorCode ?? d.node.outcome}`,
      };
      return result;
    }
  }

  const elapsed = performance.now() - started;
  if (options.slowMs !== undefined && elapsed > options.slowMs) {
    result.finding = { kind: 'slow', fatal: true, detail: `checks took ${elapsed.toFixed(0)} ms for ${input.length} bytes`, signature: `slow:${Math.round(Math.log2(input.length + 1))}` };
  }
  return result;
}

/** Whether brisk's run ends inside a message without an error (it waits for more bytes). */
function briskPending(d: Disagreement): boolean {
  const last = d.brisk.messages[d.brisk.messages.length - 1];
  return d.brisk.error === null && d.brisk.outcome === 'accept' && last !== undefined && !last.complete;
}

/**
 * Compares with llhttp and names the documented category of any disagreement. An input that
 * ends inside a head is also tried with the head finished ("\r\n\r\n" appended): the categories
 * describe whole messages, and a truncated field line is where one parser has decided and the
 * other has not yet (the same reasoning as the `detection-point` category).
 */
export function differentialVerdict(input: Buffer): { category: string; disagreement: Disagreement | null } {
  const { disagreement } = compareOn(input);
  if (disagreement === null) return { category: 'agree', disagreement: null };
  const category = DIFF_CATEGORIES.find((c) => c.matches(disagreement));
  if (category !== undefined) return { category: category.id, disagreement: null };
  if (briskPending(disagreement) && !disagreement.brisk.messages[disagreement.brisk.messages.length - 1]?.headersComplete) {
    const completed = compareOn(Buffer.concat([input, Buffer.from('\r\n\r\n')])).disagreement;
    if (completed === null) return { category: 'agree (head completed)', disagreement: null };
    const later = DIFF_CATEGORIES.find((c) => c.matches(completed));
    if (later !== undefined) return { category: `${later.id} (head completed)`, disagreement: null };
  }
  return { category: 'undocumented', disagreement };
}

/** A short label of a run's outcome, for statistics: "accept", "reject INVALID_...", "upgrade", "pending". */
export function outcomeLabel(run: ParseRun): string {
  if (run.outcome === 'reject') return `reject ${run.error?.code ?? '?'}`;
  if (run.outcome === 'upgrade') return 'upgrade';
  if (run.finish !== null && run.finish !== undefined) return 'pending at EOF';
  return run.outcome;
}
