// A client that half-closes (FIN) while its request is in flight is gone for that request
// (issue 12, defects 3, 15 and 16; README "HTTP/1.1 behaviour"): req.signal aborts, a response
// the handler completes whole is still delivered, a streamed response is never terminated as if
// complete, a handler that ignores the signal has its connection destroyed after a short grace,
// and every resource is released (connectionCount back to 0, close() prompt). Real sockets.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { toHandler, type Handler } from '../../src/index.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 15_000 };
/** The grace (1 s) plus a few ticks of the coarse clock and scheduling slack. */
const BOUND_MS = 2_500;
const LAST_CHUNK = '\r\n0\r\n\r\n';

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) return false;
    await sleep(10);
  }
  return true;
}

/** Send a GET, wait for the head and `firstBytes` of body text, then FIN; return the client. */
async function getThenFin(s: TestServer, target: string, waitFor: string): Promise<{ client: RawClient; finAt: number }> {
  const client = await RawClient.connect(s.port);
  await client.write(request([`GET ${target} HTTP/1.1`, 'Host: a']));
  await client.waitFor(waitFor, 3_000);
  client.end();
  return { client, finAt: performance.now() };
}

async function assertReleased(s: TestServer, client: RawClient, finAt: number, bound = BOUND_MS): Promise<void> {
  assert.equal(await client.closesWithin(bound + 1_000), true, 'the server closes the connection');
  const closedAfter = (client.endedAt ?? Infinity) - finAt;
  assert.ok(closedAfter < bound, `closed ${closedAfter.toFixed(0)} ms after the FIN (bound ${bound} ms)`);
  assert.ok(await eventually(() => s.server.connectionCount === 0, 1_000), `connectionCount is ${s.server.connectionCount}`);
  const started = performance.now();
  await s.close(5_000);
  assert.ok(performance.now() - started < 1_000, 'close() does not wait out its timeout');
}

describe('a client FIN during a streamed response', () => {
  it('a handler that streams and ignores the signal: no last-chunk, destroyed within the grace, released', TEST_TIMEOUT, async () => {
    let writesAfterAbort = 0;
    const s = await startServer(async (req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      for (let i = 0; i < 200; i++) {
        if (req.signal.aborted) writesAfterAbort++;
        res.write(`line ${i}\n`);
        await sleep(20);
      }
      res.end();
    }, { logLevel: 'silent' });
    const { client, finAt } = await getThenFin(s, '/stream', 'line 1\n');
    try {
      await assertReleased(s, client, finAt);
      const text = client.pending.toString('latin1');
      assert.ok(text.startsWith('HTTP/1.1 200'), text.slice(0, 100));
      assert.ok(!text.includes(LAST_CHUNK), 'the cut-short body must not end with the last chunk');
      assert.ok(writesAfterAbort > 0, 'the handler kept writing after the abort (the case under test)');
    } finally {
      client.destroy();
    }
  });

  it('a handler that stops at the signal and calls end(): the body is not terminated as complete', TEST_TIMEOUT, async () => {
    let ended = false;
    const s = await startServer(async (req, res) => {
      for (let i = 0; i < 200 && !req.signal.aborted; i++) {
        res.write(`line ${i}\n`);
        await sleep(20);
      }
      res.end();
      ended = true;
    }, { logLevel: 'silent' });
    const { client, finAt } = await getThenFin(s, '/stream', 'line 1\n');
    try {
      await assertReleased(s, client, finAt, 1_000);
      assert.ok(ended, 'the handler ended');
      assert.ok(!client.pending.toString('latin1').includes(LAST_CHUNK), 'no last chunk after the abort');
    } finally {
      client.destroy();
    }
  });

  it('a Content-Length body cut short at the signal is aborted, not padded or framed as complete', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      res.setHeader('Content-Length', 10_000);
      res.write('x'.repeat(100));
      await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
      res.end();
    }, { logLevel: 'silent' });
    const { client, finAt } = await getThenFin(s, '/cl', 'xxxx');
    try {
      await assertReleased(s, client, finAt, 1_000);
      const text = client.pending.toString('latin1');
      assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4).length, 100);
    } finally {
      client.destroy();
    }
  });
});

describe('a client FIN while the handler has not answered', () => {
  it('a handler whose promise never settles: the connection is destroyed within the grace and released', TEST_TIMEOUT, async () => {
    const s = await startServer(() => new Promise<void>(() => {}), { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['GET /hang HTTP/1.1', 'Host: a']));
      await eventually(() => s.server.connectionCount === 1, 1_000);
      await sleep(50);
      client.end();
      await assertReleased(s, client, performance.now());
      assert.equal(client.pending.length, 0, 'nothing was sent');
    } finally {
      client.destroy();
    }
  });

  it('a fetch-style handler whose promise never settles: likewise', TEST_TIMEOUT, async () => {
    const app = { fetch: (_request: Request): Promise<Response> => new Promise(() => {}) };
    const s = await startServer(toHandler(app), { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['GET /hang HTTP/1.1', 'Host: a']));
      await sleep(100);
      client.end();
      await assertReleased(s, client, performance.now());
    } finally {
      client.destroy();
    }
  });

  it('a handler that gives up by throwing the abort reason: no 500, no error log, destroyed at once', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req) => {
      await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
      throw req.signal.reason;
    });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['GET /gives-up HTTP/1.1', 'Host: a']));
      await sleep(50);
      client.end();
      await assertReleased(s, client, performance.now(), 500);
      assert.equal(client.pending.length, 0, 'no 500 for a client that left');
      assert.deepEqual(s.logs.filter((l) => l.level === 'error'), [], 'an abort is not a server error');
    } finally {
      client.destroy();
    }
  });

  it('a response the handler completes whole after the FIN is still delivered, all 4 MB of it', TEST_TIMEOUT, async () => {
    const size = 4 * 1024 * 1024;
    let aborted = false;
    const handler: Handler = async (req, res) => {
      await sleep(100);
      aborted = req.signal.aborted;
      res.end(Buffer.alloc(size, 0x61));
    };
    const s = await startServer(handler, { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      client.socket.pause(); // read nothing yet: the response piles up in the server's socket buffer
      await client.write(request(['GET /whole HTTP/1.1', 'Host: a']));
      client.end();
      await sleep(400);
      client.socket.resume();
      const response = await client.readResponse({ timeoutMs: 5_000 });
      assert.equal(aborted, true, 'req.signal had fired');
      assert.equal(response.body.length, size);
      assert.ok(response.hasToken('connection', 'close'), response.headText);
      assert.equal(await client.closesWithin(2_000), true);
      assert.ok(await eventually(() => s.server.connectionCount === 0, 1_000));
    } finally {
      client.destroy();
      await s.close();
    }
  });
});

describe('a client FIN while body bytes are still owed (defect 16)', () => {
  it('Content-Length: 100, 10 bytes sent, an early 200, then FIN: closed at once, not after the body timeout', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('early'), { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 100'], 'x'.repeat(10)));
      const response = await client.readResponse();
      assert.equal(response.body.toString(), 'early');
      client.end();
      const finAt = performance.now();
      assert.equal(await client.closesWithin(3_000), true);
      assert.ok((client.endedAt as number) - finAt < 500, 'closed at once');
      assert.ok(await eventually(() => s.server.connectionCount === 0, 1_000));
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('a handler still reading the body when the FIN comes gets its body failed (400) and the connection closes', TEST_TIMEOUT, async () => {
    let failure: unknown;
    const s = await startServer(async (req, res) => {
      try {
        await req.bytes();
      } catch (error) {
        failure = error;
        throw error;
      }
      res.end('never');
    }, { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 100'], 'x'.repeat(10)));
      await sleep(50);
      client.end();
      const raw = await client.readUntilClose(3_000);
      assert.match(raw.toString('latin1'), /^HTTP\/1\.1 400 /);
      assert.equal((failure as { status?: number }).status, 400);
      assert.ok(await eventually(() => s.server.connectionCount === 0, 1_000));
    } finally {
      client.destroy();
      await s.close();
    }
  });
});

describe('a client FIN with pipelined requests held behind the one in flight', () => {
  // Found by the Session model test (test/server/session-model.test.ts): the FIN arrived while the
  // next request's bytes were held, so handleEof waited for them and no deadline ran at all; a
  // handler that never answered kept the half-closed connection open for ever.
  it('a handler that never answers: the connection is destroyed within writeTimeoutMs and released', TEST_TIMEOUT, async () => {
    const s = await startServer((req, res) => {
      if (req.path === '/never') return new Promise<void>(() => {});
      res.end('ok');
    }, { logLevel: 'silent', writeTimeoutMs: 800 });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(Buffer.concat([request(['GET /never HTTP/1.1', 'Host: a']), request(['GET /next HTTP/1.1', 'Host: a'])]));
      await sleep(100);
      const finAt = performance.now();
      client.end();
      await assertReleased(s, client, finAt, 2_000);
    } finally {
      client.destroy();
    }
  });
});
