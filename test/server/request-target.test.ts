// req.path / req.search for every request-target form (RFC 9112 §3.2), in particular an
// absolute-form target without a path, whose path is "/" (RFC 9110 §4.2.3; issue 12, defect 14).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Request } from '../../src/server/request.js';
import { RawClient } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';

const ORIGIN = { remoteAddress: '127.0.0.1', remotePort: 1 };

function requestFor(method: string, target: string): Request {
  return new Request(method, target, 1, ['Host', 'a.example'], null, -1, ORIGIN, 1024);
}

const ROWS: readonly (readonly [method: string, target: string, path: string, search: string])[] = [
  ['GET', '/', '/', ''],
  ['GET', '/a/b?x=1', '/a/b', 'x=1'],
  ['GET', '/?', '/', ''],
  ['GET', 'http://a.example', '/', ''],
  ['GET', 'http://a.example?x=1', '/', 'x=1'],
  ['GET', 'http://a.example:8080', '/', ''],
  ['GET', 'https://a.example/', '/', ''],
  ['GET', 'http://a.example/p/q?x=1&y', '/p/q', 'x=1&y'],
  ['GET', 'http://user@a.example?x', '/', 'x'],
  ['OPTIONS', '*', '*', ''],
  ['CONNECT', 'a.example:443', 'a.example:443', ''],
];

describe('req.path and req.search for every target form', () => {
  for (const [method, target, path, search] of ROWS) {
    it(`${method} ${target} → path ${JSON.stringify(path)}, search ${JSON.stringify(search)}`, () => {
      const req = requestFor(method, target);
      assert.equal(req.path, path);
      assert.equal(req.search, search);
    });
  }

  it('over a socket: GET http://a.example HTTP/1.1 reaches the handler with path "/"', { timeout: 10_000 }, async () => {
    const s = await startServer((req, res) => res.end(`${req.path}|${req.search}`), { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      await client.write('GET http://a.example HTTP/1.1\r\nHost: a.example\r\n\r\nGET http://a.example?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n');
      const [first, second] = await client.readResponses(2);
      assert.equal(first!.body.toString(), '/|');
      assert.equal(second!.body.toString(), '/|x=1');
    } finally {
      client.destroy();
      await s.close();
    }
  });
});
