// A response brisk refuses to send (a final status outside 200–599, a body longer or shorter
// than the Content-Length the app set) ends the exchange at once: 500 with Connection: close
// while the head is still unsent, and the next connection is served. Found by Koa's own suite
// (test/peer/): Koa sets `ctx.status = 700`, brisk's end() throws, Koa catches it, sees
// `headersSent` and gives up, and the connection waited for a response that never came (until
// the client's timeout). The error still reaches the app, as node's own would.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import express from 'express';
import { createServer, fromNodeListener, nodeListenerOf, type Server } from '../../src/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { startBoth } from './compare.js';

const seen: string[] = [];

/** A plain listener that catches brisk's refusal and does nothing more, as Koa does. */
function swallowing(req: IncomingMessage, res: ServerResponse): void {
  try {
    if (req.url === '/status-700') {
      res.statusCode = 700;
      res.end('seven hundred');
    } else if (req.url === '/too-long') {
      res.setHeader('Content-Length', '2');
      res.end('hello');
    } else if (req.url === '/write-too-long') {
      res.setHeader('Content-Length', '2');
      res.write('hello');
    } else if (req.url === '/flush-101') {
      res.statusCode = 101;
      res.flushHeaders();
    } else {
      res.end('fine');
    }
  } catch (error) {
    seen.push((error as { code?: string }).code ?? String(error));
  }
}

function koaApp(): Koa {
  const app = new Koa();
  app.silent = true;
  app.use((ctx) => {
    if (ctx.path === '/status-700') ctx.status = 700;
    else if (ctx.path === '/too-long') {
      ctx.body = 'hello';
      ctx.set('Content-Length', '2'); // after the body: Koa's body setter sets the length itself
    } else ctx.body = 'fine';
  });
  return app;
}

function expressApp(): express.Express {
  const app = express();
  app.get('/status-700', (_req, res) => {
    res.status(700).send('seven hundred');
  });
  app.get('/', (_req, res) => {
    res.send('fine');
  });
  return app;
}

/** brisk's core aborts the connection when a write() breaks the framing: no 500 can follow it. */
const ABORTED = new Set(['/write-too-long']);

async function expectRefused(port: number, target: string): Promise<void> {
  const client = await RawClient.connect(port);
  try {
    await client.write(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
    if (ABORTED.has(target)) {
      assert.ok(await client.closesWithin(2_000), `${target}: the connection is aborted at once`);
    } else {
      const r = await client.readResponse({ timeoutMs: 3_000 });
      assert.equal(r.status, 500, `${target}: ${r.status}`);
      assert.equal(r.header('connection'), 'close', target);
      assert.ok(await client.closesWithin(2_000), `${target}: the connection closes`);
    }
  } finally {
    client.destroy();
  }
  const next = await RawClient.connect(port);
  try {
    await next.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const r = await next.readResponse({ timeoutMs: 3_000 });
    assert.equal(r.status, 200);
  } finally {
    next.destroy();
  }
}

for (const [name, listener] of [
  ['a listener that catches the error', swallowing],
  ['Koa', nodeListenerOf(koaApp())!],
  ['Express', expressApp()],
] as const) {
  describe(`a refused response ends the exchange: ${name}`, () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = createServer(fromNodeListener(listener as (req: IncomingMessage, res: ServerResponse) => void), { logLevel: 'silent' });
      ({ port } = await server.listen(0, '127.0.0.1'));
    });
    after(() => server.close({ timeoutMs: 500 }));

    const targets = name === 'Express' ? ['/status-700'] : name === 'Koa' ? ['/status-700', '/too-long'] : ['/status-700', '/too-long', '/write-too-long', '/flush-101'];
    for (const target of targets) {
      test(`${target}: 500 with Connection: close at once, then the next connection is served`, async () => {
        await expectRefused(port, target);
      });
    }
  });
}

test('the listener that caught them saw brisk’s own codes', () => {
  assert.deepEqual(seen, ['ERR_INVALID_STATUS', 'ERR_CONTENT_LENGTH_MISMATCH', 'ERR_CONTENT_LENGTH_MISMATCH', 'ERR_INVALID_STATUS']);
});

// Koa's own suite (test/peer/): `ctx.socket.destroy(new Error('boom'))` must reach the app's
// 'error' event, as on node:http: Koa hears it through on-finished, which listens for the
// socket's 'error'. brisk's socket kept the error to itself, and the test waited forever.
describe("an error the app destroys the socket with reaches the socket's listeners", () => {
  test("Koa's app 'error' event gets it, and the connection is closed", async () => {
    const app = new Koa();
    app.silent = true;
    const errors: string[] = [];
    app.on('error', (error: Error) => errors.push(error.message));
    app.use((ctx) => {
      ctx.socket.destroy(new Error('boom'));
    });
    const server = createServer(fromNodeListener(nodeListenerOf(app)!), { logLevel: 'silent' });
    const { port } = await server.listen(0, '127.0.0.1');
    const client = await RawClient.connect(port);
    try {
      await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.ok(await client.closesWithin(2_000));
      for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(errors, ['boom']);
    } finally {
      client.destroy();
      await server.close({ timeoutMs: 500 });
    }
  });

  test("a client that leaves mid-request is no error to Koa, on node:http or on brisk", async () => {
    const errors: string[] = [];
    const app = new Koa();
    app.silent = true;
    app.on('error', (error: Error) => errors.push(error.message));
    let entered = 0;
    app.use(async (ctx) => {
      entered++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      ctx.body = 'late';
    });
    const pair = await startBoth(nodeListenerOf(app)!);
    try {
      for (const port of [pair.nodePort, pair.briskPort]) {
        const before = entered;
        const client = await RawClient.connect(port);
        await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
        for (let i = 0; i < 100 && entered === before; i++) await new Promise((resolve) => setTimeout(resolve, 5));
        client.destroy();
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(entered, 2);
      assert.deepEqual(errors, []);
    } finally {
      await pair.close();
    }
  });

  test('with nobody listening, nothing is thrown (node:http absorbs it too)', async () => {
    const server = createServer(fromNodeListener((req) => req.socket.destroy(new Error('unheard'))), { logLevel: 'silent' });
    const { port } = await server.listen(0, '127.0.0.1');
    const client = await RawClient.connect(port);
    try {
      await client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.ok(await client.closesWithin(2_000));
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      client.destroy();
      await server.close({ timeoutMs: 500 });
    }
  });
});
