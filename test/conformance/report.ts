// `npm run conformance`: runs the whole llhttp corpus through brisk's parser and prints a summary
// per file, the deviations by rule, how the lenient cases are refused, every failure, and as the
// very last line: "strict: A agree, D documented deviations, F failed of N".
// Exit code 1 when a case fails. Options: --verbose (every case), --quick (whole + byte plans only).
import { caseFile, loadCorpus, type CorpusCase } from './corpus.js';
import { describeBehaviour, describeRun, runCase, type CaseResult, type Plan } from './runner.js';

const args = new Set(process.argv.slice(2));
const verbose = args.has('--verbose');
const plans: Plan[] = args.has('--quick') ? ['whole', 'bytes'] : ['whole', 'bytes', 'splits', 'pause'];

interface FileRow {
  agree: number;
  deviation: number;
  fail: number;
  lenientRejected: number;
  lenient: number;
}

function pad(s: string | number, width: number): string {
  return String(s).padEnd(width);
}

function padLeft(s: string | number, width: number): string {
  return String(s).padStart(width);
}

function main(): void {
  const corpus = loadCorpus();
  const started = performance.now();
  const results: { c: CorpusCase; r: CaseResult }[] = corpus.cases.map((c) => ({ c, r: runCase(c, { plans }) }));
  const elapsedMs = performance.now() - started;
  const strict = results.filter(({ c }) => c.mode === 'strict');
  const lenient = results.filter(({ c }) => c.mode === 'lenient');
  const runs = results.reduce((n, { r }) => n + r.plans + (r.hostVariant === null ? 0 : r.plans), 0);

  console.log(`llhttp request corpus ${corpus.source.version} (${corpus.source.commit.slice(0, 12)}), ${corpus.cases.length} cases`);
  console.log(`feeding plans: ${plans.join(', ')}; ${runs} parser runs in ${elapsedMs.toFixed(0)} ms\n`);

  // ---- per file
  const byFile = new Map<string, FileRow>();
  for (const { c, r } of results) {
    const file = caseFile(c);
    const row = byFile.get(file) ?? { agree: 0, deviation: 0, fail: 0, lenientRejected: 0, lenient: 0 };
    if (c.mode === 'strict') row[r.verdict]++;
    else {
      row.lenient++;
      if (r.verdict !== 'fail') row.lenientRejected++;
    }
    byFile.set(file, row);
  }
  console.log(`${pad('file', 30)}${padLeft('agree', 7)}${padLeft('deviate', 9)}${padLeft('fail', 6)}${padLeft('lenient rejected', 18)}`);
  for (const [file, row] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const len = row.lenient === 0 ? '-' : `${row.lenientRejected}/${row.lenient}`;
    console.log(`${pad(file, 30)}${padLeft(row.agree, 7)}${padLeft(row.deviation, 9)}${padLeft(row.fail, 6)}${padLeft(len, 18)}`);
  }

  // ---- deviations by rule
  const byRule = new Map<string, number>();
  for (const { r } of strict) {
    if (r.verdict !== 'deviation' || r.deviation === undefined) continue;
    const key = `${describeBehaviour(r.deviation.brisk).replace(/ after \d+ message\(s\)/, '')} (${r.deviation.rfc})`;
    byRule.set(key, (byRule.get(key) ?? 0) + 1);
  }
  console.log('\ndocumented deviations by rule (brisk rejects what llhttp accepts):');
  for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1])) console.log(`  ${padLeft(n, 3)}  ${rule}`);

  // ---- Host variant
  const variants = strict.filter(({ r }) => r.hostVariant !== null);
  const variantAgree = variants.filter(({ r }) => r.hostVariant?.verdict === 'agree').length;
  const variantDeviate = variants.filter(({ r }) => r.hostVariant?.verdict === 'deviation').length;
  console.log(
    `\nwith "Host: x" added to HTTP/1.1 heads that lack it (${variants.length} strict cases): ` +
      `${variantAgree} agree, ${variantDeviate} still deviate (other rule), ` +
      `${variants.length - variantAgree - variantDeviate} failed`,
  );

  // ---- lenient cases
  console.log(`\nlenient cases (${lenient.length}): llhttp needs a leniency flag for these; brisk has none and must reject them all`);
  for (const { c, r } of lenient) {
    const mark = r.verdict === 'fail' ? 'FAIL' : 'ok  ';
    const withHost = r.hostVariant === null ? '' : `; with Host: ${describeRun(r.hostVariant.run)}`;
    const twin = c.strictTwins?.length ? ` [twin of ${c.strictTwins.join(', ')}]` : '';
    console.log(`  ${mark} ${c.id} (${c.lenientFlags.join(', ')}; llhttp lenient: ${c.expect.outcome}) → ${describeRun(r.run)}${withHost}${twin}`);
  }

  // ---- warnings: error positions compared with llhttp's
  const warned = strict.filter(({ r }) => r.warnings.length > 0);
  const past = warned.filter(({ r }) => r.warnings.some((w) => w.includes('past llhttp')));
  console.log(`\nerror positions: ${warned.length} strict rejects report a different offset or code than llhttp (informational); ${past.length} read past llhttp's offset`);
  for (const { c, r } of verbose ? warned : past) console.log(`  ${c.id}: ${r.warnings.join('; ')}`);

  // ---- every case, or only the failures
  if (verbose) {
    console.log('\nall cases:');
    for (const { c, r } of results) console.log(`  ${pad(r.verdict, 10)} ${c.id}: ${describeRun(r.run)}`);
  }
  const failed = results.filter(({ r }) => r.verdict === 'fail');
  if (failed.length > 0) {
    console.log(`\nFAILED (${failed.length}):`);
    for (const { c, r } of failed) {
      console.log(`  ${c.id} [${c.mode}] — brisk ${describeRun(r.run)}, llhttp ${c.expect.outcome}`);
      for (const f of r.failures.slice(0, 8)) console.log(`    ${f.replace(/\n/g, '\n    ')}`);
    }
    process.exitCode = 1;
  }

  const count = (v: string): number => strict.filter(({ r }) => r.verdict === v).length;
  console.log('');
  console.log(`strict: ${count('agree')} agree, ${count('deviation')} documented deviations, ${count('fail')} failed of ${strict.length}`);
}

main();
