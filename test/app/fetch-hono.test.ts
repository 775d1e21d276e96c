// Regression tests for issue 12's fetch-adapter defects, with a real Hono app over real sockets:
// byte bodies under etag() (defect 4), the head of a streamed response sent when the Response is
// returned (defect 5), the connection closed when the client leaves a stream or the stream fails
// (defect 3), and fetch apps as @hono/node-server runs them: 3 MB uploads read whole, Blob bodies
// with Content-Length, an empty POST body that is a stream, headers changed after construction.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { cors } from 'hono/cors';
import { etag } from 'hono/etag';
import { streamSSE } from 'hono/streaming';
import { serveStatic } from '@hono/node-server/serve-static';
import { FastResponse, installFastResponse, toHandler } from '../../src/index.js';
import { RawClient, request, withClient } from '../helpers/raw-client.js';
import { deadline, startServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../ops/support.js';

/** A promise and its resolver. */
function gate<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 251);

/** The app, with gates the tests open. */
function makeApp(dir: string, gates: { sseGo: Promise<void>; sseAborted: () => void}): Hono {
  const app = new Hono();
  app.use('/etag/*', etag());
  app.use('/cors/*', cors());
  app.get('/etag/bytes', (c) => c.body(bytes));
  app.get('/etag/buffer', () => new Response(Buffer.from(bytes)));
  app.get('/etag/text', (c) => c.text('etag me'));
  app.get('/cors/json', (c) => c.json({ a: 1 }));
  app.get('/sse', (c) =>
    streamSSE(c, async (s) => {
      s.onAbort(gates.sseAborted);
      await gates.sseGo; // the producer waits for the client, which waits for the head
      for (let i = 0; !s.aborted && i < 1000; i++) {
        await s.writeSSE({ data: `tick ${i}` });
        await s.sleep(20);
      }
    }),
  );
  app.get('/broken-stream', () => {
    let n = 0;
    return new Response(
      new ReadableStream({
        async pull(controller) {
          if (n++ === 0) controller.enqueue(new TextEncoder().encode('part;'));
          else {
            await sleep(20);
            controller.error(new Error('stream broke'));
          }
        },
      }),
    );
  });
  app.post('/upload', async (c) => c.json({ length: (await c.req.arrayBuffer()).byteLength }));
  app.post('/limited', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.text('too big', 413) }), async (c) => c.text(String((await c.req.arrayBuffer()).byteLength)));
  app.post('/empty', (c) => c.json({ isNull: c.req.raw.body === null, isStream: c.req.raw.body instanceof ReadableStream }));
  app.get('/blob', () => new Response(new Blob(['from a blob'], { type: 'text/x-blob' })));
  app.get('/after', () => {
    const response = new Response('after');
    response.headers.set('X-After', 'set after construction');
    return response;
  });
  app.use(
    '/static/*',
    serveStatic({
      root: path.relative(process.cwd(), dir),
      rewriteRequestPath: (p) => p.replace(/^\/static/, ''),
      onFound: (_path, c) => {
        c.header('Cache-Control', 'public, max-age=60');
      },
    }),
  );
  return app;
}

for (const mode of ['native Response', 'FastResponse installed'] as const) {
  describe(`a Hono app on brisk (${mode})`, () => {
    let server: TestServer;
    let restore: (() => void) | undefined;
    let temp: ReturnType<typeof tempDir>;
    const sseGo = gate();
    const sseAborted = gate();
    before(async () => {
      if (mode === 'FastResponse installed') restore = installFastResponse();
      temp = tempDir('brisk-hono-');
      mkdirSync(path.join(temp.dir, 'files'));
      writeFileSync(path.join(temp.dir, 'files', 'a.txt'), 'static file\n');
      const app = makeApp(temp.dir, { sseGo: sseGo.promise, sseAborted: () => sseAborted.resolve() });
      server = await startServer(toHandler(app), { logLevel: 'silent' });
    });
    after(async () => {
      await server.close();
      restore?.();
      temp.remove();
    });

    const get = (target: string, method = 'GET') =>
      withClient(server.port, async (client) => {
        await client.write(request([`${method} ${target} HTTP/1.1`, 'Host: test']));
        return client.readResponse({ method });
      });

    it('etag(): byte bodies (c.body(Uint8Array), new Response(Buffer)) and text keep their bytes and Content-Length', async () => {
      for (const target of ['/etag/bytes', '/etag/buffer']) {
        const response = await get(target);
        assert.equal(response.status, 200, target);
        assert.match(response.header('etag') ?? '', /^"/, target);
        assert.equal(response.header('content-length'), '300', target);
        assert.deepEqual(new Uint8Array(response.body), bytes, target);
      }
      const text = await get('/etag/text');
      assert.equal(text.body.toString(), 'etag me');
      assert.equal(text.header('content-length'), '7');
      // Hono answers HEAD with new Response(null, getResponse): the length is known only from a
      // FastResponse (its body as given); a native Response's cannot be known without reading it.
      const head = await get('/etag/bytes', 'HEAD');
      assert.equal(head.header('content-length'), mode === 'FastResponse installed' ? '300' : undefined);
      assert.match(head.header('etag') ?? '', /^"/);
      assert.equal(head.body.length, 0);
    });

    it('cors(): fields added to the response reach the wire, length kept', async () => {
      const response = await get('/cors/json');
      assert.equal(response.header('access-control-allow-origin'), '*');
      assert.equal(response.header('content-length'), '7');
      assert.equal(response.body.toString(), '{"a":1}');
    });

    it('streamSSE: the head arrives while the producer waits for the client', async () => {
      const response = await deadline(fetch(server.origin + '/sse'), 3000, 'the SSE head before any event');
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      sseGo.resolve();
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = await deadline(reader.read(), 3000, 'the first event');
      assert.match(new TextDecoder().decode(first.value), /data: tick 0/);
      await reader.cancel();
    });

    it('a client that half-closes (FIN) during streamSSE: onAbort runs and brisk closes the connection', async () => {
      sseGo.resolve();
      const baseline = server.server.connectionCount; // undici may keep idle connections of earlier tests
      const client = await RawClient.connect(server.port);
      await client.write(request(['GET /sse HTTP/1.1', 'Host: test']));
      await client.waitFor('tick 1');
      client.socket.end(); // FIN: a client that is done, its socket still open for reading
      await deadline(sseAborted.promise, 3000, 'streamSSE onAbort');
      await deadline(client.closed, 3000, 'the server to close the connection');
      await deadline(
        (async () => {
          while (server.server.connectionCount > baseline) await sleep(10);
        })(),
        3000,
        'connectionCount back to what it was',
      );
    });

    it('a stream that fails after the head: the connection is aborted, never ended as complete', async () => {
      // (Hono's own stream() helper catches its callback's error and closes the stream as complete.)
      for (const target of ['/broken-stream']) {
        const client = await RawClient.connect(server.port);
        await client.write(request([`GET ${target} HTTP/1.1`, 'Host: test']));
        await client.waitFor(';');
        await deadline(client.closed, 3000, `${target}: the connection to be closed`);
        const text = client.pending.toString('latin1');
        assert.match(text, /transfer-encoding: chunked/i, target);
        assert.doesNotMatch(text, /\r\n0\r\n\r\n$/, `${target}: no terminating chunk`);
      }
    });

    it('a 3 MB upload read with c.req.arrayBuffer() works by default', async () => {
      const body = new Uint8Array(3_000_000);
      const response = await fetch(server.origin + '/upload', { method: 'POST', body });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { length: 3_000_000 });
    });

    it('bodyLimit: under the limit read whole, over it its own 413', async () => {
      const small = await fetch(server.origin + '/limited', { method: 'POST', body: new Uint8Array(1000) });
      assert.equal(await small.text(), '1000');
      const big = await fetch(server.origin + '/limited', { method: 'POST', body: new Uint8Array(2 * 1024 * 1024) });
      assert.equal(big.status, 413);
      assert.equal(await big.text(), 'too big');
    });

    it('a POST with Content-Length: 0 has an empty body stream, not null', async () => {
      const response = await withClient(server.port, async (client) => {
        await client.write(request(['POST /empty HTTP/1.1', 'Host: test', 'Content-Length: 0']));
        return client.readResponse();
      });
      assert.deepEqual(JSON.parse(response.body.toString()), { isNull: false, isStream: true });
    });

    it('new Response(blob): Content-Length is the blob size, the type its Content-Type', async () => {
      const response = await get('/blob');
      assert.equal(response.header('content-length'), String('from a blob'.length));
      assert.equal(response.header('content-type'), 'text/x-blob');
      assert.equal(response.body.toString(), 'from a blob');
    });

    it('headers changed on a Response after constructing it reach the wire (and serveStatic onFound)', async () => {
      const after = await get('/after');
      assert.equal(after.header('x-after'), 'set after construction');
      assert.equal(after.body.toString(), 'after');
      const file = await get('/static/files/a.txt');
      assert.equal(file.status, 200);
      assert.equal(file.body.toString(), 'static file\n');
      // onFound changes the Headers object the Response was built from, after construction: a
      // native Response copied it already (as undici does everywhere); FastResponse reads it when
      // the response is written, as @hono/node-server's Response does.
      if (mode === 'FastResponse installed') assert.equal(file.header('cache-control'), 'public, max-age=60');
    });
  });
}

describe('FastResponse with Hono middleware that inspects responses', () => {
  it('instanceof, clone, headers and body behave as a Response for etag and cors', async () => {
    const restore = installFastResponse();
    try {
      const app = new Hono();
      app.use('*', cors(), etag());
      app.get('/', (c) => c.text('hi'));
      const response = await app.request('/', { headers: { origin: 'http://x' } });
      assert.ok(response instanceof FastResponse && response instanceof Response);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.match(response.headers.get('etag') ?? '', /^"/);
      assert.equal(await response.clone().text(), 'hi');
      assert.equal(await response.text(), 'hi');
    } finally {
      restore();
    }
  });

  it('compress(): the compressed stream goes out through brisk and inflates to the body', async () => {
    const restore = installFastResponse();
    const body = 'compress me '.repeat(200);
    const app = new Hono();
    app.use('*', compress());
    app.get('/', (c) => c.text(body));
    const server = await startServer(toHandler(app), { logLevel: 'silent' });
    try {
      const response = await withClient(server.port, async (client) => {
        await client.write(request(['GET / HTTP/1.1', 'Host: test', 'Accept-Encoding: gzip']));
        return client.readResponse();
      });
      assert.equal(response.header('content-encoding'), 'gzip');
      const { gunzipSync } = await import('node:zlib');
      assert.equal(gunzipSync(response.body).toString(), body);
    } finally {
      await server.close();
      restore();
    }
  });
});
