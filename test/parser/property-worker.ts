// Runs one fast-check property of the parser inside a worker thread, so that the test in
// property.test.ts can put a deadline on it: a parser stuck in a loop inside execute() blocks
// its thread, and only a watchdog in another thread can notice and report it.
import { strict as assert } from 'node:assert';
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { pairs, runParser, splitAt, splitEvery, type ParseRun } from '../helpers/parser-harness.js';
import { mutate, mutationArb, pipelineArb, serializeAll, type GenRequest } from '../helpers/request-gen.js';
import type { ParserLimits } from '../../src/parser/options.js';

export type PropertyName = 'roundtrip' | 'splits' | 'mutations';

export interface PropertyJob {
  property: PropertyName;
  numRuns: number;
  seed: number;
}

export interface PropertyResult {
  property: PropertyName;
  failed: boolean;
  numRuns: number;
  seed: number;
  report: string;
  /** Counters the property keeps: messages parsed, outcomes by error code, ... */
  stats: Record<string, number>;
}

const stats: Record<string, number> = {};
function count(key: string, n = 1): void {
  stats[key] = (stats[key] ?? 0) + n;
}

function cleanRun(run: ParseRun): void {
  assert.notEqual(run.outcome, 'threw', `threw: ${run.thrown}`);
  assert.deepEqual(run.violations, [], 'parser contract violations');
}

/** (a) serialise → parse gives back exactly what was generated. */
function checkRoundtrip(reqs: GenRequest[]): void {
  const input = serializeAll(reqs);
  const run = runParser([input]);
  cleanRun(run);
  assert.equal(run.outcome, 'accept', `rejected: ${run.error?.code} at ${run.error?.offset}`);
  assert.equal(run.messages.length, reqs.length, 'message count');
  reqs.forEach((req, k) => {
    const m = run.messages[k]!;
    assert.equal(m.complete, true, `message ${k} complete`);
    assert.equal(m.method, req.method);
    assert.equal(m.target, req.target);
    assert.equal(m.versionMinor, req.versionMinor);
    assert.deepEqual(pairs(m.headers), req.headers, `message ${k} headers`);
    assert.ok(m.body.equals(req.body), `message ${k} body`);
    assert.deepEqual(pairs(m.trailers), req.trailers, `message ${k} trailers`);
    assert.equal(m.keepAlive, req.keepAlive, `message ${k} keepAlive`);
    assert.equal(m.upgrade, false);
    assert.equal(m.expectContinue, req.expectContinue);
    assert.equal(m.bodyKind, req.framing === 'chunked' ? 2 : req.body.length > 0 ? 1 : 0, `message ${k} bodyKind`);
    count('messages');
    count(`framing ${req.framing}`);
    count('body bytes', req.body.length);
  });
  count('input bytes', input.length);
}

/** (b) any split, with or without pausing after each message, gives the same event log. */
function checkSplits(reqs: GenRequest[], cuts: number[], byteByByte: boolean, pause: boolean): void {
  const input = serializeAll(reqs);
  const whole = runParser([input]);
  cleanRun(whole);
  const pieces = byteByByte ? splitEvery(input, 1) : splitAt(input, cuts.map((c) => c % (input.length + 1)));
  const split = runParser(pieces, { pauseOnComplete: pause });
  cleanRun(split);
  assert.deepEqual(split.events, whole.events);
  count('pieces', pieces.length);
  count(byteByByte ? 'byte-by-byte runs' : 'random-split runs');
  if (pause) count('paused runs');
}

/** A quarter of the mutated runs use tiny limits, to reach the 414/431/extension-length paths. */
const smallLimits: fc.Arbitrary<Partial<ParserLimits> | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        maxHeadBytes: fc.integer({ min: 32, max: 600 }),
        maxTargetBytes: fc.integer({ min: 4, max: 128 }),
        maxHeaderCount: fc.integer({ min: 1, max: 8 }),
        maxChunkExtensionBytes: fc.integer({ min: 1, max: 16 }),
      },
      { requiredKeys: [] },
    ),
  },
);

/**
 * (c) mutated requests: a typed ParseError or a valid parse, never an exception, never a contract
 * breach (consumed ≤ given, Ok means all consumed, views not copies), and split-independent.
 */
function checkMutations(reqs: GenRequest[], mutations: Parameters<typeof mutate>[1], cuts: number[], limits: Partial<ParserLimits> | undefined): void {
  const input = mutate(serializeAll(reqs), mutations);
  const whole = runParser([input], { limits, finish: true, maxExecuteCalls: 10 });
  cleanRun(whole);
  const split = runParser(splitAt(input, cuts.map((c) => c % (input.length + 1))), { limits, finish: true, maxExecuteCalls: input.length + 10 });
  cleanRun(split);
  assert.deepEqual(split.events, whole.events, 'split changed the result');
  if (whole.error !== null) {
    assert.ok(whole.error.offset <= input.length, 'error offset past the input');
    count(`reject ${whole.error.code}`);
  } else if (whole.outcome === 'upgrade') {
    count('upgrade');
  } else if (whole.finish !== null && whole.finish !== undefined) {
    count(`pending at EOF (finish: ${whole.finish})`);
  } else {
    count('accept');
  }
  if (limits !== undefined) count('runs with small limits');
}

interface Outcome {
  failed: boolean;
  numRuns: number;
  report: string;
}

function outcome<Ts>(details: fc.RunDetails<Ts>): Outcome {
  return { failed: details.failed, numRuns: details.numRuns, report: details.failed ? (fc.defaultReportMessage(details) ?? 'failed') : '' };
}

function check(job: PropertyJob): Outcome {
  const params = { numRuns: job.numRuns, seed: job.seed };
  switch (job.property) {
    case 'roundtrip':
      return outcome(fc.check(fc.property(pipelineArb(4, { http10: true, otherTargets: true }), checkRoundtrip), params));
    case 'splits':
      return outcome(fc.check(
        fc.property(
          pipelineArb(3, { http10: true, otherTargets: true }),
          fc.array(fc.nat(), { maxLength: 24 }),
          fc.constantFrom(false, false, false, true),
          fc.boolean(),
          checkSplits,
        ),
        params,
      ));
    case 'mutations':
      return outcome(fc.check(
        fc.property(
          pipelineArb(3, { http10: true, otherTargets: true, maxBody: 64 }),
          fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          smallLimits,
          checkMutations,
        ),
        params,
      ));
  }
}

const job = workerData as PropertyJob;
const details = check(job);
const result: PropertyResult = {
  property: job.property,
  failed: details.failed,
  numRuns: details.numRuns,
  seed: job.seed,
  report: details.report,
  stats,
};
parentPort?.postMessage(result);
