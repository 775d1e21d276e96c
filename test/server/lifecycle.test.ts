// Connection lifetimes: persistence and Connection: close (RFC 9112 §9.3, §9.6), the keep-alive
// idle timeout, clients that vanish mid-response, and graceful shutdown. No test may leave an
// unhandled rejection or uncaught exception behind: a process listener records them.
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Handler } from '../../src/index.js';
import { RawClient, request, withClient } from '../helpers/raw-client.js';
import { deadline, startDemo, startServer, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 10_000 };

const failures: unknown[] = [];
const recordFailure = (error: unknown): void => {
  failures.push(error);
};
before(() => {
  process.on('unhandledRejection', recordFailure);
  process.on('uncaughtException', recordFailure);
});
after(() => {
  process.off('unhandledRejection', recordFailure);
  process.off('uncaughtException', recordFailure);
});
afterEach(() => {
  const seen = failures.splice(0);
  assert.deepEqual(seen, [], 'no unhandled rejection or uncaught exception');
});

/** Poll until check() is true or the deadline passes. */
async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** Everything a half-open socket receives until the server's FIN, as latin1. */
function readToEnd(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

async function connectionRefused(port: number): Promise<boolean> {
  try {
    const client = await RawClient.connect(port, '127.0.0.1', 1_000);
    // Accepted by the kernel backlog? Then the server must at least close it at once.
    const closed = await client.closesWithin(500);
    client.destroy();
    return closed;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

let demo: TestServer;
before(async () => {
  demo = await startDemo();
});
after(async () => {
  await demo.close();
});

describe('persistent connections', () => {
  it('HTTP/1.1 is kept alive by default and announces Keep-Alive: timeout=65', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      for (let i = 0; i < 3; i++) {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        const response = await client.readResponse();
        assert.equal(response.status, 200);
        assert.ok(!response.hasToken('connection', 'close'), response.headText);
        assert.match(response.header('keep-alive') ?? '', /(^|[ ,])timeout=65($|[ ,])/);
      }
      assert.equal(await client.closesWithin(100), false);
    });
  });

  it('Keep-Alive: timeout= follows keepAliveTimeoutMs', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('ok'), { keepAliveTimeoutMs: 7_000 });
    try {
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        assert.match((await client.readResponse()).header('keep-alive') ?? '', /timeout=7\b/);
      });
    } finally {
      await s.close();
    }
  });

  const closeCases: [name: string, lines: string[], closes: boolean][] = [
    ['HTTP/1.1 with Connection: close', ['GET / HTTP/1.1', 'Host: a', 'Connection: close'], true],
    ['HTTP/1.1 with Connection: foo, close', ['GET / HTTP/1.1', 'Host: a', 'Connection: foo, close'], true],
    ['HTTP/1.1 with CONNECTION: CLOSE', ['GET / HTTP/1.1', 'Host: a', 'CONNECTION: CLOSE'], true],
    ['HTTP/1.0 without Connection', ['GET / HTTP/1.0'], true],
    ['HTTP/1.0 with Connection: keep-alive', ['GET / HTTP/1.0', 'Connection: keep-alive'], false],
    ['HTTP/1.1 with Connection: keep-alive', ['GET / HTTP/1.1', 'Host: a', 'Connection: keep-alive'], false],
  ];
  for (const [name, lines, closes] of closeCases) {
    it(`${name}: ${closes ? 'closed after the response' : 'kept open'}`, TEST_TIMEOUT, async () => {
      await withClient(demo.port, async (client) => {
        await client.write(request(lines));
        const response = await client.readResponse();
        assert.equal(response.status, 200);
        assert.equal(response.body.length, 37);
        if (closes) {
          if (lines[0].endsWith('1.1')) assert.ok(response.hasToken('connection', 'close'), response.headText);
          assert.ok(!response.hasToken('connection', 'keep-alive'), response.headText);
          assert.equal(await client.closesWithin(2_000), true, 'the server closed the connection');
          assert.equal(client.pending.length, 0);
        } else {
          if (lines[0].endsWith('1.0')) {
            assert.ok(response.hasToken('connection', 'keep-alive'), `a 1.0 client must be told:\n${response.headText}`);
          }
          assert.equal(await client.closesWithin(200), false, 'the connection stays open');
          await client.write(request(lines));
          assert.equal((await client.readResponse()).status, 200, 'and carries a second request');
        }
      });
    });
  }

  // RFC 9112 §9.6: a client that sent "close" sends nothing more, so nothing can be reset by
  // closing once our FIN is out; anyone else may still be sending and gets the linger.
  it('a client that asked to close is let go once the response is out, without waiting for its FIN', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('ok'));
    const socket = net.connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
    try {
      socket.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      const received = await readToEnd(socket);
      assert.match(received, /^HTTP\/1\.1 200 /);
      assert.match(received, /\r\n\r\nok$/, 'the whole response came before the close');
      await eventually(() => s.server.connectionCount === 0, 1_000, 'the server closed its socket (we never sent FIN)');
    } finally {
      socket.destroy();
      await s.close();
    }
  });

  it('a connection the server closes while the client wanted it kept still lingers for the client', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('ok');
    });
    const socket = net.connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
    try {
      socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.match(await readToEnd(socket), /\r\n\r\nok$/);
      await sleep(300);
      assert.equal(s.server.connectionCount, 1, 'still reading what the client may have sent meanwhile');
      socket.end();
      await eventually(() => s.server.connectionCount === 0, 1_000, 'closed at the client FIN');
    } finally {
      socket.destroy();
      await s.close();
    }
  });

  it('an idle keep-alive connection is closed after keepAliveTimeoutMs', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('ok'), { keepAliveTimeoutMs: 300 });
    try {
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        await client.readResponse();
        const idleSince = performance.now();
        assert.equal(await client.closesWithin(2_000), true);
        const idleMs = (client.endedAt ?? performance.now()) - idleSince;
        assert.ok(idleMs >= 250 && idleMs < 1_500, `closed after ${idleMs.toFixed(0)} ms idle`);
      });
      await eventually(() => s.server.connectionCount === 0, 1_000, 'the connection is forgotten');
    } finally {
      await s.close();
    }
  });

  it('an unread request body is drained, so the next pipelined request still parses', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      // GET / ignores the body; the server must skip its bytes to find the next request.
      await client.write(
        Buffer.concat([
          request(['GET / HTTP/1.1', 'Host: a', 'Content-Length: 1000'], 'x'.repeat(1000)),
          request(['GET /echo?second HTTP/1.1', 'Host: a']),
          // Answered (405) before its chunked body is parsed: a chunked body counts as owed until
          // its last chunk, so this answer closes rather than drains (issue 12, 0.CL desyncs).
          request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '5\r\nGET /\r\n0\r\n\r\n'),
          request(['GET /echo?never HTTP/1.1', 'Host: a']),
        ]),
      );
      const [first, second, third] = await client.readResponses(3);
      assert.equal(first.status, 200);
      assert.ok(first.hasToken('connection', 'keep-alive'), 'a Content-Length body in hand is drained');
      assert.equal(JSON.parse(second.body.toString()).target, '/echo?second');
      assert.equal(third.status, 405);
      assert.ok(third.hasToken('connection', 'close'), third.headText);
      assert.equal(await client.closesWithin(3_000), true);
    });
  });

  it('an unread body past maxDrainBytes closes the connection after the response', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('not reading that'), { maxDrainBytes: 1024 });
    try {
      await withClient(s.port, async (client) => {
        const body = Buffer.alloc(200_000, 'x');
        void client.write(request(['POST / HTTP/1.1', 'Host: a', `Content-Length: ${body.length}`], body));
        const response = await client.readResponse();
        assert.equal(response.status, 200);
        assert.equal(response.body.toString(), 'not reading that');
        assert.equal(await client.closesWithin(3_000), true);
      });
    } finally {
      await s.close();
    }
  });

  it('past maxConnections new sockets are closed at once', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('ok'), { maxConnections: 2 });
    const clients: RawClient[] = [];
    try {
      clients.push(await RawClient.connect(s.port), await RawClient.connect(s.port));
      await eventually(() => s.server.connectionCount === 2, 1_000, 'two connections are counted');
      const third = await RawClient.connect(s.port);
      clients.push(third);
      assert.equal(await third.closesWithin(1_000), true, 'the third connection is closed');
      for (const client of clients.slice(0, 2)) {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        assert.equal((await client.readResponse()).status, 200);
      }
    } finally {
      for (const client of clients) client.destroy();
      await s.close();
    }
  });
});

describe('clients that go away', () => {
  it('a client reset mid-response: no crash, the connection is released, the server keeps serving', TEST_TIMEOUT, async () => {
    const s = await startDemo();
    try {
      const client = await RawClient.connect(s.port);
      await client.write(request(['GET /big?bytes=200000000 HTTP/1.1', 'Host: a']));
      await client.waitFor('\r\n\r\n');
      client.reset();
      await eventually(() => s.server.connectionCount === 0, 3_000, 'the reset connection is released');
      const response = await fetch(`${s.origin}/`, { signal: AbortSignal.timeout(3_000) });
      assert.equal(await response.text(), '<html><body>Hello World</body></html>');
      // A client hanging up is the client's business: the demo's aborted write is not a server error.
      assert.deepEqual(s.logs.filter((l) => l.level === 'error'), []);
    } finally {
      await s.close();
    }
  });

  it('EPIPE: writing to a client that left settles drained() and aborts req.signal', TEST_TIMEOUT, async () => {
    let outcome: string | undefined;
    let aborted = false;
    const s = await startServer(async (req, res) => {
      await sleep(100); // the client is gone by now
      const chunk = Buffer.alloc(1024 * 1024, 'e');
      try {
        for (let i = 0; i < 64 && !req.signal.aborted; i++) {
          if (!res.write(chunk)) await res.drained();
        }
        res.end();
        outcome = 'finished';
      } catch (error) {
        outcome = `threw ${(error as Error).message}`;
      }
      aborted = req.signal.aborted;
    });
    try {
      const client = await RawClient.connect(s.port);
      await client.write(request(['GET / HTTP/1.1', 'Host: a']));
      client.destroy();
      await eventually(() => outcome !== undefined, 3_000, 'the handler is not stuck in drained()');
      assert.equal(aborted, true, 'req.signal is aborted when the client goes away');
      await eventually(() => s.server.connectionCount === 0, 1_000, 'the connection is released');
    } finally {
      await s.close();
    }
  });

  it('a client that goes away while the handler reads the body: no crash', TEST_TIMEOUT, async () => {
    let outcome: string | undefined;
    const s = await startServer(async (req, res) => {
      try {
        await req.text();
        outcome = 'read';
      } catch (error) {
        outcome = 'rejected';
      }
      res.end('x');
    });
    try {
      const client = await RawClient.connect(s.port);
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1000'], 'partial'));
      await sleep(50);
      client.reset();
      await eventually(() => outcome !== undefined, 3_000, 'the body read settles');
      assert.equal(outcome, 'rejected');
      await eventually(() => s.server.connectionCount === 0, 1_000, 'the connection is released');
    } finally {
      await s.close();
    }
  });

  it('half-close: the signal fires (as Go cancels the request context on EOF); a streamed body is then never ended as complete', TEST_TIMEOUT, async () => {
    let aborted = false;
    const s = await startServer(async (req, res) => {
      req.signal.addEventListener('abort', () => { aborted = true; });
      for (let i = 0; i < 5; i++) {
        res.write(`line ${i}\n`);
        await sleep(10);
      }
      res.end();
    });
    try {
      await withClient(s.port, async (client) => {
        await client.write(request(['GET /stream HTTP/1.1', 'Host: a']));
        client.end();
        const raw = (await client.readUntilClose(2_000)).toString('latin1');
        assert.ok(raw.startsWith('HTTP/1.1 200'), raw);
        assert.ok(raw.includes('line 0\n'), 'what the handler wrote on the half-open connection is delivered');
        assert.ok(!raw.includes('\r\n0\r\n\r\n'), 'but the end() after the abort is not a last-chunk');
      });
      assert.equal(aborted, true, 'req.signal fired when the client half-closed during the handler');
    } finally {
      await s.close();
    }
  });

  it('half-close after pipelined requests: all are answered', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      await client.write(
        Buffer.concat([1, 2, 3].map((i) => request([`GET /echo?h=${i} HTTP/1.1`, 'Host: a']))),
      );
      client.end();
      const responses = await client.readResponses(3);
      assert.deepEqual(
        responses.map((r) => JSON.parse(r.body.toString()).target),
        ['/echo?h=1', '/echo?h=2', '/echo?h=3'],
      );
      assert.equal(await client.closesWithin(2_000), true);
    });
  });
});

describe('timeouts on a kept-alive connection', () => {
  it('the header timeout applies to the second request too', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('ok'), { headersTimeoutMs: 400 });
    try {
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        assert.equal((await client.readResponse()).status, 200);
        const started = performance.now();
        const trickling = client.trickle('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ' + 'z'.repeat(200), 1, 40);
        const response = await client.readResponse({ timeoutMs: 3_000 });
        assert.equal(response.status, 408);
        assert.ok(performance.now() - started < 1_200);
        assert.equal(await client.closesWithin(1_000), true);
        await trickling;
      });
    } finally {
      await s.close();
    }
  });

  it('a client that stops reading the response is dropped after writeTimeoutMs', TEST_TIMEOUT, async () => {
    const s = await startDemo({ writeTimeoutMs: 500 });
    const client = await RawClient.connect(s.port);
    try {
      client.socket.pause(); // never read: the server's writes stop making progress
      await client.write(request(['GET /big?bytes=1000000000 HTTP/1.1', 'Host: a']));
      await eventually(() => s.server.connectionCount === 1, 1_000, 'the connection is counted');
      const started = performance.now();
      await eventually(() => s.server.connectionCount === 0, 4_000, 'the stalled connection is dropped');
      assert.ok(performance.now() - started >= 300, 'not before the write timeout');
    } finally {
      client.destroy();
      await s.close();
    }
  });
});

describe('graceful close', () => {
  it('lets in-flight requests finish with Connection: close, closes idle ones at once, refuses new ones', TEST_TIMEOUT, async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inHandler = 0;
    const handler: Handler = async (req, res) => {
      if (req.path === '/quick') return res.end('quick');
      inHandler++;
      await gate;
      res.end('slow done');
    };
    const s = await startServer(handler);
    const clients: RawClient[] = [];
    try {
      const idle = await RawClient.connect(s.port);
      clients.push(idle);
      await idle.write(request(['GET /quick HTTP/1.1', 'Host: a']));
      assert.equal((await idle.readResponse()).status, 200);

      const busy = await Promise.all([1, 2, 3].map(() => RawClient.connect(s.port)));
      clients.push(...busy);
      for (const client of busy) await client.write(request(['GET /slow HTTP/1.1', 'Host: a']));
      await eventually(() => inHandler === 3, 2_000, 'three requests are in the handler');

      let closed = false;
      const closing = s.close(5_000).then(() => (closed = true));
      assert.equal(await idle.closesWithin(500), true, 'the idle keep-alive connection is closed at once');
      assert.equal(idle.pending.length, 0);
      assert.equal(await connectionRefused(s.port), true, 'new connections are refused');
      await sleep(50);
      assert.equal(closed, false, 'close() waits for in-flight requests');

      release();
      for (const client of busy) {
        const response = await client.readResponse();
        assert.equal(response.body.toString(), 'slow done');
        assert.ok(response.hasToken('connection', 'close'), response.headText);
        assert.equal(await client.closesWithin(1_000), true);
      }
      await deadline(closing, 2_000, 'close() resolves once in-flight requests are done');
      assert.equal(s.server.connectionCount, 0);
    } finally {
      release();
      for (const client of clients) client.destroy();
      await s.close();
    }
  });

  it('destroys connections still busy after the timeout, and resolves', TEST_TIMEOUT, async () => {
    let aborted = false;
    const s = await startServer(async (req) => {
      // Never answers; only the shutdown timeout ends this.
      await new Promise<void>((resolve) => {
        req.signal.addEventListener('abort', () => resolve());
        setTimeout(resolve, 8_000).unref();
      });
      aborted = req.signal.aborted;
    });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['GET /never HTTP/1.1', 'Host: a']));
      await sleep(50);
      const started = performance.now();
      await deadline(s.close(300), 3_000, 'close() with a 300 ms timeout');
      const elapsedMs = performance.now() - started;
      assert.ok(elapsedMs >= 250 && elapsedMs < 1_500, `resolved after ${elapsedMs.toFixed(0)} ms`);
      assert.equal(await client.closesWithin(500), true, 'the straggler was destroyed');
      await eventually(() => aborted, 1_000, "the straggler's req.signal is aborted");
    } finally {
      client.destroy();
    }
  });

  it('close() with no connections resolves promptly', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end());
    await deadline(s.close(5_000), 1_000, 'close() of an idle server');
  });
});

describe('listen() after close() (issue 12, defect 10)', () => {
  it('rejects with a clear error and binds nothing; a second close() leaves no port open', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('ok'));
    await s.server.close({ timeoutMs: 500 });
    await assert.rejects(s.server.listen(s.port, '127.0.0.1'), /closed; create a new server/);
    assert.equal(s.server.listening, false);
    await s.server.close({ timeoutMs: 500 });
    assert.equal(await connectionRefused(s.port), true, 'nothing listens on the port after close()');
  });

  it('close() while listen() is binding: listen rejects and the port is released', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => res.end('ok'));
    await s.close();
    const { createServer } = await import('../../src/index.js');
    const server = createServer((_req, res) => res.end('ok'), { logLevel: 'silent' });
    const listening = server.listen(0, '127.0.0.1');
    const closed = server.close({ timeoutMs: 500 });
    await assert.rejects(listening, /closed while it was starting/);
    await closed;
    assert.equal(server.listening, false);
  });
});
