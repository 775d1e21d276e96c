// A real Express 5 app, served by node:http and by brisk (fromNodeListener), the same requests
// to both: status, fields (minus Date and Keep-Alive, see compare.ts) and body must match.
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { assertSame, comparable, send, startBoth, type Pair, type RawRequest } from './compare.js';
import { RawClient } from '../helpers/raw-client.js';

const FIXED_EXPIRES = new Date(Date.UTC(2030, 0, 1));

function makeFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'brisk-express-'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'hello.txt'), 'hello static world\n');
  writeFileSync(join(dir, 'public', 'index.html'), '<h1>index</h1>\n');
  const big = Buffer.alloc(200_000);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  writeFileSync(join(dir, 'public', 'big.bin'), big);
  writeFileSync(join(dir, 'report.csv'), 'a,b\n1,2\n');
  return dir;
}

/** req 'close' events seen by /close-count, per ?who= (node or brisk). */
const closes = new Map<string, number>();

function expressApp(dir: string): express.Express {
  const app = express();
  const upload = multer({ storage: multer.memoryStorage() });
  const api = express.Router();
  api.get('/items/:id', (req, res) => res.json({ id: req.params.id, sort: req.query.sort ?? null, baseUrl: req.baseUrl, url: req.url, originalUrl: req.originalUrl }));
  api.delete('/items/:id', (_req, res) => res.status(204).end());
  app.use('/api', api);
  // Express's own suite (test/req.protocol.js) marks the socket secure itself: net.Socket lets it.
  const proxied = express();
  proxied.enable('trust proxy');
  proxied.get('/', (req, res) => {
    const before = req.protocol;
    (req.socket as { encrypted?: boolean }).encrypted = true;
    res.json({ before, after: req.protocol, secure: req.secure });
  });
  app.use('/marked-secure', proxied);

  app.get('/', (_req, res) => res.send('hello express'));
  app.get('/users/:user/books/:book', (req, res) => res.json({ params: req.params, query: req.query, ip: req.ip, protocol: req.protocol, secure: req.secure, hostname: req.hostname, xhr: req.xhr }));
  app.post('/json', express.json(), (req, res) => res.status(201).json({ got: req.body }));
  app.post('/form', express.urlencoded({ extended: false }), (req, res) => res.json(req.body));
  app.post('/raw', express.raw({ type: '*/*', limit: '3mb' }), (req, res) => {
    const body = req.body as Buffer;
    let sum = 0;
    for (const b of body) sum = (sum + b) % 65521;
    res.json({ length: body.length, sum });
  });
  app.get('/send-buffer', (_req, res) => res.send(Buffer.from([0, 1, 2, 3, 255])));
  app.get('/status', (_req, res) => res.status(418).send('teapot'));
  app.get('/redirect', (_req, res) => res.redirect('/elsewhere?x=1'));
  app.get('/redirect-301', (_req, res) => res.redirect(301, 'http://example.com/'));
  app.get('/cookie', (req, res) => {
    res.cookie('session', 'abc123', { httpOnly: true, expires: FIXED_EXPIRES, path: '/' });
    res.cookie('prefs', { theme: 'dark' }, { sameSite: 'lax', expires: FIXED_EXPIRES });
    res.clearCookie('old', { expires: FIXED_EXPIRES });
    res.json({ cookie: req.headers.cookie ?? null });
  });
  app.get('/download', (_req, res) => res.download(join(dir, 'report.csv'), 'report-2026.csv'));
  app.get('/sendfile', (_req, res) => res.sendFile(join(dir, 'public', 'hello.txt')));
  app.get('/format', (_req, res) =>
    res.format({
      'text/plain': () => res.send('plain'),
      'text/html': () => res.send('<p>html</p>'),
      'application/json': () => res.json({ kind: 'json' }),
      default: () => res.status(406).send('Not Acceptable'),
    }),
  );
  app.get('/headers', (req, res) => res.json({ headers: req.headers, raw: req.rawHeaders, version: req.httpVersion, method: req.method }));
  app.get('/stream', (_req, res) => {
    res.type('text/plain');
    let i = 0;
    const tick = (): void => {
      if (i === 5) return void res.end('done\n');
      res.write(`line ${i++}\n`);
      setTimeout(tick, 2);
    };
    tick();
  });
  app.get('/pipe', (_req, res) => {
    res.setHeader('Content-Type', 'application/octet-stream');
    createReadStream(join(dir, 'public', 'big.bin')).pipe(res);
  });
  app.get('/write-head', (_req, res) => {
    res.writeHead(202, { 'X-One': '1', 'Content-Type': 'text/plain' });
    res.end('accepted');
  });
  app.get('/write-head-array', (_req, res) => {
    res.setHeader('X-Two', 'replaced');
    res.writeHead(200, ['X-Two', 'a', 'X-Two', 'b', 'Content-Length', '2']);
    res.end('ok');
  });
  app.get('/length', (_req, res) => {
    res.setHeader('Content-Length', '10');
    res.write('01234');
    res.end('56789');
  });
  app.get('/flush', (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.flushHeaders();
    setTimeout(() => res.end('after flush'), 5);
  });
  app.post('/upload', upload.fields([{ name: 'doc', maxCount: 2 }]), (req, res) => {
    const files = (req.files as Record<string, Express.Multer.File[]>).doc ?? [];
    res.json({ fields: req.body, files: files.map((f) => ({ field: f.fieldname, name: f.originalname, type: f.mimetype, size: f.size, first: f.buffer.subarray(0, 8).toString('hex') })) });
  });
  app.get('/close-count', (req, res) => {
    const who = String(req.query.who);
    req.on('close', () => closes.set(who, (closes.get(who) ?? 0) + 1));
    res.json({ closesBefore: closes.get(who) ?? 0 });
  });
  app.get('/early-hints', (_req, res) => {
    res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    res.send('after hints');
  });
  app.get('/header-api', (_req, res) => {
    res.setHeader('X-A', '1');
    res.appendHeader('X-A', '2');
    res.setHeader('X-B', ['p', 'q']);
    res.setHeader('X-Gone', 'soon');
    res.removeHeader('X-Gone');
    res.removeHeader('X-Powered-By');
    res.json({ has: res.hasHeader('x-a'), hasGone: res.hasHeader('x-gone'), a: res.getHeader('x-a'), names: res.getHeaderNames(), headers: res.getHeaders(), sent: res.headersSent });
  });
  app.get('/sync-error', () => {
    throw Object.assign(new Error('sync failure'), { status: 422 });
  });
  app.get('/async-error', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    throw new Error('async failure');
  });
  app.use('/static', express.static(join(dir, 'public'), { maxAge: 1000 }));
  app.use((_req, res) => res.status(404).json({ error: 'no route' }));
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ error: err.message });
  });
  return app;
}

function multipart(boundary: string, parts: { name: string; filename?: string; type?: string; data: string | Buffer }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type !== undefined) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function bigBody(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7) % 256;
  return b;
}

describe('Express 5 on brisk behaves as on node:http', () => {
  let dir: string;
  let pair: Pair;
  before(async () => {
    dir = makeFiles();
    pair = await startBoth(expressApp(dir));
  });
  after(async () => {
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, RawRequest][] = [
    ['res.send', { target: '/' }],
    ['HEAD', { method: 'HEAD', target: '/' }],
    ['params and query', { target: '/users/42/books/7?sort=desc&tags=a&tags=b&deep[x]=1' }],
    ['mounted Router', { target: '/api/items/9?sort=asc' }],
    ['mounted Router 204', { method: 'DELETE', target: '/api/items/9' }],
    ['req.socket.encrypted set by the app', { target: '/marked-secure' }],
    ['express.json()', { method: 'POST', target: '/json', headers: [['Content-Type', 'application/json']], body: '{"a":[1,2,{"b":"ü"}]}' }],
    ['express.json() malformed', { method: 'POST', target: '/json', headers: [['Content-Type', 'application/json']], body: '{"a":' }],
    ['express.json() chunked', { method: 'POST', target: '/json', headers: [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], body: '5\r\n{"a":\r\n3\r\n42}\r\n0\r\n\r\n' }],
    ['express.urlencoded()', { method: 'POST', target: '/form', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'name=J%C3%BCrgen&x=1&x=2' }],
    ['express.raw() 3 MB', { method: 'POST', target: '/raw', headers: [['Content-Type', 'application/octet-stream']], body: bigBody(3_000_000) }],
    ['express.raw() over its limit', { method: 'POST', target: '/raw', headers: [['Content-Type', 'application/octet-stream']], body: bigBody(3_300_000) }],
    ['res.send(Buffer)', { target: '/send-buffer' }],
    ['res.status', { target: '/status' }],
    ['res.redirect', { target: '/redirect', headers: [['Accept', 'text/html']] }],
    ['res.redirect 301', { target: '/redirect-301' }],
    ['res.cookie', { target: '/cookie', headers: [['Cookie', 'a=1'], ['Cookie', 'b=2']] }],
    ['res.download', { target: '/download' }],
    ['res.sendFile', { target: '/sendfile' }],
    ['res.format json', { target: '/format', headers: [['Accept', 'application/json']] }],
    ['res.format html', { target: '/format', headers: [['Accept', 'text/html;q=0.9, text/plain;q=0.5']] }],
    ['res.format 406', { target: '/format', headers: [['Accept', 'image/png']] }],
    ['req.headers joined as node joins them', {
      target: '/headers',
      headers: [['X-Multi', 'a'], ['x-multi', 'b'], ['User-Agent', 'first'], ['User-Agent', 'second'], ['Cookie', 'c=1'], ['cookie', 'd=2'], ['Accept', 'text/plain'], ['ACCEPT', '*/*'], ['Set-Cookie', 's=1'], ['Set-Cookie', 's=2'], ['Constructor', 'x'], ['Content-Type', 'a/b'], ['Content-Type', 'c/d']],
    }],
    ['streaming writes', { target: '/stream' }],
    ['a piped file', { target: '/pipe' }],
    ['writeHead with a flat array', { target: '/write-head-array' }],
    ['Content-Length honoured across writes', { target: '/length' }],
    ['flushHeaders', { target: '/flush' }],
    ['multer multipart upload', {
      method: 'POST',
      target: '/upload',
      headers: [['Content-Type', 'multipart/form-data; boundary=XyZ']],
      body: multipart('XyZ', [
        { name: 'title', data: 'report' },
        { name: 'doc', filename: 'a.bin', type: 'application/octet-stream', data: bigBody(150_000) },
        { name: 'doc', filename: 'b.txt', type: 'text/plain', data: 'second file' },
      ]),
    }],
    ['getHeader / getHeaders / appendHeader / removeHeader / hasHeader', { target: '/header-api' }],
    ['sync error into error middleware', { target: '/sync-error' }],
    ['async error into error middleware', { target: '/async-error' }],
    ['express.static', { target: '/static/hello.txt' }],
    ['express.static HEAD', { method: 'HEAD', target: '/static/hello.txt' }],
    ['express.static directory redirect', { target: '/static' }],
    ['express.static index', { target: '/static/' }],
    ['express.static Range', { target: '/static/big.bin', headers: [['Range', 'bytes=100-199']] }],
    ['express.static suffix Range', { target: '/static/big.bin', headers: [['Range', 'bytes=-10']] }],
    ['express.static unsatisfiable Range', { target: '/static/big.bin', headers: [['Range', 'bytes=999999-']] }],
    ['express.static whole big file', { target: '/static/big.bin' }],
    ['404 route', { target: '/nope' }],
  ];
  for (const [name, request] of cases) {
    test(name, async () => {
      await assertSame(pair, request, name);
    });
  }

  test("res.send's ETag, then 304 (ended with '': no Content-Length)", async () => {
    const first = await assertSame(pair, { target: '/' });
    const etag = first.headers.find(([n]) => n.toLowerCase() === 'etag')?.[1];
    assert.ok(etag !== undefined);
    const r304 = await assertSame(pair, { target: '/', headers: [['If-None-Match', etag]] }, 'res.send 304');
    assert.equal(r304.status, 304);
  });

  test('express.static ETag then 304', async () => {
    const first = await assertSame(pair, { target: '/static/hello.txt' });
    const etag = first.headers.find(([n]) => n.toLowerCase() === 'etag')?.[1];
    const lastModified = first.headers.find(([n]) => n.toLowerCase() === 'last-modified')?.[1];
    assert.ok(etag !== undefined && lastModified !== undefined);
    const r304 = await assertSame(pair, { target: '/static/hello.txt', headers: [['If-None-Match', etag]] }, 'If-None-Match');
    assert.equal(r304.status, 304);
    await assertSame(pair, { target: '/static/hello.txt', headers: [['If-Modified-Since', lastModified]] }, 'If-Modified-Since');
    await assertSame(pair, { target: '/static/big.bin', headers: [['Range', 'bytes=0-9'], ['If-Range', '"nope"']] }, 'If-Range mismatch');
  });

  test('writeEarlyHints: a 103 with the Link field, then the same response', async () => {
    const r = await assertSame(pair, { target: '/early-hints' });
    const fromNode = await send(pair.nodePort, { target: '/early-hints' });
    for (const [who, response] of [['brisk', r], ['node', fromNode]] as const) {
      assert.equal(response.interim.length, 1, who);
      assert.equal(response.interim[0].status, 103, who);
      assert.deepEqual(response.interim[0].headers.map(([n, v]) => [n.toLowerCase(), v]), [['link', '</style.css>; rel=preload; as=style']], who);
    }
  });

  test('Expect: 100-continue: 100 before the body, then the same answer', async () => {
    const answers = [];
    for (const port of [pair.nodePort, pair.briskPort]) {
      const client = await RawClient.connect(port);
      try {
        await client.write('POST /json HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n');
        await client.waitFor('HTTP/1.1 100 Continue\r\n\r\n');
        await client.write('{"a":"b"}');
        const response = await client.readResponse();
        assert.equal(response.interim[0]?.status, 100);
        answers.push(comparable(response));
      } finally {
        client.destroy();
      }
    }
    assert.deepEqual(answers[1], answers[0]);
  });

  test('writeHead with headers, then end(body): the same but for framing', async () => {
    await assertSame(pair, { target: '/write-head' }, 'writeHead + end', { briskKnowsLength: true });
  });

  test("req.on('close') fires once each response is done, on both", async () => {
    for (const [who, port] of [['node', pair.nodePort], ['brisk', pair.briskPort]] as const) {
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await send(port, { target: `/close-count?who=${who}` });
        counts.push((JSON.parse(r.body.toString()) as { closesBefore: number }).closesBefore);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual([...counts, closes.get(who)], [0, 1, 2, 3], who);
    }
  });
});
