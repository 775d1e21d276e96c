// `node dist/bench/cpu-cost.js [--rounds N] [--duration S] [--only m1,m2] [--servers a,b] [--node L]`:
// the server CPU time per request (user + system, from /proc/PID/stat) under the same wrk load
// as the bench's modes, in interleaved rounds. On a shared, loaded machine throughput says more
// about the neighbours than about the server; CPU time per request is what the server itself
// spends, so its ratios between servers hold up under load. Linux only (/proc). The Node
// contestants run on the Node `npm run bench` picks (the Active LTS unless --node says
// otherwise), not on the Node that runs this script.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allContestants, type Paths } from './lib/contestants.js';
import { MODES, type Mode } from './lib/modes.js';
import { resolveNode } from './lib/node-binary.js';
import { freePort, installSignalHandlers, placement, start, stop, waitForPort } from './lib/processes.js';
import { runWrk, wrkArgv } from './lib/wrk.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const rounds = Number(flag('--rounds', '3'));
const duration = Number(flag('--duration', '5'));
const modeNames = flag('--only', 'keepalive-c50,close,pipelined').split(',');
const serverNames = flag('--servers', 'raw,raw-libuv').split(',');

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const paths: Paths = { dist: here, source: join(root, 'bench'), root };
const contestants = allContestants(paths).filter((c) => serverNames.includes(c.name));
const modes = MODES.filter((m) => modeNames.includes(m.name) && m.kind === 'wrk');
const place = placement();
const nodeFlag = args.indexOf('--node');
const node = resolveNode(root, nodeFlag >= 0 ? args[nodeFlag + 1] : undefined);
const TICK_US = 1e6 / 100; // USER_HZ

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function one(name: string, mode: Mode): Promise<{ usPerRequest: number; rps: number }> {
  const c = contestants.find((x) => x.name === name)!;
  const port = await freePort();
  const argv = c.command(port, mode, '/tmp');
  if (c.onNode && argv[0] === process.execPath) argv[0] = node.path;
  const server = start([...place.server, ...argv]);
  try {
    await waitForPort(port, server);
    const url = `http://127.0.0.1:${port}${mode.path ?? c.seedPath}`;
    await runWrk(place.load, wrkArgv(mode, url, 1, join(paths.source, 'wrk'))); // warm-up
    const before = cpuTicks(server.pid);
    const r = await runWrk(place.load, wrkArgv(mode, url, duration, join(paths.source, 'wrk')));
    const used = cpuTicks(server.pid) - before;
    return { usPerRequest: (used * TICK_US) / r.requests, rps: r.requestsPerSecond };
  } finally {
    await stop(server);
  }
}

installSignalHandlers();
console.log(`cpu-cost: Node contestants on ${node.version} (${node.path}), ${rounds} round(s) × ${duration} s; ${place.pinNote}`);
for (const mode of modes) {
  const samples = new Map<string, number[]>(serverNames.map((s) => [s, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const name of serverNames) {
      const s = await one(name, mode);
      samples.get(name)!.push(s.usPerRequest);
      console.log(`  ${mode.name} round ${round} ${name}: ${s.usPerRequest.toFixed(2)} µs CPU/request (${Math.round(s.rps)} req/s)`);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const base = median(samples.get(serverNames[0] as string)!);
  console.log(`${mode.label}: median µs CPU per request (ratio to ${serverNames[0]}; lower is better)`);
  for (const name of serverNames) {
    const m = median(samples.get(name)!);
    console.log(`  ${name.padEnd(20)} ${m.toFixed(2).padStart(8)}  ${(m / base).toFixed(2)}×  [${samples.get(name)!.map((x) => x.toFixed(2)).join(', ')}]`);
  }
}
