// HAProxy in front of brisk speaking the PROXY protocol: `send-proxy` (v1, TCP mode) and
// `send-proxy-v2` (v2, HTTP mode, with health checks that send PROXY v2 LOCAL). brisk runs with
// proxyProtocol and trusts loopback; the handler must see the client's own port (not HAProxy's
// outgoing one), which only the header can tell it. HAProxy runs in the foreground (-db) from a
// config in a temporary folder and is stopped by PID.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from '../../src/index.js';
import { eventually } from '../ops/support.js';
import { findExecutable, freePort, runForeground, tempDir, type Foreground } from './interop-support.js';

const haproxy = findExecutable('haproxy');
const SKIP = haproxy === undefined ? 'haproxy is not installed (apt-get install haproxy)' : undefined;

function config(frontendPort: number, upstreamPort: number, mode: 'v1' | 'v2'): string {
  const server =
    mode === 'v1'
      ? `server brisk 127.0.0.1:${upstreamPort} send-proxy`
      : `server brisk 127.0.0.1:${upstreamPort} send-proxy-v2 check check-send-proxy inter 200 rise 1 fall 2`;
  return `
global
  maxconn 256

defaults
  mode ${mode === 'v1' ? 'tcp' : 'http'}
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend in
  bind 127.0.0.1:${frontendPort}
  default_backend brisk

backend brisk
  ${mode === 'v2' ? 'option httpchk GET /hc\n  http-check expect status 200' : ''}
  ${server}
`;
}

/** GET through the proxy from a known local port; resolves with the body and that port. */
function getFrom(port: number, target: string): Promise<{ body: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: target, agent: false }, (res) => {
      const localPort = req.socket?.localPort ?? -1;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ body, localPort }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

for (const mode of ['v1', 'v2'] as const) {
  describe(`HAProxy ${mode === 'v1' ? 'send-proxy (v1, mode tcp)' : 'send-proxy-v2 (v2, mode http, checks)'} → brisk --proxy-protocol`, { skip: SKIP, timeout: 60_000 }, () => {
    let server: Server;
    let proxy: Foreground;
    let temp: ReturnType<typeof tempDir>;
    let frontendPort: number;
    const checks: string[] = [];
    const errors: string[] = [];

    before(async () => {
      server = createServer(
        (req, res) => {
          if (req.path === '/hc') checks.push(`${req.remoteAddress}:${req.remotePort}`);
          res.setHeader('Content-Type', 'text/plain');
          res.end(`${req.remoteAddress} ${req.remotePort} ${req.ip}`);
        },
        { proxyProtocol: true, trustProxy: 'loopback', logLevel: 'error', log: (line) => errors.push(line) },
      );
      const { port: upstreamPort } = await server.listen(0, '127.0.0.1');
      temp = tempDir(`brisk-haproxy-pp-${mode}-`);
      frontendPort = await freePort();
      const conf = path.join(temp.dir, 'haproxy.cfg');
      writeFileSync(conf, config(frontendPort, upstreamPort, mode));
      proxy = await runForeground(haproxy as string, ['-db', '-f', conf], frontendPort, 'HAProxy');
    });

    after(async () => {
      await proxy?.stop();
      temp?.remove();
      await server?.close({ timeoutMs: 500 });
    });

    it('the handler sees the client address and port from the PROXY header', async () => {
      for (let i = 0; i < 5; i++) {
        const { body, localPort } = await getFrom(frontendPort, `/r${i}`);
        assert.equal(body, `127.0.0.1 ${localPort} 127.0.0.1`);
      }
      assert.deepEqual(errors, [], 'brisk refused no connection');
    });

    if (mode === 'v2') {
      it('health checks arrive as PROXY v2 LOCAL and pass (the socket address stands)', async () => {
        await eventually(() => checks.length >= 2, 5_000, 'HAProxy health checks reach brisk');
        assert.deepEqual(errors, []);
      });
    }
  });
}
