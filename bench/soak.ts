// `npm run soak [-- --minutes N | --quick]`: soak and abuse tests of brisk (issue #7), never part
// of `npm test`. The server is the CLI with the demo app in a child process on 127.0.0.1, one
// fresh process per phase, so its RSS and file descriptors come from /proc/<pid>:
//   (a) idle: 10,000 concurrent idle keep-alive connections; RSS per connection; 5 open/close
//       cycles (2 with --quick) must bring RSS and descriptors back (leak check);
//   (b) abuse: 1,000 slowloris + 1,000 slow-body connections against short timeouts while a
//       normal client keeps getting GET / with p99 < 50 ms; every abuser must be cut off;
//   (c) mixed: keep-alive, pipelined, uploads, downloads, streams, resets and malformed requests
//       for --minutes (default 30; --quick ≈ 25 s), RSS sampled every few seconds: flat RSS,
//       zero unexpected errors.
// Prints a Markdown summary (for the README) and writes it to bench/results/soak-latest.md.
// Exit status 1 when a check fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, totalmem } from 'node:os';
import { abusePhase, type AbuseResult } from './soak/abuse.js';
import { idlePhase, type IdleResult } from './soak/idle.js';
import { mixedPhase, type MixedResult } from './soak/mixed.js';
import { fdPlan, mb, startSoakServer } from './soak/server.js';

interface Args {
  minutes: number;
  quick: boolean;
  connections: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { minutes: 30, quick: false, connections: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--minutes') args.minutes = Number(argv[++i]);
    else if (arg === '--connections') args.connections = Number(argv[++i]);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('Usage: npm run soak -- [--minutes N (default 30)] [--quick (about a minute)] [--connections N (default 10000)]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!(args.minutes > 0)) throw new Error('--minutes must be positive');
  if (!(args.connections > 0)) throw new Error('--connections must be positive');
  return args;
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
const verdict = (passed: boolean): string => (passed ? 'pass' : '**FAIL**');

function report(args: Args, fdNote: string, idle: IdleResult, abuse: AbuseResult, mixed: MixedResult, abuseTimeouts: string): string {
  const date = new Date().toISOString().slice(0, 10);
  const perConn = idle.cycles.map((c) => c.perConnectionBytes / 1024);
  const lines = [
    `## Soak and abuse (${date}, ${args.quick ? '--quick' : `${args.minutes} min mixed`}; node ${process.version}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${fdNote})`,
    '',
    '| check | result | verdict |',
    '| --- | --- | --- |',
    `| (a) ${idle.connections.toLocaleString('en')} idle keep-alive connections | RSS per connection ${Math.min(...perConn).toFixed(1)}–${Math.max(...perConn).toFixed(1)} KiB; baseline ${mb(idle.baselineRssBytes)} MB | ${verdict(idle.cycles.every((c) => c.failed === 0))} |`,
    `| (a) leak check, ${idle.cycles.length} open/close cycles | JS heap after GC ${mb(idle.cycles[0]?.heapBeforeBytes ?? 0)} MB before → ${idle.cycles.map((c) => mb(c.heapAfterBytes)).join(' → ')} MB after each close (drift ${mb(idle.heapDriftBytes)} MB); RSS after close ${idle.cycles.map((c) => mb(c.rssAfterBytes)).join(' → ')} MB; fds back to ${idle.baselineFds} | ${verdict(idle.passed)} |`,
    `| (b) ${abuse.opened.slowloris} slowloris + ${abuse.opened['slow-body']} slow-body (${abuseTimeouts}) | cut off ${abuse.cut.slowloris} + ${abuse.cut['slow-body']} (408 sent to ${abuse.with408.slowloris} + ${abuse.with408['slow-body']}); after p50/max ${ms(abuse.cutAfterMs.slowloris.p50)}/${ms(abuse.cutAfterMs.slowloris.max)} ms and ${ms(abuse.cutAfterMs['slow-body'].p50)}/${ms(abuse.cutAfterMs['slow-body'].max)} ms; ${abuse.stillOpen} left open | ${verdict(abuse.stillOpen === 0 && abuse.problems.every((p) => !p.includes('lasted')))} |`,
    `| (b) normal client during the abuse | ${abuse.normal.requests} GET /, ${abuse.normal.errors} errors; p50 ${ms(abuse.normal.p50)} ms, p99 ${ms(abuse.normal.p99)} ms, max ${ms(abuse.normal.max)} ms; server peak RSS ${mb(abuse.peakRssBytes)} MB | ${verdict(abuse.normal.errors === 0 && abuse.normal.p99 < 50)} |`,
    `| (c) mixed traffic, ${mixed.seconds.toFixed(0)} s | ${Object.values(mixed.operations).reduce((a, b) => a + b, 0).toLocaleString('en')} operations, ${mixed.errors} unexpected errors | ${verdict(mixed.errors === 0)} |`,
    `| (c) RSS, sampled ${mixed.samples.length}× | ${mb(mixed.rssStartBytes)} → ${mb(mixed.rssEndBytes)} MB after warm-up (max ${mb(mixed.rssMaxBytes)}), slope ${mixed.slopeMbPerMin.toFixed(2)} MB/min; fds back to ${mixed.fdsAfter} (baseline ${mixed.baselineFds}) | ${verdict(mixed.passed)} |`,
    '',
    '<details><summary>details</summary>',
    '',
    '| idle cycle | opened | open time | RSS before → open → after close (MB) | KiB RSS / connection | heap after GC before → open → after (MB) | KiB heap / connection | fds open → after |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...idle.cycles.map(
      (c) =>
        `| ${c.cycle} | ${c.opened} (${c.failed} failed) | ${c.openMs} ms | ${mb(c.rssBeforeBytes)} → ${mb(c.rssOpenBytes)} → ${mb(c.rssAfterBytes)} | ` +
        `${(c.perConnectionBytes / 1024).toFixed(1)} | ${mb(c.heapBeforeBytes)} → ${mb(c.heapOpenBytes)} → ${mb(c.heapAfterBytes)} | ` +
        `${((c.heapOpenBytes - c.heapBeforeBytes) / Math.max(1, c.opened) / 1024).toFixed(1)} | ${c.fdsOpen} → ${c.fdsAfter} |`,
    ),
    '',
    '| mixed operation | count |',
    '| --- | --- |',
    ...Object.entries(mixed.operations).sort().map(([k, n]) => `| ${k} | ${n.toLocaleString('en')} |`),
    '',
    `RSS samples (s: MB): ${mixed.samples.filter((_, i, all) => all.length <= 24 || i % Math.ceil(all.length / 24) === 0).map((s) => `${s.tSeconds.toFixed(0)}: ${mb(s.rssBytes)}`).join(', ')}`,
    '',
    '</details>',
    '',
  ];
  const problems = [...idle.problems, ...abuse.problems, ...mixed.problems];
  if (problems.length > 0) lines.push('Problems:', ...problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan = fdPlan();
  const needed = args.connections + 200;
  log(`brisk soak: ${args.quick ? 'quick' : `${args.minutes} min`}; ${plan.note}`);
  if (plan.serverLimit < needed) log(`  warning: the server may open only ${plan.serverLimit} files; ${needed} are needed`);

  log(`(a) ${args.connections} idle keep-alive connections, ${args.quick ? 2 : 5} cycles`);
  const idleServer = await startSoakServer(['--max-connections', String(args.connections + 1000), '--keep-alive-timeout', '120000'], plan.prefix, true);
  let idle: IdleResult;
  try {
    idle = await idlePhase(idleServer, args.connections, args.quick ? 2 : 5, log);
  } finally {
    await idleServer.stop();
  }

  const headersTimeoutMs = 3_000;
  const bodyTimeoutMs = 3_000;
  const abuseTimeouts = `--headers-timeout ${headersTimeoutMs} --body-idle-timeout ${bodyTimeoutMs} --body-min-rate 1024`;
  log(`(b) 1000 slowloris + 1000 slow-body connections (${abuseTimeouts})`);
  const abuseServer = await startSoakServer(
    ['--max-connections', '5000', '--headers-timeout', String(headersTimeoutMs), '--body-idle-timeout', String(bodyTimeoutMs), '--body-min-rate', '1024'],
    plan.prefix,
  );
  let abuse: AbuseResult;
  try {
    abuse = await abusePhase(abuseServer, { slowloris: 1000, slowBody: 1000, headersTimeoutMs, bodyTimeoutMs, maxMs: args.quick ? 12_000 : 30_000 }, log);
  } finally {
    await abuseServer.stop();
  }

  const seconds = args.quick ? 25 : args.minutes * 60;
  log(`(c) mixed traffic for ${seconds} s`);
  const mixedServer = await startSoakServer(['--max-connections', '5000'], plan.prefix);
  let mixed: MixedResult;
  try {
    mixed = await mixedPhase(mixedServer, seconds, args.quick ? 2_000 : 10_000, log);
  } finally {
    await mixedServer.stop();
  }

  const markdown = report(args, plan.note, idle, abuse, mixed, abuseTimeouts);
  log('');
  log(markdown);
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'soak-latest.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  log(`written to ${out}`);
  if (!idle.passed || !abuse.passed || !mixed.passed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
