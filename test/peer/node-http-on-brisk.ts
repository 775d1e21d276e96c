// Another project's test suite (Express's, Koa's: see test/peer/README.md), run
// against brisk instead of node:http: loaded before the suite (`NODE_OPTIONS=--import=…`, see
// test/peer/README.md), it makes `http.createServer(listener)` — what supertest and
// `app.listen()` call — return a real net.Server whose connections are piped to a brisk server
// serving the same listener through fromNodeListener. The net.Server binds at once, as
// supertest needs (it reads `address()` right after `listen(0)`); brisk listens on a port of
// its own on 127.0.0.1 and each accepted connection is piped to it over loopback.
//
// Not part of `npm test`: the suites come from the projects' repositories, not from npm.
import http from 'node:http';
import net from 'node:net';
import { createServer, fromNodeListener } from '../../src/index.js';

const original = http.createServer;
let served = 0;

function pipeTo(port: number, client: net.Socket): void {
  const upstream = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}

function briskBacked(listener: http.RequestListener): net.Server {
  served++;
  const brisk = createServer(fromNodeListener(listener), { logLevel: process.env.BRISK_LOG === 'error' ? 'error' : 'silent' });
  let port: number | null = null;
  const ready = brisk.listen(0, '127.0.0.1').then((address) => (port = address.port));
  const front = net.createServer({ allowHalfOpen: true }, (client) => {
    if (port !== null) pipeTo(port, client);
    else ready.then((p) => pipeTo(p, client), () => client.destroy());
  });
  const close = front.close.bind(front);
  front.close = ((callback?: (error?: Error) => void) => {
    close((error) => {
      const done = (): void => callback?.(error);
      brisk.close({ timeoutMs: 200 }).then(done, done);
    });
    return front;
  }) as net.Server['close'];
  return front;
}

(http as { createServer: unknown }).createServer = function createServerOnBrisk(options?: unknown, listener?: unknown): unknown {
  const fn = typeof options === 'function' ? options : listener;
  if (typeof fn !== 'function') return (original as (...args: unknown[]) => unknown)(options, listener);
  return briskBacked(fn as http.RequestListener);
};

process.on('exit', () => {
  if (process.env.BRISK_SHIM_REPORT !== undefined) process.stderr.write(`brisk: ${served} node:http servers were served by brisk\n`);
});
