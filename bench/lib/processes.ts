// Child processes of the bench: every server, wrk run and client is started here, remembered by
// PID, and killed by PID — at the end of its measurement, and on SIGINT/SIGTERM/exit so an
// interrupted run leaves no orphan behind. Also: CPU pinning, the fd limit, readiness, RSS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** Kill every child still running, synchronously (safe inside an 'exit' handler). */
export function killAll(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
  for (const dir of tempDirs) removeTempDir(dir);
}

/** A fresh directory under the system's temp dir, removed by removeTempDir or when the bench ends. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

let handlersInstalled = false;
export function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping ${live.size} child process(es)\n`);
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last few KB of stderr (and stdout when captured), for error messages. */
  output(): string;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<string>;
}

export function start(argv: readonly string[], options: { captureStdout?: boolean; stdin?: boolean; env?: NodeJS.ProcessEnv } = {}): Started {
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: [options.stdin ? 'pipe' : 'ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'],
    env: { ...process.env, BENCH_QUIET: '1', ...options.env },
  });
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-4096);
  };
  child.stderr?.on('data', keep);
  if (!options.captureStdout) child.stdout?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      live.delete(child);
      resolve(`error ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(signal ?? `exit ${code}`);
    });
  });
  return { child, pid: child.pid ?? -1, output: () => tail, exited };
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stop(p: Started, graceMs = 2000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null || p.pid < 0) return;
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([p.exited, timer])) === 'timeout') {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
    await p.exited;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- pinning and limits ---------------------------------------------------------------------

export interface Placement {
  /** argv prefix for servers (fd limit + core 0). */
  readonly server: readonly string[];
  /** argv prefix for load generators (fd limit + core 1). */
  readonly load: readonly string[];
  readonly pinned: boolean;
  /** Why not pinned, or which cores. */
  readonly pinNote: string;
  readonly fdLimit: number | null;
  readonly fdNote: string;
}

function works(argv: string[]): boolean {
  const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
  return r.status === 0;
}

export const FD_LIMIT = 20_000;

export function placement(): Placement {
  let pinned = false;
  let pinNote: string;
  const cores = availableParallelism();
  if (!works(['taskset', '-c', '0', 'true'])) pinNote = 'taskset is missing or fails: servers and wrk run unpinned';
  else if (cores < 2 || !works(['taskset', '-c', '1', 'true'])) pinNote = `only ${cores} core(s) usable: servers and wrk run unpinned`;
  else {
    pinned = true;
    pinNote = 'server on core 0, load generator on core 1 (taskset)';
  }
  let fd: string[] = [];
  let fdLimit: number | null = null;
  let fdNote: string;
  if (works(['prlimit', `--nofile=${FD_LIMIT}:${FD_LIMIT}`, 'true'])) {
    fd = ['prlimit', `--nofile=${FD_LIMIT}:${FD_LIMIT}`];
    fdLimit = FD_LIMIT;
    fdNote = `fd limit ${FD_LIMIT} (prlimit)`;
  } else {
    fdNote = 'prlimit unavailable: children inherit this shell\'s fd limit';
  }
  return {
    server: [...fd, ...(pinned ? ['taskset', '-c', '0'] : [])],
    load: [...fd, ...(pinned ? ['taskset', '-c', '1'] : [])],
    pinned,
    pinNote,
    fdLimit,
    fdNote,
  };
}

/** The soft fd limit a child started with `prefix` gets. */
export function childFdLimit(prefix: readonly string[]): number {
  const r = spawnSync('bash', ['-c', `${prefix.join(' ')} bash -c 'ulimit -n'`], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) ? n : 0;
}

// --- readiness and memory -------------------------------------------------------------------

/** Poll the port until it accepts a connection; fails if the process exits or `timeoutMs` passes. */
export async function waitForPort(port: number, p: Started, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | null = null;
  void p.exited.then((how) => {
    exited = how;
  });
  for (;;) {
    if (exited !== null) throw new Error(`server exited (${exited}) before listening: ${p.output().trim()}`);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`server did not listen on ${port} within ${timeoutMs} ms: ${p.output().trim()}`);
    await sleep(25);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port nobody listens on right now (bind to 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of `pid` in bytes, from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}
