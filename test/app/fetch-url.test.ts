// request.url for a fetch app (issue 12 defects 1 and 2): every request-target form × every
// kind of Host value, over plain TCP and over TLS, through real sockets. The URL always has a
// real authority and exactly the target's path and query; the scheme follows the connection.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { createServer, toHandler, type Server } from '../../src/index.js';
import { HostMemo, requestUrl } from '../../src/app/fetch-url.js';
import { request, withClient } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { makeCertificate, tempDir } from '../ops/support.js';

/** Host values; null: no Host field at all (HTTP/1.0). */
const HOSTS: (string | null)[] = ['', null, 'example.com', 'Example.COM', 'example.com:8080', 'example.com:80', 'example.com:443', '127.0.0.1:8080', '[::1]', '[::1]:8080'];

/** The authority a URL gets for a Host value over a scheme (the default host is "localhost"). */
function authority(host: string | null, https: boolean): string {
  if (host === null || host === '') return 'localhost';
  const lower = host.toLowerCase();
  const defaultPort = https ? ':443' : ':80';
  return lower.endsWith(defaultPort) ? lower.slice(0, -defaultPort.length) : lower;
}

/** [target, expected URL for a given Host and scheme]; null: the app is never called. */
const TARGETS: [target: string, expected: (host: string | null, https: boolean) => string][] = [
  ['/admin/secret?x=1', (host, https) => `${https ? 'https' : 'http'}://${authority(host, https)}/admin/secret?x=1`],
  ['//admin/secret', (host, https) => `${https ? 'https' : 'http'}://${authority(host, https)}//admin/secret`],
  ['/', (host, https) => `${https ? 'https' : 'http'}://${authority(host, https)}/`],
  // absolute-form: the target is the URL, whatever Host says (RFC 9112 §3.2.2) and whatever the connection.
  ['http://other.example/p?q=1', () => 'http://other.example/p?q=1'],
  ['http://Other.Example:80/p', () => 'http://other.example/p'],
  ['https://other.example:443/p', () => 'https://other.example/p'],
  ['http://other.example', () => 'http://other.example/'],
  ['http://other.example?x=1', () => 'http://other.example/?x=1'],
];

function fakeRequest(target: string, host: string | null, https: boolean, method = 'GET'): Parameters<typeof requestUrl>[0] {
  return { method, target, protocol: https ? 'https' : 'http', host: host ?? '', headers: { get: () => host ?? undefined } } as unknown as Parameters<typeof requestUrl>[0];
}

describe('requestUrl: target form × Host × scheme (unit)', () => {
  for (const https of [false, true]) {
    for (const [target, expected] of TARGETS) {
      it(`${https ? 'https' : 'http'} ${target}`, () => {
        const memo = new HostMemo();
        for (const host of HOSTS) {
          // twice: the second answer comes from the memo and must be the same
          for (let i = 0; i < 2; i++) assert.equal(requestUrl(fakeRequest(target, host, https), 'localhost', memo), expected(host, https), `Host ${JSON.stringify(host)}`);
        }
      });
    }
  }

  it('an empty Host after a non-empty one (and the other way round) never moves a path segment into the authority', () => {
    const memo = new HostMemo();
    const order = ['admin', '', 'admin', '', 'example.com', ''];
    for (const host of order) {
      const url = new URL(requestUrl(fakeRequest('/admin/secret', host, false), 'localhost', memo));
      assert.equal(url.pathname, '/admin/secret', `Host ${JSON.stringify(host)}`);
      assert.equal(url.host, host === '' ? 'localhost' : host);
    }
  });

  it('asterisk-form and authority-form have no URL; a userinfo or an empty authority is refused', () => {
    const status = (e: Error & { status?: number }) => e.status;
    assert.throws(() => requestUrl(fakeRequest('*', 'h', false, 'OPTIONS'), 'localhost'), (e: Error & { status?: number }) => status(e) === 400);
    assert.throws(() => requestUrl(fakeRequest('a.example:443', 'h', false, 'CONNECT'), 'localhost'), (e: Error & { status?: number }) => status(e) === 501);
    for (const target of ['http://user@h/x', 'http://@/x', 'http:///admin/x', 'http://h\\@evil/x']) {
      assert.throws(() => requestUrl(fakeRequest(target, 'h', false), 'localhost'), (e: Error & { status?: number }) => status(e) === 400, target);
    }
  });

  it('the default host is used as configured, and a bad one is refused at setup', () => {
    assert.equal(requestUrl(fakeRequest('/a', '', false), 'api.internal:8443'), 'http://api.internal:8443/a');
    for (const bad of ['', 'a/b', 'a@b', 'a?b']) assert.throws(() => toHandler({ fetch: () => new Response('') }, { defaultHost: bad }), TypeError, bad);
  });
});

/** Every request of the table over one keep-alive connection (plain TCP), recording request.url. */
describe('request.url over real sockets (http)', () => {
  let server: TestServer;
  const urls: string[] = [];
  before(async () => {
    server = await startServer(toHandler({ fetch: (req) => (urls.push(req.url), new Response('ok')) }), { logLevel: 'silent' });
  });
  after(() => server.close());

  it('origin-form and absolute-form × every Host, one connection, in an order that would leak a cached host', async () => {
    const expected: string[] = [];
    await withClient(server.port, async (client) => {
      for (const [target, expect] of TARGETS) {
        for (const host of HOSTS) {
          const lines = host === null ? [`GET ${target} HTTP/1.0`, 'Connection: keep-alive'] : [`GET ${target} HTTP/1.1`, `Host: ${host}`];
          await client.write(request(lines));
          const response = await client.readResponse();
          assert.equal(response.status, 200, `${target} Host ${JSON.stringify(host)}`);
          expected.push(expect(host, false));
        }
      }
    });
    assert.deepEqual(urls, expected);
  });

  it('OPTIONS * is answered without calling the app; CONNECT never reaches it', async () => {
    const before = urls.length;
    await withClient(server.port, async (client) => {
      await client.write(request(['OPTIONS * HTTP/1.1', 'Host: example.com']));
      const options = await client.readResponse();
      assert.equal(options.status, 200);
      assert.equal(options.header('content-length'), '0');
    });
    await withClient(server.port, async (client) => {
      await client.write(request(['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443']));
      assert.equal((await client.readResponse()).status, 501);
    });
    assert.equal(urls.length, before);
  });
});

/** One request over TLS with Connection: close; resolves with the whole answer. */
function tlsRequest(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      socket.write(request([...lines, 'Connection: close']));
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('TLS request timed out')));
  });
}

describe('request.url over real sockets (https): the scheme follows the connection', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: Server;
  let port = 0;
  const urls: string[] = [];
  before(async () => {
    temp = tempDir('brisk-fetch-url-');
    const cert = makeCertificate(temp.dir, 'fetch-url');
    server = createServer(toHandler({ fetch: (req) => (urls.push(req.url), new Response('ok')) }), {
      logLevel: 'silent',
      tls: { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) },
    });
    ({ port } = await server.listen(0, '127.0.0.1'));
  });
  after(async () => {
    await server?.close({ timeoutMs: 500 });
    temp?.remove();
  });

  it('origin-form and absolute-form × every Host', async () => {
    const expected: string[] = [];
    for (const [target, expect] of TARGETS) {
      for (const host of HOSTS) {
        const lines = host === null ? [`GET ${target} HTTP/1.0`] : [`GET ${target} HTTP/1.1`, `Host: ${host}`];
        const answer = await tlsRequest(port, lines);
        assert.match(answer, /^HTTP\/1\.1 200 /, `${target} Host ${JSON.stringify(host)}`);
        expected.push(expect(host, true));
      }
    }
    assert.deepEqual(urls, expected);
  });
});
