// The demo behind Debian's HAProxy in HTTP mode (`mode http`, `http-reuse safe`): HAProxy
// parses every request and response, so brisk's framing must be exact; bodies stream both ways
// and WebSocket upgrades become tunnels. Runs in the foreground (-db) from a config in a
// temporary folder, on its own free port.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { findExecutable, freePort, runForeground, tempDir } from './interop-support.js';
import { proxySuite } from './proxy-suite.js';

const haproxy = findExecutable('haproxy');

function haproxyConfig(port: number, upstreamPort: number): string {
  return `
global
  maxconn 256

defaults
  mode http
  option http-keep-alive
  # Without it HAProxy sends with MSG_MORE while a chunked body is unfinished, and the kernel
  # holds small pieces for up to 200 ms: /stream's lines would arrive in bursts.
  option http-no-delay
  http-reuse safe
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout tunnel 60s
  timeout http-request 10s

frontend interop
  bind 127.0.0.1:${port}
  default_backend brisk

backend brisk
  server brisk 127.0.0.1:${upstreamPort}
`;
}

proxySuite({
  name: 'HAProxy',
  skip: haproxy === undefined ? 'haproxy is not installed (apt-get install haproxy)' : undefined,
  async start(upstreamPort) {
    const temp = tempDir('brisk-haproxy-');
    const port = await freePort();
    const conf = path.join(temp.dir, 'haproxy.cfg');
    writeFileSync(conf, haproxyConfig(port, upstreamPort));
    const process = await runForeground(haproxy as string, ['-db', '-f', conf], port, 'HAProxy');
    return { port, process, cleanup: temp.remove };
  },
});
