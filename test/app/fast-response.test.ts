// FastResponse: behaves as a Response everywhere an app or library looks, and lets the fetch
// adapter write untouched string / bytes bodies without building a real Response.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { createServer, FastResponse, installFastResponse, toHandler, type Server } from '../../src/index.js';

describe('FastResponse as a Response', () => {
  const cases: { name: string; make: () => Response; status: number; text: string; type: string | null }[] = [
    { name: 'string body', make: () => new FastResponse('hello') as unknown as Response, status: 200, text: 'hello', type: 'text/plain;charset=UTF-8' },
    {
      name: 'bytes body with status and headers',
      make: () => new FastResponse(new Uint8Array([104, 105]), { status: 201, headers: { 'Content-Type': 'application/octet-stream' } }) as unknown as Response,
      status: 201,
      text: 'hi',
      type: 'application/octet-stream',
    },
    { name: 'no body', make: () => new FastResponse(null, { status: 404 }) as unknown as Response, status: 404, text: '', type: null },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const response = c.make();
      assert.ok(response instanceof Response, 'instanceof the native Response');
      assert.ok(response instanceof FastResponse);
      assert.equal(response.status, c.status);
      assert.equal(response.ok, c.status < 300);
      assert.equal(response.headers.get('content-type'), c.type);
      assert.equal(await response.clone().text(), c.text);
      assert.equal(await response.text(), c.text);
      assert.equal(response.bodyUsed, c.text !== '', 'a null body is never "used"');
    });
  }

  it('a native Response is an instance of FastResponse too (installed as the global, instanceof keeps working)', () => {
    assert.ok(new Response('x') instanceof FastResponse);
    assert.equal(({}) instanceof FastResponse, false);
  });

  it('raises what the native constructor raises', () => {
    assert.throws(() => new FastResponse('x', { status: 99 }), RangeError);
    assert.throws(() => new FastResponse('x', { status: 204 }), TypeError);
  });

  it('fastParts only for untouched string / bytes / Blob / empty bodies', () => {
    assert.deepEqual(FastResponse.fastParts(new FastResponse('a', { status: 202 })), { status: 202, headers: undefined, body: 'a', twinLength: -1 });
    const touched = new FastResponse('a');
    void touched.headers;
    assert.equal(FastResponse.fastParts(touched), null);
    assert.equal(FastResponse.fastParts(new FastResponse(new ReadableStream())), null);
    assert.equal(FastResponse.fastParts(new FastResponse(new Blob(['a'])))?.body instanceof Blob, true);
    assert.equal(FastResponse.fastParts(new Response('a')), null);
  });
});

describe('the fetch adapter with installFastResponse()', () => {
  let restore: () => void;
  let server: Server;
  let origin: string;
  before(async () => {
    restore = installFastResponse();
    const app = new Hono();
    app.get('/text', (c) => c.text('hello'));
    app.get('/json', (c) => c.json({ a: 1 }));
    app.get('/headers', (c) => {
      c.header('X-Test', 'yes');
      return c.body('bytes', 201);
    });
    app.get('/plain', () => new Response('plain', { headers: [['x-pair', '1']] }));
    server = createServer(toHandler(app), { logLevel: 'silent' });
    const { port } = await server.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await server.close({ timeoutMs: 500 });
    restore();
  });

  const rows: { path: string; status: number; body: string; fields: Record<string, string> }[] = [
    // Hono's c.text() fast path is a bare new Response(text): undici's default type, as without FastResponse.
    { path: '/text', status: 200, body: 'hello', fields: { 'content-type': 'text/plain;charset=UTF-8', 'content-length': '5' } },
    { path: '/json', status: 200, body: '{"a":1}', fields: { 'content-type': 'application/json' } },
    { path: '/headers', status: 201, body: 'bytes', fields: { 'x-test': 'yes' } },
    { path: '/plain', status: 200, body: 'plain', fields: { 'x-pair': '1', 'content-type': 'text/plain;charset=UTF-8' } },
  ];
  for (const row of rows) {
    it(`GET ${row.path}`, async () => {
      const response = await fetch(origin + row.path, { signal: AbortSignal.timeout(5_000) });
      assert.equal(response.status, row.status);
      assert.equal(await response.text(), row.body);
      for (const [name, value] of Object.entries(row.fields)) assert.equal(response.headers.get(name), value, name);
    });
  }
});
