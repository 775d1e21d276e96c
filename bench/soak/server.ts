// The server under soak: `node dist/src/cli.js` (the demo app) in a child process on 127.0.0.1,
// so that its RSS and open file descriptors can be read from /proc without the load generator's
// memory mixed in. Also: the file-descriptor limit both processes get, and small statistics.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

export const CLI_PATH = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const WANTED_FDS = 65_536;

export interface SoakServer {
  /** Full GC in the server through its inspector (when started with `inspect`); resolves with the heap in use. */
  collectGarbage(): Promise<number | null>;
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  rssBytes(): number;
  openFds(): number;
  stderr(): string;
  stop(): Promise<void>;
}

/** The soft "open files" limit a shell command gets. */
function fdLimitOf(prefix: readonly string[]): number {
  const r = spawnSync('bash', ['-c', `${prefix.join(' ')} bash -c 'ulimit -n'`], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) ? n : 0;
}

/** prlimit to raise the server's fd limit when the kernel lets us; otherwise what we have. */
export function fdPlan(): { prefix: string[]; serverLimit: number; note: string } {
  const raised = ['prlimit', `--nofile=${WANTED_FDS}:${WANTED_FDS}`];
  const ok = spawnSync(raised[0] as string, [...raised.slice(1), 'true']).status === 0;
  if (ok) return { prefix: raised, serverLimit: fdLimitOf(raised), note: `server fd limit raised to ${WANTED_FDS} with prlimit` };
  const limit = fdLimitOf([]);
  return { prefix: [], serverLimit: limit, note: `fd limit capped at ${limit} (prlimit may not raise it here: no CAP_SYS_RESOURCE)` };
}

export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Number(match[1]) * 1024;
}

/** A minimal Chrome DevTools Protocol client over the server's inspector WebSocket (127.0.0.1 only). */
async function inspectorClient(url: string): Promise<(method: string) => Promise<Record<string, unknown>>> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, (result: Record<string, unknown>) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? {});
  });
  return (method) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method }));
    });
}

export async function startSoakServer(flags: readonly string[], prefix: readonly string[] = [], inspect = false): Promise<SoakServer> {
  const node = inspect ? [process.execPath, '--inspect=127.0.0.1:0'] : [process.execPath];
  const args = [...prefix, ...node, CLI_PATH, '--host', '127.0.0.1', '--port', '0', '--log', 'error', ...flags];
  const child = spawn(args[0] as string, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOST: '', PORT: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  // Parse errors from abusers are logged at "error"; keep only the tail.
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stdout} ${stderr}`)), 15_000);
    child.stdout?.on('data', () => {
      const m = /listening on http:\/\/[^\s]+:(\d+)/.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`server exited early: ${stderr}`)));
  });
  const pid = child.pid as number;
  let call: ((method: string) => Promise<Record<string, unknown>>) | null = null;
  if (inspect) {
    const url = /ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+/.exec(stderr)?.[0];
    if (url === undefined) throw new Error(`no inspector URL in the server's stderr: ${stderr}`);
    call = await inspectorClient(url);
  }
  return {
    async collectGarbage() {
      if (call === null) return null;
      await call('HeapProfiler.collectGarbage');
      const usage = await call('Runtime.getHeapUsage');
      return typeof usage.usedSize === 'number' ? usage.usedSize : null;
    },
    pid,
    port,
    child,
    rssBytes: () => rssOf(pid),
    openFds: () => readdirSync(`/proc/${pid}/fd`).length,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

// ---- statistics -----------------------------------------------------------------------------

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export const MB = 1024 * 1024;
export const mb = (bytes: number): string => (bytes / MB).toFixed(1);
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `predicate` holds or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
