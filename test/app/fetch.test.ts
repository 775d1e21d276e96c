// Fetch-style apps on brisk over real sockets: Response bodies of every origin (string, JSON,
// bytes, stream), fields (Set-Cookie kept apart), request bodies (whole, JSON, a 5 MB stream),
// request.signal on disconnect, HEAD, the URL a handler sees — and a real Hono application,
// unchanged, through its routes, middleware and streaming helpers.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { stream, streamText, streamSSE } from 'hono/streaming';
import {
  briskRequestOf,
  Router,
  serve,
  toBriskHandler,
  toHandler,
  type FetchApp,
  type FetchHandlerOptions,
  type Server,
} from '../../src/index.js';
import { RawClient, request, withClient } from '../helpers/raw-client.js';
import { deadline, startServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serveApp(app: FetchApp, options?: FetchHandlerOptions): Promise<TestServer> {
  const server = await startServer(toHandler(app, options), { logLevel: 'silent' });
  servers.push(server);
  return server;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A promise and its resolver. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('fetch handlers: responses', () => {
  const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
  const app: FetchApp = {
    fetch(request) {
      const { pathname } = new URL(request.url);
      switch (pathname) {
        case '/text':
          return new Response('hello, wörld');
        case '/json':
          return Response.json({ ok: true, list: [1, 2, 3] });
        case '/binary':
          return new Response(binary, { headers: { 'content-type': 'application/octet-stream' } });
        case '/arraybuffer':
          return new Response(binary.buffer.slice(0, 16));
        case '/status':
          return new Response('made', { status: 201, statusText: 'Made', headers: { 'x-one': '1', 'X-Two': 'two' } });
        case '/empty':
          return new Response(null, { status: 204 });
        case '/redirect':
          return Response.redirect('http://example.com/elsewhere', 301);
        case '/cookies': {
          const headers = new Headers({ 'content-type': 'text/plain' });
          headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
          headers.append('set-cookie', 'b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT');
          headers.append('set-cookie', 'c=3');
          return new Response('cookies', { headers });
        }
        case '/blob':
          return new Response(new Blob(['from a blob'], { type: 'text/x-blob' }));
        case '/async':
          return sleep(5).then(() => new Response('later'));
        case '/throw':
          throw new Error('app failed');
        case '/reject':
          return Promise.reject(new Error('app failed later'));
        case '/not-a-response':
          return 'nope' as unknown as Response;
        default:
          return new Response('not found', { status: 404 });
      }
    },
  };
  let server: TestServer;
  const get = async (path: string, method = 'GET') => {
    server ??= await serveApp(app);
    return withClient(server.port, async (client) => {
      await client.write(request([`${method} ${path} HTTP/1.1`, 'Host: test']));
      return client.readResponse({ method });
    });
  };

  it('a string body: one response with Content-Length, default Content-Type', async () => {
    const response = await get('/text');
    assert.equal(response.status, 200);
    assert.equal(response.framing, 'length');
    assert.equal(response.header('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(response.body.toString('utf8'), 'hello, wörld');
    assert.equal(response.header('content-length'), String(Buffer.byteLength('hello, wörld')));
  });

  it('JSON from Response.json', async () => {
    const response = await get('/json');
    assert.equal(response.header('content-type'), 'application/json');
    assert.equal(response.framing, 'length');
    assert.deepEqual(JSON.parse(response.body.toString()), { ok: true, list: [1, 2, 3] });
  });

  it('binary bodies: Uint8Array and ArrayBuffer, byte for byte', async () => {
    const bytes = await get('/binary');
    assert.equal(bytes.header('content-type'), 'application/octet-stream');
    assert.deepEqual(new Uint8Array(bytes.body), binary);
    assert.equal(bytes.header('content-length'), '256');
    const ab = await get('/arraybuffer');
    assert.deepEqual(new Uint8Array(ab.body), binary.subarray(0, 16));
  });

  it('status and fields are copied; the reason phrase is the server\'s', async () => {
    const response = await get('/status');
    assert.equal(response.status, 201);
    assert.equal(response.header('x-one'), '1');
    assert.equal(response.header('x-two'), 'two');
    assert.equal(response.body.toString(), 'made');
  });

  it('a null body and a redirect', async () => {
    const empty = await get('/empty');
    assert.equal(empty.status, 204);
    assert.equal(empty.body.length, 0);
    const redirect = await get('/redirect');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.header('location'), 'http://example.com/elsewhere');
    assert.equal(redirect.header('content-length'), '0');
  });

  it('several Set-Cookie fields stay separate lines (commas inside values intact)', async () => {
    const response = await get('/cookies');
    const cookies = response.headers.filter(([name]) => name.toLowerCase() === 'set-cookie').map(([, value]) => value);
    assert.deepEqual(cookies, ['a=1; Path=/; HttpOnly', 'b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'c=3']);
  });

  it('a Blob body and an async app', async () => {
    const blob = await get('/blob');
    assert.equal(blob.body.toString(), 'from a blob');
    assert.equal(blob.header('content-type'), 'text/x-blob');
    assert.equal((await get('/async')).body.toString(), 'later');
  });

  it('app errors (thrown, rejected, not a Response) become 500', async () => {
    for (const path of ['/throw', '/reject', '/not-a-response']) {
      assert.equal((await get(path)).status, 500, path);
    }
  });

  it('HEAD: the GET head with Content-Length, no body bytes', async () => {
    server ??= await serveApp(app);
    await withClient(server.port, async (client) => {
      await client.write(request(['HEAD /text HTTP/1.1', 'Host: test']));
      const head = await client.readResponse({ method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.header('content-length'), String(Buffer.byteLength('hello, wörld')));
      assert.equal(head.body.length, 0);
      await client.write(request(['GET /json HTTP/1.1', 'Host: test']));
      assert.equal((await client.readResponse()).status, 200); // nothing stray between the two
    });
  });
});

describe('fetch handlers: streamed responses', () => {
  it('chunks of a ReadableStream arrive as they are produced', async () => {
    const clientGotFirst = signal();
    const app: FetchApp = {
      fetch: () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('first;'));
              await clientGotFirst.promise; // the second chunk only exists once the first arrived
              controller.enqueue(new TextEncoder().encode('second;'));
              await sleep(20);
              controller.enqueue(new TextEncoder().encode('third'));
              controller.close();
            },
          }),
          { headers: { 'content-type': 'text/plain' } },
        ),
    };
    const server = await serveApp(app);
    const response = await fetch(server.origin + '/');
    assert.equal(response.headers.get('transfer-encoding'), 'chunked');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await deadline(reader.read(), 3000, 'the first chunk before the stream ends');
    assert.equal(new TextDecoder().decode(first.value), 'first;');
    clientGotFirst.resolve();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    assert.equal(rest, 'second;third');
  });

  it('a large streamed response keeps its bytes (backpressure through drained())', async () => {
    const piece = randomBytes(64 * 1024);
    const pieces = 160; // 10 MB
    const app: FetchApp = {
      fetch() {
        let sent = 0;
        return new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (sent++ === pieces) controller.close();
              else controller.enqueue(piece);
            },
          }, { highWaterMark: 0 }),
        );
      },
    };
    const server = await serveApp(app);
    const response = await fetch(server.origin + '/big');
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      length += chunk.length;
      if (length < 1024 * 1024) await sleep(1); // read slowly at first so the server's socket fills
    }
    const expected = createHash('sha256');
    for (let i = 0; i < pieces; i++) expected.update(piece);
    assert.equal(length, pieces * piece.length);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  });

  it('the response stream is cancelled when the client goes away', async () => {
    const cancelled = signal<unknown>();
    const app: FetchApp = {
      fetch: () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              await sleep(10);
              controller.enqueue(new TextEncoder().encode('tick\n'));
            },
            cancel(reason) {
              cancelled.resolve(reason);
            },
          }),
        ),
    };
    const server = await serveApp(app);
    const client = await RawClient.connect(server.port);
    await client.write(request(['GET /ticks HTTP/1.1', 'Host: test']));
    await client.waitFor('tick');
    client.destroy();
    await deadline(cancelled.promise, 3000, 'the stream to be cancelled');
  });

  it('HEAD with a streamed body: head only, the stream is cancelled', async () => {
    const cancelled = signal();
    const app: FetchApp = {
      fetch: () => new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(10)), cancel: () => cancelled.resolve() })),
    };
    const server = await serveApp(app);
    await withClient(server.port, async (client) => {
      await client.write(request(['HEAD / HTTP/1.1', 'Host: test']));
      const head = await client.readResponse({ method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      await deadline(cancelled.promise, 3000, 'the HEAD body stream to be cancelled');
    });
  });
});

describe('fetch handlers: the request', () => {
  it('method, url, headers as a handler sees them', async () => {
    let seen: Record<string, unknown> = {};
    const app: FetchApp = {
      fetch(req) {
        seen = {
          isRequest: req instanceof Request,
          method: req.method,
          url: req.url,
          accept: req.headers.get('Accept'),
          multi: req.headers.get('x-multi'),
          missing: req.headers.get('x-missing'),
          has: req.headers.has('x-multi'),
          all: [...req.headers].filter(([name]) => name.startsWith('x-')),
          hasBrisk: briskRequestOf(req) !== undefined,
          body: req.body,
          signalIsSignal: req.signal instanceof AbortSignal,
        };
        return new Response('ok');
      },
    };
    const server = await serveApp(app);
    await withClient(server.port, async (client) => {
      await client.write(request(['GET /p/a?x=1&y=%20 HTTP/1.1', `Host: 127.0.0.1:${server.port}`, 'Accept: text/html', 'X-Multi: a', 'x-multi: b']));
      assert.equal((await client.readResponse()).status, 200);
    });
    assert.deepEqual(seen, {
      isRequest: true,
      method: 'GET',
      url: `http://127.0.0.1:${server.port}/p/a?x=1&y=%20`,
      accept: 'text/html',
      multi: 'a, b',
      missing: null,
      has: true,
      all: [['x-multi', 'a, b']],
      hasBrisk: true,
      body: null,
      signalIsSignal: true,
    });
  });

  it('headers: mutations and iteration go through a real Headers, built once', async () => {
    let seen: unknown;
    const server = await serveApp({
      fetch(req) {
        const before = req.headers.get('x-a');
        req.headers.set('x-a', 'changed');
        req.headers.append('x-b', 'added');
        const names: string[] = [];
        req.headers.forEach((_value, name, parent) => names.push(`${name}${parent === req.headers ? '' : ' (wrong parent)'}`));
        seen = { before, after: req.headers.get('x-a'), added: req.headers.get('X-B'), names, cookie: req.headers.get('cookie') };
        return new Response(null, { status: 204 });
      },
    });
    await withClient(server.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: h', 'X-A: original', 'Cookie: a=1', 'Cookie: b=2']));
      assert.equal((await client.readResponse()).status, 204);
    });
    assert.deepEqual(seen, { before: 'original', after: 'changed', added: 'added', names: ['cookie', 'host', 'x-a', 'x-b'], cookie: 'a=1; b=2' });
  });

  it('the URL is what new URL(...).href gives: host case, default port, dot segments, absolute-form', async () => {
    const urls: string[] = [];
    const server = await serveApp({ fetch: (req) => (urls.push(req.url), new Response('ok')) });
    const cases: [target: string, host: string, expected: string][] = [
      ['/a/b', 'Example.COM', 'http://example.com/a/b'],
      ['/a/b', 'example.com:80', 'http://example.com/a/b'],
      ['/a/./b/../c', 'h', 'http://h/a/c'],
      ['/a/%2e%2E/c', 'h', 'http://h/c'],
      ['/q?x={y}', 'h', 'http://h/q?x={y}'],
      ['/p{x}', 'h', 'http://h/p%7Bx%7D'],
      ['/a', '127.0.0.1:8080', 'http://127.0.0.1:8080/a'],
      ['/a', '[::1]:8080', 'http://[::1]:8080/a'],
      ['http://Other.example:8080/abs?q', 'ignored', 'http://other.example:8080/abs?q'],
    ];
    await withClient(server.port, async (client) => {
      for (const [target, host] of cases) {
        await client.write(request([`GET ${target} HTTP/1.1`, `Host: ${host}`]));
        assert.equal((await client.readResponse()).status, 200, target);
      }
    });
    assert.deepEqual(urls, cases.map(([, , expected]) => expected));
  });

  it('a Host that would move the path or hide a userinfo is a 400', async () => {
    const server = await serveApp({ fetch: () => new Response('ok') });
    for (const host of ['a/b', 'user@evil', 'a?b', 'a:99999']) {
      await withClient(server.port, async (client) => {
        await client.write(request(['GET /x HTTP/1.1', `Host: ${host}`]));
        assert.equal((await client.readResponse()).status, 400, host);
      });
    }
  });

  it('a target the URL parser would read differently (backslash) is a 400, if the parser let it through', async () => {
    const { requestUrl } = await import('../../src/app/fetch-url.js');
    const fake = (target: string) => ({ method: 'GET', target, protocol: 'http', host: 'h', headers: { get: () => 'h' } }) as unknown as Parameters<typeof requestUrl>[0];
    assert.throws(() => requestUrl(fake('/a\\b'), 'x'), (e: Error & { status?: number }) => e.status === 400);
    assert.throws(() => requestUrl(fake('/a#b'), 'x'), (e: Error & { status?: number }) => e.status === 400);
    assert.throws(() => requestUrl(fake('http://h/a\\b'), 'x'), (e: Error & { status?: number }) => e.status === 400);
    assert.equal(requestUrl(fake('/a/b'), 'x'), 'http://h/a/b');
  });

  it('request bodies: text, JSON, arrayBuffer, and a stream', async () => {
    const app: FetchApp = {
      async fetch(req) {
        switch (new URL(req.url).pathname) {
          case '/text':
            return new Response(`got ${await req.text()}`);
          case '/json':
            return Response.json({ echo: await req.json(), used: req.bodyUsed });
          case '/bytes':
            return new Response(`${(await req.arrayBuffer()).byteLength} bytes`);
          case '/form':
            return Response.json(Object.fromEntries(await req.formData()));
          default:
            return new Response(req.body, { headers: { 'content-type': req.headers.get('content-type') ?? '' } });
        }
      },
    };
    const server = await serveApp(app);
    assert.equal(await (await fetch(server.origin + '/text', { method: 'POST', body: 'héllo' })).text(), 'got héllo');
    const json = await fetch(server.origin + '/json', { method: 'POST', body: JSON.stringify({ a: [1, 'b'] }), headers: { 'content-type': 'application/json' } });
    assert.deepEqual(await json.json(), { echo: { a: [1, 'b'] }, used: true });
    assert.equal(await (await fetch(server.origin + '/bytes', { method: 'PUT', body: new Uint8Array(1000) })).text(), '1000 bytes');
    const form = await fetch(server.origin + '/form', { method: 'POST', body: new URLSearchParams({ a: '1', b: 'two' }) });
    assert.deepEqual(await form.json(), { a: '1', b: 'two' });
    const echoed = await fetch(server.origin + '/echo', { method: 'POST', body: 'echo me', headers: { 'content-type': 'text/x-echo' } });
    assert.equal(echoed.headers.get('content-type'), 'text/x-echo');
    assert.equal(await echoed.text(), 'echo me');
  });

  it('a 5 MB upload read through request.body, Content-Length and chunked: bytes and sha256 match', async () => {
    const app: FetchApp = {
      async fetch(req) {
        const reader = (req.body as ReadableStream<Uint8Array>).getReader();
        const hash = createHash('sha256');
        let length = 0;
        let reads = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash.update(value);
          length += value.length;
          reads++;
        }
        return Response.json({ length, sha256: hash.digest('hex'), reads });
      },
    };
    const server = await serveApp(app);
    const upload = randomBytes(5 * 1024 * 1024);
    const withLength = await (await fetch(server.origin + '/upload', { method: 'POST', body: upload })).json() as { length: number; sha256: string; reads: number };
    assert.equal(withLength.length, upload.length);
    assert.equal(withLength.sha256, sha256(upload));
    assert.ok(withLength.reads > 1, 'the body arrived in several chunks, not one buffer');
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < upload.length; i += 256 * 1024) controller.enqueue(upload.subarray(i, i + 256 * 1024));
        controller.close();
      },
    });
    const chunked = await (await fetch(server.origin + '/upload', { method: 'POST', body: source, duplex: 'half' } as RequestInit)).json() as { length: number; sha256: string };
    assert.equal(chunked.length, upload.length);
    assert.equal(chunked.sha256, sha256(upload));
  });

  it('the request body is read only as fast as the app consumes it', async () => {
    const firstChunk = signal<number>();
    const release = signal();
    const app: FetchApp = {
      async fetch(req) {
        const reader = (req.body as ReadableStream<Uint8Array>).getReader();
        const first = await reader.read();
        firstChunk.resolve(first.value?.length ?? 0);
        await release.promise;
        let length = first.value?.length ?? 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          length += value.length;
        }
        return new Response(String(length));
      },
    };
    const server = await serveApp(app);
    const total = 32 * 1024 * 1024; // well past what loopback socket buffers can absorb
    const client = await RawClient.connect(server.port);
    try {
      await client.write(request(['POST /slow HTTP/1.1', 'Host: test', `Content-Length: ${total}`]));
      // Write without waiting: the socket must stop accepting long before 32 MB while the app waits.
      const body = Buffer.alloc(total, 0x61);
      let flushed = false;
      client.socket.write(body, () => (flushed = true));
      await firstChunk.promise;
      await sleep(200);
      assert.equal(flushed, false, 'the whole upload was taken while the app was not reading');
      release.resolve();
      const response = await client.readResponse({ timeoutMs: 10_000 });
      assert.equal(response.body.toString(), String(total));
    } finally {
      client.destroy();
    }
  });

  /** An app that never answers and records when request.signal aborts. */
  async function abortProbe(): Promise<{ server: TestServer; started: Promise<void>; aborted: Promise<unknown> }> {
    const aborted = signal<unknown>();
    const started = signal();
    const server = await serveApp({
      fetch(req) {
        req.signal.addEventListener('abort', () => aborted.resolve(req.signal.reason));
        started.resolve();
        return new Promise<Response>(() => {}); // never answers
      },
    });
    return { server, started: started.promise, aborted: aborted.promise };
  }

  it('request.signal aborts when the client resets the connection (RST)', async () => {
    const { server, started, aborted } = await abortProbe();
    const client = await RawClient.connect(server.port);
    await client.write(request(['GET /wait HTTP/1.1', 'Host: test']));
    await started;
    client.reset();
    const reason = await deadline(aborted, 3000, 'request.signal to abort');
    assert.ok(reason instanceof Error);
  });

  it('request.signal aborts when the client closes the connection (FIN)', async () => {
    const { server, started, aborted } = await abortProbe();
    const client = await RawClient.connect(server.port);
    await client.write(request(['GET /wait HTTP/1.1', 'Host: test']));
    await started;
    client.destroy();
    await deadline(aborted, 1500, 'request.signal to abort');
  });

  it("request.text(): no limit of the adapter's own by default; the maxBodyBytes option sets one (413)", async () => {
    const app: FetchApp = { fetch: async (req) => new Response(`${(await req.text()).length}`) };
    const unlimited = await startServer(toHandler(app), { logLevel: 'silent', maxBodyBytes: 1000 });
    const limited = await startServer(toHandler(app, { maxBodyBytes: 1000 }), { logLevel: 'silent' });
    servers.push(unlimited, limited);
    assert.equal(await (await fetch(unlimited.origin + '/', { method: 'POST', body: 'x'.repeat(5000) })).text(), '5000');
    assert.equal((await fetch(limited.origin + '/', { method: 'POST', body: 'x'.repeat(1000) })).status, 200);
    assert.equal((await fetch(limited.origin + '/', { method: 'POST', body: 'x'.repeat(1001) })).status, 413);
  });

  it("eager mode: a real Request, so new Request(request, init) works", async () => {
    const server = await serveApp(
      {
        async fetch(req) {
          const copy = new Request(req, { headers: { 'x-copied': '1' } });
          return new Response(`${copy.method} ${await copy.text()} ${copy.headers.get('x-copied')}`);
        },
      },
      { request: 'eager' },
    );
    assert.equal(await (await fetch(server.origin + '/', { method: 'POST', body: 'body' })).text(), 'POST body 1');
  });

  it('clone() and cache-style members build the real Request on demand', async () => {
    const server = await serveApp({
      async fetch(req) {
        const clone = req.clone();
        return new Response(`${await clone.text()}|${await req.text()}|${req.mode}|${req.redirect}`);
      },
    });
    assert.equal(await (await fetch(server.origin + '/', { method: 'POST', body: 'twice' })).text(), 'twice|twice|cors|follow');
  });
});

describe('a Hono application, unchanged', () => {
  const log: string[] = [];
  const streamAborted = signal();
  const app = new Hono();
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    c.header('X-Response-Time', `${(performance.now() - started).toFixed(1)}ms`);
    log.push(`${c.req.method} ${c.req.path} ${c.res.status}`);
  });
  app.use('/admin/*', async (c, next) => {
    if (c.req.header('authorization') !== 'Bearer secret') return c.text('Unauthorized', 401);
    await next();
  });
  app.get('/', (c) => c.text('Hello Hono!'));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), tab: c.req.query('tab') ?? null }));
  app.post('/users', async (c) => {
    const body = await c.req.json<{ name: string }>();
    return c.json({ created: body.name }, 201, { 'X-Created': 'yes' });
  });
  app.get('/admin/panel', (c) => c.html('<h1>panel</h1>'));
  app.get('/cookie', (c) => {
    c.header('Set-Cookie', 'a=1', { append: true });
    c.header('Set-Cookie', 'b=2', { append: true });
    return c.body(null, 204);
  });
  app.get('/stream', (c) =>
    stream(c, async (s) => {
      await s.write(new Uint8Array([0x61, 0x62]));
      await s.sleep(20);
      await s.write('cd');
    }),
  );
  app.get('/text-stream', (c) =>
    streamText(c, async (s) => {
      await s.writeln('line 1');
      await s.sleep(20);
      await s.writeln('line 2');
    }),
  );
  app.get('/sse', (c) =>
    streamSSE(c, async (s) => {
      for (let i = 0; i < 3; i++) await s.writeSSE({ data: `tick ${i}`, event: 'tick', id: String(i) });
    }),
  );
  app.get('/endless', (c) =>
    stream(c, async (s) => {
      s.onAbort(() => streamAborted.resolve());
      while (!s.aborted) {
        await s.write('x');
        await s.sleep(10);
      }
    }),
  );
  app.get('/error', () => {
    throw new Error('hono route failed');
  });
  app.onError((err, c) => c.text(`handled: ${err.message}`, 500));

  let origin = '';
  let port = 0;
  const start = async () => {
    if (origin !== '') return;
    const server = await serveApp(app);
    origin = server.origin;
    port = server.port;
  };

  it('routes, params, query, c.text and c.json', async () => {
    await start();
    const root = await fetch(origin + '/');
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /^text\/plain; ?charset=UTF-8$/);
    assert.equal(await root.text(), 'Hello Hono!');
    assert.match(root.headers.get('x-response-time') ?? '', /^\d+\.\dms$/);
    const user = await fetch(origin + '/users/42?tab=posts');
    assert.deepEqual(await user.json(), { id: '42', tab: 'posts' });
    const created = await fetch(origin + '/users', { method: 'POST', body: JSON.stringify({ name: 'ada' }), headers: { 'content-type': 'application/json' } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('x-created'), 'yes');
    assert.deepEqual(await created.json(), { created: 'ada' });
  });

  it('middleware: short-circuit, c.header after next(), 404, onError', async () => {
    await start();
    const denied = await fetch(origin + '/admin/panel');
    assert.equal(denied.status, 401);
    assert.equal(await denied.text(), 'Unauthorized');
    const allowed = await fetch(origin + '/admin/panel', { headers: { authorization: 'Bearer secret' } });
    assert.equal(allowed.headers.get('content-type'), 'text/html; charset=UTF-8');
    assert.equal(await allowed.text(), '<h1>panel</h1>');
    const missing = await fetch(origin + '/nope');
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '404 Not Found');
    const failed = await fetch(origin + '/error');
    assert.equal(failed.status, 500);
    assert.equal(await failed.text(), 'handled: hono route failed');
    assert.ok(log.includes('GET /admin/panel 401'));
    assert.ok(log.includes('GET /nope 404'));
  });

  it('two Set-Cookie fields from c.header(..., { append: true })', async () => {
    await start();
    await withClient(port, async (client) => {
      await client.write(request(['GET /cookie HTTP/1.1', 'Host: test']));
      const response = await client.readResponse();
      assert.equal(response.status, 204);
      assert.deepEqual(response.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2']);
    });
  });

  it('HEAD on a GET route: Hono answers, the body is dropped, Content-Length kept', async () => {
    await start();
    await withClient(port, async (client) => {
      await client.write(request(['HEAD / HTTP/1.1', 'Host: test']));
      const head = await client.readResponse({ method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
    });
  });

  it('hono/streaming: stream, streamText and streamSSE', async () => {
    await start();
    const bytes = await fetch(origin + '/stream');
    assert.equal(await bytes.text(), 'abcd');
    const text = await fetch(origin + '/text-stream');
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=UTF-8');
    assert.equal(text.headers.get('transfer-encoding'), 'chunked');
    assert.equal(await text.text(), 'line 1\nline 2\n');
    const sse = await fetch(origin + '/sse');
    assert.equal(sse.headers.get('content-type'), 'text/event-stream');
    const events = (await sse.text()).trim().split('\n\n');
    assert.deepEqual(events, [0, 1, 2].map((i) => `event: tick\ndata: tick ${i}\nid: ${i}`));
  });

  it("a client that leaves mid-stream triggers the stream's onAbort", async () => {
    await start();
    const client = await RawClient.connect(port);
    await client.write(request(['GET /endless HTTP/1.1', 'Host: test']));
    await client.waitFor('x');
    client.destroy();
    await deadline(streamAborted.promise, 3000, 'Hono stream onAbort');
  });
});

describe('toBriskHandler and serve() accept every kind of app', () => {
  it('a Handler, a Router, a fetch app and a Hono app', async () => {
    const router = new Router().get('/r/:x', (req, res) => res.end(`router ${req.params.x}`));
    const hono = new Hono().get('/h', (c) => c.text('hono'));
    const apps: [string, Parameters<typeof toBriskHandler>[0], string][] = [
      ['/plain', (_req, res) => res.end('handler'), 'handler'],
      ['/r/1', router, 'router 1'],
      ['/f', { fetch: () => new Response('fetch') }, 'fetch'],
      ['/h', hono, 'hono'],
    ];
    for (const [path, app, expected] of apps) {
      const server: Server = await serve(app, { host: '127.0.0.1', port: 0, logLevel: 'silent' });
      try {
        const address = server.address() as { port: number };
        assert.equal(await (await fetch(`http://127.0.0.1:${address.port}${path}`)).text(), expected);
      } finally {
        await server.close({ timeoutMs: 500 });
      }
    }
  });

  it('a Router route can be a fetch app (toHandler as a route handler)', async () => {
    const hono = new Hono().get('/api/hello', (c) => c.json({ hello: 'world' }));
    const router = new Router().get('/api/*', toHandler(hono)).get('/', (_req, res) => res.end('home'));
    const server = await startServer(router.handle, { logLevel: 'silent' });
    servers.push(server);
    assert.deepEqual(await (await fetch(server.origin + '/api/hello')).json(), { hello: 'world' });
    assert.equal(await (await fetch(server.origin + '/')).text(), 'home');
  });

  it('refuses what is not an app', () => {
    assert.throws(() => toBriskHandler({} as never), TypeError);
    assert.throws(() => toHandler({ fetch: 1 } as never), TypeError);
  });
});
