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
