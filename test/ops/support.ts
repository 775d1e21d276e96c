// Shared by the operations tests: a server with ops options in this process, the CLI as a child
// process (HTTP or HTTPS, single or cluster), a self-signed certificate made with openssl, and a
// keep-alive load loop that counts every failed request. Every wait has a deadline; every child
// is killed by its PID.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type BriskServerOptions, type Handler, type Server } from '../../src/index.js';
import { CLI_PATH, launchCli, type BriskProcess, type CliOptions } from '../helpers/cli-process.js';

export { CLI_PATH };

export interface OpsServer {
  readonly server: Server;
  readonly port: number;
  readonly origin: string;
  readonly logs: string[];
  close(timeoutMs?: number): Promise<void>;
}

export async function startOpsServer(handler: Handler, options: BriskServerOptions = {}): Promise<OpsServer> {
  const logs: string[] = [];
  const server = createServer(handler, { logLevel: 'error', log: (line) => logs.push(line), ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    origin: `${server.secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    logs,
    close: (timeoutMs = 1_000) => (closing ??= server.close({ timeoutMs })),
  };
}

/** Poll until check() holds, or fail with `what`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(20);
  }
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// --- certificates ---

export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A self-signed certificate for localhost and 127.0.0.1 (openssl req -x509), in `dir`. */
export function makeCertificate(dir: string, name: string): Certificate {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=localhost/O=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '2', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore', timeout: 20_000 },
  );
  return { certFile, keyFile };
}

export function hasExecutable(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// --- the CLI as a child process ---

export type CliProcess = BriskProcess;

/** The CLI as a server (test/helpers/cli-process.ts), given 15 s to start listening. */
export function startCli(args: readonly string[], options: CliOptions = {}): Promise<CliProcess> {
  return launchCli(args, { ...options, timeoutMs: options.timeoutMs ?? 15_000 });
}

// --- load ---

export interface LoadResult {
  ok: number;
  failures: string[];
  /** Response bodies seen, with counts (the test apps answer their version and pid). */
  bodies: Map<string, number>;
}

export interface Load {
  readonly result: LoadResult;
  /** Stop issuing requests; resolves when every loop has finished its current one. */
  stop(): Promise<LoadResult>;
}

/**
 * `concurrency` loops, each sending GET requests back to back over keep-alive connections (a
 * node:http Agent), until stopped. A request fails if it errors or answers anything but 200.
 * Nothing is retried: a connection closed under a request counts as a failure.
 */
export function startLoad(port: number, options: { concurrency?: number; path?: string; host?: string } = {}): Load {
  const concurrency = options.concurrency ?? 8;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { ok: 0, failures: [], bodies: new Map() };
  let running = true;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get({ host: options.host ?? '127.0.0.1', port, path: options.path ?? '/', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          if (res.statusCode === 200) {
            result.ok++;
            const key = body.trim().split(' ')[0];
            result.bodies.set(key, (result.bodies.get(key) ?? 0) + 1);
          } else {
            result.failures.push(`status ${res.statusCode}: ${body.trim().slice(0, 80)}`);
          }
          resolve();
        });
        res.on('error', (error) => {
          result.failures.push(`response error: ${error.message}`);
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        result.failures.push(`${error.code ?? error.message} (reused socket: ${req.reusedSocket})`);
        resolve();
      });
    });
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) await one();
  });
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

/** GET over a fresh connection; resolves with status and body (no throw on non-2xx). */
export function get(port: number, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: target, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${target} timed out`)));
    req.on('error', reject);
  });
}
