// Soak phase (b): slowloris and slow-body abusers against a server with short timeouts, while a
// normal client keeps asking for `GET /` and records its latency. Slowloris connections send a
// request head one byte per second and never finish it (the header timeout must cut them);
// slow-body connections send a complete head with a large Content-Length, then one body byte per
// second (the body idle timeout or the minimum body rate must cut them). The normal client must
// stay fast (p99 < 50 ms) and every abuser must be cut off by the server, not by us.
import http from 'node:http';
import net from 'node:net';
import { percentile, sleep, type SoakServer } from './server.js';

export interface AbuseOptions {
  slowloris: number;
  slowBody: number;
  /** The server's --headers-timeout and --body-idle-timeout, for the cut-off deadline. */
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** How long the phase lasts at most (abusers still open then count as not cut off). */
  maxMs: number;
}

interface Abuser {
  socket: net.Socket;
  kind: 'slowloris' | 'slow-body';
  openedAt: number;
  cutAt: number | null;
  got408: boolean;
  bytesSent: number;
}

export interface AbuseResult {
  opened: Record<Abuser['kind'], number>;
  cut: Record<Abuser['kind'], number>;
  with408: Record<Abuser['kind'], number>;
  cutAfterMs: Record<Abuser['kind'], { p50: number; max: number }>;
  stillOpen: number;
  normal: { requests: number; errors: number; p50: number; p99: number; max: number };
  peakRssBytes: number;
  passed: boolean;
  problems: string[];
}

const BATCH = 250;

function openAbuser(port: number, kind: Abuser['kind']): Promise<Abuser | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const abuser: Abuser = { socket, kind, openedAt: 0, cutAt: null, got408: false, bytesSent: 0 };
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      if (d.toString('latin1').startsWith('HTTP/1.1 408')) abuser.got408 = true;
    });
    const cut = (): void => {
      if (abuser.cutAt === null && abuser.openedAt !== 0) abuser.cutAt = Date.now();
    };
    socket.on('end', cut);
    socket.on('close', cut);
    socket.once('connect', () => {
      abuser.openedAt = Date.now();
      socket.write(
        kind === 'slowloris'
          ? 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: '
          : 'POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n',
      );
      resolve(abuser);
    });
    socket.once('error', () => resolve(null));
  });
}

/** The normal client: sequential GET / on a keep-alive agent until `stop` is set. */
async function normalClient(port: number, until: () => boolean): Promise<AbuseResult['normal']> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let errors = 0;
  while (!until()) {
    const started = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 5_000 }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('Hello World')));
        res.on('error', () => resolve(false));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
    });
    latencies.push(performance.now() - started);
    if (!ok) errors++;
    await sleep(2);
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN };
}

export async function abusePhase(server: SoakServer, options: AbuseOptions, log: (line: string) => void): Promise<AbuseResult> {
  let done = false;
  const normal = normalClient(server.port, () => done);
  await sleep(500); // a baseline before the abusers arrive

  const abusers: Abuser[] = [];
  // Interleave the two kinds so both are opened while the other is already trickling.
  const kinds: Abuser['kind'][] = [];
  for (let i = 0; i < Math.max(options.slowloris, options.slowBody); i++) {
    if (i < options.slowloris) kinds.push('slowloris');
    if (i < options.slowBody) kinds.push('slow-body');
  }
  const started = Date.now();
  let peakRssBytes = server.rssBytes();
  const trickle = setInterval(() => {
    for (const a of abusers) {
      if (a.cutAt !== null || a.socket.destroyed) continue;
      a.socket.write(a.kind === 'slowloris' ? 'a' : 'b');
      a.bytesSent++;
    }
    peakRssBytes = Math.max(peakRssBytes, server.rssBytes());
  }, 1000);
  for (let i = 0; i < kinds.length; i += BATCH) {
    const batch = await Promise.all(kinds.slice(i, i + BATCH).map((kind) => openAbuser(server.port, kind)));
    for (const a of batch) if (a !== null) abusers.push(a);
  }
  log(`  ${abusers.length} abusers open after ${Date.now() - started} ms; trickling one byte per second each`);
  const deadline = started + options.maxMs;
  while (Date.now() < deadline && abusers.some((a) => a.cutAt === null)) {
    await sleep(250);
    peakRssBytes = Math.max(peakRssBytes, server.rssBytes());
  }
  // Keep measuring the normal client a little after the last cut.
  await sleep(1000);
  clearInterval(trickle);
  done = true;
  const normalResult = await normal;
  const stillOpen = abusers.filter((a) => a.cutAt === null).length;
  for (const a of abusers) a.socket.destroy();

  const stats = (kind: Abuser['kind']): { p50: number; max: number } => {
    const times = abusers.filter((a) => a.kind === kind && a.cutAt !== null).map((a) => (a.cutAt as number) - a.openedAt).sort((x, y) => x - y);
    return { p50: percentile(times, 50), max: times[times.length - 1] ?? NaN };
  };
  const count = (pred: (a: Abuser) => boolean): Record<Abuser['kind'], number> => ({
    slowloris: abusers.filter((a) => a.kind === 'slowloris' && pred(a)).length,
    'slow-body': abusers.filter((a) => a.kind === 'slow-body' && pred(a)).length,
  });
  const result: AbuseResult = {
    opened: count(() => true),
    cut: count((a) => a.cutAt !== null),
    with408: count((a) => a.got408),
    cutAfterMs: { slowloris: stats('slowloris'), 'slow-body': stats('slow-body') },
    stillOpen,
    normal: normalResult,
    peakRssBytes,
    passed: true,
    problems: [],
  };
  const slack = 2_000;
  if (result.opened.slowloris < options.slowloris || result.opened['slow-body'] < options.slowBody) {
    result.problems.push(`only ${abusers.length} of ${options.slowloris + options.slowBody} abusers could connect`);
  }
  if (stillOpen > 0) result.problems.push(`${stillOpen} abusers were never cut off`);
  if (result.cutAfterMs.slowloris.max > options.headersTimeoutMs + slack) result.problems.push(`a slowloris lasted ${result.cutAfterMs.slowloris.max} ms`);
  if (result.cutAfterMs['slow-body'].max > options.bodyTimeoutMs + slack) result.problems.push(`a slow body lasted ${result.cutAfterMs['slow-body'].max} ms`);
  if (normalResult.errors > 0) result.problems.push(`${normalResult.errors} normal requests failed`);
  if (!(normalResult.p99 < 50)) result.problems.push(`normal p99 ${normalResult.p99.toFixed(1)} ms (limit 50)`);
  result.passed = result.problems.length === 0;
  return result;
}
