// The response plan over real sockets: a 1xx is never a final status (issue 12 defect 7), and the
// Connection field is read as it stands when the head is sent (defect 8). Each case pipelines a
// second request behind the first, so a response that shifts the pipeline or closes the
// connection shows up as a missing or misplaced second answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerError, type Handler } from '../../src/index.js';
import { request, withClient } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';
import type { ParsedResponse } from '../helpers/http-response.js';

const TEST_TIMEOUT = { timeout: 10_000 };

/**
 * Serve `first` for /first and 'next' for /next; pipeline both. Returns the first response and
 * the second, or null when the connection closed after the first with nothing more on it.
 */
async function pipelined(first: Handler): Promise<[ParsedResponse, ParsedResponse | null]> {
  const s = await startServer((req, res) => {
    if (req.path === '/next') return res.end('next');
    return first(req, res);
  });
  try {
    return await withClient(s.port, async (client) => {
      await client.write(Buffer.concat([request(['GET /first HTTP/1.1', 'Host: a']), request(['GET /next HTTP/1.1', 'Host: a'])]));
      const a = await client.readResponse();
      if (a.hasToken('connection', 'close')) {
        const rest = await client.readUntilClose();
        assert.equal(rest.length, 0, `nothing after a closing response: ${rest.toString('latin1')}`);
        return [a, null];
      }
      return [a, await client.readResponse()];
    });
  } finally {
    await s.close();
  }
}

describe('a 1xx is never the final status (issue 12, defect 7)', () => {
  const cases: ReadonlyArray<[name: string, handler: Handler]> = [
    ['res.status = 103 then end()', (_req, res) => { res.status = 103; res.end('one'); }],
    ['res.status = 102 then write()', (_req, res) => { res.status = 102; res.write('one'); res.end(); }],
    ['res.status = 100 in an async handler', async (_req, res) => { await Promise.resolve(); res.status = 100; res.end(); }],
    ['res.status = 101 (only the upgrade path sends 101)', (_req, res) => { res.status = 101; res.end(); }],
    ['writeHead(102)', (_req, res) => { res.writeHead(102).end('one'); }],
    ['writeHead(103, headers)', (_req, res) => { res.writeHead(103, { link: '</a.css>; rel=preload' }).end(); }],
    ['writeHead(600)', (_req, res) => { res.writeHead(600).end(); }],
  ];
  for (const [name, handler] of cases) {
    it(`${name}: 500 for this request, never the next one's answer in its place`, TEST_TIMEOUT, async () => {
      const [first, second] = await pipelined(handler);
      assert.equal(first.interim.length, 0, `no interim response: ${first.headText}`);
      assert.equal(first.status, 500, first.headText);
      assert.notEqual(first.body.toString(), 'next');
      // A handler error closes the connection, as for any 500 before the head.
      assert.equal(second, null);
    });
  }

  it('writeHead(1xx) throws ERR_INVALID_STATUS at once, before anything is sent', TEST_TIMEOUT, async () => {
    let thrown: unknown;
    const [first, second] = await pipelined((_req, res) => {
      try {
        res.writeHead(103);
      } catch (error) {
        thrown = error;
      }
      res.end('after');
    });
    assert.ok(thrown instanceof ServerError && thrown.code === 'ERR_INVALID_STATUS', String(thrown));
    assert.equal(first.status, 200);
    assert.equal(first.body.toString(), 'after');
    assert.equal(second?.body.toString(), 'next');
  });

  it('writeEarlyHints still sends a 103 before the final response', TEST_TIMEOUT, async () => {
    const [first, second] = await pipelined((_req, res) => {
      res.writeEarlyHints({ link: '</a.css>; rel=preload' });
      res.end('one');
    });
    assert.deepEqual(first.interim.map((r) => r.status), [103]);
    assert.equal(first.status, 200);
    assert.equal(first.body.toString(), 'one');
    assert.equal(second?.body.toString(), 'next');
  });
});

describe('the Connection field as it is when the head is sent (issue 12, defect 8)', () => {
  const cases: ReadonlyArray<[name: string, handler: Handler, keep: boolean]> = [
    ['close then setHeader keep-alive', (_req, res) => { res.setHeader('Connection', 'close'); res.setHeader('Connection', 'keep-alive'); res.end('one'); }, true],
    ['close then removeHeader', (_req, res) => { res.setHeader('Connection', 'close'); res.removeHeader('connection'); res.end('one'); }, true],
    ['close in a writeHead list, then replaced', (_req, res) => { res.writeHead(200, { Connection: ['close'] }); res.setHeader('connection', 'Keep-Alive'); res.end('one'); }, true],
    ['keep-alive then setHeader close', (_req, res) => { res.setHeader('Connection', 'keep-alive'); res.setHeader('Connection', 'close'); res.end('one'); }, false],
    ['keep-alive then appendHeader close', (_req, res) => { res.setHeader('Connection', 'keep-alive'); res.appendHeader('Connection', 'close'); res.end('one'); }, false],
  ];
  for (const [name, handler, keep] of cases) {
    it(`${name}: ${keep ? 'kept' : 'closed'}`, TEST_TIMEOUT, async () => {
      const s = await startServer((req, res) => (req.path === '/next' ? res.end('next') : handler(req, res)));
      try {
        await withClient(s.port, async (client) => {
          await client.write(Buffer.concat([request(['GET /first HTTP/1.1', 'Host: a']), request(['GET /next HTTP/1.1', 'Host: a'])]));
          const first = await client.readResponse();
          assert.equal(first.body.toString(), 'one');
          assert.equal(first.hasToken('connection', 'close'), !keep, first.headText);
          if (keep) {
            assert.ok(first.hasToken('connection', 'keep-alive'), first.headText);
            const second = await client.readResponse();
            assert.equal(second.body.toString(), 'next');
          } else {
            assert.ok(await client.closesWithin(2_000), 'the connection closes');
          }
        });
      } finally {
        await s.close();
      }
    });
  }
});
