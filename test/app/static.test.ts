// serveStatic over real sockets: fields, conditional requests (RFC 9110 §13), ranges (§14),
// directories, precompressed siblings, dotfiles, symlinks, and a table of traversal attempts
// sent as raw request targets. Fixtures live in a fresh temporary directory:
//
//   <tmp>/secret                      outside the root: must never be served (unless followSymlinks)
//   <tmp>/public/                     the root
//     hello.txt page.html data.json digits.txt big.bin empty.txt index.html
//     style.css  style.css.br  style.css.gz      (siblings hold marked, different bytes)
//     app.js  app.js.gz                          (only a gzip sibling)
//     dir/index.html  emptydir/  with space/file.txt  %2e%2e/secret (a literal name)
//     .hidden  .git/config
//     link-in -> hello.txt   link-out -> ../secret   link-dir-out -> ..
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { Handler } from '../../src/core.js';
import { serveStatic } from '../../src/app/static.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { exchange, startApp, type App } from './support.js';

const SECRET = 'TOP-SECRET-7f3a9c';
const tmp = mkdtempSync(path.join(tmpdir(), 'brisk-static-'));
const root = path.join(tmp, 'public');
const CSS = 'body { color: #333; }\n'.repeat(200);
const DIGITS = Array.from({ length: 100 }, (_, i) => String(i % 10)).join('');
const BIG = randomBytes(3 * 1024 * 1024 + 17);

function fixture(relative: string, content: string | Buffer): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

fixture('hello.txt', 'hello world\n');
fixture('page.html', '<!doctype html><title>page</title>\n');
fixture('data.json', '{"ok":true}\n');
fixture('digits.txt', DIGITS);
fixture('big.bin', BIG);
fixture('empty.txt', '');
fixture('index.html', '<h1>root index</h1>\n');
fixture('style.css', CSS);
fixture('style.css.br', Buffer.concat([Buffer.from('BR:'), zlib.brotliCompressSync(CSS)]));
fixture('style.css.gz', Buffer.concat([Buffer.from('GZ:'), zlib.gzipSync(CSS)]));
fixture('app.js', 'console.log("app");\n'.repeat(100));
fixture('app.js.gz', zlib.gzipSync('console.log("app");\n'.repeat(100)));
fixture('dir/index.html', '<h1>dir index</h1>\n');
fixture('with space/file.txt', 'spaced\n');
fixture('%2e%2e/secret', 'literal-dot-dot-directory\n');
fixture('.hidden', 'hidden\n');
fixture('.git/config', '[core]\n');
mkdirSync(path.join(root, 'emptydir'));
writeFileSync(path.join(tmp, 'secret'), SECRET + '\n');
symlinkSync('hello.txt', path.join(root, 'link-in'));
symlinkSync('../secret', path.join(root, 'link-out'));
symlinkSync('..', path.join(root, 'link-dir-out'));

/** One server, several mounts of the same root with different options. */
const mounts: [string, Handler][] = [
  ['/static', serveStatic(root, { prefix: '/static' })],
  ['/strong', serveStatic(root, { prefix: '/strong', etag: 'strong', maxAge: 3600, immutable: true })],
  ['/follow', serveStatic(root, { prefix: '/follow', followSymlinks: true, dotfiles: 'allow' })],
  ['/deny', serveStatic(root, { prefix: '/deny', dotfiles: 'deny' })],
  ['/bare', serveStatic(root, { prefix: '/bare', index: false, precompressed: false, etag: false, lastModified: false, maxAge: false })],
];
const rootMount = serveStatic(root);
const handler: Handler = (req, res) => {
  for (const [prefix, h] of mounts) {
    if (req.path === prefix || req.path.startsWith(prefix + '/')) return h(req, res);
  }
  return rootMount(req, res);
};

let app: App;
before(async () => {
  app = await startApp(handler);
});
after(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (target: string, fields: Record<string, string> = {}, method = 'GET') => exchange(app.port, target, fields, method);

function statOf(relative: string) {
  return statSync(path.join(root, relative));
}
function weakTag(relative: string, suffix = ''): string {
  const s = statOf(relative);
  return `W/"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}${suffix}"`;
}
function lastModified(relative: string): string {
  return new Date(Math.floor(statOf(relative).mtimeMs / 1000) * 1000).toUTCString();
}
function httpDate(offsetSeconds: number, relative = 'hello.txt'): string {
  return new Date((Math.floor(statOf(relative).mtimeMs / 1000) + offsetSeconds) * 1000).toUTCString();
}

describe('200 responses carry every representation field', () => {
  const cases = [
    { target: '/static/hello.txt', type: 'text/plain; charset=utf-8', file: 'hello.txt' },
    { target: '/static/page.html', type: 'text/html; charset=utf-8', file: 'page.html' },
    { target: '/static/data.json', type: 'application/json; charset=utf-8', file: 'data.json' },
    { target: '/static/style.css', type: 'text/css; charset=utf-8', file: 'style.css' },
    { target: '/static/big.bin', type: 'application/octet-stream', file: 'big.bin' },
    { target: '/static/empty.txt', type: 'text/plain; charset=utf-8', file: 'empty.txt' },
    { target: '/static/with%20space/file.txt', type: 'text/plain; charset=utf-8', file: 'with space/file.txt' },
    { target: '/static/link-in', type: 'application/octet-stream', file: 'hello.txt' },
  ];
  for (const c of cases) {
    it(c.target, async () => {
      const r = await get(c.target);
      const expected = statOf(c.file);
      assert.equal(r.status, 200, r.headText);
      assert.equal(r.header('content-type'), c.type);
      assert.equal(r.header('content-length'), String(expected.size));
      assert.equal(r.header('accept-ranges'), 'bytes');
      assert.equal(r.header('cache-control'), 'public, max-age=0');
      assert.equal(r.header('last-modified'), lastModified(c.file));
      assert.equal(r.header('etag'), weakTag(c.file));
      assert.equal(r.framing, 'length');
      assert.ok(r.body.equals(readFixture(c.file)));
    });
  }

  it('strong ETag, long max-age and immutable when configured', async () => {
    const r = await get('/strong/hello.txt');
    assert.equal(r.header('etag'), weakTag('hello.txt').slice(2));
    assert.equal(r.header('cache-control'), 'public, max-age=3600, immutable');
  });

  it('validators and Cache-Control can be switched off', async () => {
    const r = await get('/bare/hello.txt');
    assert.equal(r.status, 200);
    assert.equal(r.header('etag'), undefined);
    assert.equal(r.header('last-modified'), undefined);
    assert.equal(r.header('cache-control'), undefined);
    assert.equal(r.header('vary'), undefined, 'no precompressed siblings: nothing varies');
  });

  it('a 3 MiB binary file arrives intact through a reader that pauses (backpressure)', async () => {
    const client = await RawClient.connect(app.port);
    try {
      client.socket.pause();
      await client.write(request(['GET /static/big.bin HTTP/1.1', 'Host: x']));
      await sleep(200); // the server fills the socket buffer and must wait for drain
      client.socket.resume();
      const r = await client.readResponse({ timeoutMs: 10_000 });
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(BIG));
    } finally {
      client.destroy();
    }
  });
});

function readFixture(relative: string): Buffer {
  return readFileSync(path.join(root, relative));
}

describe('methods', () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    it(`${method} → 405 with Allow: GET, HEAD`, async () => {
      const r = await get('/static/hello.txt', { 'Content-Length': '0' }, method);
      assert.equal(r.status, 405);
      assert.equal(r.header('allow'), 'GET, HEAD');
    });
  }

  it('HEAD: the GET fields, Content-Length of the full body, no body bytes (connection stays usable)', async () => {
    const client = await RawClient.connect(app.port);
    try {
      await client.write(request(['HEAD /static/style.css HTTP/1.1', 'Host: x']));
      await client.write(request(['GET /static/hello.txt HTTP/1.1', 'Host: x']));
      const head = await client.readResponse({ method: 'HEAD' });
      const next = await client.readResponse();
      const full = await get('/static/style.css');
      assert.equal(head.status, 200);
      for (const name of ['content-type', 'content-length', 'etag', 'last-modified', 'accept-ranges', 'cache-control', 'vary']) {
        assert.equal(head.header(name), full.header(name), name);
      }
      assert.equal(head.body.length, 0);
      assert.equal(next.body.toString(), 'hello world\n', 'the HEAD response sent no body bytes');
    } finally {
      client.destroy();
    }
  });
});

describe('conditional requests (RFC 9110 §13.2.2)', () => {
  const etag = () => weakTag('hello.txt');
  const strongEtag = () => weakTag('hello.txt').slice(2);
  const cases: { name: string; mount?: string; fields: () => Record<string, string>; status: number; method?: string }[] = [
    { name: 'If-None-Match: the current tag → 304', fields: () => ({ 'If-None-Match': etag() }), status: 304 },
    { name: 'If-None-Match: a list holding the tag → 304', fields: () => ({ 'If-None-Match': `"nope", ${etag()}, W/"x"` }), status: 304 },
    { name: 'If-None-Match: * → 304', fields: () => ({ 'If-None-Match': '*' }), status: 304 },
    { name: 'If-None-Match: the strong form of a weak tag (weak comparison) → 304', fields: () => ({ 'If-None-Match': strongEtag() }), status: 304 },
    { name: 'If-None-Match: another tag → 200', fields: () => ({ 'If-None-Match': '"other"' }), status: 200 },
    { name: 'If-None-Match: unparsable → 200', fields: () => ({ 'If-None-Match': 'garbage' }), status: 200 },
    { name: 'If-None-Match on HEAD → 304', fields: () => ({ 'If-None-Match': etag() }), status: 304, method: 'HEAD' },
    { name: 'If-Modified-Since: Last-Modified → 304', fields: () => ({ 'If-Modified-Since': httpDate(0) }), status: 304 },
    { name: 'If-Modified-Since: later → 304', fields: () => ({ 'If-Modified-Since': httpDate(60) }), status: 304 },
    { name: 'If-Modified-Since: earlier → 200', fields: () => ({ 'If-Modified-Since': httpDate(-60) }), status: 200 },
    { name: 'If-Modified-Since: invalid date → ignored, 200', fields: () => ({ 'If-Modified-Since': 'yesterday' }), status: 200 },
    { name: 'If-Modified-Since: RFC 850 form → 304', fields: () => ({ 'If-Modified-Since': rfc850(httpDate(0)) }), status: 304 },
    { name: 'If-Modified-Since: asctime form → 304', fields: () => ({ 'If-Modified-Since': asctime(httpDate(0)) }), status: 304 },
    {
      name: 'If-None-Match takes precedence: mismatch + fresh If-Modified-Since → 200',
      fields: () => ({ 'If-None-Match': '"other"', 'If-Modified-Since': httpDate(60) }),
      status: 200,
    },
    {
      name: 'If-None-Match takes precedence: match + stale If-Modified-Since → 304',
      fields: () => ({ 'If-None-Match': etag(), 'If-Modified-Since': httpDate(-60) }),
      status: 304,
    },
    { name: 'If-Match: a weak tag never matches strongly → 412', fields: () => ({ 'If-Match': etag() }), status: 412 },
    { name: 'If-Match: * → 200', fields: () => ({ 'If-Match': '*' }), status: 200 },
    { name: 'If-Match: another tag → 412', fields: () => ({ 'If-Match': '"other"' }), status: 412 },
    { name: 'If-None-Match: * without ETags (bare mount) → 304', mount: '/bare', fields: () => ({ 'If-None-Match': '*' }), status: 304 },
    { name: 'If-Modified-Since without Last-Modified (bare mount) → 200', mount: '/bare', fields: () => ({ 'If-Modified-Since': httpDate(60) }), status: 200 },
    { name: 'If-Match: the strong tag (strong mount) → 200', mount: '/strong', fields: () => ({ 'If-Match': strongEtag() }), status: 200 },
    { name: 'If-Match: W/ of the strong tag (strong mount) → 412', mount: '/strong', fields: () => ({ 'If-Match': etag() }), status: 412 },
    { name: 'If-Unmodified-Since: earlier → 412', fields: () => ({ 'If-Unmodified-Since': httpDate(-60) }), status: 412 },
    { name: 'If-Unmodified-Since: Last-Modified → 200', fields: () => ({ 'If-Unmodified-Since': httpDate(0) }), status: 200 },
    { name: 'If-Unmodified-Since: invalid → ignored, 200', fields: () => ({ 'If-Unmodified-Since': 'never' }), status: 200 },
    {
      name: 'If-Match present: If-Unmodified-Since is not evaluated → 200',
      fields: () => ({ 'If-Match': '*', 'If-Unmodified-Since': httpDate(-60) }),
      status: 200,
    },
    {
      name: 'If-Match fails before If-None-Match is looked at → 412',
      fields: () => ({ 'If-Match': '"other"', 'If-None-Match': etag() }),
      status: 412,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const method = c.method ?? 'GET';
      const r = await get(`${c.mount ?? '/static'}/hello.txt`, c.fields(), method);
      assert.equal(r.status, c.status, r.headText);
      if (c.status === 304) {
        assert.equal(r.body.length, 0);
        if (c.mount !== '/bare') {
          assert.ok(r.header('etag'), '304 carries ETag');
          assert.ok(r.header('last-modified'), '304 carries Last-Modified');
          assert.ok(r.header('cache-control'), '304 carries Cache-Control');
        }
        assert.equal(r.header('content-type'), undefined, '304 has no Content-Type');
        const length = r.header('content-length');
        assert.ok(length === undefined || length === String(statOf('hello.txt').size), `304 Content-Length ${length} must be the 200's`);
      }
    });
  }
});

/** "Sun, 06 Nov 1994 08:49:37 GMT" → "Sunday, 06-Nov-94 08:49:37 GMT" */
function rfc850(imf: string): string {
  const days: Record<string, string> = { Sun: 'Sunday', Mon: 'Monday', Tue: 'Tuesday', Wed: 'Wednesday', Thu: 'Thursday', Fri: 'Friday', Sat: 'Saturday' };
  const [day, date, month, year, time] = imf.replace(',', '').split(' ');
  return `${days[day]}, ${date}-${month}-${year.slice(2)} ${time} GMT`;
}
/** "Sun, 06 Nov 1994 08:49:37 GMT" → "Sun Nov  6 08:49:37 1994" */
function asctime(imf: string): string {
  const [day, date, month, year, time] = imf.replace(',', '').split(' ');
  return `${day} ${month} ${String(Number(date)).padStart(2, ' ')} ${time} ${year}`;
}

describe('ranges (RFC 9110 §14)', () => {
  const size = DIGITS.length;
  const cases: { name: string; range: string; status: number; start?: number; end?: number }[] = [
    { name: 'first bytes', range: 'bytes=0-9', status: 206, start: 0, end: 9 },
    { name: 'middle', range: 'bytes=10-19', status: 206, start: 10, end: 19 },
    { name: 'one byte', range: 'bytes=42-42', status: 206, start: 42, end: 42 },
    { name: 'suffix', range: 'bytes=-10', status: 206, start: 90, end: 99 },
    { name: 'open-ended', range: 'bytes=90-', status: 206, start: 90, end: 99 },
    { name: 'last-pos past the end is clamped', range: 'bytes=95-500', status: 206, start: 95, end: 99 },
    { name: 'suffix longer than the file → all of it', range: 'bytes=-500', status: 206, start: 0, end: 99 },
    { name: 'unit is case-insensitive', range: 'Bytes=1-2', status: 206, start: 1, end: 2 },
    { name: 'first-pos at the length → 416', range: 'bytes=100-', status: 416 },
    { name: 'first-pos past the length → 416', range: 'bytes=1000-2000', status: 416 },
    { name: 'zero suffix → 416', range: 'bytes=-0', status: 416 },
    { name: 'invalid syntax → ignored, 200', range: 'bytes=abc', status: 200 },
    { name: 'last-pos before first-pos → ignored, 200', range: 'bytes=5-2', status: 200 },
    { name: 'no dash → ignored, 200', range: 'bytes=5', status: 200 },
    { name: 'unknown unit → ignored, 200', range: 'items=0-5', status: 200 },
    { name: 'missing unit → ignored, 200', range: '0-5', status: 200 },
    { name: 'several ranges → the whole file, 200 (documented choice)', range: 'bytes=0-1,5-6', status: 200 },
    { name: 'several unsatisfiable ranges → still 200', range: 'bytes=500-600,700-800', status: 200 },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.range}`, async () => {
      const r = await get('/static/digits.txt', { Range: c.range });
      assert.equal(r.status, c.status, r.headText);
      if (c.status === 206) {
        const start = c.start as number;
        const end = c.end as number;
        assert.equal(r.header('content-range'), `bytes ${start}-${end}/${size}`);
        assert.equal(r.header('content-length'), String(end - start + 1));
        assert.equal(r.body.toString(), DIGITS.slice(start, end + 1));
      } else if (c.status === 416) {
        assert.equal(r.header('content-range'), `bytes */${size}`);
      } else {
        assert.equal(r.header('content-range'), undefined);
        assert.equal(r.body.toString(), DIGITS);
      }
    });
  }

  it('a range deep inside a 3 MiB file', async () => {
    const r = await get('/static/big.bin', { Range: 'bytes=2000000-2100000' });
    assert.equal(r.status, 206);
    assert.ok(r.body.equals(BIG.subarray(2000000, 2100001)));
  });

  it('HEAD ignores Range', async () => {
    const r = await get('/static/digits.txt', { Range: 'bytes=0-9' }, 'HEAD');
    assert.equal(r.status, 200);
    assert.equal(r.header('content-length'), String(size));
  });

  it('Range on an empty file is ignored', async () => {
    const r = await get('/static/empty.txt', { Range: 'bytes=0-0' });
    assert.equal(r.status, 200);
    assert.equal(r.header('content-length'), '0');
  });

  const ifRange: { name: string; mount: string; value: () => string; status: number }[] = [
    { name: 'strong ETag matches → 206', mount: '/strong', value: () => weakTag('digits.txt').slice(2), status: 206 },
    { name: 'strong ETag differs → 200', mount: '/strong', value: () => '"other"', status: 200 },
    { name: 'weak ETag never matches → 200', mount: '/static', value: () => weakTag('digits.txt'), status: 200 },
    { name: 'date equal to Last-Modified → 206', mount: '/static', value: () => lastModified('digits.txt'), status: 206 },
    { name: 'other date → 200', mount: '/static', value: () => httpDate(-60, 'digits.txt'), status: 200 },
    { name: 'garbage → 200', mount: '/static', value: () => 'whenever', status: 200 },
  ];
  for (const c of ifRange) {
    it(`If-Range: ${c.name}`, async () => {
      const r = await get(`${c.mount}/digits.txt`, { Range: 'bytes=0-4', 'If-Range': c.value() });
      assert.equal(r.status, c.status, r.headText);
      assert.equal(r.body.toString(), c.status === 206 ? DIGITS.slice(0, 5) : DIGITS);
    });
  }
});

describe('directories', () => {
  const cases: { target: string; status: number; location?: string; body?: string }[] = [
    { target: '/static/dir', status: 301, location: '/static/dir/' },
    { target: '/static/dir?a=1&b=2', status: 301, location: '/static/dir/?a=1&b=2' },
    { target: '/static/./dir', status: 301, location: '/static/dir/' },
    { target: '/static/with%20space', status: 301, location: '/static/with%20space/' },
    { target: '/static', status: 301, location: '/static/' },
    { target: '//dir', status: 301, location: '/dir/' }, // never "//dir/": that is a protocol-relative URL
    { target: '/static//dir', status: 301, location: '/static/dir/' },
    { target: '/static/dir/', status: 200, body: '<h1>dir index</h1>\n' },
    { target: '/static/', status: 200, body: '<h1>root index</h1>\n' },
    { target: '/static/emptydir/', status: 404 },
    { target: '/bare/dir/', status: 404 },
    { target: '/static/hello.txt/', status: 404 },
  ];
  for (const c of cases) {
    it(`${c.target} → ${c.status}`, async () => {
      const r = await get(c.target);
      assert.equal(r.status, c.status, r.headText);
      if (c.location !== undefined) assert.equal(r.header('location'), c.location);
      if (c.body !== undefined) {
        assert.equal(r.body.toString(), c.body);
        assert.equal(r.header('content-type'), 'text/html; charset=utf-8');
      }
    });
  }
});

describe('precompressed siblings', () => {
  const cases: { name: string; target: string; accept?: string; encoding?: string; file: string }[] = [
    { name: 'br preferred', target: '/static/style.css', accept: 'gzip, deflate, br', encoding: 'br', file: 'style.css.br' },
    { name: 'gzip only', target: '/static/style.css', accept: 'gzip', encoding: 'gzip', file: 'style.css.gz' },
    { name: 'br refused with q=0', target: '/static/style.css', accept: 'br;q=0, gzip', encoding: 'gzip', file: 'style.css.gz' },
    { name: 'gzip preferred by q', target: '/static/style.css', accept: 'br;q=0.5, gzip', encoding: 'gzip', file: 'style.css.gz' },
    { name: 'no Accept-Encoding', target: '/static/style.css', file: 'style.css' },
    { name: 'identity only', target: '/static/style.css', accept: 'identity', file: 'style.css' },
    { name: 'only a .gz sibling exists', target: '/static/app.js', accept: 'br, gzip', encoding: 'gzip', file: 'app.js.gz' },
    { name: 'precompressed: false', target: '/bare/style.css', accept: 'br, gzip', file: 'style.css' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await get(c.target, c.accept === undefined ? {} : { 'Accept-Encoding': c.accept });
      assert.equal(r.status, 200);
      assert.equal(r.header('content-encoding'), c.encoding);
      assert.ok(r.body.equals(readFixture(c.file)), 'the sibling bytes, untouched');
      assert.equal(r.header('content-length'), String(statOf(c.file).size));
      const original = c.target.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
      assert.equal(r.header('content-type'), original, "the original file's type");
      if (!c.target.startsWith('/bare')) assert.equal(r.header('vary'), 'Accept-Encoding');
    });
  }

  it('each coding has its own ETag, and revalidates against it', async () => {
    const br = await get('/static/style.css', { 'Accept-Encoding': 'br' });
    const gz = await get('/static/style.css', { 'Accept-Encoding': 'gzip' });
    const plain = await get('/static/style.css');
    const tags = new Set([br.header('etag'), gz.header('etag'), plain.header('etag')]);
    assert.equal(tags.size, 3, [...tags].join(' '));
    assert.equal(br.header('etag'), weakTag('style.css.br', '-br'));
    const notModified = await get('/static/style.css', { 'Accept-Encoding': 'br', 'If-None-Match': br.header('etag') as string });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.header('vary'), 'Accept-Encoding');
    const changedCoding = await get('/static/style.css', { 'Accept-Encoding': 'gzip', 'If-None-Match': br.header('etag') as string });
    assert.equal(changedCoding.status, 200, 'the br tag does not validate the gzip representation');
  });

  it('HEAD announces the sibling', async () => {
    const r = await get('/static/style.css', { 'Accept-Encoding': 'br' }, 'HEAD');
    assert.equal(r.header('content-encoding'), 'br');
    assert.equal(r.header('content-length'), String(statOf('style.css.br').size));
  });

  it('a range of the sibling', async () => {
    const r = await get('/static/style.css', { 'Accept-Encoding': 'br', Range: 'bytes=0-2' });
    assert.equal(r.status, 206);
    assert.equal(r.header('content-encoding'), 'br');
    assert.equal(r.body.toString(), 'BR:');
  });
});

describe('dotfiles, symlinks, odd files', () => {
  const cases: { target: string; status: number; body?: string }[] = [
    { target: '/static/.hidden', status: 404 },
    { target: '/static/.git/config', status: 404 },
    { target: '/static/%2ehidden', status: 404 },
    { target: '/static/.git/', status: 404 },
    { target: '/deny/.hidden', status: 403 },
    { target: '/follow/.hidden', status: 200, body: 'hidden\n' },
    { target: '/static/./hello.txt', status: 200, body: 'hello world\n' }, // "." is not a dotfile
    { target: '/static/link-in', status: 200, body: 'hello world\n' },
    { target: '/static/link-out', status: 404 },
    { target: '/static/link-dir-out/secret', status: 404 },
    { target: '/static/link-dir-out/public/hello.txt', status: 200, body: 'hello world\n' }, // the real file is inside root
    { target: '/follow/link-out', status: 200, body: SECRET + '\n' },
    { target: '/static/missing.txt', status: 404 },
    { target: '/static/missing/deeper.txt', status: 404 },
    { target: '/static/hello.txt/x', status: 404 },
    { target: '/static/%252e%252e/secret', status: 200, body: 'literal-dot-dot-directory\n' }, // decoded once
    { target: '/staticx/hello.txt', status: 404 },
  ];
  for (const c of cases) {
    it(`${c.target} → ${c.status}`, async () => {
      const r = await get(c.target);
      assert.equal(r.status, c.status, r.headText);
      if (c.body !== undefined) assert.equal(r.body.toString(), c.body);
    });
  }

  it('a FIFO is refused at once instead of blocking a thread', async (t) => {
    const fifo = path.join(root, 'fifo.txt');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      t.skip('mkfifo not available');
      return;
    }
    try {
      const r = await get('/static/fifo.txt');
      assert.equal(r.status, 404);
    } finally {
      rmSync(fifo);
    }
  });
});

describe('traversal attempts never leave the root (raw request targets)', () => {
  const targets = [
    '/static/../secret',
    '/static/../../secret',
    '/static/dir/../../secret',
    '/static/./../secret',
    '/static/%2e%2e/secret',
    '/static/%2E%2E/secret',
    '/static/%2e%2e%2fsecret',
    '/static/%2E%2E%2Fsecret',
    '/static/..%2fsecret',
    '/static/..%2Fsecret',
    '/static/.%2e/secret',
    '/static/%2e./secret',
    '/static/dir/%2e%2e/%2e%2e/secret',
    '/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/static/%252e%252e/%252e%252e/secret',
    '/static/%252e%252e%252fsecret',
    '/static/..%252fsecret',
    '/static/..%5csecret',
    '/static/%5c..%5csecret',
    '/static/%2e%2e%5csecret',
    '/static/..%255csecret',
    '/static/..\\secret',
    '/static\\..\\secret',
    '/static/dir\\..\\..\\secret',
    '/static/%00',
    '/static/a%00.txt',
    '/static/hello.txt%00.png',
    '/static/dir/..%00/secret',
    '/static/....//secret',
    '/static/..;/secret',
    '/static/...',
    '//etc/passwd',
    '/static//etc/passwd',
    '/static/%2fetc%2fpasswd',
    '/static/%c0%ae%c0%ae/secret',
    '/static/%c0%ae%c0%ae%c0%afsecret',
    '/static/%e0%80%ae%e0%80%ae/secret',
    '/static/..%c0%afsecret',
    '/static/%u002e%u002e/secret',
    '/static/%',
    '/static/%2',
    '/static/link-out',
    '/static/link-dir-out/secret',
    '/static/link-dir-out/%2e%2e/etc/passwd',
    '/../secret',
    '/%2e%2e/secret',
    '/..%2fsecret',
    'http://localhost/static/../secret',
    'http://localhost/../secret',
  ];
  for (const target of targets) {
    it(JSON.stringify(target), async () => {
      const r = await get(target);
      const body = r.body.toString('latin1');
      assert.ok(!body.includes(SECRET), `secret leaked: ${r.headText}`);
      assert.ok(!body.includes('root:x:0:0'), `/etc/passwd leaked: ${r.headText}`);
      assert.ok([400, 403, 404].includes(r.status), `status ${r.status}:\n${r.headText}`);
    });
  }
  it('has at least 25 rows', () => assert.ok(targets.length >= 25));
});
