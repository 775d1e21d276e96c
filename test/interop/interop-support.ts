// Shared by the interop tests (nginx, HAProxy, a browser): the demo app in this process on an
// ephemeral port with a captured JSON access log, free ports, finding system binaries, running
// an intermediary in the foreground (killed by its PID), and the byte checks the proxies face.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { createServer, type Server } from '../../src/index.js';
import demo, { upgrade } from '../../examples/demo/app.js';

export interface AccessEntry {
  readonly method: string;
  readonly target: string;
  readonly status: number;
  readonly bytes: number;
  readonly userAgent?: string;
}

export interface DemoUnderTest {
  readonly server: Server;
  readonly port: number;
  readonly access: AccessEntry[];
  readonly errors: string[];
  close(): Promise<void>;
}

/** The full demo (handler + WebSocket upgrade) as `npm start` serves it, on 127.0.0.1:<free port>. */
export async function startDemo(): Promise<DemoUnderTest> {
  const access: AccessEntry[] = [];
  const errors: string[] = [];
  const server = createServer(demo, {
    onUpgrade: upgrade,
    logLevel: 'error',
    accessLog: 'json',
    log: (line, level) => {
      if (level === 'error') errors.push(line);
      else if (line.startsWith('{')) access.push(JSON.parse(line) as AccessEntry);
    },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    port,
    access,
    errors,
    async close() {
      await upgrade.close({ timeoutMs: 500 });
      await server.close({ timeoutMs: 1_000 });
    },
  };
}

/** Where a system binary lives (PATH, then the sbin folders a non-root PATH lacks), or undefined. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A port nothing listens on right now (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A fresh temporary folder (the operations tests' helper). */
export { tempDir } from '../ops/support.js';

/** A program run in the foreground for the length of a test suite. */
export interface Foreground {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

export async function runForeground(command: string, args: readonly string[], port: number, what: string): Promise<Foreground> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const stop = async (): Promise<void> => {
    if (!running || child.pid === undefined) return;
    process.kill(child.pid, 'SIGTERM');
    const killer = setTimeout(() => {
      if (running && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, 3_000);
    await exited;
    clearTimeout(killer);
  };
  const until = performance.now() + 10_000;
  while (!(await canConnect(port))) {
    if (!running || performance.now() > until) {
      await stop();
      throw new Error(`${what} did not start listening on ${port}:\n${output}`);
    }
    await sleep(50);
  }
  return { child, pid: child.pid as number, output: () => output, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// --- what every intermediary is put through ---

/** /big's body: byte i is i % 251 (examples/demo/app.ts). */
export function bigBody(size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = i % 251;
  return out;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Read a response body, noting when each piece arrived (ms since `start`). */
export async function readTimed(res: Response, start: number): Promise<{ body: Buffer; arrivals: number[] }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const pieces: Buffer[] = [];
  const arrivals: number[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pieces.push(Buffer.from(value));
    arrivals.push(performance.now() - start);
  }
  return { body: Buffer.concat(pieces), arrivals };
}

export const UPLOAD_BYTES = 20 * 1024 * 1024;
export const DOWNLOAD_BYTES = 10 * 1024 * 1024;

/** 20 MB of random bytes, made once per process. */
let uploadBody: Buffer | undefined;
export function uploadPayload(): Buffer {
  uploadBody ??= randomBytes(UPLOAD_BYTES);
  return uploadBody;
}

/** The same bytes as a stream of 256 KiB pieces: fetch sends it chunked (no Content-Length). */
export function chunkedStream(data: Buffer, pieceBytes = 256 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.subarray(offset, offset + pieceBytes));
      offset += pieceBytes;
    },
  });
}

/** Open a WebSocket, send each message, and collect the echoes. */
export async function webSocketEcho(url: string, messages: (string | Buffer)[]): Promise<{ echoes: (string | Buffer)[]; closeCode: number }> {
  const ws = new WebSocket(url);
  const echoes: (string | Buffer)[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`WebSocket echo through ${url} timed out; got ${echoes.length} echoes`));
    }, 10_000);
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on('open', () => {
      for (const m of messages) ws.send(m);
    });
    ws.on('message', (data, isBinary) => {
      echoes.push(isBinary ? (data as Buffer) : data.toString());
      if (echoes.length === messages.length) ws.close(1000, 'done');
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ echoes, closeCode: code });
    });
  });
}
