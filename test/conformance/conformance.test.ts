// The llhttp request corpus as a test: every strict case fed whole, byte by byte, at every split
// size and with a pause after each message must agree with llhttp or be a documented deviation
// that still holds; every lenient case must be rejected. A listed deviation that now agrees fails
// (stale), so deviations.ts stays true. Runner and rules: runner.ts; report: `npm run conformance`.
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { loadCorpus } from './corpus.js';
import { DEVIATIONS } from './deviations.js';
import { runCase } from './runner.js';
import { PARSE_ERRORS } from '../../src/parser/errors.js';

const corpus = loadCorpus();

describe('llhttp corpus: strict cases', () => {
  for (const c of corpus.cases.filter((k) => k.mode === 'strict')) {
    test(c.id, () => {
      const r = runCase(c);
      assert.notEqual(r.verdict, 'fail', `${c.id}:\n  ${r.failures.join('\n  ')}`);
    });
  }
});

describe('llhttp corpus: lenient cases are rejected', () => {
  for (const c of corpus.cases.filter((k) => k.mode === 'lenient')) {
    test(c.id, () => {
      const r = runCase(c);
      assert.equal(r.verdict, 'agree', `${c.id}:\n  ${r.failures.join('\n  ')}`);
    });
  }
});

describe('deviations.ts', () => {
  test('every entry names a strict corpus case, once, with its rule and reason', () => {
    const strictIds = new Set(corpus.cases.filter((k) => k.mode === 'strict').map((k) => k.id));
    const seen = new Set<string>();
    for (const d of DEVIATIONS) {
      assert.ok(strictIds.has(d.id), `${d.id} is not a strict corpus case`);
      assert.ok(!seen.has(d.id), `${d.id} is listed twice`);
      seen.add(d.id);
      assert.ok(d.rfc.length > 0 && d.reason.length > 0 && d.llhttp.length > 0, `${d.id} needs rfc, reason and llhttp`);
      for (const b of [d.brisk, d.withHost]) {
        if (b === undefined || b === 'agree') continue;
        if (b.outcome === 'reject') assert.ok(b.code !== undefined && b.code in PARSE_ERRORS, `${d.id}: reject needs a ParseErrorCode`);
        else assert.ok((b.fields ?? []).length > 0, `${d.id}: an accepting deviation must list the fields that differ`);
      }
    }
  });

  test('brisk is only ever stricter than llhttp: every deviation is a rejection of an accepted case', () => {
    const byId = new Map(corpus.cases.map((k) => [k.id, k]));
    for (const d of DEVIATIONS) {
      const c = byId.get(d.id)!;
      if (d.brisk.outcome === 'reject') {
        assert.notEqual(c.expect.outcome, 'reject', `${d.id}: llhttp rejects too, so this is no deviation`);
      } else {
        assert.equal(d.brisk.outcome, c.expect.outcome, `${d.id}: brisk may only differ in fields, not accept what llhttp refuses`);
      }
    }
  });
});
