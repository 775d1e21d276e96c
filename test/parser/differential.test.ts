// Differential test: brisk's parser against Node's native llhttp on thousands of generated
// requests — valid pipelines, byte-mutated pipelines, and requests assembled from edge-case
// fragments (framing fields, request lines, chunk lines). Accept/reject, message fields,
// keep-alive, upgrade and EOF state must agree, or the disagreement must fall in a category of
// differential-deviations.ts. Fixed seed; BRISK_DIFF_SEED / BRISK_DIFF_SCALE override.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { DIFF_CATEGORIES, type Disagreement } from './differential-deviations.js';
import { compareOn, fragmentRequest, mutatedInput, validInput } from './differential-support.js';
import { nativeHasTrailingTabFixes, nativeUnavailable } from '../helpers/node-llhttp.js';

const SEED = Number(process.env.BRISK_DIFF_SEED ?? 7);
const SCALE = Number(process.env.BRISK_DIFF_SCALE ?? 1);

// ---- the test --------------------------------------------------------------------------------

interface FamilyStats {
  inputs: number;
  agree: number;
  bothReject: number;
  byCategory: Map<string, number>;
  undocumented: Disagreement[];
}

function runFamily(name: string, arb: fc.Arbitrary<Buffer>, numRuns: number, seed: number): FamilyStats {
  const stats: FamilyStats = { inputs: 0, agree: 0, bothReject: 0, byCategory: new Map(), undocumented: [] };
  for (const input of fc.sample(arb, { numRuns: Math.max(1, Math.round(numRuns * SCALE)), seed })) {
    stats.inputs++;
    const { brisk, disagreement: d } = compareOn(input);
    assert.equal(brisk.outcome === 'threw', false, `${name}: brisk threw ${brisk.thrown} on ${JSON.stringify(input.toString('latin1'))}`);
    assert.deepEqual(brisk.violations, [], `${name}: contract violation on ${JSON.stringify(input.toString('latin1'))}`);
    if (d === null) {
      stats.agree++;
      if (brisk.outcome === 'reject') stats.bothReject++;
      continue;
    }
    const category = DIFF_CATEGORIES.find((c) => c.matches(d));
    if (category === undefined) stats.undocumented.push(d);
    else stats.byCategory.set(category.id, (stats.byCategory.get(category.id) ?? 0) + 1);
  }
  return stats;
}

function show(d: Disagreement): string {
  return `  ${d.side} at message ${d.index}, ${d.aspect}: ${d.detail}\n    input ${JSON.stringify(d.input.toString('latin1'))}`;
}

const FAMILIES: [string, fc.Arbitrary<Buffer>, number][] = [
  ['valid pipelines', validInput, 1500],
  ['mutated pipelines', mutatedInput, 5000],
  ['edge-case fragments', fragmentRequest, 5000],
];

for (const [name, arb, numRuns] of FAMILIES) {
  // Node's llhttp binding is internal: where it is missing or changed, skip and say why.
  const skip = nativeUnavailable === null ? false : `Node's llhttp binding cannot be driven: ${nativeUnavailable}`;
  test(`differential vs Node's llhttp ${process.versions.llhttp}: ${name}`, { skip }, (t) => {
    const stats = runFamily(name, arb, numRuns, SEED);
    const categories = [...stats.byCategory].sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id}: ${n}`).join(', ');
    t.diagnostic(
      `${name}: ${stats.inputs} inputs (seed ${SEED}) — ${stats.agree} agree (${stats.bothReject} of them both reject), ` +
        `${stats.inputs - stats.agree - stats.undocumented.length} documented disagreements [${categories || 'none'}], ` +
        `${stats.undocumented.length} undocumented`,
    );
    assert.equal(
      stats.undocumented.length,
      0,
      `${stats.undocumented.length} disagreement(s) in no category of differential-deviations.ts:\n` +
        stats.undocumented.slice(0, 12).map(show).join('\n'),
    );
  });
}

test("version-gated categories: the trailing-tab probe agrees with Node's llhttp version", { skip: nativeUnavailable ?? false }, () => {
  // llhttp 9.4.0 took #810 and #866; the probe looks at behaviour, this checks it against the version.
  const [major, minor] = process.versions.llhttp!.split('.').map(Number) as [number, number];
  assert.equal(nativeHasTrailingTabFixes(), major > 9 || (major === 9 && minor >= 4), `llhttp ${process.versions.llhttp}`);
});
