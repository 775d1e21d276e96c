// compress(handler) over real sockets (raw client: bodies arrive exactly as sent, still
// compressed): Accept-Encoding negotiation, threshold, type filter, the responses that must
// never be compressed, Vary, ETag, streaming (write, send, Web streams), flushing, and a 5 MB
// stream whose backpressure reaches the handler. zlib in the test decodes what the server sent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { BriskResponse, Handler } from '../../src/core.js';
import { preferredCodings } from '../../src/app/accept-encoding.js';
import { compress, DEFAULT_ENCODINGS } from '../../src/app/compress.js';
import { ZSTD_AVAILABLE } from '../../src/app/compress-body.js';
import { serveStatic } from '../../src/app/static.js';
import type { ParsedResponse } from '../helpers/http-response.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { exchange, startApp, type App } from './support.js';

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
function text(bytes: number): string {
  return WORDS.repeat(Math.ceil(bytes / WORDS.length)).slice(0, bytes);
}
/** Compressible but not trivially so (base64: about 75 %), so 5 MB stays megabytes on the wire. */
const BIG = randomBytes((5 * 1024 * 1024 * 3) / 4).toString('base64');
/** Loopback socket buffers hold a few MB (tcp_wmem/tcp_rmem): to see a paused client stall the handler, send more than they hold. */
const HUGE = randomBytes((24 * 1024 * 1024 * 3) / 4).toString('base64');

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding) {
    case undefined:
      return body;
    case 'br':
      return zlib.brotliDecompressSync(body);
    case 'gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'zstd':
      return (zlib as unknown as { zstdDecompressSync(b: Buffer): Buffer }).zstdDecompressSync(body);
    default:
      throw new Error(`unexpected Content-Encoding ${encoding}`);
  }
}

// --- the app under test ---

let releaseEvent: () => void = () => {};
const backpressure = { writes: 0, refused: 0, bytesWritten: 0 };
let abortedWith: unknown;

async function writeAll(res: BriskResponse, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) if (!res.write(piece)) await res.drained();
  res.end();
}

function* slices(body: string, size: number): Iterable<string> {
  for (let i = 0; i < body.length; i += size) yield body.slice(i, i + size);
}

const routes: Record<string, Handler> = {
  '/text': (req, res) => {
    res.setHeader('Content-Type', req.query.get('type') ?? 'text/plain; charset=utf-8');
    if (req.query.has('notype')) res.removeHeader('Content-Type');
    res.end(text(Number(req.query.get('size') ?? 4096)));
  },
  '/status': (req, res) => {
    const status = Number(req.query.get('code'));
    res.status = status;
    res.setHeader('Content-Type', 'text/plain');
    if (status === 206) res.setHeader('Content-Range', 'bytes 0-4095/10000');
    res.end(status === 204 || status === 304 ? undefined : text(4096));
  },
  '/encoded': (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Content-Encoding', 'gzip');
    res.end(zlib.gzipSync(text(4096)));
  },
  '/no-transform': (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Cache-Control', 'public, No-Transform');
    res.end(text(4096));
  },
  '/fields': (req, res) => {
    res.setHeader('Content-Type', 'text/html');
    if (req.query.has('vary')) res.setHeader('Vary', req.query.get('vary') as string);
    if (req.query.has('etag')) res.setHeader('ETag', req.query.get('etag') as string);
    res.setHeader('Accept-Ranges', 'bytes');
    res.end(text(4096));
  },
  '/stream': async (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    await writeAll(res, slices(text(100_000), 1000));
  },
  '/declared': async (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Content-Length', 20_000);
    await writeAll(res, slices(text(20_000), 4096));
  },
  '/declared-small': async (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Content-Length', 500);
    await writeAll(res, slices(text(500), 100));
  },
  '/large-end': (_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ text: text(300_000) }));
  },
  '/send': async (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    await res.send(Readable.from(slices(text(50_000), 3000)));
  },
  '/web-stream': async (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    const pieces = [...slices(text(50_000), 3000)].map((s) => new TextEncoder().encode(s));
    await res.send(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = pieces.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(next);
        },
      }),
    );
  },
  '/big': async (req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    for (const piece of slices(req.query.has('huge') ? HUGE : BIG, 64 * 1024)) {
      backpressure.writes++;
      backpressure.bytesWritten += piece.length;
      if (!res.write(piece)) {
        backpressure.refused++;
        await res.drained();
      }
    }
    res.end();
  },
  '/events': async (_req, res) => {
    res.setHeader('Content-Type', 'text/event-stream');
    res.write('data: one\n\n');
    await new Promise<void>((resolve) => (releaseEvent = resolve));
    res.end('data: two\n\n');
  },
  '/endless': async (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    try {
      for (;;) if (!res.write(text(16_384))) await res.drained();
    } catch (error) {
      abortedWith = error;
    }
  },
};

const plainApp: Handler = (req, res) => (routes[req.path] ?? routes['/text'])(req, res);

const tmp = mkdtempSync(path.join(tmpdir(), 'brisk-compress-'));
mkdirSync(path.join(tmp, 'public'));
const CSS = 'p { margin: 0 auto; color: #123456 }\n'.repeat(2000);
writeFileSync(path.join(tmp, 'public', 'site.css'), CSS);
const files = serveStatic(path.join(tmp, 'public'), { prefix: '/files', precompressed: false, etag: 'strong' });

const mounts: [string, Handler][] = [
  ['/gzip-only', compress(plainApp, { encodings: ['gzip'] })],
  ['/tiny-threshold', compress(plainApp, { threshold: 10 })],
  ['/custom-filter', compress(plainApp, { filter: (type) => type.startsWith('application/octet-stream') })],
  ['/no-flush', compress(plainApp, { flush: false })],
  ['/files', compress(files)],
];
const defaultApp = compress(plainApp);
const handler: Handler = (req, res) => {
  for (const [prefix, h] of mounts) {
    if (req.path.startsWith(prefix + '/')) {
      // Strip the mount so the inner routes see their own paths (static strips its own prefix).
      if (prefix === '/files') return h(req, res);
      return h(Object.create(req, { path: { value: req.path.slice(prefix.length) } }), res);
    }
  }
  return defaultApp(req, res);
};

let app: App;
before(async () => {
  app = await startApp(handler);
});
after(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (target: string, fields: Record<string, string> = {}, method = 'GET'): Promise<ParsedResponse> =>
  exchange(app.port, target, fields, method);

/** Where node:zlib has zstd (22.15+), compress() offers it first at equal q; elsewhere these rows expect what is left. */
const ZSTD_SKIP = ZSTD_AVAILABLE ? false : `node:zlib has no zstd in Node ${process.version} (22.15+ has)`;
const zstdOr = (otherwise: string | undefined): string | undefined => (ZSTD_AVAILABLE ? 'zstd' : otherwise);

describe('Accept-Encoding negotiation (RFC 9110 §12.5.3)', () => {
  const all = DEFAULT_ENCODINGS;
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['deflate', 'deflate'],
    ['gzip, deflate, br', 'br'], // equal q: server preference
    ['gzip, deflate', 'gzip'],
    ['gzip;q=0.5, br;q=0.4', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0, deflate;q=0', undefined],
    ['*', zstdOr('br')],
    ['*;q=0', undefined],
    ['*, br;q=0', zstdOr('gzip')],
    ['identity;q=0, *;q=0', undefined],
    ['identity', undefined],
    ['identity;q=1, gzip;q=0.5', undefined], // the client prefers identity
    ['gzip;q=1.0, identity;q=0.5', 'gzip'],
    ['gzip, identity', 'gzip'], // equal q: a coding wins
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['compress, zstd', zstdOr(undefined)],
    ['zstd, gzip;q=0.1', zstdOr('gzip')],
    ['zstd;q=0.5, gzip;q=0.1', zstdOr('gzip')],
    ['gzip, deflate, br, zstd', zstdOr('br')], // what Chrome sends: equal q, server preference
    ['zstd;q=0.5, br', 'br'],
    ['zstd;q=0, br, gzip', 'br'],
    ['gzip;q=0.000', undefined],
    ['gzip;q=2', undefined], // an invalid qvalue drops the member
    ['gzip;q=0.1234', undefined],
    ['gzip ; q=0.8 , deflate;q=0.9', 'deflate'],
    ['br;q=0.001', 'br'],
    ['gzip;level=9;q=0.2, br;q=0.1', 'gzip'],
    [' , ,gzip,', 'gzip'],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${expected ?? 'identity'}`, async () => {
      assert.equal(preferredCodings(value, all)[0], expected);
      const r = await get('/text?size=4096', value === undefined ? {} : { 'Accept-Encoding': value });
      assert.equal(r.status, 200);
      assert.equal(r.header('content-encoding'), expected);
      assert.equal(r.header('vary'), 'Accept-Encoding');
      assert.equal(decode(r.body, expected).toString(), text(4096));
      if (expected !== undefined) assert.ok(r.body.length < 1024, `compressed to ${r.body.length}`);
    });
  }

  it('the encodings option limits and orders what is offered', async () => {
    const r = await get('/gzip-only/text', { 'Accept-Encoding': 'br, gzip' });
    assert.equal(r.header('content-encoding'), 'gzip');
    const none = await get('/gzip-only/text', { 'Accept-Encoding': 'br' });
    assert.equal(none.header('content-encoding'), undefined);
  });
});

describe('when to compress', () => {
  const br = { 'Accept-Encoding': 'br, gzip' };
  const cases: { name: string; target: string; method?: string; encoding?: string; vary: boolean }[] = [
    { name: 'below the 1024-byte threshold', target: '/text?size=1023', vary: true },
    { name: 'at the threshold', target: '/text?size=1024', encoding: 'br', vary: true },
    { name: 'an empty body', target: '/text?size=0', vary: true },
    { name: 'threshold option', target: '/tiny-threshold/text?size=20', encoding: 'br', vary: true },
    { name: 'text/html', target: '/text?type=text/html', encoding: 'br', vary: true },
    { name: 'application/json', target: '/text?type=application/json', encoding: 'br', vary: true },
    { name: 'a +json type', target: '/text?type=application/vnd.api%2Bjson', encoding: 'br', vary: true },
    { name: 'image/svg+xml', target: '/text?type=image/svg%2Bxml', encoding: 'br', vary: true },
    { name: 'text/javascript with charset', target: '/text?type=text/javascript;%20charset=utf-8', encoding: 'br', vary: true },
    { name: 'image/png is not compressible', target: '/text?type=image/png', vary: false },
    { name: 'application/octet-stream is not', target: '/text?type=application/octet-stream', vary: false },
    { name: 'no Content-Type', target: '/text?notype', vary: false },
    { name: 'custom filter accepts', target: '/custom-filter/text?type=application/octet-stream', encoding: 'br', vary: true },
    { name: 'custom filter refuses', target: '/custom-filter/text?type=text/html', vary: false },
    { name: 'HEAD', target: '/text', method: 'HEAD', vary: true },
    { name: '204', target: '/status?code=204', vary: false },
    { name: '304', target: '/status?code=304', vary: false },
    { name: '206', target: '/status?code=206', vary: false },
    { name: '404 with a body', target: '/status?code=404', encoding: 'br', vary: true },
    { name: 'already encoded', target: '/encoded', vary: false },
    { name: 'Cache-Control: no-transform', target: '/no-transform', vary: false },
    { name: 'a declared length under the threshold', target: '/declared-small', vary: true },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.encoding ?? 'identity'}`, async () => {
      const method = c.method ?? 'GET';
      const r = await get(c.target, br, method);
      assert.equal(r.header('content-encoding'), c.target === '/encoded' ? 'gzip' : c.encoding, r.headText);
      assert.equal(r.header('vary'), c.vary ? 'Accept-Encoding' : undefined, r.headText);
      if (method === 'HEAD') {
        assert.equal(r.header('content-length'), '4096', 'HEAD keeps the identity length');
        assert.equal(r.body.length, 0);
      }
      if (c.target === '/encoded') assert.equal(zlib.gunzipSync(r.body).toString(), text(4096), 'untouched');
    });
  }
});

describe('fields of a compressed response', () => {
  const gzip = { 'Accept-Encoding': 'gzip' };
  it('Vary is appended to, never replaced', async () => {
    assert.equal((await get('/fields?vary=Origin', gzip)).header('vary'), 'Origin, Accept-Encoding');
    assert.equal((await get('/fields?vary=Origin,%20accept-encoding', gzip)).header('vary'), 'Origin, accept-encoding');
    assert.equal((await get('/fields?vary=*', gzip)).header('vary'), '*');
  });

  it('a strong ETag is weakened; a weak one is kept; identity keeps it strong', async () => {
    assert.equal((await get('/fields?etag=%22abc%22', gzip)).header('etag'), 'W/"abc"');
    assert.equal((await get('/fields?etag=W/%22abc%22', gzip)).header('etag'), 'W/"abc"');
    assert.equal((await get('/fields?etag=%22abc%22')).header('etag'), '"abc"');
  });

  it('Accept-Ranges is dropped (ranges would address the identity bytes)', async () => {
    assert.equal((await get('/fields', gzip)).header('accept-ranges'), undefined);
    assert.equal((await get('/fields')).header('accept-ranges'), 'bytes');
  });

  it('a small whole body keeps a Content-Length (compressed synchronously)', async () => {
    const r = await get('/text?size=4096', gzip);
    assert.equal(r.framing, 'length');
    assert.equal(r.header('content-length'), String(r.body.length));
  });
});

describe('streamed compression', () => {
  const cases: { name: string; target: string; body: () => string; coding: string }[] = [
    { name: 'write() pieces', target: '/stream', body: () => text(100_000), coding: 'br' },
    { name: 'write() pieces, gzip', target: '/stream', body: () => text(100_000), coding: 'gzip' },
    { name: 'write() pieces, deflate', target: '/stream', body: () => text(100_000), coding: 'deflate' },
    { name: 'write() pieces, zstd', target: '/stream', body: () => text(100_000), coding: 'zstd' },
    { name: 'end() of a body past the sync limit, zstd', target: '/large-end', body: () => JSON.stringify({ text: text(300_000) }), coding: 'zstd' },
    { name: 'a declared Content-Length is replaced by chunked', target: '/declared', body: () => text(20_000), coding: 'gzip' },
    { name: 'end() of a body past the sync limit', target: '/large-end', body: () => JSON.stringify({ text: text(300_000) }), coding: 'br' },
    { name: 'send(Readable)', target: '/send', body: () => text(50_000), coding: 'gzip' },
    { name: 'send(ReadableStream)', target: '/web-stream', body: () => text(50_000), coding: 'br' },
    { name: 'without flushing', target: '/no-flush/stream', body: () => text(100_000), coding: 'gzip' },
  ];
  for (const c of cases) {
    it(`${c.name} (${c.coding})`, { skip: c.coding === 'zstd' ? ZSTD_SKIP : false }, async () => {
      const r = await get(c.target, { 'Accept-Encoding': c.coding });
      assert.equal(r.status, 200);
      assert.equal(r.header('content-encoding'), c.coding);
      assert.equal(r.header('content-length'), undefined);
      assert.equal(r.framing, 'chunked');
      assert.equal(decode(r.body, c.coding).toString(), c.body());
    });
  }

  it('5 MB streamed: decodes to the original; write() pushes back through zlib', async () => {
    backpressure.writes = backpressure.refused = backpressure.bytesWritten = 0;
    const r = await get('/big', { 'Accept-Encoding': 'gzip' });
    assert.equal(r.header('content-encoding'), 'gzip');
    assert.equal(r.framing, 'chunked');
    assert.ok(r.body.length < BIG.length * 0.8, `compressed to ${r.body.length}`);
    assert.ok(zlib.gunzipSync(r.body).toString() === BIG, '5 MB round trip');
    assert.ok(backpressure.refused > 0, 'write() returned false at least once');
  });

  for (const coding of ['gzip', 'br']) {
    it(`24 MB streamed (${coding}): a paused client holds the handler back, then everything arrives`, async () => {
      backpressure.writes = backpressure.refused = backpressure.bytesWritten = 0;
      const client = await RawClient.connect(app.port);
      try {
        client.socket.pause();
        await client.write(request(['GET /big?huge HTTP/1.1', 'Host: x', `Accept-Encoding: ${coding}`]));
        await sleep(500);
        const writtenWhilePaused = backpressure.bytesWritten;
        client.socket.resume();
        const r = await client.readResponse({ timeoutMs: 30_000 });
        assert.equal(r.header('content-encoding'), coding);
        assert.ok(writtenWhilePaused < HUGE.length / 2, `the handler ran ahead: ${writtenWhilePaused} of ${HUGE.length} bytes written while the client read nothing`);
        assert.ok(backpressure.bytesWritten === HUGE.length);
        assert.ok(decode(r.body, coding).toString() === HUGE, 'round trip');
      } finally {
        client.destroy();
      }
    });
  }

  const decoders: [string, () => zlib.Zlib & NodeJS.ReadWriteStream][] = [
    ['gzip', () => zlib.createGunzip()],
    ['zstd', () => (zlib as unknown as { createZstdDecompress(): zlib.Zlib & NodeJS.ReadWriteStream }).createZstdDecompress()],
  ];
  for (const [coding, createDecoder] of decoders) {
    it(`flushes after each turn of writes: an event arrives before the response ends (${coding})`, { skip: coding === 'zstd' ? ZSTD_SKIP : false }, async () => {
      const received = await new Promise<string>((resolve, reject) => {
        const req = http.get({ port: app.port, host: '127.0.0.1', path: '/events', headers: { 'Accept-Encoding': coding } }, (res) => {
          assert.equal(res.headers['content-encoding'], coding);
          const decoder = createDecoder();
          let seen = '';
          res.pipe(decoder);
          decoder.on('data', (chunk: Buffer) => {
            seen += chunk.toString();
            if (seen.includes('data: one') && !seen.includes('two')) releaseEvent();
          });
          decoder.on('end', () => resolve(seen));
          decoder.on('error', reject);
        });
        req.on('error', reject);
        setTimeout(() => reject(new Error('the first event never arrived (not flushed)')), 3000).unref();
      });
      assert.equal(received, 'data: one\n\ndata: two\n\n');
    });
  }

  it('flush: false holds small writes back', async () => {
    let seen = '';
    const req = http.get({ port: app.port, host: '127.0.0.1', path: '/no-flush/events', headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const gunzip = zlib.createGunzip();
      res.pipe(gunzip);
      gunzip.on('data', (chunk: Buffer) => (seen += chunk.toString()));
      gunzip.on('error', () => {});
    });
    req.on('error', () => {});
    await sleep(300);
    assert.equal(seen, '', 'nothing decodable before the end');
    releaseEvent();
    await sleep(100);
    assert.equal(seen, 'data: one\n\ndata: two\n\n');
    req.destroy();
  });

  it('a client that disconnects mid-stream makes drained() reject in the handler', async () => {
    abortedWith = undefined;
    const client = await RawClient.connect(app.port);
    await client.write(request(['GET /endless HTTP/1.1', 'Host: x', 'Accept-Encoding: gzip']));
    await client.waitFor('\r\n\r\n');
    client.destroy();
    for (let i = 0; i < 100 && abortedWith === undefined; i++) await sleep(20);
    assert.ok(abortedWith instanceof Error, 'the handler saw the disconnect');
  });
});

describe('compress(serveStatic(...))', () => {
  it('a file is compressed on the fly, with a weak ETag that still revalidates', async () => {
    const r = await get('/files/site.css', { 'Accept-Encoding': 'br' });
    assert.equal(r.header('content-encoding'), 'br');
    assert.equal(zlib.brotliDecompressSync(r.body).toString(), CSS);
    const etag = r.header('etag') as string;
    assert.match(etag, /^W\//);
    const revalidated = await get('/files/site.css', { 'Accept-Encoding': 'br', 'If-None-Match': etag });
    assert.equal(revalidated.status, 304);
  });

  it('a range is served from the identity bytes, uncompressed', async () => {
    const r = await get('/files/site.css', { 'Accept-Encoding': 'br', Range: 'bytes=0-9' });
    assert.equal(r.status, 206);
    assert.equal(r.header('content-encoding'), undefined);
    assert.equal(r.body.toString(), CSS.slice(0, 10));
  });
});

describe('zstd (RFC 8878, RFC 9659)', () => {
  it('a small whole body: compressed in one go, with Content-Length and the size in the frame', { skip: ZSTD_SKIP }, async () => {
    const r = await get('/text?size=4096', { 'Accept-Encoding': 'zstd' });
    assert.equal(r.header('content-encoding'), 'zstd');
    assert.equal(Number(r.header('content-length')), r.body.length);
    assert.equal(decode(r.body, 'zstd').toString(), text(4096));
    // Frame header descriptor (RFC 8878 §3.1.1.1.1): Frame_Content_Size_Flag set, so the size is known.
    assert.deepEqual([...r.body.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    assert.notEqual(r.body[4]! >> 6, 0, 'frame content size present');
  });

  it(ZSTD_AVAILABLE ? 'zstdLevel is checked' : 'naming zstd where node:zlib lacks it throws at setup', () => {
    if (ZSTD_AVAILABLE) {
      assert.throws(() => compress(plainApp, { zstdLevel: 20 }), /zstdLevel must be 1-19/);
      assert.throws(() => compress(plainApp, { zstdLevel: 0 }), /zstdLevel must be 1-19/);
    } else {
      assert.throws(() => compress(plainApp, { encodings: ['zstd', 'gzip'] }), /zstd needs node:zlib's zstd/);
      assert.deepEqual(DEFAULT_ENCODINGS, ['br', 'gzip', 'deflate']);
    }
  });
});
