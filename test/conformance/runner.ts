// Runs one corpus case through brisk's parser under several feeding plans and compares the
// result with the case's `expect`, as corpus/README.md section 3 describes.
// Verdicts: agree, (documented) deviation, or fail with the list of differences.
//
// The verdict of a case, in order:
//   1. Every plan (whole, byte by byte, every split, pause after each message) runs on a fresh
//      parser; all plans must give the same event log, else `fail` (split dependence).
//   2. The run is compared with `expect`; no difference → `agree` (a listed deviation → stale).
//   3. Differences and a listed deviation whose described brisk behaviour matches → `deviation`.
//   4. Anything else → `fail`.
//   5. Host variant: HTTP/1.1 heads without Host are refused by policy (MISSING_HOST), which would
//      hide every later check. So each such case is also run with "Host: x" added after its
//      request lines, and that variant must agree too (or match the deviation's `withHost`).
import { caseBytes, type CorpusCase, type Expectation, type ExpectedMessage, type Outcome } from './corpus.js';
import { DEVIATIONS, type BriskBehaviour, type Deviation } from './deviations.js';
import { pairs, runParser, splitEvery, type ParseRun } from '../helpers/parser-harness.js';

export type Verdict = 'agree' | 'deviation' | 'fail';

export interface Difference {
  /** What differs: "outcome", "message[0].headers", "upgradeOffset", "contract", ... */
  field: string;
  message: string;
}

export interface VariantResult {
  verdict: Verdict;
  differences: Difference[];
  run: ParseRun;
}

export interface CaseResult {
  id: string;
  mode: 'strict' | 'lenient';
  verdict: Verdict;
  /** The first plan's differences from `expect` (empty when it agrees). */
  differences: Difference[];
  /** Why a case failed, one sentence per problem. */
  failures: string[];
  /** Informational: llhttp's error code/offset versus ours. */
  warnings: string[];
  deviation: Deviation | undefined;
  run: ParseRun;
  plans: number;
  hostVariant: VariantResult | null;
}

export type Plan = 'whole' | 'bytes' | 'splits' | 'pause';

export interface RunCaseOptions {
  /** Which feeding plans to run; default all four. */
  plans?: readonly Plan[];
}

const ALL_PLANS: readonly Plan[] = ['whole', 'bytes', 'splits', 'pause'];
const HOST_LINE = 'Host: x\r\n';

const deviationsById = new Map(DEVIATIONS.map((d) => [d.id, d]));

export function deviationFor(id: string): Deviation | undefined {
  return deviationsById.get(id);
}

/** Every feeding of `input` the plans ask for, each a list of pieces sharing the input's memory. */
function feedings(input: Buffer, plans: readonly Plan[]): { pieces: Buffer[]; pause: boolean; name: string }[] {
  const out: { pieces: Buffer[]; pause: boolean; name: string }[] = [];
  if (plans.includes('whole')) out.push({ pieces: [input], pause: false, name: 'whole' });
  if (plans.includes('bytes')) out.push({ pieces: splitEvery(input, 1), pause: false, name: 'bytes' });
  if (plans.includes('splits')) {
    for (let size = 2; size < input.length; size++) {
      out.push({ pieces: splitEvery(input, size), pause: false, name: `split ${size}` });
    }
  }
  if (plans.includes('pause')) out.push({ pieces: [input], pause: true, name: 'pause after each message' });
  return out;
}

interface PlannedRun {
  run: ParseRun;
  plans: number;
  failures: string[];
}

/** Runs every plan; the first run is the one compared, the others must match its event log. */
function runPlans(input: Buffer, finish: boolean, plans: readonly Plan[]): PlannedRun {
  const failures: string[] = [];
  let first: ParseRun | undefined;
  let firstLog = '';
  let count = 0;
  for (const feeding of feedings(input, plans)) {
    const run = runParser(feeding.pieces, { finish, pauseOnComplete: feeding.pause });
    count++;
    for (const v of run.violations) failures.push(`${feeding.name}: contract: ${v}`);
    if (run.outcome === 'threw') failures.push(`${feeding.name}: threw ${run.thrown}`);
    // Pausing adds no events, so every plan must log the same lines.
    const log = run.events.join('\n');
    if (first === undefined) {
      first = run;
      firstLog = log;
    } else if (log !== firstLog && failures.length < 20) {
      failures.push(`${feeding.name}: differs from the whole-buffer run:\n${diffLogs(firstLog, log)}`);
    }
  }
  return { run: first!, plans: count, failures };
}

function diffLogs(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `    line ${i}: whole ${x[i] ?? '(end)'}\n    line ${i}: split ${y[i] ?? '(end)'}`;
  }
  return '    (same lines)';
}

/** Runs one case and decides its verdict. */
export function runCase(c: CorpusCase, options: RunCaseOptions = {}): CaseResult {
  const plans = options.plans ?? ALL_PLANS;
  const input = caseBytes(c);
  const finish = c.harness.checkFinish === true;
  const deviation = deviationFor(c.id);
  const planned = runPlans(input, finish, plans);
  const run = planned.run;
  const failures = [...planned.failures];
  const warnings: string[] = [];
  let verdict: Verdict;
  let differences: Difference[];

  if (c.mode === 'lenient') {
    // README §3: without a matching leniency option, a lenient case must be rejected.
    differences = run.outcome === 'reject' ? [] : [{ field: 'outcome', message: `lenient case: expected reject, got ${describeRun(run)}` }];
    verdict = differences.length === 0 ? 'agree' : 'fail';
    if (deviation !== undefined) failures.push('lenient cases need no deviation entry; remove it');
  } else {
    differences = compare(run, c.expect, warnings);
    if (differences.length === 0) {
      verdict = 'agree';
      if (deviation !== undefined) failures.push('stale deviation: brisk now agrees with llhttp; remove the entry');
    } else if (deviation !== undefined && behaviourMatches(deviation.brisk, run, differences)) {
      verdict = 'deviation';
    } else {
      verdict = 'fail';
      if (deviation !== undefined) {
        failures.push(`deviation listed as ${describeBehaviour(deviation.brisk)}, but brisk ${describeRun(run)}`);
      }
      for (const d of differences) failures.push(`${d.field}: ${d.message}`);
    }
  }

  const hostVariant = runHostVariant(c, plans, deviation);
  if (hostVariant !== null && hostVariant.verdict === 'fail') {
    for (const d of hostVariant.differences) failures.push(`with Host added: ${d.field}: ${d.message}`);
  }
  if (failures.length > 0) verdict = 'fail';
  return { id: c.id, mode: c.mode, verdict, differences, failures, warnings, deviation, run, plans: planned.plans, hostVariant };
}

// ---- the Host variant -------------------------------------------------------------------------

const HOST_FIELD_LINE = /\r\nhost[ \t]*:/i;

/**
 * The case's bytes with "Host: x\r\n" after the request line of every HTTP/1.1 message that has
 * none, and its expectation moved to match (the field first in `headers`, later offsets + 9).
 * Null when no message needs one.
 */
export function withHostAdded(c: CorpusCase): { input: Buffer; expect: Expectation } | null {
  const input = caseBytes(c);
  const text = input.toString('latin1');
  const messages = c.expect.messages;
  const insertAt: number[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.protocol !== 'HTTP' || m.versionMajor !== 1 || m.versionMinor !== 1) continue;
    if (m.method === null || m.url === null || m.method === 'PRI') continue;
    const line = `${m.method} ${m.url} HTTP/1.1\r\n`;
    if (text.slice(m.offset, m.offset + line.length) !== line) continue;
    const end = i + 1 < messages.length ? messages[i + 1]!.offset : text.length;
    if (HOST_FIELD_LINE.test(text.slice(m.offset + line.length - 2, end))) continue;
    insertAt.push(m.offset + line.length);
  }
  if (insertAt.length === 0) return null;

  const parts: Buffer[] = [];
  let from = 0;
  for (const at of insertAt) {
    parts.push(input.subarray(from, at), Buffer.from(HOST_LINE, 'latin1'));
    from = at;
  }
  parts.push(input.subarray(from));
  const shift = (offset: number): number => offset + HOST_LINE.length * insertAt.filter((at) => at <= offset).length;

  const expect: Expectation = structuredClone(c.expect);
  for (const m of expect.messages) {
    const lineEnd = insertAt.find((at) => at > m.offset && at - m.offset === `${m.method} ${m.url} HTTP/1.1\r\n`.length);
    if (lineEnd !== undefined) m.headers.unshift(['Host', 'x']);
    m.offset = shift(m.offset);
  }
  if (expect.error !== null) expect.error.offset = shift(expect.error.offset);
  if (expect.upgrade !== null) expect.upgrade.offset = shift(expect.upgrade.offset);
  return { input: Buffer.concat(parts), expect };
}

/** What a deviation says brisk does once Host is added: by default the same as without, unless Host was the reason. */
function withHostBehaviour(deviation: Deviation | undefined): BriskBehaviour | 'agree' {
  if (deviation === undefined) return 'agree';
  if (deviation.withHost !== undefined) return deviation.withHost;
  return deviation.brisk.outcome === 'reject' && deviation.brisk.code === 'MISSING_HOST' ? 'agree' : deviation.brisk;
}

function runHostVariant(c: CorpusCase, plans: readonly Plan[], deviation: Deviation | undefined): VariantResult | null {
  // Without a skip-body switch the skipBody case cannot agree with or without Host (README §3).
  if (c.harness.skipBody === true) return null;
  const variant = withHostAdded(c);
  if (variant === null) return null;
  const planned = runPlans(variant.input, c.harness.checkFinish === true, plans);
  const run = planned.run;
  const differences: Difference[] = planned.failures.map((f) => ({ field: 'run', message: f }));
  const mustReject = c.mode === 'lenient' || c.expect.outcome === 'reject';
  if (mustReject) {
    // The point of the variant: the rejection must come from the case's own defect.
    if (run.outcome !== 'reject') differences.push({ field: 'outcome', message: `expected reject, got ${describeRun(run)}` });
    else if (run.error?.code === 'MISSING_HOST') differences.push({ field: 'outcome', message: 'still rejected for MISSING_HOST' });
    if (c.mode === 'strict') differences.push(...compare(run, variant.expect, []).filter((d) => d.field !== 'outcome'));
    return { verdict: differences.length === 0 ? 'agree' : 'fail', differences, run };
  }
  differences.push(...compare(run, variant.expect, []));
  const documented = withHostBehaviour(deviation);
  if (differences.length === 0) {
    if (documented !== 'agree') differences.push({ field: 'stale', message: `listed as ${describeBehaviour(documented)}, but now agrees` });
    return { verdict: differences.length === 0 ? 'agree' : 'fail', differences, run };
  }
  if (planned.failures.length === 0 && documented !== 'agree' && behaviourMatches(documented, run, differences)) {
    return { verdict: 'deviation', differences, run };
  }
  if (documented !== 'agree') differences.unshift({ field: 'deviation', message: `listed as ${describeBehaviour(documented)}, but brisk ${describeRun(run)}` });
  return { verdict: 'fail', differences, run };
}

// ---- comparison -------------------------------------------------------------------------------

function outcomeOf(run: ParseRun): Outcome | 'threw' {
  if (run.outcome === 'reject' && run.error?.code === 'HTTP2_PREFACE') return 'h2-preface';
  return run.outcome;
}

function trimTrailingOws(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x09)) end--;
  return s.slice(0, end);
}

function showPairs(list: [string, string][]): string {
  return JSON.stringify(list);
}

function comparePairs(field: string, expected: [string, string][], actual: [string, string][], out: Difference[]): void {
  const e = expected.map(([n, v]) => [n, trimTrailingOws(v)] as [string, string]);
  const a = actual.map(([n, v]) => [n, trimTrailingOws(v)] as [string, string]);
  if (showPairs(e) !== showPairs(a)) out.push({ field, message: `expected ${showPairs(e)}, got ${showPairs(a)}` });
}

/** Differences between a run and an expectation, per README §3 step 4. */
export function compare(run: ParseRun, expect: Expectation, warnings: string[]): Difference[] {
  const out: Difference[] = [];
  for (const v of run.violations) out.push({ field: 'contract', message: v });
  const actualOutcome = outcomeOf(run);
  if (actualOutcome !== expect.outcome) {
    out.push({ field: 'outcome', message: `expected ${expect.outcome}, got ${describeRun(run)}` });
  }
  const rejecting = expect.outcome === 'reject' || expect.outcome === 'h2-preface';
  const expected = expect.messages;
  const actual = run.messages;
  if (rejecting ? actual.length > expected.length : actual.length !== expected.length) {
    out.push({ field: 'messages', message: `expected ${expected.length} message(s), got ${actual.length}` });
  }
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i];
    if (!e.complete && a?.complete === true) {
      out.push({ field: `message[${i}].complete`, message: 'delivered as complete, but llhttp never completes it' });
    }
    const compared = e.complete || (e.headersComplete && !rejecting);
    if (!compared) continue;
    if (a === undefined) {
      out.push({ field: `message[${i}]`, message: `missing (${e.method} ${e.url})` });
      continue;
    }
    compareMessage(i, e, a, out);
  }
  if (expect.outcome === 'upgrade' && actualOutcome === 'upgrade' && run.upgradeOffset !== expect.upgrade?.offset) {
    out.push({ field: 'upgradeOffset', message: `expected ${expect.upgrade?.offset}, got ${run.upgradeOffset}` });
  }
  if (expect.incompleteAtEnd && actualOutcome === expect.outcome) {
    const last = actual[actual.length - 1];
    if (last === undefined || last.complete) out.push({ field: 'incomplete', message: 'the last message should still be pending' });
  }
  if (expect.finish !== null && actualOutcome === expect.outcome) compareFinish(expect, run, out, warnings);
  if (expect.error !== null && run.error !== null) {
    const e = expect.error;
    const a = run.error;
    if (a.offset > e.offset) warnings.push(`error at byte ${a.offset} (${a.code}), past llhttp's ${e.offset} (${e.name})`);
    else if (a.offset !== e.offset) warnings.push(`error at byte ${a.offset} (${a.code}), llhttp at ${e.offset} (${e.name})`);
    if (a.offset !== a.consumedOffset) warnings.push(`error.offset ${a.offset} but bytes consumed ${a.consumedOffset}`);
  }
  return out;
}

function compareFinish(expect: Expectation, run: ParseRun, out: Difference[], warnings: string[]): void {
  if (expect.finish === 'unsafe') {
    if (run.finish === null || run.finish === undefined) out.push({ field: 'finish', message: 'EOF inside a message must be an error' });
    else if (run.finish !== 'INCOMPLETE_MESSAGE') warnings.push(`finish() gave ${run.finish}, not INCOMPLETE_MESSAGE`);
  } else if (run.finish !== null) {
    out.push({ field: 'finish', message: `EOF should be clean, got ${run.finish ?? 'no finish() call'}` });
  }
}

function compareMessage(i: number, e: ExpectedMessage, a: ParseRunMessage, out: Difference[]): void {
  const at = `message[${i}]`;
  if (e.method !== a.method) out.push({ field: `${at}.method`, message: `expected ${e.method}, got ${a.method}` });
  if (e.url !== a.target) out.push({ field: `${at}.url`, message: `expected ${JSON.stringify(e.url)}, got ${JSON.stringify(a.target)}` });
  if (e.versionMajor !== 1 || e.versionMinor !== a.versionMinor) {
    out.push({ field: `${at}.version`, message: `expected ${e.versionMajor}.${e.versionMinor}, got 1.${a.versionMinor}` });
  }
  comparePairs(`${at}.headers`, e.headers, pairs(a.headers), out);
  comparePairs(`${at}.trailers`, e.trailers ?? [], pairs(a.trailers), out);
  const body = Buffer.from(e.body_base64, 'base64');
  if (!body.equals(a.body)) {
    out.push({ field: `${at}.body`, message: `expected ${JSON.stringify(body.toString('latin1'))}, got ${JSON.stringify(a.body.toString('latin1'))}` });
  }
  if (e.complete !== a.complete) out.push({ field: `${at}.complete`, message: `expected ${e.complete}, got ${a.complete}` });
  if (e.shouldKeepAlive !== undefined && a.headersComplete && e.shouldKeepAlive !== a.keepAlive) {
    out.push({ field: `${at}.shouldKeepAlive`, message: `expected ${e.shouldKeepAlive}, got ${a.keepAlive}` });
  }
  if (e.upgrade !== undefined && a.headersComplete && e.upgrade !== a.upgrade) {
    out.push({ field: `${at}.upgrade`, message: `expected ${e.upgrade}, got ${a.upgrade}` });
  }
}

type ParseRunMessage = ParseRun['messages'][number];

// ---- deviations -------------------------------------------------------------------------------

/** Does the run do what the deviation says brisk does? */
function behaviourMatches(brisk: BriskBehaviour, run: ParseRun, differences: Difference[]): boolean {
  if (run.violations.length > 0 || outcomeOf(run) !== brisk.outcome) return false;
  if (brisk.outcome === 'reject') {
    if (run.error?.code !== brisk.code) return false;
    const complete = run.messages.filter((m) => m.complete).length;
    return complete === (brisk.completeMessages ?? 0);
  }
  // Accepted or upgraded, but some fields differ: exactly the listed ones.
  const allowed = new Set(brisk.fields ?? []);
  return differences.every((d) => allowed.has(d.field.replace(/^message\[\d+\]\./, '')));
}

export function describeBehaviour(b: BriskBehaviour): string {
  if (b.outcome === 'reject') return `reject ${b.code}${b.completeMessages ? ` after ${b.completeMessages} message(s)` : ''}`;
  return `${b.outcome} with different ${(b.fields ?? []).join(', ')}`;
}

export function describeRun(run: ParseRun): string {
  switch (run.outcome) {
    case 'reject':
      return `reject ${run.error?.code ?? '?'} at byte ${run.error?.offset ?? '?'}`;
    case 'upgrade':
      return `upgrade at byte ${run.upgradeOffset}`;
    case 'threw':
      return `threw ${run.thrown}`;
    default: {
      const complete = run.messages.filter((m) => m.complete).length;
      return `accept (${complete}/${run.messages.length} message(s) complete)`;
    }
  }
}
