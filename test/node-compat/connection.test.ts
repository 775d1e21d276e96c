// Express on brisk where the connection matters: keep-alive, pipelining, backpressure both ways,
// and clients or apps that end an exchange early — each must release the connection.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import express from 'express';
import { serve, type Server } from '../../src/index.js';
import { RawClient, request } from '../helpers/raw-client.js';

async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

interface Seen {
  resClose: number;
  reqClose: number;
  reqAborted: number;
  writesRefused: number;
  drains: number;
  bufferedWhilePaused: number;
  ticks: number;
}

function app(seen: Seen): express.Express {
  const a = express();
  a.get('/n/:n', (req, res) => res.send(`answer ${req.params.n}`));
  a.post('/sum', express.text({ type: '*/*' }), (req, res) => res.send(`got ${String(req.body).length}`));
  a.get('/forever', (req, res) => {
    res.type('text/plain');
    const timer = setInterval(() => {
      seen.ticks++;
      res.write('tick\n');
    }, 5);
    res.on('close', () => {
      seen.resClose++;
      clearInterval(timer);
    });
    req.on('close', () => seen.reqClose++);
  });
  a.post('/slow-reader', (req, res) => {
    const hash = createHash('sha256');
    let total = 0;
    req.once('data', (first: Buffer) => {
      hash.update(first);
      total += first.length;
      req.pause();
      setTimeout(() => {
        seen.bufferedWhilePaused = req.readableLength;
        req.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          total += chunk.length;
        });
        req.resume();
      }, 150);
    });
    req.on('end', () => res.json({ total, sha: hash.digest('hex') }));
  });
  a.post('/upload-abort', (req, res) => {
    req.on('aborted', () => seen.reqAborted++);
    req.on('close', () => seen.reqClose++);
    res.on('close', () => seen.resClose++);
    req.resume();
  });
  a.get('/big', (_req, res) => {
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let left = 32; // 8 MiB
    res.setHeader('Content-Type', 'application/octet-stream');
    const pump = (): void => {
      while (left > 0) {
        left--;
        if (left === 0) return void res.end(chunk);
        if (!res.write(chunk)) {
          seen.writesRefused++;
          res.once('drain', () => {
            seen.drains++;
            pump();
          });
          return;
        }
      }
    };
    pump();
  });
  a.get('/destroy', (_req, res) => {
    res.setHeader('Content-Length', '100');
    res.write('partial');
    setTimeout(() => res.destroy(), 10);
  });
  return a;
}

async function withServer(fn: (server: Server, seen: Seen) => Promise<void>): Promise<void> {
  const seen: Seen = { resClose: 0, reqClose: 0, reqAborted: 0, writesRefused: 0, drains: 0, bufferedWhilePaused: -1, ticks: 0 };
  const server = await serve(app(seen), { host: '127.0.0.1', port: 0, logLevel: 'silent' });
  try {
    await fn(server, seen);
  } finally {
    await server.close({ timeoutMs: 500 });
  }
}

function portOf(server: Server): number {
  return (server.address() as { port: number }).port;
}

describe('Express on brisk: connections', () => {
  test('keep-alive: requests one after another on one connection', async () => {
    await withServer(async (server) => {
      const client = await RawClient.connect(portOf(server));
      for (let i = 0; i < 5; i++) {
        await client.write(request(['GET /n/' + i + ' HTTP/1.1', 'Host: x']));
        const r = await client.readResponse();
        assert.equal(r.body.toString(), `answer ${i}`);
        assert.ok(r.headers.some(([n, v]) => n.toLowerCase() === 'connection' && v === 'keep-alive'));
      }
      assert.equal(server.connectionCount, 1);
      client.destroy();
    });
  });

  test('pipelined requests, with a body among them, answered in order', async () => {
    await withServer(async (server) => {
      const client = await RawClient.connect(portOf(server));
      const parts: string[] = [];
      for (let i = 0; i < 8; i++) {
        parts.push(`GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
        if (i === 3) parts.push('POST /sum HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world');
      }
      await client.write(parts.join(''));
      const responses = await client.readResponses(9);
      const bodies = responses.map((r) => r.body.toString());
      assert.deepEqual(bodies, ['answer 0', 'answer 1', 'answer 2', 'answer 3', 'got 11', 'answer 4', 'answer 5', 'answer 6', 'answer 7']);
      client.destroy();
    });
  });

  test("a client that leaves mid-stream: res 'close' and req 'close' fire, the connection is released", async () => {
    await withServer(async (server, seen) => {
      const client = await RawClient.connect(portOf(server));
      await client.write(request(['GET /forever HTTP/1.1', 'Host: x']));
      await client.waitFor('tick\n');
      client.destroy();
      assert.ok(await eventually(() => seen.resClose === 1 && seen.reqClose === 1, 3_000), `res/req close: ${seen.resClose}/${seen.reqClose}`);
      assert.ok(await eventually(() => server.connectionCount === 0, 3_000), 'connection released');
      const ticks = seen.ticks;
      await sleep(30);
      assert.equal(seen.ticks, ticks, 'the app stopped writing');
    });
  });

  test("a client that leaves mid-upload: req 'aborted' and 'close', res 'close'", async () => {
    await withServer(async (server, seen) => {
      const client = await RawClient.connect(portOf(server));
      await client.write('POST /upload-abort HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
      await sleep(30);
      client.destroy();
      assert.ok(await eventually(() => seen.reqAborted === 1 && seen.reqClose === 1 && seen.resClose === 1, 3_000), JSON.stringify(seen));
      assert.ok(await eventually(() => server.connectionCount === 0, 3_000));
    });
  });

  test('request body backpressure: a paused req buffers at most its high-water mark', async () => {
    await withServer(async (server, seen) => {
      const body = Buffer.alloc(4 * 1024 * 1024);
      for (let i = 0; i < body.length; i++) body[i] = i % 253;
      const client = await RawClient.connect(portOf(server));
      const head = `POST /slow-reader HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`;
      void client.write(Buffer.concat([Buffer.from(head), body])).catch(() => {});
      const r = await client.readResponse({ timeoutMs: 10_000 });
      const got = JSON.parse(r.body.toString()) as { total: number; sha: string };
      assert.equal(got.total, body.length);
      assert.equal(got.sha, createHash('sha256').update(body).digest('hex'));
      assert.ok(seen.bufferedWhilePaused >= 0 && seen.bufferedWhilePaused <= 128 * 1024, `req buffered ${seen.bufferedWhilePaused} bytes while paused`);
      client.destroy();
    });
  });

  test("response backpressure: write() returns false and 'drain' follows", async () => {
    await withServer(async (server, seen) => {
      const client = await RawClient.connect(portOf(server));
      client.socket.pause();
      await client.write(request(['GET /big HTTP/1.1', 'Host: x']));
      await sleep(100);
      assert.ok(seen.writesRefused >= 1, 'a write was refused while the client did not read');
      client.socket.resume();
      const r = await client.readResponse({ timeoutMs: 10_000 });
      assert.equal(r.body.length, 8 * 1024 * 1024);
      assert.equal(seen.drains, seen.writesRefused);
      client.destroy();
    });
  });

  test('res.destroy() mid-response aborts the connection', async () => {
    await withServer(async (server) => {
      const client = await RawClient.connect(portOf(server));
      await client.write(request(['GET /destroy HTTP/1.1', 'Host: x']));
      const all = await client.readUntilClose(3_000);
      assert.match(all.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 100\r\n[\s\S]*\r\n\r\npartial$/);
      assert.ok(await eventually(() => server.connectionCount === 0, 3_000));
    });
  });
});
