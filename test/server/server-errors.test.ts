// The closed set of server-side errors (src/server/errors.ts): the table is consistent, and the
// errors the response API throws at a handler carry their stable code.
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { HttpError, SERVER_ERRORS, ServerError, type BriskResponse, type ServerErrorCode } from '../../src/index.js';
import { request, withClient } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';

test('SERVER_ERRORS: every code has a status, a one-line reason, and closes unless it is safe not to', async (t) => {
  for (const code of Object.keys(SERVER_ERRORS) as ServerErrorCode[]) {
    await t.test(code, () => {
      const kind = SERVER_ERRORS[code];
      assert.match(code, /^ERR_[A-Z_]+$/);
      assert.ok(kind.status >= 400 && kind.status <= 599, String(kind.status));
      assert.ok(kind.reason.length > 0 && !/[\r\n]/.test(kind.reason));
      // Only a body read whole leaves the connection in sync after an error answer.
      assert.equal(kind.close, code !== 'ERR_BODY_INVALID_JSON');
      const error = new ServerError(code, 'detail');
      assert.ok(error instanceof HttpError);
      assert.equal(error.code, code);
      assert.equal(error.status, kind.status);
      assert.equal(error.closeConnection, kind.close);
      assert.equal(error.reason, kind.reason);
      assert.equal(error.message, `${kind.reason} (detail)`);
      assert.equal(new ServerError(code).message, kind.reason);
    });
  }
});

describe('what the response API throws at a handler', () => {
  const cases: ReadonlyArray<[name: string, misuse: (res: BriskResponse) => void, code: ServerErrorCode]> = [
    ['setHeader after the head', (res) => { res.write('a'); res.setHeader('x', '1'); }, 'ERR_HEADERS_SENT'],
    ['writeHead after the head', (res) => { res.write('a'); res.writeHead(200); }, 'ERR_HEADERS_SENT'],
    ['write after end', (res) => { res.end('a'); res.write('b'); }, 'ERR_WRITE_AFTER_END'],
    ['writeHead(103)', (res) => { res.writeHead(103); }, 'ERR_INVALID_STATUS'],
    ['status 99 then end', (res) => { res.status = 99; res.end(); }, 'ERR_INVALID_STATUS'],
    ['an invalid Content-Length', (res) => { res.setHeader('Content-Length', '-1'); }, 'ERR_INVALID_CONTENT_LENGTH'],
    ['end(body) longer than the declared length', (res) => { res.setHeader('Content-Length', '2'); res.end('abc'); }, 'ERR_CONTENT_LENGTH_MISMATCH'],
    ['write past the declared length', (res) => { res.setHeader('Content-Length', '2'); res.write('abc'); }, 'ERR_CONTENT_LENGTH_MISMATCH'],
    ['end short of the declared length', (res) => { res.setHeader('Content-Length', '5'); res.write('abc'); res.end(); }, 'ERR_CONTENT_LENGTH_MISMATCH'],
  ];
  for (const [name, misuse, code] of cases) {
    it(`${name}: ${code}`, { timeout: 10_000 }, async () => {
      let thrown: unknown;
      const s = await startServer((_req, res) => {
        try {
          misuse(res);
        } catch (error) {
          thrown = error;
        }
        if (!res.headersSent) res.end('ok');
        else if (!res.finished) res.end();
      }, { logLevel: 'silent' });
      try {
        await withClient(s.port, async (client) => {
          await client.write(request(['GET / HTTP/1.1', 'Host: a', 'Connection: close']));
          await client.readUntilClose();
        });
      } finally {
        await s.close();
      }
      assert.ok(thrown instanceof ServerError, String(thrown));
      assert.equal(thrown.code, code);
    });
  }
});

describe('server errors in the metrics', () => {
  it('brisk_server_errors_total counts each by its code; a handler\'s own HttpError is not one', { timeout: 10_000 }, async () => {
    const s = await startServer(
      (req, res) => {
        if (req.path === '/throw') throw new Error('boom');
        if (req.path === '/misuse') {
          res.end('a');
          res.write('b');
        }
        if (req.path === '/teapot') throw new HttpError(418, 'short and stout');
        res.end('ok');
      },
      { logLevel: 'silent', metricsPath: '/metrics' } as never,
    );
    try {
      const ask = async (lines: string[]): Promise<number> =>
        withClient(s.port, async (client) => {
          await client.write(request([...lines, 'Host: a', 'Connection: close']));
          return (await client.readResponse()).status;
        });
      assert.equal(await ask(['GET /throw HTTP/1.1']), 500);
      assert.equal(await ask(['GET /throw HTTP/1.1']), 500);
      assert.equal(await ask(['GET /teapot HTTP/1.1']), 418);
      assert.equal(await ask(['GET /misuse HTTP/1.1']), 200);
      assert.equal(await ask(['POST /x HTTP/1.1', 'Expect: 100-wait', 'Content-Length: 1']), 417);
      const text = await withClient(s.port, async (client) => {
        await client.write(request(['GET /metrics HTTP/1.1', 'Host: a', 'Connection: close']));
        return (await client.readResponse()).body.toString();
      });
      const errors = text.split('\n').filter((l) => l.startsWith('brisk_server_errors_total{')).sort();
      assert.deepEqual(errors, [
        'brisk_server_errors_total{code="ERR_EXPECTATION"} 1',
        'brisk_server_errors_total{code="ERR_HANDLER"} 2',
        'brisk_server_errors_total{code="ERR_WRITE_AFTER_END"} 1',
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('a handler that fails after end()', () => {
  for (const style of ['sync', 'async'] as const) {
    it(`${style}: its complete response reaches the client and the connection carries the next request`, { timeout: 10_000 }, async () => {
      const s = await startServer(
        style === 'sync'
          ? (req, res) => {
              res.end(req.path);
              if (req.path === '/first') throw new Error('after the answer');
            }
          : async (req, res) => {
              res.end(req.path);
              await Promise.resolve();
              if (req.path === '/first') throw new Error('after the answer');
            },
        { logLevel: 'silent' },
      );
      try {
        await withClient(s.port, async (client) => {
          await client.write(Buffer.concat([request(['GET /first HTTP/1.1', 'Host: a']), request(['GET /second HTTP/1.1', 'Host: a'])]));
          const [first, second] = await client.readResponses(2);
          assert.equal(first!.body.toString(), '/first');
          assert.equal(second!.body.toString(), '/second');
        });
      } finally {
        await s.close();
      }
    });
  }
});
