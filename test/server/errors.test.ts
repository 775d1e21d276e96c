// Every error status the server produces, from raw bytes: parse errors (RFC 9112), limits,
// timeouts, expectations (RFC 9110 §10.1.1) and handler failures. Each error response must say
// `Connection: close` and the connection must close after it.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { HttpError, type BriskResponse, type Handler, type ServerOptions } from '../../src/index.js';
import type { ParsedResponse } from '../helpers/http-response.js';
import { RawClient, request, withClient, chunked } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 10_000 };

/** Reads the whole body as text (so limits apply), then answers 200. */
const readingHandler: Handler = async (req, res) => {
  const text = await req.text();
  res.end(`read ${text.length}`);
};

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(options: Partial<ServerOptions> = {}, handler: Handler = readingHandler): Promise<TestServer> {
  const s = await startServer(handler, { logLevel: 'silent', ...options });
  servers.push(s);
  return s;
}

/** The error response must close the connection, say so, and be the last thing sent. */
async function assertErrorThenClose(client: RawClient, response: ParsedResponse, status: number): Promise<void> {
  assert.equal(response.status, status, response.headText);
  assert.ok(response.hasToken('connection', 'close'), `Connection: close expected:\n${response.headText}`);
  const rest = await client.readUntilClose(3_000);
  assert.equal(rest.length, 0, `bytes after the error response: ${JSON.stringify(rest.toString('latin1'))}`);
}

interface ErrorCase {
  readonly name: string;
  readonly bytes: Buffer;
  readonly status: number;
  readonly options?: Partial<ServerOptions>;
  readonly handler?: Handler;
}

const throwingHandler: Handler = () => {
  throw new Error('handler failed on purpose');
};

const rejectingHandler: Handler = async () => {
  await sleep(1);
  throw new Error('handler rejected on purpose');
};

const ERROR_CASES: readonly ErrorCase[] = [
  // 400: the request is not valid HTTP/1.1 (RFC 9112 §2.2, §3, §5, §6).
  { name: 'whitespace before the colon', bytes: request(['GET / HTTP/1.1', 'Host : a']), status: 400 },
  { name: 'space inside a field name', bytes: request(['GET / HTTP/1.1', 'Host: a', 'X Y: z']), status: 400 },
  { name: 'control character in a field value', bytes: request(['GET / HTTP/1.1', 'Host: a', 'X-A: a\x01b']), status: 400 },
  { name: 'NUL in a field value', bytes: request(['GET / HTTP/1.1', 'Host: a', 'X-A: a\x00b']), status: 400 },
  { name: 'bare CR in a field value', bytes: request(['GET / HTTP/1.1', 'Host: a', 'X-A: a\rb']), status: 400 },
  { name: 'obs-fold', bytes: request(['GET / HTTP/1.1', 'Host: a', 'X-A: a', '\tb']), status: 400 },
  { name: 'no Host in HTTP/1.1', bytes: request(['GET / HTTP/1.1']), status: 400 },
  { name: 'two Host fields', bytes: request(['GET / HTTP/1.1', 'Host: a', 'Host: b']), status: 400 },
  { name: 'two spaces in the request line', bytes: request(['GET  / HTTP/1.1', 'Host: a']), status: 400 },
  { name: 'space in the target', bytes: request(['GET /a b HTTP/1.1', 'Host: a']), status: 400 },
  { name: 'lower-case version', bytes: request(['GET / http/1.1', 'Host: a']), status: 400 },
  { name: 'negative Content-Length', bytes: request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: -1']), status: 400 },
  { name: 'conflicting Content-Length', bytes: request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1', 'Content-Length: 2'], 'ab'), status: 400 },
  {
    name: 'Content-Length with Transfer-Encoding',
    bytes: request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
    status: 400,
  },
  { name: 'chunked is not the final coding', bytes: request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, gzip']), status: 400 },
  { name: 'Transfer-Encoding in HTTP/1.0', bytes: request(['POST / HTTP/1.0', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), status: 400 },
  { name: 'invalid chunk size', bytes: request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], 'xyz\r\n'), status: 400 },
  { name: 'chunk data without CRLF', bytes: request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '3\r\nabcX\r\n0\r\n\r\n'), status: 400 },
  // 414 and 431: the parser's limits.
  {
    name: 'target longer than maxTargetBytes',
    bytes: request([`GET /${'a'.repeat(200)} HTTP/1.1`, 'Host: a']),
    status: 414,
    options: { maxTargetBytes: 64 },
  },
  {
    name: 'head larger than maxHeadBytes',
    bytes: request(['GET / HTTP/1.1', 'Host: a', `X-Big: ${'b'.repeat(2000)}`]),
    status: 431,
    options: { maxHeadBytes: 1024 },
  },
  {
    name: 'more fields than maxHeaderCount',
    bytes: request(['GET / HTTP/1.1', 'Host: a', ...Array.from({ length: 20 }, (_, i) => `X-F${i}: ${i}`)]),
    status: 431,
    options: { maxHeaderCount: 10 },
  },
  // 501: things a server may not implement (RFC 9110 §15.6.2, RFC 9112 §6.1).
  { name: 'Transfer-Encoding: gzip, chunked', bytes: request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip, chunked'], '0\r\n\r\n'), status: 501 },
  { name: 'unknown method FOO', bytes: request(['FOO / HTTP/1.1', 'Host: a']), status: 501 },
  // 505: a well-formed version we do not speak.
  { name: 'HTTP/2.0 request line', bytes: request(['GET / HTTP/2.0', 'Host: a']), status: 505 },
  { name: 'HTTP/3.1 request line', bytes: request(['GET / HTTP/3.1', 'Host: a']), status: 505 },
  { name: 'HTTP/2 connection preface', bytes: Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), status: 505 },
  // 413: body helpers past maxBodyBytes.
  {
    name: 'req.text() past maxBodyBytes, Content-Length body',
    bytes: request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 4096'], 'x'.repeat(4096)),
    status: 413,
    options: { maxBodyBytes: 1024 },
  },
  {
    name: 'req.text() past maxBodyBytes, chunked body',
    bytes: request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], chunked(Buffer.alloc(4096, 'y'), 500)),
    status: 413,
    options: { maxBodyBytes: 1024 },
  },
  // 417: an expectation we cannot meet (RFC 9110 §10.1.1).
  { name: 'Expect: something-else', bytes: request(['POST / HTTP/1.1', 'Host: a', 'Expect: something-else', 'Content-Length: 3'], 'abc'), status: 417 },
  // 500: the handler failed before sending anything.
  { name: 'handler throws synchronously', bytes: request(['GET / HTTP/1.1', 'Host: a']), status: 500, handler: throwingHandler },
  { name: 'async handler rejects', bytes: request(['GET / HTTP/1.1', 'Host: a']), status: 500, handler: rejectingHandler },
];

describe('error statuses from raw requests', () => {
  for (const c of ERROR_CASES) {
    it(`${c.name} → ${c.status}, Connection: close, then close`, TEST_TIMEOUT, async () => {
      const s = await server(c.options, c.handler);
      await withClient(s.port, async (client) => {
        await client.write(c.bytes);
        const response = await client.readResponse({ timeoutMs: 3_000 });
        await assertErrorThenClose(client, response, c.status);
      });
    });
  }

  it('each case is also answered when the bytes arrive one at a time', TEST_TIMEOUT, async () => {
    // The first few cases, trickled: the parser must reach the same verdict at every split.
    for (const c of ERROR_CASES.slice(0, 6)) {
      const s = await server(c.options, c.handler);
      await withClient(s.port, async (client) => {
        await client.trickle(c.bytes, 1, 0);
        const response = await client.readResponse({ timeoutMs: 3_000 });
        assert.equal(response.status, c.status, c.name);
      });
    }
  });

  it('a handler throwing HttpError answers with its status', TEST_TIMEOUT, async () => {
    const s = await server({}, () => {
      throw new HttpError(403, 'not for you');
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: a']));
      const response = await client.readResponse();
      assert.equal(response.status, 403);
    });
  });

  it('a handler failure is logged at level error', TEST_TIMEOUT, async () => {
    const s = await startServer(throwingHandler, { logLevel: 'error' });
    servers.push(s);
    await withClient(s.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: a']));
      assert.equal((await client.readResponse()).status, 500);
    });
    assert.ok(
      s.logs.some((l) => l.level === 'error' && l.line.includes('handler failed on purpose')),
      `logs: ${JSON.stringify(s.logs)}`,
    );
  });
});

describe('timeouts → 408', () => {
  it('slowloris: a head trickled slower than headersTimeoutMs gets 408 within about a second', TEST_TIMEOUT, async () => {
    const s = await server({ headersTimeoutMs: 500 });
    await withClient(s.port, async (client) => {
      const started = performance.now();
      const head = `GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ${'z'.repeat(500)}`;
      const trickling = client.trickle(head, 1, 50); // 20 bytes/s: never finishes in time
      const response = await client.readResponse({ timeoutMs: 3_000 });
      const elapsedMs = performance.now() - started;
      await assertErrorThenClose(client, response, 408);
      assert.ok(elapsedMs >= 400, `not before the timeout (${elapsedMs.toFixed(0)} ms)`);
      assert.ok(elapsedMs < 1_200, `408 within ~1 s (${elapsedMs.toFixed(0)} ms)`);
      await trickling;
    });
  });

  it('a connection that sends nothing is closed after headersTimeoutMs', TEST_TIMEOUT, async () => {
    const s = await server({ headersTimeoutMs: 500 });
    await withClient(s.port, async (client) => {
      assert.equal(await client.closesWithin(2_000), true);
    });
  });

  it('a body that stops arriving gets 408 after bodyIdleTimeoutMs', TEST_TIMEOUT, async () => {
    const s = await server({ bodyIdleTimeoutMs: 300 });
    await withClient(s.port, async (client) => {
      const started = performance.now();
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 100'], 'only ten b'));
      const response = await client.readResponse({ timeoutMs: 3_000 });
      const elapsedMs = performance.now() - started;
      await assertErrorThenClose(client, response, 408);
      assert.ok(elapsedMs >= 250 && elapsedMs < 1_500, `408 after the idle timeout (${elapsedMs.toFixed(0)} ms)`);
    });
  });

  it('a body trickled below bodyMinBytesPerSecond gets 408 even though it never goes idle', TEST_TIMEOUT, async () => {
    const s = await server({ bodyIdleTimeoutMs: 300, bodyMinBytesPerSecond: 1000 });
    await withClient(s.port, async (client) => {
      const started = performance.now();
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1000']));
      const trickling = client.trickle('b'.repeat(1000), 1, 100); // 10 bytes/s, a byte every 100 ms
      const response = await client.readResponse({ timeoutMs: 4_000 });
      const elapsedMs = performance.now() - started;
      await assertErrorThenClose(client, response, 408);
      assert.ok(elapsedMs < 2_500, `408 within a few idle windows (${elapsedMs.toFixed(0)} ms)`);
      await trickling;
    });
  });
});

describe('handler failures after the head is sent', () => {
  it('aborts the connection: no terminating chunk, socket closed, server keeps serving', TEST_TIMEOUT, async () => {
    const s = await server({}, async (req, res) => {
      if (req.path === '/ok') return res.end('fine');
      res.write('partial');
      await sleep(20);
      throw new Error('failed mid-body on purpose');
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: a']));
      const captured = (await client.readUntilClose(3_000)).toString('latin1');
      assert.match(captured, /^HTTP\/1\.1 200 /);
      assert.ok(captured.includes('partial'));
      assert.ok(!captured.endsWith('0\r\n\r\n'), 'the body must not look complete');
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET /ok HTTP/1.1', 'Host: a']));
      assert.equal((await client.readResponse()).body.toString(), 'fine');
    });
  });

  it('a Content-Length response cut short by a throw is aborted too', TEST_TIMEOUT, async () => {
    const s = await server({}, async (_req, res) => {
      res.setHeader('Content-Length', 100);
      res.write('only part');
      await sleep(10);
      throw new Error('failed mid-body on purpose');
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: a']));
      const captured = await client.readUntilClose(3_000);
      assert.ok(captured.toString('latin1').endsWith('only part'), 'nothing made up to fill the length');
    });
  });
});

describe('no response splitting: invalid header names and values throw before anything is written', () => {
  const attempts: [name: string, attempt: (res: BriskResponse) => void][] = [
    ['CRLF in a value', (res) => res.setHeader('X-A', 'a\r\nInjected: 1')],
    ['LF in a value', (res) => res.setHeader('X-A', 'a\nInjected: 1')],
    ['CR in a value', (res) => res.setHeader('X-A', 'a\rInjected: 1')],
    ['NUL in a value', (res) => res.setHeader('X-A', 'a\0b')],
    ['CRLF in a name', (res) => res.setHeader('X-A\r\nInjected', 'v')],
    ['space in a name', (res) => res.setHeader('Bad Name', 'v')],
    ['empty name', (res) => res.setHeader('', 'v')],
    ['CRLF in one value of a list', (res) => res.appendHeader('X-A', ['fine', 'b\r\nInjected: 1'])],
    ['CRLF through writeHead', (res) => res.writeHead(200, { 'X-A': 'a\r\nInjected: 1' })],
    ['CRLF in early hints', (res) => res.writeEarlyHints({ Link: '</a>\r\nInjected: 1' })],
  ];
  for (const [name, attempt] of attempts) {
    it(name, TEST_TIMEOUT, async () => {
      let thrown: unknown;
      const s = await server({}, (_req, res) => {
        try {
          attempt(res);
        } catch (error) {
          thrown = error;
        }
        res.status = 200;
        res.end('after');
      });
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        const response = await client.readResponse();
        assert.ok(thrown instanceof Error, 'the call threw');
        assert.equal(response.status, 200);
        assert.equal(response.interim.length, 0, 'no 103 went out');
        assert.equal(response.header('injected'), undefined);
        assert.equal(response.body.toString(), 'after');
        assert.ok(!response.headText.includes('Injected'), response.headText);
      });
    });
  }
});
