// Running wrk and reading its report.
import { join } from 'node:path';
import type { Mode } from './modes.js';
import { start } from './processes.js';

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Socket errors (connect + read + write + timeout) and answers outside 2xx/3xx. */
  readonly errors: number;
  readonly non2xx: number;
}

export function wrkArgv(mode: Mode, url: string, seconds: number, scriptDir: string): string[] {
  const argv = ['wrk', '-t1', `-c${mode.connections}`, `-d${seconds}s`, '--timeout', '5s', ...mode.wrkArgs];
  if (mode.script !== null) argv.push('-s', join(scriptDir, mode.script));
  argv.push(url);
  return argv;
}

export async function runWrk(prefix: readonly string[], argv: readonly string[]): Promise<WrkResult> {
  const p = start([...prefix, ...argv], { captureStdout: true });
  let stdout = '';
  p.child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const how = await p.exited;
  if (how !== 'exit 0') throw new Error(`wrk ended with ${how}: ${p.output().trim() || stdout.trim()}`);
  return parseWrk(stdout);
}

export function parseWrk(text: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(text);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (total === null || rate === null) throw new Error(`cannot read wrk's report:\n${text}`);
  const unit = total[3] as string;
  const scale = unit === 'us' ? 1e-6 : unit === 'ms' ? 1e-3 : unit === 'm' ? 60 : 1;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket === null ? 0 : socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  return {
    requests: Number(total[1]),
    seconds: Number(total[2]) * scale,
    requestsPerSecond: Number(rate[1]),
    errors: socketErrors + non2xx,
    non2xx,
  };
}
