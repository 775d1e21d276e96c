// Soak phase (c): mixed traffic for a long time against the demo app, with the server's RSS
// sampled every few seconds. Loops run side by side until the deadline, each checking what it
// gets back: keep-alive GETs and small echoes, pipelined bursts, uploads (Content-Length and
// chunked, checked by SHA-256), downloads (checked byte by byte against /big's pattern), streams,
// client resets in the middle of a response or a request, and malformed requests (400 + close).
// Anything unexpected is an error; the phase passes with zero errors and flat RSS.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseAllResponses } from '../../test/helpers/http-response.js';
import { RawClient } from '../../test/helpers/raw-client.js';
import { MB, mb, sleep, slope, type SoakServer } from './server.js';

export interface MixedResult {
  seconds: number;
  operations: Record<string, number>;
  errors: number;
  errorSamples: string[];
  samples: { tSeconds: number; rssBytes: number; fds: number }[];
  /** Least-squares RSS slope after the warm-up fifth, MB per minute. */
  slopeMbPerMin: number;
  rssStartBytes: number;
  rssEndBytes: number;
  rssMaxBytes: number;
  fdsAfter: number;
  baselineFds: number;
  passed: boolean;
  problems: string[];
}

type Loop = (port: number, agent: http.Agent, i: number) => Promise<string>;

function request(
  port: number,
  agent: http.Agent,
  options: { method?: string; path: string; body?: Buffer; chunked?: boolean },
): Promise<{ status: number; body: Buffer; bytes: number; patternOk: boolean }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (options.body !== undefined && options.chunked !== true) headers['Content-Length'] = options.body.length;
    const req = http.request({ host: '127.0.0.1', port, agent, method: options.method ?? 'GET', path: options.path, headers, timeout: 30_000 }, (res) => {
      const keep: Buffer[] = [];
      let bytes = 0;
      let patternOk = true;
      res.on('data', (chunk: Buffer) => {
        if (options.path.startsWith('/big')) {
          for (let k = 0; k < chunk.length; k++) if (chunk[k] !== (bytes + k) % 251) patternOk = false;
        } else keep.push(chunk);
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(keep), bytes, patternOk }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    if (options.body !== undefined && options.chunked === true) {
      for (let at = 0; at < options.body.length; at += 64 * 1024) req.write(options.body.subarray(at, at + 64 * 1024));
      req.end();
    } else req.end(options.body);
  });
}

const UPLOAD = randomBytes(1 * MB);
const UPLOAD_SHA = createHash('sha256').update(UPLOAD).digest('hex');

const LOOPS: Record<string, Loop> = {
  async 'keep-alive GET /'(port, agent) {
    const r = await request(port, agent, { path: '/' });
    if (r.status !== 200 || r.body.length !== 37) throw new Error(`GET / → ${r.status}, ${r.body.length} bytes`);
    return 'keep-alive GET /';
  },
  async 'keep-alive POST /echo'(port, agent, i) {
    const body = Buffer.from(`echo ${i}`);
    const r = await request(port, agent, { method: 'POST', path: `/echo?i=${i}`, body });
    const json = JSON.parse(r.body.toString()) as { bodyLength: number; target: string };
    if (r.status !== 200 || json.bodyLength !== body.length || json.target !== `/echo?i=${i}`) throw new Error(`echo → ${r.status} ${r.body}`);
    return 'keep-alive POST /echo';
  },
  async 'pipelined ×16'(port) {
    const client = await RawClient.connect(port);
    try {
      await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(15) + 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      const responses = parseAllResponses(await client.readUntilClose(10_000));
      if (responses.length !== 16 || responses.some((r) => r.status !== 200)) throw new Error(`pipelined: ${responses.length} responses`);
    } finally {
      client.destroy();
    }
    return 'pipelined ×16';
  },
  async 'upload 1 MiB'(port, agent, i) {
    const chunked = i % 2 === 1;
    const r = await request(port, agent, { method: 'POST', path: '/upload', body: UPLOAD, chunked });
    const json = JSON.parse(r.body.toString()) as { bodyLength: number; bodySha256: string };
    if (r.status !== 200 || json.bodyLength !== UPLOAD.length || json.bodySha256 !== UPLOAD_SHA) throw new Error(`upload → ${r.status} ${r.body}`);
    return chunked ? 'upload 1 MiB chunked' : 'upload 1 MiB';
  },
  async 'download 4 MB'(port, agent) {
    const r = await request(port, agent, { path: '/big?bytes=4000000' });
    if (r.status !== 200 || r.bytes !== 4_000_000 || !r.patternOk) throw new Error(`download → ${r.status}, ${r.bytes} bytes, pattern ${r.patternOk}`);
    return 'download 4 MB';
  },
  async 'stream n=10'(port, agent) {
    const r = await request(port, agent, { path: '/stream?n=10' });
    const lines = r.body.toString().split('\n').filter((l) => l !== '');
    if (r.status !== 200 || lines.length !== 10 || lines[9] !== 'line 9') throw new Error(`stream → ${r.status} ${lines.length} lines`);
    return 'stream n=10';
  },
  async 'reset mid-response'(port, _agent, i) {
    const client = await RawClient.connect(port);
    if (i % 2 === 0) {
      await client.write('GET /big?bytes=50000000 HTTP/1.1\r\nHost: a\r\n\r\n');
      const deadline = Date.now() + 10_000;
      while (client.pending.length < 1 * MB && Date.now() < deadline && !client.isEnded) await sleep(5);
      if (client.pending.length < 1 * MB) throw new Error('reset: the download never started');
      client.reset();
      return 'reset mid-response';
    }
    await client.write('POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n');
    await client.write(UPLOAD.subarray(0, 256 * 1024));
    client.reset();
    return 'reset mid-upload';
  },
  async 'malformed request'(port, _agent, i) {
    const client = await RawClient.connect(port);
    try {
      const bad = [
        'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'GET / HTTP/1.1\nHost: a\n\n',
        'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n',
        'FOO / HTTP/1.1\r\nHost: a\r\n\r\n',
      ][i % 4] as string;
      await client.write(bad);
      const responses = parseAllResponses(await client.readUntilClose(5_000));
      const status = responses[0]?.status;
      if (responses.length !== 1 || (status !== 400 && status !== 501)) throw new Error(`malformed → ${responses.map((r) => r.status).join(',')}`);
    } finally {
      client.destroy();
    }
    return 'malformed request → 4xx/5xx + close';
  },
};

/** How many of each loop run side by side. */
const CONCURRENCY: Record<string, number> = {
  'keep-alive GET /': 4, 'keep-alive POST /echo': 2, 'pipelined ×16': 2, 'upload 1 MiB': 2, 'download 4 MB': 2, 'stream n=10': 1,
  'reset mid-response': 1, 'malformed request': 1,
};

export async function mixedPhase(server: SoakServer, seconds: number, sampleEveryMs: number, log: (line: string) => void): Promise<MixedResult> {
  const baselineFds = server.openFds();
  const operations: Record<string, number> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const samples: MixedResult['samples'] = [];
  const sample = (): void => {
    try {
      samples.push({ tSeconds: (Date.now() - started) / 1000, rssBytes: server.rssBytes(), fds: server.openFds() });
    } catch {
      // server gone: the loops will report errors
    }
  };
  sample();
  const sampler = setInterval(sample, sampleEveryMs);
  let lastLog = Date.now();
  const runLoop = async (name: string, loop: Loop): Promise<void> => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; Date.now() < deadline; i++) {
      try {
        const label = await loop(server.port, agent, i);
        operations[label] = (operations[label] ?? 0) + 1;
      } catch (error) {
        errors++;
        if (errorSamples.length < 10) errorSamples.push(`${name}: ${(error as Error).message}`);
      }
      if (Date.now() - lastLog > 60_000) {
        lastLog = Date.now();
        const last = samples[samples.length - 1];
        log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${Object.values(operations).reduce((a, b) => a + b, 0)} operations, ${errors} errors, RSS ${mb(last?.rssBytes ?? 0)} MB`);
      }
    }
    agent.destroy();
  };
  await Promise.all(Object.entries(LOOPS).flatMap(([name, loop]) => Array.from({ length: CONCURRENCY[name] ?? 1 }, () => runLoop(name, loop))));
  clearInterval(sampler);
  sample();
  // Every client is gone: the server's descriptors must come back down.
  const releaseDeadline = Date.now() + 10_000;
  while (server.openFds() > baselineFds + 2 && Date.now() < releaseDeadline) await sleep(100);
  const fdsAfter = server.openFds();

  const warm = samples.filter((s) => s.tSeconds >= seconds / 5);
  const steady = warm.length >= 2 ? warm : samples;
  const slopePerSecond = slope(steady.map((s) => ({ x: s.tSeconds, y: s.rssBytes })));
  const result: MixedResult = {
    seconds: (Date.now() - started) / 1000,
    operations,
    errors,
    errorSamples,
    samples,
    slopeMbPerMin: (slopePerSecond * 60) / MB,
    rssStartBytes: steady[0]?.rssBytes ?? 0,
    rssEndBytes: steady[steady.length - 1]?.rssBytes ?? 0,
    rssMaxBytes: Math.max(...samples.map((s) => s.rssBytes)),
    fdsAfter,
    baselineFds,
    passed: true,
    problems: [],
  };
  if (errors > 0) result.problems.push(`${errors} unexpected errors (${errorSamples.slice(0, 3).join('; ')})`);
  if (fdsAfter > baselineFds + 2) result.problems.push(`server fds ${fdsAfter} after the clients left (baseline ${baselineFds})`);
  const growth = result.rssEndBytes - result.rssStartBytes;
  if (growth > 64 * MB) result.problems.push(`RSS grew ${mb(growth)} MB after warm-up`);
  if (seconds >= 600 && result.slopeMbPerMin > 1) result.problems.push(`RSS slope ${result.slopeMbPerMin.toFixed(2)} MB/min`);
  result.passed = result.problems.length === 0;
  return result;
}
