// Property tests of the request parser (fast-check, fixed seed, fixed run counts):
//   (a) random valid requests and pipelines round-trip: serialise → parse → the same method,
//       target, version, fields, body, trailers and keep-alive;
//   (b) any split of the input, and pausing after each message, gives the same event log;
//   (c) random mutations of valid requests give a ParseError or a valid parse — never an
//       exception, a contract breach or a hang — and the same result at any split.
// Each property runs in a worker thread under a deadline (see property-worker.ts).
// BRISK_PROPERTY_SEED and BRISK_PROPERTY_SCALE (a run-count multiplier) override the defaults.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { PropertyJob, PropertyName, PropertyResult } from './property-worker.js';

const SEED = Number(process.env.BRISK_PROPERTY_SEED ?? 20240611);
const SCALE = Number(process.env.BRISK_PROPERTY_SCALE ?? 1);
const DEADLINE_MS = 60_000;

function runInWorker(property: PropertyName, numRuns: number): Promise<PropertyResult> {
  const job: PropertyJob = { property, numRuns: Math.max(1, Math.round(numRuns * SCALE)), seed: SEED };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./property-worker.js', import.meta.url), { workerData: job });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`${property}: no result after ${DEADLINE_MS} ms — the parser hangs (seed ${SEED})`));
    }, DEADLINE_MS);
    worker.once('message', (result: PropertyResult) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function summary(result: PropertyResult): string {
  const counts = Object.entries(result.stats)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return `${result.property}: ${result.numRuns} runs (seed ${result.seed}) — ${counts}`;
}

const PROPERTIES: [PropertyName, number, string][] = [
  ['roundtrip', 1000, '(a) valid requests and pipelines round-trip through the parser'],
  ['splits', 1000, '(b) any split of the input gives the same event log'],
  ['mutations', 5000, '(c) mutated requests: ParseError or valid parse, no throw, no hang, split-independent'],
];

for (const [property, numRuns, title] of PROPERTIES) {
  test(title, async (t) => {
    const result = await runInWorker(property, numRuns);
    t.diagnostic(summary(result));
    assert.equal(result.failed, false, result.report);
  });
}
