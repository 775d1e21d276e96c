// The demo app (examples/demo/app.ts) through real clients: fetch, curl, Python's http.client
// and raw sockets. Checks the seed page byte for byte and each route's framing (RFC 9112 §6).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseResponse } from '../helpers/http-response.js';
import { chunked, request, withClient } from '../helpers/raw-client.js';
import { startDemo, type DemoEcho, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const SEED_PAGE = '<html><body>Hello World</body></html>';
const TEST_TIMEOUT = { timeout: 15_000 };

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The expected /big body: byte i = i % 251. */
function pattern(size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = i % 251;
  return buf;
}

let demo: TestServer;
let tmp: string;

before(async () => {
  demo = await startDemo();
  tmp = mkdtempSync(join(tmpdir(), 'brisk-demo-'));
});

after(async () => {
  await demo.close();
  rmSync(tmp, { recursive: true, force: true });
});

function assertSeedHead(headers: { get(name: string): string | null | undefined }): void {
  assert.equal(headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(headers.get('content-length'), '37');
  assert.ok(headers.get('date'), 'Date header (RFC 9110 §6.6.1: an origin server with a clock must send it)');
}

describe('GET / serves the seed page', () => {
  it('to fetch', TEST_TIMEOUT, async () => {
    const response = await fetch(`${demo.origin}/`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 200);
    assertSeedHead(response.headers);
    assert.equal(await response.text(), SEED_PAGE);
  });

  it('to curl -si', TEST_TIMEOUT, async () => {
    const { stdout } = await run('curl', ['-si', '--max-time', '5', `${demo.origin}/`], {
      encoding: 'buffer',
      timeout: 10_000,
    });
    const result = parseResponse(stdout, { eof: true });
    assert.ok(result, `curl output is a response: ${stdout.toString()}`);
    const { response } = result;
    assert.equal(response.httpVersion, '1.1');
    assert.equal(response.status, 200);
    assert.equal(response.reason, 'OK');
    assertSeedHead({ get: (name) => response.header(name) });
    assert.equal(response.body.toString(), SEED_PAGE);
    assert.equal(result.consumed, stdout.length, 'nothing after the 37-byte body');
  });

  it("to Python's http.client, twice on one connection", TEST_TIMEOUT, async () => {
    const script = `
import http.client, json, sys
conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=5)
out = []
for method in ('GET', 'HEAD', 'GET'):
    conn.request(method, '/')
    r = conn.getresponse()
    out.append({'status': r.status, 'version': r.version, 'headers': r.getheaders(),
                'body': r.read().decode('latin-1'), 'willClose': r.will_close})
print(json.dumps(out))
`;
    const { stdout } = await run('python3', ['-c', script, String(demo.port)], { timeout: 10_000 });
    const results = JSON.parse(stdout) as {
      status: number;
      version: number;
      headers: [string, string][];
      body: string;
      willClose: boolean;
    }[];
    assert.equal(results.length, 3);
    for (const [i, result] of results.entries()) {
      assert.equal(result.status, 200);
      assert.equal(result.version, 11);
      assert.equal(result.willClose, false, 'HTTP/1.1 keeps the connection open');
      const headers = new Map(result.headers.map(([n, v]) => [n.toLowerCase(), v]));
      assertSeedHead({ get: (name) => headers.get(name) });
      assert.equal(result.body, i === 1 ? '' : SEED_PAGE);
    }
  });

  it('to a raw socket, exactly 37 body bytes and nothing more', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close']));
      const rest = await client.readUntilClose();
      const result = parseResponse(rest, { eof: true });
      assert.ok(result);
      assert.equal(result.response.status, 200);
      assert.equal(result.response.framing, 'length');
      assert.equal(result.response.body.toString('latin1'), SEED_PAGE);
      assert.equal(result.consumed, rest.length, 'no bytes after the body');
    });
  });
});

describe('HEAD /', () => {
  it('has the same head as GET and no body (RFC 9110 §9.3.2)', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      // HEAD pipelined between two GETs: a stray body after HEAD would corrupt the next response.
      await client.write(
        Buffer.concat([
          request(['GET / HTTP/1.1', 'Host: a']),
          request(['HEAD / HTTP/1.1', 'Host: a']),
          request(['GET / HTTP/1.1', 'Host: a']),
        ]),
      );
      const get = await client.readResponse();
      const head = await client.readResponse({ method: 'HEAD' });
      const getAgain = await client.readResponse();
      const withoutDate = (h: readonly [string, string][]): [string, string][] =>
        h.filter(([name]) => name.toLowerCase() !== 'date').map(([n, v]) => [n.toLowerCase(), v]);
      assert.equal(head.status, 200);
      assert.deepEqual(withoutDate(head.headers), withoutDate(get.headers));
      assert.equal(head.header('content-length'), '37');
      assert.equal(head.body.length, 0);
      assert.equal(getAgain.body.toString(), SEED_PAGE);
    });
  });
});

describe('ANY /echo', () => {
  it('reports method, raw target, headers in arrival order with names as sent, and the body hash', TEST_TIMEOUT, async () => {
    const body = 'hello, echo';
    const fields: [string, string][] = [
      ['Host', 'example.test'],
      ['x-Zeta', 'first'],
      ['Content-Type', 'text/plain'],
      ['X-ALPHA', 'a b  c'],
      ['x-zeta', 'second'],
      ['Content-Length', String(body.length)],
    ];
    const target = '/echo?q=%20x&q=2&empty=';
    await withClient(demo.port, async (client) => {
      await client.write(request([`PUT ${target} HTTP/1.1`, ...fields.map(([n, v]) => `${n}: ${v}`)], body));
      const response = await client.readResponse();
      assert.equal(response.status, 200);
      assert.equal(response.header('content-type'), 'application/json');
      const echo = JSON.parse(response.body.toString()) as DemoEcho;
      assert.equal(echo.method, 'PUT');
      assert.equal(echo.target, target);
      assert.deepEqual(echo.headers, fields);
      assert.equal(echo.bodyLength, body.length);
      assert.equal(echo.bodySha256, sha256(body));
    });
  });

  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  for (const method of methods) {
    it(`answers ${method}`, TEST_TIMEOUT, async () => {
      const body = method === 'GET' ? undefined : `body of ${method}`;
      const response = await fetch(`${demo.origin}/echo?m=${method}`, {
        method,
        body,
        signal: AbortSignal.timeout(5_000),
      });
      assert.equal(response.status, 200);
      const echo = (await response.json()) as DemoEcho;
      assert.equal(echo.method, method);
      assert.equal(echo.target, `/echo?m=${method}`);
      assert.equal(echo.bodyLength, body?.length ?? 0);
      assert.equal(echo.bodySha256, sha256(body ?? ''));
    });
  }

  it('hashes a chunked request body', TEST_TIMEOUT, async () => {
    const body = randomBytes(10_000);
    await withClient(demo.port, async (client) => {
      await client.write(
        request(['POST /echo HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], chunked(body, 777)),
      );
      const echo = JSON.parse((await client.readResponse()).body.toString()) as DemoEcho;
      assert.equal(echo.bodyLength, body.length);
      assert.equal(echo.bodySha256, sha256(body));
    });
  });
});

describe('POST /upload', () => {
  it('hashes a Content-Length body (fetch, 3 MB)', TEST_TIMEOUT, async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const response = await fetch(`${demo.origin}/upload`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { bodyLength: body.length, bodySha256: sha256(body) });
  });

  it('hashes a chunked body streamed by fetch', TEST_TIMEOUT, async () => {
    const pieces = Array.from({ length: 20 }, () => randomBytes(50_000));
    const all = Buffer.concat(pieces);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const piece = pieces.shift();
        if (piece) controller.enqueue(piece);
        else controller.close();
      },
    });
    const response = await fetch(`${demo.origin}/upload`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      signal: AbortSignal.timeout(10_000),
    } as RequestInit);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { bodyLength: all.length, bodySha256: sha256(all) });
  });

  it('hashes a chunked body from a raw socket, split at awkward places', TEST_TIMEOUT, async () => {
    const body = randomBytes(5_000);
    const bytes = request(['POST /upload HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], chunked(body, 1000));
    await withClient(demo.port, async (client) => {
      await client.writeSplit(bytes, [3, 40, 70, 71, 72, 500, 1090, bytes.length - 3, bytes.length - 1]);
      const response = await client.readResponse();
      assert.deepEqual(JSON.parse(response.body.toString()), { bodyLength: body.length, bodySha256: sha256(body) });
    });
  });

  it('Expect: 100-continue from curl gets 100 before the final response', TEST_TIMEOUT, async () => {
    const file = join(tmp, 'upload.bin');
    const body = randomBytes(200_000);
    writeFileSync(file, body);
    const { stdout } = await run(
      'curl',
      [
        '-si',
        '--max-time',
        '8',
        '--expect100-timeout',
        '5',
        '-H',
        'Expect: 100-continue',
        '-H',
        'Content-Type: application/octet-stream',
        '--data-binary',
        `@${file}`,
        `${demo.origin}/upload`,
      ],
      { encoding: 'buffer', timeout: 10_000 },
    );
    const result = parseResponse(stdout, { eof: true });
    assert.ok(result, stdout.toString());
    assert.deepEqual(
      result.response.interim.map((r) => r.status),
      [100],
    );
    assert.equal(result.response.status, 200);
    assert.deepEqual(JSON.parse(result.response.body.toString()), {
      bodyLength: body.length,
      bodySha256: sha256(body),
    });
  });

  it('Expect: 100-continue on a raw socket: 100 arrives before any body byte is sent', TEST_TIMEOUT, async () => {
    const body = randomBytes(4096);
    await withClient(demo.port, async (client) => {
      await client.write(
        request([
          'POST /upload HTTP/1.1',
          'Host: a',
          'Expect: 100-continue',
          `Content-Length: ${body.length}`,
        ]),
      );
      await client.waitFor('\r\n\r\n', 3_000);
      assert.equal(client.pending.toString('latin1'), 'HTTP/1.1 100 Continue\r\n\r\n');
      await client.write(body);
      const response = await client.readResponse();
      assert.equal(response.interim.length, 1);
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(response.body.toString()), { bodyLength: body.length, bodySha256: sha256(body) });
    });
  });

  it('GET /upload is 405 with Allow: POST', TEST_TIMEOUT, async () => {
    const response = await fetch(`${demo.origin}/upload`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
    await response.arrayBuffer();
  });
});

describe('GET /stream', () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i}\n`).join('');

  it('is chunked to an HTTP/1.1 client', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      await client.write(request(['GET /stream?n=5 HTTP/1.1', 'Host: a']));
      const response = await client.readResponse();
      assert.equal(response.status, 200);
      assert.equal(response.framing, 'chunked');
      assert.equal(response.header('content-length'), undefined);
      assert.equal(response.body.toString(), lines(5));
      assert.equal(await client.closesWithin(100), false, 'the connection stays open after a chunked response');
    });
  });

  it('is close-delimited to an HTTP/1.0 client (RFC 9112 §6.1: no chunked to 1.0)', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      await client.write(request(['GET /stream?n=5 HTTP/1.0']));
      const captured = await client.readUntilClose();
      const result = parseResponse(captured, { eof: true });
      assert.ok(result);
      const { response } = result;
      assert.equal(response.status, 200);
      assert.equal(response.framing, 'close');
      assert.equal(response.header('transfer-encoding'), undefined);
      assert.equal(response.header('content-length'), undefined);
      assert.equal(response.body.toString(), lines(5));
    });
  });

  it('arrives line by line to fetch, a few ms apart', TEST_TIMEOUT, async () => {
    const started = performance.now();
    const response = await fetch(`${demo.origin}/stream?n=10`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(await response.text(), lines(10));
    assert.ok(performance.now() - started >= 40, 'the lines were spaced out in time');
  });

  it('a client FIN after 2 of 20 lines: no last chunk, so the cut-short body never reads as complete (issue 12, defect 15)', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      await client.write(request(['GET /stream?n=20 HTTP/1.1', 'Host: a']));
      await client.waitFor('line 1\n', 3_000);
      client.end();
      const raw = (await client.readUntilClose(2_000)).toString('latin1');
      assert.ok(raw.startsWith('HTTP/1.1 200'), raw.slice(0, 80));
      assert.ok(!raw.includes('line 19\n'), 'the loop stopped at the signal');
      assert.ok(!raw.includes('\r\n0\r\n\r\n'), 'no last chunk after the abort');
    });
  });

  it('n=0 is an empty 200', TEST_TIMEOUT, async () => {
    const response = await fetch(`${demo.origin}/stream?n=0`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });
});

describe('GET /big', () => {
  for (const size of [0, 1, 251, 65_511, 65_512, 1_000_003]) {
    it(`bytes=${size}: Content-Length and byte i = i % 251`, TEST_TIMEOUT, async () => {
      const response = await fetch(`${demo.origin}/big?bytes=${size}`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/octet-stream');
      assert.equal(response.headers.get('content-length'), String(size));
      const body = Buffer.from(await response.arrayBuffer());
      assert.equal(body.length, size);
      assert.ok(body.equals(pattern(size)), 'body follows the pattern');
    });
  }

  it('HEAD /big is 405 (the demo serves GET only)', TEST_TIMEOUT, async () => {
    const response = await fetch(`${demo.origin}/big?bytes=10`, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 405);
  });
});

describe('bad query values and unknown paths', () => {
  const cases: [target: string, status: number][] = [
    ['/stream', 400],
    ['/stream?n=', 400],
    ['/stream?n=abc', 400],
    ['/stream?n=-1', 400],
    ['/stream?n=1.5', 400],
    ['/stream?n=1e3', 400],
    ['/stream?n=100001', 400],
    ['/big', 400],
    ['/big?bytes=x', 400],
    ['/big?bytes=-5', 400],
    ['/big?bytes=99999999999999999999', 400],
    ['/nope', 404],
    ['/echo/more', 404],
    ['/index.html', 404],
  ];
  for (const [target, status] of cases) {
    it(`GET ${target} → ${status}`, TEST_TIMEOUT, async () => {
      await withClient(demo.port, async (client) => {
        await client.write(request([`GET ${target} HTTP/1.1`, 'Host: a']));
        const response = await client.readResponse();
        assert.equal(response.status, status);
        assert.match(response.header('content-type') ?? '', /^text\/plain/);
        assert.ok(response.body.length > 0);
      });
    });
  }
});
