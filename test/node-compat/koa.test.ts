// A real Koa 3 app (with @koa/router and @koa/bodyparser), served by node:http (app.callback())
// and by brisk (serve(app) detects Koa), the same requests to both, answers compared.
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { nodeListenerOf } from '../../src/index.js';
import { assertSame, startBoth, type Pair, type RawRequest } from './compare.js';

function koaApp(dir: string): Koa {
  const app = new Koa({ keys: ['test-key-1'] });
  const router = new Router();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const err = error as Error & { status?: number; expose?: boolean };
      ctx.status = err.status ?? 500;
      ctx.body = { error: err.expose === true ? err.message : 'internal' };
    }
  });
  app.use(bodyParser({ enableTypes: ['json', 'form', 'text'] }));
  router.get('/', (ctx) => {
    ctx.body = 'hello koa';
  });
  router.get('/users/:id', (ctx) => {
    ctx.body = { id: ctx.params.id, query: ctx.query, ip: ctx.ip, protocol: ctx.protocol, host: ctx.host, path: ctx.path };
  });
  router.post('/echo', (ctx) => {
    ctx.status = 201;
    ctx.body = { body: (ctx.request as unknown as { body: unknown }).body ?? null, type: ctx.request.type, length: ctx.request.length ?? null };
  });
  router.get('/cookies', (ctx) => {
    ctx.cookies.set('plain', 'v1', { httpOnly: true, expires: new Date(Date.UTC(2030, 0, 1)), overwrite: true });
    ctx.cookies.set('signed', 'v2', { signed: true, expires: new Date(Date.UTC(2030, 0, 1)) });
    ctx.body = { seen: ctx.cookies.get('seen') ?? null, signed: ctx.cookies.get('signed', { signed: true }) ?? null };
  });
  router.get('/file', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = createReadStream(join(dir, 'file.txt'));
  });
  router.get('/generated', (ctx) => {
    ctx.type = 'application/x-ndjson';
    ctx.body = Readable.from((function* () {
      for (let i = 0; i < 50; i++) yield JSON.stringify({ i }) + '\n';
    })());
  });
  router.get('/throw-404', (ctx) => ctx.throw(404, 'nothing here'));
  router.get('/throw-500', () => {
    throw new Error('secret detail');
  });
  router.get('/redirect', (ctx) => ctx.redirect('/users/1'));
  router.get('/buffer', (ctx) => {
    ctx.body = Buffer.from('binary\x00\xff', 'latin1');
  });
  router.get('/empty', (ctx) => {
    ctx.status = 204;
  });
  router.get('/set-headers', (ctx) => {
    ctx.set('X-Multi', ['a', 'b']);
    ctx.append('Link', '</a>; rel=preload');
    ctx.append('Link', '</b>; rel=preload');
    ctx.body = 'ok';
  });
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

describe('Koa 3 on brisk behaves as on node:http', () => {
  let dir: string;
  let pair: Pair;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brisk-koa-'));
    writeFileSync(join(dir, 'file.txt'), 'x'.repeat(100_000) + '\nend\n');
    const listener = nodeListenerOf(koaApp(dir));
    if (listener === null) throw new Error('Koa app not detected');
    pair = await startBoth(listener);
  });
  after(async () => {
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, RawRequest][] = [
    ['text body', { target: '/' }],
    ['HEAD', { method: 'HEAD', target: '/' }],
    ['router params and query', { target: '/users/7?a=1&b=2&b=3' }],
    ['body parser json', { method: 'POST', target: '/echo', headers: [['Content-Type', 'application/json']], body: '{"x":{"y":[1,2]}}' }],
    ['body parser form', { method: 'POST', target: '/echo', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'a=1&b=%20two' }],
    ['body parser text, chunked', { method: 'POST', target: '/echo', headers: [['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']], body: '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n' }],
    ['body parser bad json', { method: 'POST', target: '/echo', headers: [['Content-Type', 'application/json']], body: '{nope' }],
    ['cookies', { target: '/cookies', headers: [['Cookie', 'seen=yes']] }],
    ['a file stream', { target: '/file' }],
    ['a generated stream', { target: '/generated' }],
    ['ctx.throw(404)', { target: '/throw-404' }],
    ['a thrown error', { target: '/throw-500' }],
    ['redirect', { target: '/redirect' }],
    ['a Buffer body', { target: '/buffer' }],
    ['204', { target: '/empty' }],
    ['multi-valued fields', { target: '/set-headers' }],
    ['405 from allowedMethods', { method: 'DELETE', target: '/' }],
    ['404', { target: '/nowhere' }],
  ];
  for (const [name, request] of cases) {
    test(name, async () => {
      await assertSame(pair, request, name);
    });
  }
});
