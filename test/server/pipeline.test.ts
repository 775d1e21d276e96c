// Pipelining and persistence (RFC 9112 §9.3.2): requests that arrive together are answered in
// order; a request split anywhere is the same request; after a malformed request nothing more
// runs; one connection carries thousands of requests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Handler } from '../../src/index.js';
import { countTransportWrites } from '../helpers/transport-writes.js';
import { request, withClient } from '../helpers/raw-client.js';
import { startDemo, startServer, type DemoEcho, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 20_000 };

let demo: TestServer;
before(async () => {
  demo = await startDemo();
});
after(async () => {
  await demo.close();
});

/** A handler that records each request's target and answers with it. */
function recordingHandler(): { handler: Handler; seen: string[] } {
  const seen: string[] = [];
  const handler: Handler = async (req, res) => {
    seen.push(req.target);
    for await (const _ of req.body); // consume any body
    res.setHeader('Content-Type', 'text/plain');
    res.end(req.target);
  };
  return { handler, seen };
}

describe('pipelining', () => {
  it('answers 100 requests sent in one write, in order', TEST_TIMEOUT, async () => {
    const requests = Array.from({ length: 100 }, (_, i) => {
      const body = i % 3 === 0 ? `body-${i}` : '';
      const method = body ? 'POST' : 'GET';
      const lines = [`${method} /echo?i=${i} HTTP/1.1`, 'Host: a', `X-Index: ${i}`];
      if (body) lines.push(`Content-Length: ${body.length}`);
      return request(lines, body);
    });
    await withClient(demo.port, async (client) => {
      await client.write(Buffer.concat(requests));
      const responses = await client.readResponses(100, { timeoutMs: 10_000 });
      responses.forEach((response, i) => {
        assert.equal(response.status, 200, `response ${i}`);
        const echo = JSON.parse(response.body.toString()) as DemoEcho;
        assert.equal(echo.target, `/echo?i=${i}`);
        assert.deepEqual(echo.headers[1], ['X-Index', String(i)]);
        assert.equal(echo.bodyLength, i % 3 === 0 ? `body-${i}`.length : 0);
      });
      assert.equal(client.pending.length, 0, 'no bytes beyond the 100 responses');
      assert.equal(client.isEnded, false, 'the connection is still open');
    });
  });

  it('joins the answers of an async handler to pipelined requests into a few writes, in order', TEST_TIMEOUT, async () => {
    // Each answer is made in a promise job, after the read that carried the request; they are
    // still written together rather than one socket write each.
    const srv = await startServer(async (req, res) => {
      await Promise.resolve();
      res.setHeader('Content-Type', 'text/plain');
      res.end(req.target);
    });
    // Counted at the Transport (what Output calls), so that it holds on every transport; the
    // server has this one connection.
    let serverWrites = 0;
    try {
      ({ writes: serverWrites } = await countTransportWrites(() =>
        withClient(srv.port, async (client) => {
          const requests = Array.from({ length: 16 }, (_, i) => request([`GET /p${i} HTTP/1.1`, 'Host: a']));
          await client.write(Buffer.concat(requests));
          const responses = await client.readResponses(16);
          responses.forEach((response, i) => assert.equal(response.body.toString(), `/p${i}`));
        }),
      ));
    } finally {
      await srv.close();
    }
    assert.ok(serverWrites >= 1 && serverWrites <= 4, `16 answers took ${serverWrites} socket writes`);
  });

  it('answers 200 pipelined requests in order with maxPipelinedRequests: 4', TEST_TIMEOUT, async () => {
    const { handler, seen } = recordingHandler();
    const server = await startServer(handler, { maxPipelinedRequests: 4 });
    try {
      await withClient(server.port, async (client) => {
        const targets = Array.from({ length: 200 }, (_, i) => `/r${i}`);
        await client.write(Buffer.concat(targets.map((t) => request([`GET ${t} HTTP/1.1`, 'Host: a']))));
        const responses = await client.readResponses(200, { timeoutMs: 10_000 });
        assert.deepEqual(
          responses.map((r) => r.body.toString()),
          targets,
        );
        assert.deepEqual(seen, targets);
      });
    } finally {
      await server.close();
    }
  });

  it('answers a request that arrives one byte at a time', TEST_TIMEOUT, async () => {
    const body = 'the body, one byte at a time';
    const bytes = request(
      ['POST /echo?slow=1 HTTP/1.1', 'Host: a', 'X-Slow: yes', `Content-Length: ${body.length}`],
      body,
    );
    await withClient(demo.port, async (client) => {
      await client.trickle(bytes, 1, 1);
      const response = await client.readResponse();
      assert.equal(response.status, 200);
      const echo = JSON.parse(response.body.toString()) as DemoEcho;
      assert.equal(echo.target, '/echo?slow=1');
      assert.deepEqual(echo.headers, [
        ['Host', 'a'],
        ['X-Slow', 'yes'],
        ['Content-Length', String(body.length)],
      ]);
      assert.equal(echo.bodySha256, createHash('sha256').update(body).digest('hex'));
    });
  });

  it('answers a chunked request that arrives one byte at a time, then the next request', TEST_TIMEOUT, async () => {
    const bytes = Buffer.concat([
      request(['POST /upload HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n'),
      request(['GET / HTTP/1.1', 'Host: a']),
    ]);
    await withClient(demo.port, async (client) => {
      await client.trickle(bytes, 1, 1);
      const [upload, page] = await client.readResponses(2);
      assert.deepEqual(JSON.parse(upload.body.toString()), {
        bodyLength: 5,
        bodySha256: createHash('sha256').update('abcde').digest('hex'),
      });
      assert.equal(page.status, 200);
      assert.equal(page.body.length, 37);
    });
  });
});

describe('a malformed request in the middle of a pipeline', () => {
  // badHead: the error is in the head, so the handler must not run for it at all; a body error
  // is found while the handler reads the body, so that handler has started.
  const malformed: [name: string, bytes: Buffer, status: number, badHead: boolean][] = [
    ['space in a field name', request(['GET /bad HTTP/1.1', 'Host: a', 'Bad Name: x']), 400, true],
    ['obs-fold', request(['GET /bad HTTP/1.1', 'Host: a', 'X-A: 1', ' folded']), 400, true],
    ['unknown method', request(['FOO /bad HTTP/1.1', 'Host: a']), 501, true],
    ['HTTP/2.0', request(['GET /bad HTTP/2.0', 'Host: a']), 505, true],
    ['Content-Length with Transfer-Encoding', request(['POST /bad HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), 400, true],
    ['bad chunk size', request(['POST /bad HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], 'zz\r\nabc\r\n0\r\n\r\n'), 400, false],
  ];
  for (const [name, bad, status, badHead] of malformed) {
    it(`${name}: earlier requests answered, then ${status} with Connection: close, then close; nothing after runs`, TEST_TIMEOUT, async () => {
      const { handler, seen } = recordingHandler();
      const server = await startServer(handler, { logLevel: 'silent' });
      try {
        await withClient(server.port, async (client) => {
          const good = (i: number): Buffer => request([`GET /good${i} HTTP/1.1`, 'Host: a']);
          await client.write(Buffer.concat([good(1), good(2), good(3), bad, good(4), good(5)]));
          const responses = await client.readResponses(4);
          assert.deepEqual(
            responses.slice(0, 3).map((r) => [r.status, r.body.toString()]),
            [
              [200, '/good1'],
              [200, '/good2'],
              [200, '/good3'],
            ],
          );
          const error = responses[3];
          assert.equal(error.status, status, error.headText);
          assert.ok(error.hasToken('connection', 'close'), `Connection: close on the error:\n${error.headText}`);
          const rest = await client.readUntilClose(3_000);
          assert.equal(rest.length, 0, `nothing after the error response: ${rest.toString('latin1')}`);
          await new Promise((r) => setTimeout(r, 50));
          const expected = badHead ? ['/good1', '/good2', '/good3'] : ['/good1', '/good2', '/good3', '/bad'];
          assert.deepEqual(seen, expected, 'the handler never ran for anything after the bad request');
        });
      } finally {
        await server.close();
      }
    });
  }
});

describe('persistence', () => {
  it('serves 10,000 sequential requests on one keep-alive connection', TEST_TIMEOUT, async () => {
    const remotePorts = new Set<number>();
    const server = await startServer((req, res) => {
      remotePorts.add(req.remotePort);
      res.end(req.path);
    });
    try {
      await withClient(server.port, async (client) => {
        for (let i = 0; i < 10_000; i++) {
          await client.write(`GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
          const response = await client.readResponse();
          if (response.status !== 200 || response.body.toString() !== `/${i}`) {
            assert.fail(`request ${i}: ${response.status} ${response.body.toString()}`);
          }
        }
        assert.equal(server.server.connectionCount, 1);
        assert.equal(remotePorts.size, 1, 'every request came over the same connection');
      });
    } finally {
      await server.close();
    }
  });
});
