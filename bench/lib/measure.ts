// One measurement: start one contestant for one mode, wait until it listens, check that it answers
// correctly, warm it up, measure, stop it. Every measurement gets a fresh process.
//
// The life of a measurement:
//   1. A free port and a temporary directory; the server starts pinned to the server core.
//   2. The port is polled until it accepts (no fixed sleep); a process that exits first is an error.
//   3. One request checks the answer (status, body, Content-Type), so a broken contestant is
//      reported as broken rather than measured as fast.
//   4. wrk warms the server up for `warmupS` with the mode's own load; its numbers are dropped.
//   5. wrk measures for `durationS` (or, for memory, idle connections are opened and RSS read).
//   6. The server is stopped by PID (SIGTERM, then SIGKILL) and the directory removed.
import http from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DOWNLOAD_BYTES, SEED_BODY, SEED_TYPE } from '../servers/common.js';
import type { Contestant, Paths } from './contestants.js';
import { IDLE_CONNECTIONS, type Mode } from './modes.js';
import { freePort, makeTempDir, removeTempDir, rssBytes, sleep, start, stop, waitForPort, type Placement, type Started } from './processes.js';
import { runWrk, wrkArgv } from './wrk.js';

export interface MeasureContext {
  readonly placement: Placement;
  readonly paths: Paths;
  readonly durationS: number;
  readonly warmupS: number;
}

export interface Sample {
  /** req/s, or bytes per idle connection. */
  readonly value: number;
  /** wrk: socket errors + non-2xx answers; memory: connections that failed or closed. */
  readonly errors: number;
  readonly note?: string;
}

export async function measure(ctx: MeasureContext, contestant: Contestant, mode: Mode): Promise<Sample> {
  const port = await freePort();
  const dir = makeTempDir(`brisk-bench-${contestant.name}-`);
  const server = start([...ctx.placement.server, ...contestant.command(port, mode, dir)]);
  try {
    await waitForPort(port, server);
    await checkAnswer(contestant, mode, port);
    const path = mode.path ?? contestant.seedPath;
    const url = `http://127.0.0.1:${port}${path}`;
    const scripts = join(ctx.paths.source, 'wrk');
    if (mode.kind === 'memory') {
      await runWrk(ctx.placement.load, wrkArgv({ ...mode, connections: 50 }, url, ctx.warmupS, scripts));
      return await idleMemory(ctx, server, port, path);
    }
    await runWrk(ctx.placement.load, wrkArgv(mode, url, ctx.warmupS, scripts));
    const result = await runWrk(ctx.placement.load, wrkArgv(mode, url, ctx.durationS, scripts));
    if (result.requests === 0) throw new Error('wrk completed no request');
    return { value: result.requestsPerSecond, errors: result.errors };
  } finally {
    await stop(server);
    removeTempDir(dir);
  }
}

// --- step 3: the answer check -----------------------------------------------------------------

interface Answer {
  status: number;
  type: string;
  body: Buffer;
}

function request(port: number, method: string, path: string, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/octet-stream';
      headers['Content-Length'] = body.length;
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        res.socket.destroy();
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function checkAnswer(contestant: Contestant, mode: Mode, port: number): Promise<void> {
  if (mode.name === 'upload') {
    const a = await request(port, 'POST', '/upload', Buffer.alloc(4096, 'x'));
    if (a.status !== 200) throw new Error(`POST /upload answered ${a.status}`);
    return;
  }
  if (mode.name === 'download') {
    const a = await request(port, 'GET', '/download');
    if (a.status !== 200 || a.body.length !== DOWNLOAD_BYTES) throw new Error(`GET /download answered ${a.status} with ${a.body.length} bytes`);
    return;
  }
  const a = await request(port, 'GET', contestant.seedPath);
  const body = a.body.toString();
  if (a.status !== 200 || body !== SEED_BODY || a.type.toLowerCase() !== SEED_TYPE) {
    throw new Error(`GET ${contestant.seedPath} answered ${a.status}, Content-Type "${a.type}", body ${JSON.stringify(body.slice(0, 80))}`);
  }
}

// --- step 5 for memory: idle connections --------------------------------------------------------

/** Lines from a child's stdout, one at a time, with a deadline. */
function lineReader(p: Started): (timeoutMs: number) => Promise<string> {
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  if (p.child.stdout !== null) {
    createInterface({ input: p.child.stdout }).on('line', (line) => {
      const waiter = waiters.shift();
      if (waiter !== undefined) waiter(line);
      else lines.push(line);
    });
  }
  return (timeoutMs) => {
    const ready = lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`idle client: no answer within ${timeoutMs} ms: ${p.output().trim()}`)), timeoutMs);
      waiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void p.exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`idle client ended (${how}): ${p.output().trim()}`));
      });
    });
  };
}

async function idleMemory(ctx: MeasureContext, server: Started, port: number, path: string): Promise<Sample> {
  await sleep(1000); // let the warm-up's garbage settle before the baseline reading
  const before = rssBytes(server.pid);
  const clientPath = join(ctx.paths.dist, 'lib', 'idle-client.js');
  const client = start([...ctx.placement.load, process.execPath, clientPath, String(port), path, String(IDLE_CONNECTIONS)], {
    captureStdout: true,
    stdin: true,
  });
  try {
    const nextLine = lineReader(client);
    const ready = /^ready (\d+) (\d+)$/.exec(await nextLine(120_000));
    if (ready === null) throw new Error('idle client: unexpected first line');
    const opened = Number(ready[1]);
    const failed = Number(ready[2]);
    if (opened === 0) throw new Error(`idle client could not open any connection (${failed} failed)`);
    await sleep(1000);
    const after = rssBytes(server.pid);
    client.child.stdin?.write('report\n');
    const report = /^open (\d+)$/.exec(await nextLine(30_000));
    const stillOpen = report === null ? opened : Number(report[1]);
    const lost = failed + (opened - stillOpen);
    const note = lost > 0 ? `${failed} connection(s) failed to open, ${opened - stillOpen} closed by the server while idle` : undefined;
    return { value: (after - before) / opened, errors: lost, note };
  } finally {
    await stop(client);
  }
}
