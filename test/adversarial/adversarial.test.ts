// Runs the adversarial table (cases.ts) over real sockets on 127.0.0.1, plus the scenarios a
// table row cannot express: an interactive 100-continue, a client reset in the middle of a
// 100 MB response, and an abandoned 1 GB upload. Every row checks the responses, whether the
// connection closed, and — the smuggling invariant — exactly which requests reached the handler:
// a request hidden in an ambiguous body (SMUGGLED) must never run.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import type { Handler, ServerOptions } from '../../src/index.js';
import { parseAllResponses, type ParsedResponse } from '../helpers/http-response.js';
import { RawClient } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import demoApp from '../../examples/demo/app.js';
import { CASES, SMUGGLED_TARGET, type AdversarialCase } from './cases.js';

/** What the handler saw of one request. */
interface Call {
  method: string;
  target: string;
  /** The whole body (latin1) once read completely; null if reading it failed. */
  body: string | null;
}

interface TableServer {
  server: TestServer;
  /** Handler calls by the client's port (one connection per row at a time). */
  calls: Map<number, Call[]>;
}

/** Defaults for every table server: timeouts short enough that a stuck row fails fast. */
const BASE_OPTIONS: Partial<ServerOptions> = {
  logLevel: 'silent',
  headersTimeoutMs: 3_000,
  bodyIdleTimeoutMs: 3_000,
  keepAliveTimeoutMs: 5_000,
};

const servers = new Map<string, Promise<TableServer>>();
after(async () => {
  await Promise.all([...servers.values()].map(async (s) => (await s).server.close(500)));
});

/** Records every call, reads the whole body, answers 200 with a body that depends only on the target. */
function record(calls: Map<number, Call[]>, req: Parameters<Handler>[0]): Call {
  const call: Call = { method: req.method, target: req.target, body: null };
  let list = calls.get(req.remotePort);
  if (list === undefined) calls.set(req.remotePort, (list = []));
  list.push(call);
  return call;
}

/** The demo app with its calls recorded: its routes are the early-response gadgets of the desync rows. */
function recordingDemo(calls: Map<number, Call[]>): Handler {
  return (req, res) => {
    record(calls, req);
    return demoApp(req, res);
  };
}

function recordingHandler(calls: Map<number, Call[]>): Handler {
  return async (req, res) => {
    const call = record(calls, req);
    // `?delay=N` holds the response N ms, so later pipelined bytes wait behind it.
    const delay = /[?&]delay=(\d+)/.exec(req.target);
    if (delay !== null) await sleep(Math.min(1_000, Number(delay[1])));
    const body = await req.bytes();
    call.body = body.toString('latin1');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(`ok ${req.target} ${body.length}\n`);
  };
}

function tableServer(options: Partial<ServerOptions> = {}, app?: 'demo'): Promise<TableServer> {
  const key = JSON.stringify(options) + (app ?? '');
  let entry = servers.get(key);
  if (entry === undefined) {
    const calls = new Map<number, Call[]>();
    const handler = app === 'demo' ? recordingDemo(calls) : recordingHandler(calls);
    entry = startServer(handler, { ...BASE_OPTIONS, ...options }).then((server) => ({ server, calls }));
    servers.set(key, entry);
  }
  return entry;
}

function bytesOf(c: AdversarialCase): Buffer {
  return typeof c.bytes === 'string' ? Buffer.from(c.bytes, 'latin1') : c.bytes;
}

async function send(client: RawClient, c: AdversarialCase, bytes: Buffer): Promise<void> {
  if (bytes.length > 0) {
    switch (c.feed) {
      case 'whole':
        await client.write(bytes);
        break;
      case 'split': {
        const n = bytes.length;
        const cuts = c.splitAt ?? [1, Math.floor(n / 3), Math.floor((2 * n) / 3), n - 1];
        await client.writeSplit(bytes, [...new Set(cuts)].filter((x) => x > 0 && x < n).sort((a, b) => a - b), 5);
        break;
      }
      case 'trickle':
        await client.trickle(bytes, 1, 1);
        break;
    }
  }
  if (c.then !== undefined) {
    await sleep(c.then.afterMs);
    await client.write(Buffer.from(c.then.bytes, 'latin1'));
  }
  if (c.endAfter === true) client.end();
}

function show(responses: readonly ParsedResponse[]): string {
  return responses.map((r) => r.headText.split('\r\n')[0]).join(' | ');
}

async function runCase(c: AdversarialCase): Promise<void> {
  const { server, calls } = await tableServer(c.options, c.app);
  const bytes = bytesOf(c);
  if (c.smuggle === true) {
    assert.ok(bytes.includes(SMUGGLED_TARGET) || (c.then?.bytes.includes(SMUGGLED_TARGET) ?? false), 'a smuggle row must embed the smuggled request');
  }
  const expected = c.expect;
  const statuses = expected.statuses ?? (expected.status === undefined ? [] : [expected.status]);
  const client = await RawClient.connect(server.port);
  const port = client.socket.localPort as number;
  // A client port can come back for a later connection (the server closed first, so the client
  // holds no TIME_WAIT): forget what an earlier connection from this port recorded.
  calls.delete(port);
  try {
    let responses: ParsedResponse[];
    if (expected.closes) {
      await send(client, c, bytes);
      const raw = await client.readUntilClose(5_000);
      responses = parseAllResponses(raw, expected.methods ?? []);
    } else {
      await send(client, c, bytes);
      responses = [];
      for (let i = 0; i < statuses.length; i++) {
        try {
          responses.push(await client.readResponse({ method: expected.methods?.[i] ?? 'GET', timeoutMs: 5_000 }));
        } catch (error) {
          if (!client.isEnded) throw error;
          break; // closed early: the status comparison below says what arrived instead
        }
      }
      assert.equal(await client.closesWithin(100), false, 'the connection should stay open (keep-alive)');
    }
    const seen = calls.get(port) ?? [];
    const context = `responses: ${show(responses)}; handler saw: ${JSON.stringify(seen.map((s) => s.target))}`;

    // The smuggling invariant: a request hidden in a body never reaches the handler.
    if (!(expected.targets ?? []).includes(SMUGGLED_TARGET)) {
      assert.ok(!seen.some((s) => s.target === SMUGGLED_TARGET), `SMUGGLED REQUEST RAN — ${context}`);
    }
    assert.deepEqual(responses.map((r) => r.status), statuses, `final statuses — ${context}`);
    assert.equal(seen.length, expected.handlerCalls, `handler invocations — ${context}`);
    if (expected.targets !== undefined) assert.deepEqual(seen.map((s) => s.target), expected.targets, `targets — ${context}`);
    if (expected.bodies !== undefined) {
      assert.deepEqual(seen.filter((s) => s.body !== null).map((s) => s.body), expected.bodies, `completely read bodies — ${context}`);
    }
    if (expected.closes) {
      assert.ok(client.isEnded, 'the server should have closed the connection');
      const last = responses[responses.length - 1];
      if (last !== undefined && last.status >= 400) {
        assert.ok(last.hasToken('connection', 'close'), `an error that closes must say Connection: close:\n${last.headText}`);
      }
    }
    if (expected.interim !== undefined) {
      assert.deepEqual(responses[0]?.interim.map((r) => r.status) ?? [], expected.interim, `1xx responses — ${context}`);
    }
    expected.check?.(responses);
  } finally {
    client.destroy();
  }
}

describe('adversarial requests over raw sockets', () => {
  it(`the table has at least 120 rows (${CASES.length})`, (t) => {
    assert.ok(CASES.length >= 120);
    const byCategory = new Map<string, number>();
    for (const c of CASES) byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
    const smuggle = CASES.filter((c) => c.smuggle === true).length;
    const feeds = ['whole', 'split', 'trickle'].map((f) => `${f} ${CASES.filter((c) => c.feed === f).length}`).join(', ');
    t.diagnostic(`${CASES.length} rows: ${[...byCategory].map(([k, n]) => `${k} ${n}`).join(', ')}; ${smuggle} hide a smuggled request; ${feeds}`);
    const names = new Set(CASES.map((c) => c.name));
    assert.equal(names.size, CASES.length, 'row names are unique');
  });

  for (const c of CASES) {
    const outcome = c.expect.status ?? c.expect.statuses?.join('+');
    const title = `[${c.category}] ${c.name} (${c.feed}) → ${outcome}${c.expect.closes ? ', close' : ''} — ${c.source}`;
    it(title, { timeout: 15_000, todo: c.todo }, () => runCase(c));
  }

  // The same outcome must not depend on how the bytes arrive: every row fed whole is fed again in
  // five pieces (after the first byte, at a third, at two thirds, before the last byte).
  for (const c of CASES.filter((row) => row.feed === 'whole' && row.wholeOnly === undefined)) {
    it(`[${c.category}] ${c.name} — again, split in five pieces`, { timeout: 15_000, todo: c.todo }, () => runCase({ ...c, feed: 'split' }));
  }

  it('no row leaked a connection', { timeout: 10_000 }, async () => {
    const deadline = performance.now() + 5_000;
    for (const entry of servers.values()) {
      const { server } = await entry;
      while (server.server.connectionCount > 0 && performance.now() < deadline) await sleep(20);
      assert.equal(server.server.connectionCount, 0, 'connections still open after every client went away');
    }
  });
});

// ---- scenarios ----------------------------------------------------------------------------------

const MB = 1024 * 1024;
/** One period of /big's pattern (byte i = i % 251), reused for every write. */
const PATTERN = Uint8Array.from({ length: 251 * 261 }, (_, i) => i % 251);

/** Wait until `predicate` holds, polling; false after `timeoutMs`. */
async function eventually(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

describe('adversarial scenarios', () => {
  it('Expect: 100-continue: 100 first, body only then, final response after (RFC 9110 §10.1.1)', { timeout: 10_000 }, async () => {
    const { server, calls } = await tableServer();
    const client = await RawClient.connect(server.port);
    const port = client.socket.localPort as number;
    calls.delete(port);
    try {
      await client.write('POST /continue HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
      await client.waitFor('HTTP/1.1 100 Continue\r\n\r\n', 3_000);
      assert.ok(!client.pending.includes('HTTP/1.1 200'), 'no final response before the body was sent');
      await client.write('hello');
      const response = await client.readResponse();
      assert.equal(response.status, 200);
      assert.deepEqual(response.interim.map((r) => r.status), [100]);
      assert.equal(response.body.toString(), 'ok /continue 5\n');
      assert.deepEqual(calls.get(port)?.map((c) => c.body), ['hello']);
    } finally {
      client.destroy();
    }
  });

  it('Expect: 100-continue answered without reading the body: no 100, final response, then close', { timeout: 10_000 }, async () => {
    const s = await startServer((_req, res) => res.end('no thanks\n'), { logLevel: 'silent' });
    try {
      const client = await RawClient.connect(s.port);
      try {
        await client.write(`POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n`);
        const raw = await client.readUntilClose(3_000);
        const responses = parseAllResponses(raw);
        assert.deepEqual(responses.map((r) => r.status), [200]);
        assert.deepEqual(responses[0]!.interim, [], 'no 100 Continue for a body nobody reads');
        assert.ok(responses[0]!.hasToken('connection', 'close'), 'the unread body cannot be skipped: close');
      } finally {
        client.destroy();
      }
    } finally {
      await s.close();
    }
  });

  it('a client that stops reading a 100 MB response is cut off by writeTimeoutMs', { timeout: 15_000 }, async () => {
    const handler: Handler = async (req, res) => {
      res.setHeader('Content-Length', 100_000_000);
      for (let sent = 0; sent < 100_000_000 && !req.signal.aborted; sent += PATTERN.length) {
        if (!res.write(PATTERN)) await res.drained();
      }
      res.end();
    };
    const s = await startServer(handler, { logLevel: 'silent', writeTimeoutMs: 500 });
    try {
      const client = await RawClient.connect(s.port);
      try {
        client.socket.pause(); // read nothing: the server's socket buffer fills, writes stop progressing
        await client.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n');
        const started = performance.now();
        assert.ok(await eventually(() => s.server.connectionCount === 0, 8_000), 'the stalled connection should be aborted');
        const elapsed = performance.now() - started;
        assert.ok(elapsed >= 400, `cut off after ${elapsed.toFixed(0)} ms, not before the write timeout`);
        assert.ok(s.server.stats.timeouts >= 1, 'counted as a timeout');
      } finally {
        client.destroy();
      }
    } finally {
      await s.close();
    }
  });

  it('a body trickled below bodyMinBytesPerSecond is cut off though no pause exceeds bodyIdleTimeoutMs', { timeout: 10_000 }, async () => {
    const { server, calls } = await tableServer({ bodyIdleTimeoutMs: 400, bodyMinBytesPerSecond: 1000 });
    const client = await RawClient.connect(server.port);
    const port = client.socket.localPort as number;
    calls.delete(port);
    try {
      await client.write('POST /trickle HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n');
      const started = performance.now();
      // 10 bytes per second, one every 100 ms: never idle for 400 ms, far below 1000 B/s.
      for (let i = 0; i < 40 && !client.isEnded; i++) {
        await client.write('x');
        await sleep(100);
      }
      const responses = parseAllResponses(await client.readUntilClose(3_000));
      assert.deepEqual(responses.map((r) => r.status), [408]);
      assert.ok(performance.now() - started < 2_500, 'cut off by the rate check, not after the whole trickle');
      assert.deepEqual(calls.get(port)?.map((c) => c.body), [null], 'the body never completed');
    } finally {
      client.destroy();
    }
  });

  it('past maxConnections new sockets are closed at once, and served again once below', { timeout: 10_000 }, async () => {
    const s = await startServer((_req, res) => res.end('ok\n'), { logLevel: 'silent', maxConnections: 3 });
    const clients: RawClient[] = [];
    try {
      for (let i = 0; i < 3; i++) clients.push(await RawClient.connect(s.port));
      assert.ok(await eventually(() => s.server.connectionCount === 3, 2_000));
      const extra = await RawClient.connect(s.port);
      clients.push(extra);
      await extra.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      const rest = await extra.readUntilClose(2_000);
      assert.equal(rest.length, 0, 'no response on a connection past the limit');
      assert.equal(s.server.stats.connectionsRejected, 1);
      clients[0]?.destroy();
      assert.ok(await eventually(() => s.server.connectionCount === 2, 2_000));
      const again = await RawClient.connect(s.port);
      clients.push(again);
      await again.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.equal((await again.readResponse()).status, 200);
    } finally {
      for (const c of clients) c.destroy();
      await s.close();
    }
  });

  it('client reset in the middle of a 100 MB response: server stays up, connection released', { timeout: 20_000 }, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let handlerSettled = false;
    let bytesWritten = 0;
    const size = 100_000_000;
    const handler: Handler = async (req, res) => {
      if (req.path !== '/big') return void res.end('small\n');
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', size);
      try {
        for (let sent = 0; sent < size && !req.signal.aborted; sent += PATTERN.length) {
          const piece = PATTERN.subarray(0, Math.min(PATTERN.length, size - sent));
          bytesWritten += piece.length;
          if (!res.write(piece)) await res.drained();
        }
        res.end();
      } finally {
        handlerSettled = true;
      }
    };
    const s = await startServer(handler, { logLevel: 'silent' });
    try {
      const client = await RawClient.connect(s.port);
      await client.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.ok(await eventually(() => client.pending.length >= 4 * MB, 10_000), 'the download should start');
      client.reset();
      assert.ok(await eventually(() => s.server.connectionCount === 0, 5_000), `connection not released (${s.server.connectionCount} open)`);
      assert.ok(await eventually(() => handlerSettled, 5_000), 'the handler should notice the reset and stop');
      assert.ok(bytesWritten < size, `the handler stopped early (${bytesWritten} of ${size} bytes)`);
      const next = await RawClient.connect(s.port);
      try {
        await next.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
        const response = await next.readResponse();
        assert.equal(response.status, 200);
        assert.equal(response.body.toString(), 'small\n');
      } finally {
        next.destroy();
      }
      await sleep(50);
      assert.deepEqual(unhandled, [], 'no unhandled rejection');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await s.close();
    }
  });

  it('abandoned 1 GB upload: the server releases it and memory stays flat', { timeout: 30_000 }, async () => {
    let received = 0;
    let bodyOutcome: 'pending' | 'ended' | 'aborted' = 'pending';
    const handler: Handler = async (req, res) => {
      try {
        for await (const chunk of req.body) received += chunk.length;
        bodyOutcome = 'ended';
        res.end('done\n');
      } catch (error) {
        bodyOutcome = 'aborted';
        throw error;
      }
    };
    // A streaming handler may take a body past the default maxRequestBodyBytes when the server allows it.
    const s = await startServer(handler, { logLevel: 'silent', maxRequestBodyBytes: 2 * 1024 * 1024 * 1024 });
    try {
      const rssBefore = process.memoryUsage().rss;
      const client = await RawClient.connect(s.port);
      await client.write('POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1073741824\r\n\r\n');
      const piece = Buffer.alloc(256 * 1024, 0x61);
      const sendBytes = 48 * MB;
      let rssPeak = rssBefore;
      for (let sent = 0; sent < sendBytes; sent += piece.length) {
        await client.write(piece);
        if (sent % (4 * MB) === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
      assert.ok(await eventually(() => received >= sendBytes - 4 * MB, 10_000), `the handler should be reading (${received} bytes)`);
      client.reset();
      assert.ok(await eventually(() => s.server.connectionCount === 0, 5_000), `connection not released (${s.server.connectionCount} open)`);
      assert.ok(await eventually(() => bodyOutcome !== 'pending', 5_000), 'the body iteration should end');
      assert.equal(bodyOutcome, 'aborted', 'the handler learns that the body will never complete');
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      const growthMb = (rssPeak - rssBefore) / MB;
      assert.ok(growthMb < 64, `RSS grew by ${growthMb.toFixed(1)} MB while 48 MB streamed through`);
      // And the server still serves.
      const next = await RawClient.connect(s.port);
      try {
        await next.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok');
        assert.equal((await next.readResponse()).status, 200);
      } finally {
        next.destroy();
      }
    } finally {
      await s.close();
    }
  });
});
