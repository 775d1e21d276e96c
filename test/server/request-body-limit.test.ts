// maxRequestBodyBytes: one server-wide request-body limit for every handler style, as Bun's
// maxRequestBodySize (issue 12, "Fetch apps, run the way Bun and @hono/node-server run them").
// A Content-Length past it is answered 413 + Connection: close before the handler runs; a
// chunked body growing past it fails the body stream (HttpError 413) and the server answers 413,
// or aborts if the response had started. maxBodyBytes stays the helpers' (bytes/text/json) limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SERVER_OPTIONS, Router, toHandler, type Handler } from '../../src/index.js';
import { chunked, RawClient, request } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 10_000 };
const LIMIT = 1000;

function styles(calls: { n: number }): [string, Handler][] {
  const native: Handler = async (req, res) => {
    calls.n++;
    let length = 0;
    for await (const chunk of req.body) length += chunk.length;
    res.end(`got ${length}`);
  };
  const router = new Router();
  router.post('/', native);
  const app = { fetch: async (r: Request) => { calls.n++; return new Response(`got ${(await r.arrayBuffer()).byteLength}`); } };
  return [['a handler function', native], ['a Router', router.handle], ['a fetch app', toHandler(app)]];
}

describe('maxRequestBodyBytes', () => {
  it('defaults to 128 MiB (Bun); the helpers keep maxBodyBytes (1 MiB)', () => {
    assert.equal(DEFAULT_SERVER_OPTIONS.maxRequestBodyBytes, 128 * 1024 * 1024);
    assert.equal(DEFAULT_SERVER_OPTIONS.maxBodyBytes, 1024 * 1024);
  });

  const calls = { n: 0 };
  for (const [name, handler] of styles(calls)) {
    it(`${name}: a Content-Length past the limit gets 413 + Connection: close before the handler runs`, TEST_TIMEOUT, async () => {
      calls.n = 0;
      const s = await startServer(handler, { logLevel: 'silent', maxRequestBodyBytes: LIMIT, metricsPath: '/metrics' } as never);
      const client = await RawClient.connect(s.port);
      try {
        await client.write(request(['POST / HTTP/1.1', 'Host: a', `Content-Length: ${LIMIT + 1}`], 'x'.repeat(100)));
        const response = await client.readResponse();
        assert.equal(response.status, 413);
        assert.ok(response.hasToken('connection', 'close'), response.headText);
        assert.equal(await client.closesWithin(3_000), true);
        assert.equal(calls.n, 0, 'the handler never ran');
        assert.equal(s.server.stats.rejectedRequests, 1);
        // Rejected requests are counted with the other server errors, by their SERVER_ERRORS code.
        assert.equal(s.server.metricsSnapshot()?.serverErrors['ERR_BODY_TOO_LARGE'], 1);
        assert.match(await s.server.metricsText(), /brisk_server_errors_total\{code="ERR_BODY_TOO_LARGE"\} 1/);
      } finally {
        client.destroy();
        await s.close();
      }
    });

    it(`${name}: exactly the limit is served`, TEST_TIMEOUT, async () => {
      calls.n = 0;
      const s = await startServer(handler, { logLevel: 'silent', maxRequestBodyBytes: LIMIT });
      const client = await RawClient.connect(s.port);
      try {
        await client.write(request(['POST / HTTP/1.1', 'Host: a', `Content-Length: ${LIMIT}`], 'x'.repeat(LIMIT)));
        const response = await client.readResponse();
        assert.equal(response.status, 200);
        assert.equal(response.body.toString(), `got ${LIMIT}`);
      } finally {
        client.destroy();
        await s.close();
      }
    });

    it(`${name}: a chunked body that grows past the limit fails its stream and is answered 413`, TEST_TIMEOUT, async () => {
      calls.n = 0;
      const s = await startServer(handler, { logLevel: 'silent', maxRequestBodyBytes: LIMIT });
      const client = await RawClient.connect(s.port);
      try {
        await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], chunked(Buffer.alloc(3 * LIMIT, 0x61), 400)));
        const raw = (await client.readUntilClose(3_000)).toString('latin1');
        assert.match(raw, /^HTTP\/1\.1 413 /);
        assert.match(raw, /\r\nConnection: close\r\n/i);
        assert.equal(s.server.stats.rejectedRequests, 1);
      } finally {
        client.destroy();
        await s.close();
      }
    });
  }

  it('a handler reading the chunked body sees HttpError 413', TEST_TIMEOUT, async () => {
    let failure: { status?: number } | undefined;
    const s = await startServer(async (req, res) => {
      try {
        for await (const _chunk of req.body);
      } catch (error) {
        failure = error as { status?: number };
      }
      res.end('ignored');
    }, { logLevel: 'silent', maxRequestBodyBytes: LIMIT });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], chunked(Buffer.alloc(3 * LIMIT), 400)));
      const raw = (await client.readUntilClose(3_000)).toString('latin1');
      assert.match(raw, /^HTTP\/1\.1 413 /);
      assert.ok(!raw.includes('ignored'), 'the server answered; the late end() changes nothing');
      assert.equal(failure?.status, 413);
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('past the limit after the response started: the connection is aborted (no last chunk)', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      res.write('started\n');
      for await (const _chunk of req.body);
      res.end('done\n');
    }, { logLevel: 'silent', maxRequestBodyBytes: LIMIT });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked']));
      await client.waitFor('started\n', 3_000);
      await client.write(chunked(Buffer.alloc(3 * LIMIT), 400));
      const raw = (await client.readUntilClose(3_000)).toString('latin1');
      assert.ok(raw.startsWith('HTTP/1.1 200'), raw);
      assert.ok(!raw.includes('done'), raw);
      assert.ok(!raw.includes('\r\n0\r\n\r\n'), 'no last chunk');
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('by default a 3 MB upload read as a stream works (only the helpers stop at 1 MiB)', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      let length = 0;
      for await (const chunk of req.body) length += chunk.length;
      res.end(`got ${length}`);
    }, { logLevel: 'silent' });
    try {
      const response = await fetch(`${s.origin}/`, { method: 'POST', body: Buffer.alloc(3_000_000), signal: AbortSignal.timeout(5_000) });
      assert.equal(await response.text(), 'got 3000000');
    } finally {
      await s.close();
    }
  });
});
