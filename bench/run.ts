// `npm run bench [-- --quick] [--rounds N] [--duration S] [--only m1,m2] [--servers a,b] [--node N]…`:
// brisk against node:http, Fastify, Hono, Bun, nginx and a raw node:net ceiling, under wrk.
// The Node contestants run on the Active LTS unless --node says otherwise (lib/node-binary.ts);
// a second --node adds each selected Node contestant again on that Node, as NAME@LINE.
// Each mode runs its servers in interleaved rounds (A, B, C, A, B, C, …) so that noise on this
// shared machine hits all of them alike; the report is medians with min–max, and ratios to
// node:http and to the raw ceiling from the same run. See bench/README.md.
//
// The life of a run:
//   1. Options are read; contestants that cannot run here are skipped with their reason.
//   2. Placement: server on core 0, wrk on core 1 (taskset) and a 20,000 fd limit (prlimit),
//      or a printed note saying what is missing.
//   3. For each mode, for each round, for each server: one fresh process, measured (lib/measure.ts).
//   4. After each mode its table is printed; at the end the summary, the targets of issue 6,
//      bench/results/latest.json, latest.md and chart.svg are written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartSvg } from './lib/chart.js';
import { allContestants, toolVersions, type Contestant, type Paths } from './lib/contestants.js';
import { markdown, modeBlock, targetsBlock, value, type RunInfo } from './lib/format.js';
import { measure, type MeasureContext } from './lib/measure.js';
import { BASELINE, CEILING, MODES, QUICK_MODES, QUICK_SERVERS, type Mode } from './lib/modes.js';
import { resolveNode, type NodeBinary } from './lib/node-binary.js';
import { childFdLimit, installSignalHandlers, placement, type Placement } from './lib/processes.js';
import { ceilingBeaten, checkTargets, summarise, type Result } from './lib/summary.js';

interface Options {
  quick: boolean;
  rounds: number;
  durationS: number;
  warmupS: number;
  only: string[] | null;
  servers: string[] | null;
  /** --node values in order: the first runs the Node contestants, the others add NAME@LINE variants. */
  nodes: string[];
}

const USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--duration S] [--warmup S] [--only MODE,…] [--servers NAME,…] [--node N]…
  modes:   ${MODES.map((m) => m.name).join(', ')}
  servers: brisk, brisk-fetch, brisk-router, node-http, fastify, hono, hono-brisk, hono-brisk-native,
           express, express-brisk, koa, koa-brisk, bun, nginx, raw, raw-libuv, raw-libuv-sockets
  --quick  1 round of 3 s: ${QUICK_SERVERS.join(', ')} on ${QUICK_MODES.join(', ')}
  node-http and raw always run: every ratio is taken against them.
  --node N   the Node the Node contestants run on: a line (20, 22, 24, 26: the machine's node if
             it is that line, else the version pinned in .ci/node-versions, installed into
             .ci/node/<line>/ as .ci/run does), "machine", or a path. Default: the Active LTS.
             Given again (--node 26 --node 20), every selected Node contestant but raw also runs
             on that Node as NAME@LINE (e.g. brisk@20, node-http@20), in the same rounds.`;

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { quick: false, rounds: 3, durationS: 5, warmupS: 1, only: null, servers: null, nodes: [] };
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) fail(`${flag} needs a number >= ${min}, got ${v}`);
    return n;
  };
  let rounds: number | null = null;
  let duration: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const next = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--rounds': rounds = Math.floor(num(flag, next(), 1)); break;
      case '--duration': duration = num(flag, next(), 1); break;
      case '--warmup': o.warmupS = num(flag, next(), 1); break;
      case '--only': o.only = list(next()); break;
      case '--servers': o.servers = list(next()); break;
      case '--node': o.nodes.push(next() ?? fail('--node needs a value')); break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: fail(`unknown option ${arg}`);
    }
  }
  o.rounds = rounds ?? (o.quick ? 1 : 3);
  o.durationS = duration ?? (o.quick ? 3 : 5);
  return o;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

function select(o: Options, contestants: readonly Contestant[]): { modes: Mode[]; chosen: Contestant[] } {
  const modeNames = o.only ?? (o.quick ? [...QUICK_MODES] : MODES.map((m) => m.name));
  for (const name of modeNames) if (!MODES.some((m) => m.name === name)) fail(`unknown mode ${name}`);
  const modes = MODES.filter((m) => modeNames.includes(m.name));
  let names = o.servers ?? (o.quick ? [...QUICK_SERVERS] : contestants.map((c) => c.name));
  for (const name of names) if (!contestants.some((c) => c.name === name)) fail(`unknown server ${name}`);
  for (const baseline of [BASELINE, CEILING]) if (!names.includes(baseline)) names = [...names, baseline];
  return { modes, chosen: contestants.filter((c) => names.includes(c.name)) };
}

/** Step 3: every mode, in interleaved rounds; each mode's table is printed as soon as it is done. */
async function runModes(ctx: MeasureContext, modes: readonly Mode[], contestants: readonly Contestant[], rounds: number, fdLimit: number): Promise<Result[]> {
  const results: Result[] = [];
  for (const mode of modes) {
    // Connections plus the server's own descriptors, with room to spare.
    if (mode.kind === 'memory' && fdLimit < mode.connections * 2 + 1000) {
      console.log(`${mode.label}: skipped — servers get only ${fdLimit} file descriptors, ${mode.connections} connections need more (run as root or raise ulimit -n)\n`);
      continue;
    }
    for (let round = 1; round <= rounds; round++) {
      for (const c of contestants) results.push(await measureOne(ctx, c, mode, round, rounds));
    }
    const partial = summarise(results, [mode], contestants.map((c) => c.name));
    console.log(`\n${modeBlock(mode, partial, contestants)}\n`);
  }
  return results;
}

async function measureOne(ctx: MeasureContext, c: Contestant, mode: Mode, round: number, rounds: number): Promise<Result> {
  process.stdout.write(`  ${mode.name} round ${round}/${rounds} ${c.name} … `);
  try {
    const sample = await measure(ctx, c, mode);
    const extra = [sample.errors > 0 ? `${sample.errors} error(s)` : '', sample.note ?? ''].filter(Boolean).join('; ');
    console.log(`${value(mode, sample.value)} ${mode.unit}${extra ? ` (${extra})` : ''}`);
    return { mode: mode.name, server: c.name, round, value: sample.value, errors: sample.errors, note: sample.note };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`FAILED: ${message.split('\n')[0]?.slice(0, 300)}`);
    return { mode: mode.name, server: c.name, round, value: null, errors: 0, error: message };
  }
}

interface Setup {
  readonly o: Options;
  readonly root: string;
  readonly paths: Paths;
  readonly place: Placement;
  readonly fdLimit: number;
  readonly started: Date;
  readonly modes: readonly Mode[];
  readonly contestants: readonly Contestant[];
  readonly skipped: { [server: string]: string };
  readonly versions: { [tool: string]: string };
}

/** Step 4: the summary on stdout, then latest.json, latest.md and chart.svg. */
function report(setup: Setup, results: readonly Result[]): void {
  const { o, place, contestants } = setup;
  const table = summarise(results, setup.modes, contestants.map((c) => c.name));
  const measuredModes = setup.modes.filter((m) => Object.keys(table[m.name] ?? {}).length > 0);
  const beaten = ceilingBeaten(table, measuredModes, contestants.filter((c) => c.boundedByRaw ?? c.onNode).map((c) => c.name));
  const noise = beaten.map((b) => b.text);
  const targets = checkTargets(table, new Set(beaten.map((b) => b.mode)));
  const measuredTargets = targets.filter((t) => table[t.target.mode]?.[t.target.server] !== undefined);

  console.log('==== summary ====\n');
  for (const mode of measuredModes) console.log(`${modeBlock(mode, table, contestants)}\n`);
  const labels = new Map(contestants.map((c) => [c.name, c.label] as const));
  if (measuredTargets.length > 0) console.log(targetsBlock(measuredTargets, labels, MODES));
  if (noise.length > 0) {
    console.log(`\n⚠ too noisy to judge: ${noise.join('; ')}. A Node.js server cannot beat the raw ceiling; rerun with more rounds.`);
  }

  const info: RunInfo = {
    date: `${setup.started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    rounds: o.rounds,
    durationS: o.durationS,
    placement: place.pinned ? 'server pinned to core 0, wrk -t1 to core 1' : `unpinned (${place.pinNote})`,
    quick: o.quick,
    versions: setup.versions,
    skipped: setup.skipped,
    noise,
  };
  const json = {
    ...info,
    startedAt: setup.started.toISOString(),
    finishedAt: new Date().toISOString(),
    warmupS: o.warmupS,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, pinNote: place.pinNote, fdNote: place.fdNote, serverFdLimit: setup.fdLimit },
    modes: measuredModes.map((m) => ({ name: m.name, label: m.label, unit: m.unit, connections: m.connections, higherIsBetter: m.higherIsBetter, measures: m.measures })),
    servers: contestants.map((c) => ({ name: c.name, label: c.label, seedPath: c.seedPath })),
    summary: table,
    targets: measuredTargets.map((t) => ({ ...t.target, measured: t.ratio, met: t.met, noisy: t.noisy })),
    samples: results,
  };
  const out = join(setup.root, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(out, 'latest.md'), markdown(info, table, measuredModes, contestants, measuredTargets));
  const subtitle = `${info.date}${o.quick ? ' (quick)' : ''} · median of ${o.rounds} round(s) × ${o.durationS} s · ${info.placement}`;
  writeFileSync(join(out, 'chart.svg'), chartSvg(table, measuredModes, contestants, subtitle));
  console.log('\nwrote bench/results/latest.json, latest.md, chart.svg');
}

/** Steps 1 and 2: options, contestants, placement; prints the header. */
function setUp(): Setup {
  const o = parseOptions(process.argv.slice(2));
  const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
  const root = resolve(here, '..', '..');
  const paths: Paths = { dist: here, source: join(root, 'bench'), root };
  const { modes, chosen } = select(o, allContestants(paths));
  const skipped: { [server: string]: string } = {};
  const available = chosen.filter((c) => {
    const why = c.unavailable();
    if (why !== null) skipped[c.name] = why;
    return why === null;
  });
  const [primary, ...extra] = (o.nodes.length === 0 ? [undefined] : o.nodes).map((spec) => {
    try {
      return resolveNode(root, spec);
    } catch (error) {
      return fail((error as Error).message);
    }
  }) as [NodeBinary, ...NodeBinary[]];
  const contestants = onNodes(available, primary, extra);
  const place = placement();
  const fdLimit = childFdLimit(place.server);
  const versions = { ...nodeVersions(primary, extra), ...withoutNode(toolVersions(root)) };

  console.log(`brisk bench — ${o.quick ? 'quick, ' : ''}${o.rounds} round(s) × ${o.durationS} s, warm-up ${o.warmupS} s`);
  console.log(`  ${place.pinNote}; ${place.fdNote} (servers see ${fdLimit})`);
  console.log(`  ${cpus().length} CPU(s): ${cpus()[0]?.model ?? '?'}; ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  servers: ${contestants.map((c) => c.name).join(', ')}`);
  for (const [name, why] of Object.entries(skipped)) console.log(`  skipped ${name}: ${why}`);
  console.log('  absolute numbers on a shared machine vary from run to run: read the ratios.\n');
  return { o, root, paths, place, fdLimit, started: new Date(), modes, contestants, skipped, versions };
}

/**
 * The Node contestants on `primary` (their argv starts with this process's node: replaced), and
 * again on each of `extra` as NAME@LINE. raw stays single: it is the ceiling of the primary Node.
 */
function onNodes(contestants: readonly Contestant[], primary: NodeBinary, extra: readonly NodeBinary[]): Contestant[] {
  const on = (c: Contestant, node: NodeBinary, name: string, label: string): Contestant => ({
    ...c,
    name,
    label,
    command: (port, mode, dir) => {
      const argv = c.command(port, mode, dir);
      return argv[0] === process.execPath ? [node.path, ...argv.slice(1)] : argv;
    },
  });
  const out = contestants.map((c) => (c.onNode ? on(c, primary, c.name, c.label) : c));
  for (const node of extra) {
    for (const c of contestants) {
      if (c.onNode && c.name !== CEILING) out.push(on(c, node, `${c.name}@${node.line}`, `${c.label} @${node.line}`));
    }
  }
  return out;
}

/** Which Node ran the servers: the results' "Versions" line (the README's table copies it). */
function nodeVersions(primary: NodeBinary, extra: readonly NodeBinary[]): Record<string, string> {
  const out: Record<string, string> = { 'node (Node contestants)': primary.version };
  for (const n of extra) out[`node (@${n.line} variants)`] = n.version;
  return out;
}

function withoutNode(versions: Record<string, string>): Record<string, string> {
  const { node: _harness, ...rest } = versions;
  return rest;
}

installSignalHandlers();
const setup = setUp();
const ctx: MeasureContext = {
  placement: setup.place,
  paths: setup.paths,
  durationS: setup.o.durationS,
  warmupS: setup.o.warmupS,
};
report(setup, await runModes(ctx, setup.modes, setup.contestants, setup.o.rounds, setup.fdLimit));
