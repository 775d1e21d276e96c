// Responses that must leave the connection in sync: no body where none is allowed (RFC 9110
// §6.4.1), 1xx interim responses (103 Early Hints, 100 Continue) only where allowed, and no
// bytes past a declared Content-Length. Each is checked with a request pipelined behind it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, withClient } from '../helpers/raw-client.js';
import { startDemo, startServer, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 10_000 };

let demo: TestServer;
before(async () => {
  demo = await startDemo();
});
after(async () => {
  await demo.close();
});

describe('responses that keep the connection in sync', () => {
  // After a response without a body the next response must start at the very next byte.
  const noBody: [name: string, status: number, method: string][] = [
    ['204 No Content (RFC 9110 §15.3.5)', 204, 'GET'],
    ['304 Not Modified (RFC 9110 §15.4.5)', 304, 'GET'],
    ['HEAD of a streamed response (RFC 9110 §9.3.2)', 200, 'HEAD'],
  ];
  for (const [name, status, method] of noBody) {
    it(`${name}: no body bytes, and the next pipelined response parses`, TEST_TIMEOUT, async () => {
      const s = await startServer((req, res) => {
        if (req.path === '/next') return res.end('next');
        res.status = status;
        res.write('this must never reach the client');
        res.end();
      });
      try {
        await withClient(s.port, async (client) => {
          await client.write(
            Buffer.concat([request([`${method} / HTTP/1.1`, 'Host: a']), request(['GET /next HTTP/1.1', 'Host: a'])]),
          );
          const first = await client.readResponse({ method });
          assert.equal(first.status, status);
          assert.equal(first.body.length, 0);
          if (status === 204) {
            assert.equal(first.header('content-length'), undefined, 'no Content-Length in a 204 (RFC 9110 §8.6)');
            assert.equal(first.header('transfer-encoding'), undefined, 'no Transfer-Encoding in a 204 (RFC 9112 §6.1)');
          }
          const next = await client.readResponse();
          assert.equal(next.body.toString(), 'next');
        });
      } finally {
        await s.close();
      }
    });
  }

  it('103 Early Hints reach an HTTP/1.1 client before the final response', TEST_TIMEOUT, async () => {
    const s = await startServer((_req, res) => {
      res.writeEarlyHints({ Link: '</style.css>; rel=preload; as=style' });
      res.end('final');
    });
    try {
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        const response = await client.readResponse();
        assert.deepEqual(
          response.interim.map((r) => [r.status, r.header('link')]),
          [[103, '</style.css>; rel=preload; as=style']],
        );
        assert.equal(response.body.toString(), 'final');
      });
      // RFC 9110 §15.2: a server must not send a 1xx response to an HTTP/1.0 client.
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.0']));
        const response = await client.readResponse();
        assert.equal(response.interim.length, 0);
        assert.equal(response.status, 200);
      });
    } finally {
      await s.close();
    }
  });

  it('Expect: 100-continue gets no 100 when the handler never reads the body', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      await client.write(request(['POST /nope HTTP/1.1', 'Host: a', 'Expect: 100-continue', 'Content-Length: 10']));
      const response = await client.readResponse();
      assert.equal(response.interim.length, 0, 'no 100 Continue for a body nobody reads');
      assert.equal(response.status, 404);
    });
  });

  it('Expect: 100-continue from an HTTP/1.0 client is ignored (RFC 9110 §10.1.1)', TEST_TIMEOUT, async () => {
    await withClient(demo.port, async (client) => {
      await client.write(request(['POST /upload HTTP/1.0', 'Expect: 100-continue', 'Content-Length: 3'], 'abc'));
      const response = await client.readResponse();
      assert.equal(response.interim.length, 0);
      assert.equal(JSON.parse(response.body.toString()).bodyLength, 3);
    });
  });

  it('writing past a declared Content-Length is refused', TEST_TIMEOUT, async () => {
    let thrown: unknown;
    const s = await startServer((_req, res) => {
      res.setHeader('Content-Length', 5);
      try {
        res.end('more than five bytes');
      } catch (error) {
        thrown = error;
        throw error; // the handler fails: a 500, or an abort if the head went out
      }
    });
    try {
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.1', 'Host: a']));
        const captured = await client.readUntilClose(3_000);
        assert.ok(thrown instanceof Error, 'end() with too many bytes throws');
        assert.ok(!captured.toString('latin1').includes('more than five'), 'the extra bytes are not sent');
        assert.doesNotMatch(captured.toString('latin1'), /^HTTP\/1\.1 200 /, 'no 200 claims a 5-byte body');
      });
    } finally {
      await s.close();
    }
  });
});
