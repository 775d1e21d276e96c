// A coverage-guided fuzzer for the request parser: `npm run fuzz -- --seconds N [--seed S]`.
//
// @jazzer.js/core does not run on this machine (its prebuilt libFuzzer addon needs glibc 2.38;
// Debian 12 has 2.36, and building it needs binaries from outside the npm registry), so the
// guidance comes from V8 itself: the fuzzing loop runs in a worker that turns on precise block
// coverage (node:inspector, Profiler.startPreciseCoverage) and, after each input, reads which
// blocks of dist/src/parser/*.js ran and how often (AFL-style hit buckets). An input that reaches
// a new block or bucket joins the corpus and is mutated further (test/fuzz/mutate.ts). One input
// in five comes fresh from the fast-check generators the property and differential tests use.
//
// Seeds: every input of test/conformance/corpus/llhttp-requests.json ($BRISK_CONFORMANCE_DIR
// overrides the folder), every row of the adversarial table, and generated valid, mutated and
// edge-case requests. Each input goes through test/fuzz/invariants.ts. The main thread is a
// watchdog: a worker that stops making progress (a hang inside execute()) is killed and its
// current input reported. Findings are printed and written to fuzz-findings/ as JSON; each one
// belongs in test/fuzz/regressions.test.ts. Exit status 1 when an invariant broke (a differential
// disagreement where brisk is the stricter side is reported but fails closed, so it does not count).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import type { ParserLimits } from '../../src/parser/options.js';
import { CASES } from '../adversarial/cases.js';
import { caseBytes, corpusDir, loadCorpus } from '../conformance/corpus.js';
import { nativeUnavailable } from '../helpers/node-llhttp.js';
import { fragmentRequest, mutatedInput, validInput } from '../parser/differential-support.js';
import { checkInput, outcomeLabel, type Finding } from './invariants.js';
import { Rng, mutateInput } from './mutate.js';

const MAX_INPUT_BYTES = 2048;
/** Bytes of the shared "current input" slot the watchdog reads after a hang. */
const SLOT_BYTES = 64 * 1024;
const SLOW_MS = 2_000;
const HANG_MS = 10_000;

interface Job {
  seconds: number;
  seed: number;
  shared: SharedArrayBuffer;
}

interface Progress {
  execs: number;
  unique: number;
  corpus: number;
  seeds: number;
  blocks: number;
  features: number;
  outcomes: Record<string, number>;
  differential: Record<string, number>;
  generated: number;
  withSmallLimits: number;
}

interface FoundMessage {
  type: 'finding';
  finding: Finding;
  inputBase64: string;
}

type WorkerMessage = FoundMessage | { type: 'progress'; progress: Progress } | { type: 'done'; progress: Progress };

// ---- worker: the fuzzing loop ------------------------------------------------------------------

/** Reads the parser's block coverage since the last call (and resets the counters). */
class Coverage {
  private readonly session = new Session();
  /** Blocks ever seen: script:start:end. */
  readonly blocks = new Set<string>();
  /** Blocks with hit-count buckets: script:start:end:bucket. */
  readonly features = new Set<string>();

  constructor() {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  private post(method: string, params?: object): unknown {
    let result: unknown;
    let failure: Error | null = null;
    // The in-process inspector session answers synchronously.
    this.session.post(method, params, (error, value) => {
      failure = error;
      result = value;
    });
    if (failure !== null) throw failure;
    return result;
  }

  /** How many new features the input just run has reached. */
  take(): number {
    const taken = this.post('Profiler.takePreciseCoverage') as {
      result: { url: string; functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[];
    };
    let fresh = 0;
    for (const script of taken.result) {
      const at = script.url.indexOf('/src/parser/');
      if (at < 0) continue;
      const name = script.url.slice(at + 12);
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          if (range.count === 0) continue;
          const block = `${name}:${range.startOffset}:${range.endOffset}`;
          this.blocks.add(block);
          const feature = `${block}:${bucket(range.count)}`;
          if (!this.features.has(feature)) {
            this.features.add(feature);
            fresh++;
          }
        }
      }
    }
    return fresh;
  }
}

/** AFL's hit-count buckets. */
function bucket(count: number): number {
  if (count <= 3) return count;
  if (count <= 7) return 4;
  if (count <= 15) return 5;
  if (count <= 31) return 6;
  if (count <= 127) return 7;
  return 8;
}

function seedCorpus(seed: number): Buffer[] {
  const seeds: Buffer[] = [];
  for (const c of loadCorpus().cases) seeds.push(caseBytes(c));
  for (const c of CASES) seeds.push(typeof c.bytes === 'string' ? Buffer.from(c.bytes, 'latin1') : c.bytes);
  seeds.push(...fc.sample(validInput, { numRuns: 100, seed }));
  seeds.push(...fc.sample(mutatedInput, { numRuns: 100, seed }));
  seeds.push(...fc.sample(fragmentRequest, { numRuns: 100, seed }));
  return seeds.filter((s) => s.length > 0).map((s) => (s.length > MAX_INPUT_BYTES ? s.subarray(0, MAX_INPUT_BYTES) : s));
}

function smallLimits(rng: Rng): Partial<ParserLimits> {
  return {
    maxHeadBytes: 32 + rng.int(600),
    maxTargetBytes: 4 + rng.int(124),
    maxHeaderCount: 1 + rng.int(8),
    maxChunkExtensionBytes: 1 + rng.int(16),
  };
}

function fuzzWorker(job: Job): void {
  const port = parentPort;
  if (port === null) throw new Error('fuzzWorker outside a worker');
  const header = new Int32Array(job.shared, 0, 2);
  const slot = new Uint8Array(job.shared, 8, SLOT_BYTES);
  const rng = new Rng(job.seed);
  const coverage = new Coverage();
  const corpus = seedCorpus(job.seed);
  const seeds = corpus.length;
  const unique = new Set<string>();
  const signatures = new Set<string>();
  const outcomes: Record<string, number> = {};
  const differential: Record<string, number> = {};
  const families = [validInput, mutatedInput, fragmentRequest];
  let generated: Buffer[] = [];
  let generationRound = 0;
  let execs = 0;
  let generatedRuns = 0;
  let withSmallLimits = 0;
  const progress = (): Progress => ({
    execs, unique: unique.size, corpus: corpus.length, seeds, blocks: coverage.blocks.size, features: coverage.features.size,
    outcomes, differential, generated: generatedRuns, withSmallLimits,
  });

  const runOne = (input: Buffer): void => {
    const length = Math.min(input.length, SLOT_BYTES);
    slot.set(input.subarray(0, length));
    Atomics.store(header, 1, length);
    Atomics.add(header, 0, 1);
    const limits = rng.chance(0.1) ? smallLimits(rng) : undefined;
    if (limits !== undefined) withSmallLimits++;
    const cuts = Array.from({ length: 1 + rng.int(4) }, () => rng.int(input.length + 1));
    const result = checkInput(input, { limits, cuts, slowMs: SLOW_MS });
    execs++;
    unique.add(createHash('sha1').update(input).digest('base64'));
    const label = outcomeLabel(result.whole);
    outcomes[label] = (outcomes[label] ?? 0) + 1;
    differential[result.differential] = (differential[result.differential] ?? 0) + 1;
    if (coverage.take() > 0) corpus.push(input);
    if (result.finding !== null && !signatures.has(result.finding.signature)) {
      signatures.add(result.finding.signature);
      const message: FoundMessage = { type: 'finding', finding: result.finding, inputBase64: input.toString('base64') };
      port.postMessage(message);
    }
  };

  // The seeds first: they set the coverage baseline.
  for (const s of corpus.slice()) runOne(s);
  const deadline = performance.now() + job.seconds * 1000;
  let lastReport = performance.now();
  while (performance.now() < deadline) {
    if (rng.chance(0.2)) {
      if (generated.length === 0) {
        const family = families[generationRound % families.length] as fc.Arbitrary<Buffer>;
        generated = fc.sample(family, { numRuns: 200, seed: job.seed + 1 + generationRound++ });
      }
      generatedRuns++;
      runOne((generated.pop() as Buffer).subarray(0, MAX_INPUT_BYTES));
    } else {
      // Half the time a recent corpus entry (new coverage is worth following), else any.
      const recent = rng.chance(0.5) ? Math.max(0, corpus.length - 64) : 0;
      const parent = corpus[recent + rng.int(corpus.length - recent)] as Buffer;
      runOne(mutateInput(rng, parent, rng.pick(corpus), MAX_INPUT_BYTES));
    }
    if (performance.now() - lastReport > 1000) {
      lastReport = performance.now();
      port.postMessage({ type: 'progress', progress: progress() } satisfies WorkerMessage);
    }
  }
  port.postMessage({ type: 'done', progress: progress() } satisfies WorkerMessage);
}

// ---- main: arguments, watchdog, summary --------------------------------------------------------

function parseArgs(argv: readonly string[]): { seconds: number; seed: number } {
  let seconds = 60;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${arg} needs a non-negative number`);
      return n;
    };
    if (arg === '--seconds') seconds = value();
    else if (arg?.startsWith('--seconds=')) seconds = Number(arg.slice(10));
    else if (arg === '--seed') seed = Math.floor(value());
    else if (arg?.startsWith('--seed=')) seed = Math.floor(Number(arg.slice(7)));
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('Usage: npm run fuzz -- [--seconds N (default 60)] [--seed S (default 1)]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds must be a positive number');
  return { seconds, seed };
}

interface Recorded {
  kind: Finding['kind'];
  fatal: boolean;
  detail: string;
  signature: string;
  input: string;
  inputBase64: string;
}

function formatCounts(counts: Record<string, number>, total: number, limit = 8): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, n]) => `${k} ${((100 * n) / Math.max(1, total)).toFixed(1)}%`)
    .join(', ');
}

async function main(): Promise<void> {
  const { seconds, seed } = parseArgs(process.argv.slice(2));
  const shared = new SharedArrayBuffer(8 + SLOT_BYTES);
  const header = new Int32Array(shared, 0, 2);
  const slot = new Uint8Array(shared, 8, SLOT_BYTES);
  const findings: Recorded[] = [];
  const started = performance.now();
  process.stdout.write(
    `brisk parser fuzz: ${seconds} s, seed ${seed}, corpus ${join(corpusDir(), 'llhttp-requests.json')}\n` +
      (nativeUnavailable === null ? '' : `differential vs llhttp skipped: ${nativeUnavailable}\n`) +
      `guidance: V8 precise block coverage of dist/src/parser (jazzer.js cannot load here: glibc 2.36 < 2.38)\n`,
  );
  const record = (finding: Finding, input: Buffer): void => {
    findings.push({ ...finding, input: input.toString('latin1'), inputBase64: input.toString('base64') });
    const label = finding.fatal ? 'FINDING' : 'note (fails closed)';
    process.stdout.write(`${label} ${finding.kind}: ${finding.detail}\n  input ${JSON.stringify(input.toString('latin1'))}\n`);
  };

  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { seconds, seed, shared } satisfies Job });
  let last: Progress | null = null;
  let lastCount = 0;
  let lastChange = performance.now();
  let hung = false;
  const watchdog = setInterval(() => {
    const count = Atomics.load(header, 0);
    if (count !== lastCount) {
      lastCount = count;
      lastChange = performance.now();
      return;
    }
    if (performance.now() - lastChange > HANG_MS && !hung) {
      hung = true;
      const input = Buffer.from(slot.subarray(0, Atomics.load(header, 1)));
      record({ kind: 'hang', fatal: true, detail: `no progress for ${HANG_MS} ms on one input`, signature: 'hang' }, input);
      void worker.terminate();
    }
  }, 500);
  let lastLine = performance.now();
  await new Promise<void>((resolveDone, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'finding') record(message.finding, Buffer.from(message.inputBase64, 'base64'));
      else {
        last = message.progress;
        if (message.type === 'progress' && performance.now() - lastLine > 10_000) {
          lastLine = performance.now();
          const p = message.progress;
          process.stdout.write(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${p.execs} execs, corpus ${p.corpus}, blocks ${p.blocks}, features ${p.features}\n`);
        }
      }
    });
    worker.on('error', (error) => {
      record({ kind: 'threw', fatal: true, detail: `fuzzer worker died: ${error.stack ?? error.message}`, signature: 'worker' }, Buffer.from(slot.subarray(0, Atomics.load(header, 1))));
      resolveDone();
    });
    worker.on('exit', () => resolveDone());
    void reject;
  });
  clearInterval(watchdog);

  const elapsed = (performance.now() - started) / 1000;
  const p: Progress = last ?? { execs: 0, unique: 0, corpus: 0, seeds: 0, blocks: 0, features: 0, outcomes: {}, differential: {}, generated: 0, withSmallLimits: 0 };
  const diffTotal = Object.entries(p.differential).filter(([k]) => k !== 'skipped').reduce((a, [, n]) => a + n, 0);
  const documented = Object.entries(p.differential).filter(([k]) => !['agree', 'skipped', 'undocumented'].includes(k));
  const fatal = findings.filter((f) => f.fatal);
  const lines = [
    '',
    '| fuzz summary | |',
    '| --- | --- |',
    `| time | ${elapsed.toFixed(1)} s (seed ${seed}) |`,
    `| execs | ${p.execs} (${(p.execs / Math.max(1, elapsed)).toFixed(0)}/s); each input parsed whole, byte by byte, and split at random with pauses |`,
    `| unique inputs | ${p.unique} (${p.generated} fresh from fast-check, ${p.withSmallLimits} with small limits) |`,
    `| corpus | ${p.corpus} (${p.seeds} seeds: llhttp corpus, adversarial table, generated) |`,
    `| coverage of src/parser | ${p.blocks} blocks, ${p.features} block×hit-count features |`,
    `| outcomes | ${formatCounts(p.outcomes, p.execs)} |`,
    `| differential vs llhttp ${process.versions.llhttp} | ${diffTotal} compared: agree ${p.differential.agree ?? 0}, documented ${documented.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}, undocumented ${p.differential.undocumented ?? 0} |`,
    `| findings (invariant broken) | ${fatal.length}${fatal.length > 0 ? ` (${fatal.map((f) => f.kind).join(', ')})` : ''} |`,
    `| undocumented llhttp disagreements where brisk is stricter | ${findings.length - fatal.length} distinct (fail closed; each wants a category in test/parser/differential-deviations.ts) |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (findings.length > 0) {
    const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    const dir = join(repoRoot, 'fuzz-findings');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `findings-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(findings, null, 2) + '\n');
    process.stdout.write(`findings written to ${file}; add each input to test/fuzz/regressions.test.ts\n`);
    if (fatal.length > 0) process.exitCode = 1;
  }
}

if (isMainThread) {
  main().catch((error: unknown) => {
    process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
} else {
  fuzzWorker(workerData as Job);
}
