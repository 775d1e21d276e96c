// Run `node dist/src/cli.js` as a child process, wait for its "listening" line, and read its
// memory from /proc. Every child is killed by stop() even if a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface BriskProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly origin: string;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** SIGKILL if still running; resolves when the process is gone. */
  stop(): Promise<void>;
}

export interface RunResult extends Exit {
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI to completion (for --help, --version, bad flags). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { ...process.env, HOST: '', PORT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`brisk ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout: ${stdout}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const LISTENING = /brisk listening on http:\/\/([^\s]+):(\d+)/;

/** Start the CLI as a server and wait for "brisk listening on http://HOST:PORT". */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<BriskProcess> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    env: { ...process.env, HOST: '', PORT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`${why}; stdout: ${stdout}; stderr: ${stderr}`));
    };
    const timer = setTimeout(() => fail(`brisk did not print its listening line within ${timeoutMs} ms`), timeoutMs);
    void exited.then((exit) => fail(`brisk exited early (${exit.code ?? exit.signal})`));
    child.stdout.on('data', () => {
      const match = LISTENING.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const port = Number(match[2]);
      resolve({
        child,
        pid: child.pid as number,
        port,
        origin: `http://${match[1]}:${port}`,
        exited,
        stdout: () => stdout,
        stderr: () => stderr,
        stop,
      });
    });
  });
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS, in kB). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Sample a process's RSS every intervalMs until stopped; returns the maximum seen. */
export function sampleRss(pid: number, intervalMs = 10): { stop(): number } {
  let max = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssBytes(pid));
    } catch {
      // the process is gone; keep the last maximum
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}
