// `node dist/bench/instructions.js [--servers a,b] [--requests N] [--connections C] [--pipeline P]`:
// the user-space instructions each server executes per request, counted by valgrind's callgrind
// while exactly N keep-alive requests for the seed page are answered, after N more as a warm-up.
// Deterministic to about ±1–2 % between runs and immune to a busy machine (wrk's requests per
// second are not), so a change of a few percent in the server's own work can be seen; kernel
// time (the write syscall is most of a keep-alive request) is not in it. The first server is the
// baseline of the ratios. Needs valgrind (Debian: valgrind) and runs each server ~50× slower.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allContestants, type Paths } from './lib/contestants.js';
import { MODES } from './lib/modes.js';
import { freePort, installSignalHandlers, makeTempDir, start, stop, waitForPort } from './lib/processes.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const serverNames = flag('--servers', 'raw-libuv,brisk').split(',');
const requests = Number(flag('--requests', '60000'));
const connections = Number(flag('--connections', '50'));
const pipeline = Number(flag('--pipeline', '1'));

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const paths: Paths = { dist: here, source: join(root, 'bench'), root };
const mode = MODES.find((m) => m.name === (pipeline > 1 ? 'pipelined' : 'keepalive-c50'))!;
/** The seed page ends with this; each occurrence in what a connection reads is one response. */
const END = '</html>';

/** Exactly `total` requests over `conns` keep-alive connections, `depth` in flight on each. */
async function load(port: number, path: string, total: number, conns: number, depth: number): Promise<void> {
  const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: instructions\r\nAccept: */*\r\n\r\n`;
  let remaining = total;
  const one = (): Promise<void> =>
    new Promise((done, fail) => {
      const socket = net.connect(port, '127.0.0.1');
      let inFlight = 0;
      let tail = '';
      const send = (): void => {
        let batch = '';
        while (inFlight < depth && remaining > 0) {
          inFlight++;
          remaining--;
          batch += request;
        }
        if (batch !== '') socket.write(batch);
        else if (inFlight === 0) socket.end();
      };
      socket.on('data', (chunk: Buffer) => {
        const text = tail + chunk.toString('latin1');
        let answered = 0;
        for (let i = text.indexOf(END); i >= 0; i = text.indexOf(END, i + END.length)) answered++;
        tail = text.slice(-(END.length - 1));
        inFlight -= answered;
        if (answered > 0) send();
      });
      socket.once('error', fail);
      socket.once('close', () => (remaining > 0 || inFlight > 0 ? fail(new Error('connection closed early')) : done()));
      send();
    });
  await Promise.all(Array.from({ length: conns }, one));
}

function callgrindControl(option: string, pid: number): void {
  const r = spawnSync('callgrind_control', [option, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control ${option} ${pid}: ${r.stderr || r.error?.message}`);
}

/** Instructions per request of one server: instrumentation on only around the measured requests. */
async function measure(name: string): Promise<number> {
  const contestant = allContestants(paths).find((c) => c.name === name);
  if (contestant === undefined) throw new Error(`unknown server ${name}`);
  if (!contestant.onNode) throw new Error(`${name} does not run on Node.js: callgrind measures Node servers only`);
  const port = await freePort();
  const dir = makeTempDir('brisk-instructions-');
  const server = start([
    'valgrind', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file',
    `--callgrind-out-file=${join(dir, 'callgrind.%p')}`, ...contestant.command(port, mode, dir),
  ]);
  try {
    await waitForPort(port, server, 120_000);
    await load(port, contestant.seedPath, requests, connections, pipeline); // warm-up: the JIT settles
    callgrindControl('--instr=on', server.pid);
    await load(port, contestant.seedPath, requests, connections, pipeline);
    callgrindControl('--instr=off', server.pid);
    callgrindControl('--dump', server.pid);
    let total = 0;
    for (const file of readdirSync(dir).filter((f) => f.startsWith('callgrind.'))) {
      const match = /^totals:\s+(\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
      if (match !== null) total = Math.max(total, Number(match[1]));
    }
    if (total === 0) throw new Error(`${name}: callgrind recorded nothing`);
    return total / requests;
  } finally {
    await stop(server, 10_000);
  }
}

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('instructions: valgrind is not installed (Debian: apt-get install valgrind)');
  process.exit(2);
}
installSignalHandlers();
console.log(`instructions: ${requests} requests (after as many to warm up), ${connections} connections, ${pipeline} in flight each`);
const results: [string, number][] = [];
for (const name of serverNames) {
  const perRequest = await measure(name);
  results.push([name, perRequest]);
  const base = results[0]![1];
  console.log(`  ${name.padEnd(20)} ${Math.round(perRequest).toString().padStart(8)} instructions/request  ${(perRequest / base).toFixed(2)}× ${serverNames[0]}`);
}
