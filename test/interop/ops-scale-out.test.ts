// Scaling out: a load balancer in front of two brisk instances (processes on this machine stand
// in for machines), each with --health-path /healthz. Under load, one instance gets SIGTERM and
// drains: for --drain-delay it keeps serving while /healthz answers 503 (HAProxy's active checks
// take it out), then it closes its port (nginx's passive checks and proxy_next_upstream move on),
// idle keep-alive connections get --idle-grace, and it exits. No request fails; the survivor
// serves everything afterwards. The configs are the ones docs/deployment.md shows.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, startCli, startLoad, type CliProcess } from '../ops/support.js';
import { findExecutable, freePort, runForeground, tempDir, type Foreground } from './interop-support.js';
import { startNginx } from './nginx-support.js';

const haproxy = findExecutable('haproxy');
const nginx = findExecutable('nginx');

const APP = `export default (req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end(process.env.INSTANCE + '\\n'); };\n`;

function haproxyConfig(port: number, a: number, b: number): string {
  return `
global
  maxconn 512

defaults
  mode http
  option http-keep-alive
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
  retry-on conn-failure empty-response response-timeout

frontend www
  bind 127.0.0.1:${port}
  default_backend brisk

backend brisk
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  default-server check inter 200 fall 1 rise 2
  server a 127.0.0.1:${a}
  server b 127.0.0.1:${b}
`;
}

/** Inside nginx's `http { }`, after the shared part (nginx-support.ts). */
function nginxHttp(port: number, a: number, b: number): string {
  return `
  upstream brisk {
    server 127.0.0.1:${a} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${b} max_fails=1 fail_timeout=10s;
    keepalive 16;
    keepalive_timeout 30s;
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://brisk;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_next_upstream error timeout http_503;
      proxy_connect_timeout 2s;
    }
  }
`;
}

interface Balancer {
  readonly port: number;
  readonly process: Foreground;
  cleanup(): void;
}

async function scenario(start: (a: number, b: number) => Promise<Balancer>, expectDownInLog: boolean): Promise<void> {
  const temp = tempDir('brisk-scale-');
  const appFile = path.join(temp.dir, 'app.mjs');
  writeFileSync(appFile, APP);
  const common = ['--port', '0', '--health-path', '/healthz', '--drain-delay', '1000', '--idle-grace', '1000', '--keep-alive-timeout', '65000'];
  const instances: CliProcess[] = [];
  let balancer: Balancer | undefined;
  try {
    instances.push(await startCli([appFile, ...common], { env: { INSTANCE: 'a' } }));
    instances.push(await startCli([appFile, ...common], { env: { INSTANCE: 'b' } }));
    const [a, b] = instances;
    balancer = await start(a.port, b.port);
    await sleep(600); // both pass their first health checks
    const load = startLoad(balancer.port, { concurrency: 8 });
    await sleep(1_500);
    const before = new Map(load.result.bodies);
    a.signal('SIGTERM');
    assert.deepEqual(await a.exited, { code: 0, signal: null });
    const atExit = load.result.bodies.get('a') ?? 0;
    await sleep(1_500);
    const result = await load.stop();
    assert.deepEqual(result.failures, [], `${result.failures.length} of ${result.ok + result.failures.length} failed`);
    assert.ok((before.get('a') ?? 0) > 0 && (before.get('b') ?? 0) > 0, `both served before: ${JSON.stringify([...before])}`);
    assert.equal(result.bodies.get('a') ?? 0, atExit, 'nothing from a after it exited');
    assert.ok((result.bodies.get('b') ?? 0) > (before.get('b') ?? 0) + 50, 'b took over');
    if (expectDownInLog) {
      await eventually(() => /Server brisk\/a is DOWN/.test(balancer!.process.output()), 3_000, 'HAProxy reports a DOWN');
      assert.match(balancer.process.output(), /Server brisk\/a is DOWN, reason: Layer7 wrong status, code: 503/, 'taken out by the health check, before its port closed');
    }
  } finally {
    await balancer?.process.stop();
    balancer?.cleanup();
    for (const instance of instances) await instance.stop();
    temp.remove();
  }
}

describe('scaling out: one of two instances drains under load, no request fails', { timeout: 120_000 }, () => {
  it('HAProxy with active health checks on /healthz', { skip: haproxy === undefined ? 'haproxy is not installed' : undefined }, async () => {
    await scenario(async (a, b) => {
      const temp = tempDir('brisk-scale-haproxy-');
      const port = await freePort();
      const conf = path.join(temp.dir, 'haproxy.cfg');
      writeFileSync(conf, haproxyConfig(port, a, b));
      const process = await runForeground(haproxy as string, ['-db', '-f', conf], port, 'HAProxy');
      return { port, process, cleanup: temp.remove };
    }, true);
  });

  it('nginx with passive checks and proxy_next_upstream', { skip: nginx === undefined ? 'nginx is not installed' : undefined }, async () => {
    await scenario(
      (a, b) => startNginx(nginx as string, { tempPrefix: 'brisk-scale-nginx-', workerConnections: 512, http: (port) => nginxHttp(port, a, b) }),
      false,
    );
  });
});
