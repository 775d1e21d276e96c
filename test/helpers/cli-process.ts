// Run `node dist/src/cli.js` as a child process (to completion, or as a server: wait for its
// "listening" line), and read its memory from /proc. Every child is killed by stop() even if a
// test fails. The operations tests (test/ops/support.ts) start it through here too.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
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
  /** Send a signal if still running. */
  signal(name: NodeJS.Signals): void;
  /** SIGKILL (the process and, by PID, any cluster workers it named) if still running; resolves when it is gone. */
  stop(): Promise<void>;
}

export interface RunResult extends Exit {
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Added to this process's environment (HOST and PORT cleared first). */
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the listening line; default 10 s. */
  readonly timeoutMs?: number;
  /** What to run instead of `node dist/src/cli.js` (e.g. an installed package's bin). */
  readonly command?: readonly string[];
}

/** Spawn `node dist/src/cli.js ARGS`, collecting what it prints. */
function spawnCli(args: readonly string[], options: CliOptions): { child: ChildProcessByStdio<null, Readable, Readable>; output: { stdout: string; stderr: string } } {
  const [command, ...prefix] = options.command ?? [process.execPath, CLI_PATH];
  const child = spawn(command!, [...prefix, ...args], {
    cwd: options.cwd,
    env: { ...process.env, HOST: '', PORT: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString()));
  return { child, output };
}

/** Run the CLI to completion (for --help, --version, bad flags). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const { child, output } = spawnCli(args, { env });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`brisk ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout: ${output.stdout}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: output.stdout, stderr: output.stderr });
    });
  });
}

/** Start the CLI as a server and wait for "brisk listening on http://HOST:PORT". */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<BriskProcess> {
  return launchCli(args, { ...options, env });
}

const LISTENING = /brisk listening on (https?):\/\/(\S+):(\d+)/;

/**
 * Start the CLI as a server (HTTP or HTTPS, single or cluster) and wait for its line
 * "brisk listening on http(s)://HOST:PORT"; fails, killing it, if it exits or stays silent.
 */
export function launchCli(args: readonly string[], options: CliOptions = {}): Promise<BriskProcess> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { child, output } = spawnCli(args, options);
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    // Workers the primary reported ("worker N (pid P) ..."): never leave one behind.
    for (const match of output.stderr.matchAll(/\(pid (\d+)\)/g)) {
      try {
        process.kill(Number(match[1]), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (running()) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`${why}; stdout: ${output.stdout}; stderr: ${output.stderr}`));
    };
    const timer = setTimeout(() => fail(`brisk did not print its listening line within ${timeoutMs} ms`), timeoutMs);
    void exited.then((exit) => fail(`brisk exited early (${exit.code ?? exit.signal})`));
    const onData = (): void => {
      const match = LISTENING.exec(output.stdout);
      if (!match) return;
      child.stdout.off('data', onData);
      clearTimeout(timer);
      const port = Number(match[3]);
      resolve({
        child,
        pid: child.pid as number,
        port,
        origin: `${match[1]}://${match[2]}:${port}`,
        exited,
        stdout: () => output.stdout,
        stderr: () => output.stderr,
        signal: (name) => {
          if (running()) child.kill(name);
        },
        stop,
      });
    };
    child.stdout.on('data', onData);
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
