// Early answers and the 2025 desync classes (issue 12; PortSwigger "HTTP/1.1 must die"): a
// response that goes out before the request's whole body was read either drains exactly the
// framed body (its remaining bytes already in hand) or says Connection: close and closes; body
// bytes are never parsed as a request, and 100 Continue is never sent for an answered request.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Handler } from '../../src/index.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 10_000 };
const NEXT = request(['GET /next HTTP/1.1', 'Host: a']);

async function withServer(handler: Handler, fn: (s: TestServer, seen: string[]) => Promise<void>): Promise<void> {
  const seen: string[] = [];
  const s = await startServer((req, res) => {
    seen.push(req.target);
    return handler(req, res);
  }, { logLevel: 'silent' });
  try {
    await fn(s, seen);
  } finally {
    await s.close();
  }
}

const early: Handler = (_req, res) => {
  res.status = 404;
  res.end('nope');
};

describe('an answer before the body', () => {
  it('body in hand (same read): drained exactly, keep-alive, the next request is served', TEST_TIMEOUT, async () => {
    await withServer(early, async (s, seen) => {
      const client = await RawClient.connect(s.port);
      try {
        await client.write(Buffer.concat([request(['POST /x HTTP/1.1', 'Host: a', `Content-Length: ${NEXT.length}`], NEXT), NEXT]));
        const [first, second] = await client.readResponses(2);
        assert.ok(first!.hasToken('connection', 'keep-alive'), first!.headText);
        assert.equal(second!.status, 404);
        assert.deepEqual(seen, ['/x', '/next'], 'the body was drained, never parsed as a request');
      } finally {
        client.destroy();
      }
    });
  });

  it('body owed (0.CL gadget): Connection: close, and what follows is never parsed as a request', TEST_TIMEOUT, async () => {
    await withServer(early, async (s, seen) => {
      const client = await RawClient.connect(s.port);
      try {
        // A front-end that never sends the body and reuses the connection for the next client.
        await client.write(request(['POST /x HTTP/1.1', 'Host: a', `Content-Length: ${NEXT.length + 5}`]));
        const response = await client.readResponse();
        assert.equal(response.status, 404);
        assert.ok(response.hasToken('connection', 'close'), `an early answer with the body still owed must close:\n${response.headText}`);
        await client.write(NEXT);
        await client.write(NEXT);
        assert.equal(await client.closesWithin(3_000), true);
        assert.equal(client.pending.length, 0, 'nothing answered after the early response');
        assert.deepEqual(seen, ['/x']);
      } finally {
        client.destroy();
      }
    });
  });

  it('an async answer while part of the body is still owed closes too', TEST_TIMEOUT, async () => {
    await withServer(async (_req, res) => {
      await sleep(50);
      res.end('later');
    }, async (s, seen) => {
      const client = await RawClient.connect(s.port);
      try {
        await client.write(request(['POST /x HTTP/1.1', 'Host: a', 'Content-Length: 100'], 'x'.repeat(10)));
        const response = await client.readResponse();
        assert.ok(response.hasToken('connection', 'close'), response.headText);
        assert.equal(await client.closesWithin(3_000), true);
        assert.deepEqual(seen, ['/x']);
      } finally {
        client.destroy();
      }
    });
  });

  it('a chunked body counts as owed until its last chunk: an early answer closes', TEST_TIMEOUT, async () => {
    await withServer(early, async (s) => {
      const client = await RawClient.connect(s.port);
      try {
        await client.write(request(['POST /x HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '5\r\nhello\r\n'));
        const response = await client.readResponse();
        assert.ok(response.hasToken('connection', 'close'), response.headText);
        assert.equal(await client.closesWithin(3_000), true);
      } finally {
        client.destroy();
      }
    });
  });

  it('no 100 Continue for a request already answered, even when the handler reads the body afterwards', TEST_TIMEOUT, async () => {
    await withServer(async (req, res) => {
      res.end('answered');
      await req.bytes().catch(() => undefined);
    }, async (s) => {
      const client = await RawClient.connect(s.port);
      try {
        await client.write(request(['POST /x HTTP/1.1', 'Host: a', 'Expect: 100-continue', 'Content-Length: 5']));
        const raw = (await client.readUntilClose(3_000)).toString('latin1');
        assert.ok(!raw.includes('100 Continue'), raw);
        assert.match(raw, /^HTTP\/1\.1 200 [^]*Connection: close/i);
      } finally {
        client.destroy();
      }
    });
  });
});
