// The keep-alive rule behind a proxy: brisk's idle timeout must be longer than the proxy's
// upstream idle timeout, so that the proxy, not brisk, retires idle upstream connections and never
// sends a request on a connection brisk is closing (the ECONNRESET/502 race of Node behind
// nginx/ALB). nginx (upstream keepalive 16, keepalive_timeout 2s) in front of brisk
// (--keep-alive-timeout 3000, short so that connections really expire during the run); ~10 s of
// GETs and POSTs with idle gaps straddling both timeouts. POSTs matter: nginx retries a failed
// GET on another connection, never a POST. Zero 502s in nginx's access log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCli, type CliProcess } from '../ops/support.js';
import { findExecutable } from './interop-support.js';
import { startNginx, type RunningNginx } from './nginx-support.js';

const nginx = findExecutable('nginx');
const SKIP = nginx === undefined ? 'nginx is not installed (apt-get install nginx)' : undefined;

const BRISK_KEEP_ALIVE_MS = 3_000;
const NGINX_UPSTREAM_IDLE_S = 2;
const RUN_MS = 10_000;

/** The tested configuration (inside `http { }`, after the shared part in nginx-support.ts); docs/deployment.md shows the same. */
function nginxHttp(port: number, upstreamPort: number): string {
  return `
  upstream brisk {
    server 127.0.0.1:${upstreamPort};
    keepalive 16;
    # Shorter than brisk's --keep-alive-timeout: nginx closes idle connections first.
    keepalive_timeout ${NGINX_UPSTREAM_IDLE_S}s;
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://brisk;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
`;
}

interface Tally {
  requests: number;
  byStatus: Map<number, number>;
  errors: string[];
}

function send(agent: http.Agent, port: number, method: 'GET' | 'POST', tally: Tally): Promise<void> {
  return new Promise((resolve) => {
    const body = method === 'POST' ? Buffer.alloc(2048, 7) : undefined;
    const req = http.request(
      { host: '127.0.0.1', port, method, path: method === 'POST' ? '/upload' : '/', agent, headers: body ? { 'Content-Length': body.length } : {} },
      (res) => {
        res.resume();
        res.on('end', () => {
          tally.requests++;
          tally.byStatus.set(res.statusCode ?? 0, (tally.byStatus.get(res.statusCode ?? 0) ?? 0) + 1);
          resolve();
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', (error) => {
      tally.errors.push(error.message);
      resolve();
    });
    req.end(body);
  });
}

describe('nginx upstream keep-alive in front of brisk: the keep-alive rule', { skip: SKIP, timeout: 90_000 }, () => {
  let brisk: CliProcess;
  let proxy: RunningNginx;

  before(async () => {
    brisk = await startCli(['--port', '0', '--keep-alive-timeout', String(BRISK_KEEP_ALIVE_MS), '--metrics-path', '/metrics']);
    proxy = await startNginx(nginx as string, {
      tempPrefix: 'brisk-nginx-ka-',
      workerConnections: 512,
      logFormat: "'$status $upstream_status $request_method $request_uri'",
      http: (port) => nginxHttp(port, brisk.port),
    });
  });

  after(async () => {
    await proxy?.process.stop();
    await brisk?.stop();
    proxy?.cleanup();
  });

  it(`${RUN_MS / 1000} s of GET and POST with idle gaps around both timeouts: zero 502s`, async () => {
    const tally: Tally = { requests: 0, byStatus: new Map(), errors: [] };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const end = performance.now() + RUN_MS;
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const loops = Array.from({ length: 16 }, async (_, i) => {
      while (performance.now() < end) {
        // Bursts, then gaps from 0 to 1.5× brisk's timeout: upstream connections sit idle across
        // nginx's 2 s and brisk's 3 s, and some are picked up right at those moments.
        const burst = 1 + Math.floor(random() * 4);
        for (let b = 0; b < burst; b++) await send(agent, proxy.port, (i + b) % 2 === 0 ? 'GET' : 'POST', tally);
        await sleep(random() * BRISK_KEEP_ALIVE_MS * 1.5);
      }
    });
    await Promise.all(loops);
    agent.destroy();

    const lines = readFileSync(path.join(proxy.dir, 'access.log'), 'utf8').trim().split('\n');
    const bad = lines.filter((line) => !line.startsWith('200 200 '));
    assert.deepEqual(tally.errors, []);
    assert.deepEqual(bad, [], `nginx logged ${bad.length} failed of ${lines.length}`);
    assert.equal(tally.byStatus.get(200), tally.requests);
    assert.ok(tally.requests >= 100, `only ${tally.requests} requests`);
    // The run really exercised expiry: nginx retired idle upstream connections and reopened them.
    const metrics = await (await fetch(`${brisk.origin}/metrics`)).text();
    const accepted = Number(/^brisk_connections_accepted_total (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(accepted > 16, `nginx opened ${accepted} upstream connections over the run`);
    assert.ok(!/brisk_timeouts_total\{kind="keep-alive"\} [1-9]/.test(metrics), 'brisk never had to time out an idle connection: nginx closed them first');
  });
});
