// The request body's flow control against its deadlines (issue 12, defects 6 and 9): a pause the
// handler causes is never blamed on the client, an abandoned body is drained rather than queued,
// and a body nobody will read (an accepted Upgrade) never stalls without a deadline.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { RequestBody, type BodySource } from '../../src/server/body.js';
import type { UpgradeHandler } from '../../src/server/context.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 15_000 };

function recordingSource(): BodySource & { pauses: number; resumes: number } {
  return {
    pauses: 0,
    resumes: 0,
    pauseBody() { this.pauses++; },
    resumeBody() { this.resumes++; },
    bodyWanted() {},
  };
}

describe('RequestBody.return() (defect 9)', () => {
  it('stops queueing: 256 KiB pushed after return() never asks the socket to pause, and reads end', async () => {
    const source = recordingSource();
    const body = new RequestBody(source);
    body.push(Buffer.alloc(1000, 1));
    assert.equal((await body.next()).value.length, 1000);
    await body.return();
    for (let i = 0; i < 16; i++) body.push(Buffer.alloc(16 * 1024));
    assert.equal(source.pauses, 0, 'nothing is queued after return(), so nothing fills up');
    assert.equal(body.received, 1000, 'bytes after return() are not delivered (the exchange drains them)');
    assert.deepEqual(await body.next(), { value: undefined, done: true });
  });

  it('over a socket: a handler that breaks out after one chunk still answers; the rest is drained and the connection reused', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      if (req.method === 'POST') {
        for await (const _chunk of req.body) break;
        await sleep(200); // the rest of the body arrives meanwhile
      }
      res.end(`done ${req.target}`);
    }, { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      const body = Buffer.alloc(200 * 1024, 0x61);
      await client.write(Buffer.concat([request(['POST /up HTTP/1.1', 'Host: a', `Content-Length: ${body.length}`], body), request(['GET /next HTTP/1.1', 'Host: a'])]));
      const [first, second] = await client.readResponses(2);
      assert.equal(first!.body.toString(), 'done /up');
      assert.ok(first!.hasToken('connection', 'keep-alive'), first!.headText);
      assert.equal(second!.body.toString(), 'done /next');
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('over a socket: an abandoned body past maxDrainBytes stops being read; the answer says Connection: close', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      for await (const _chunk of req.body) break;
      await sleep(200);
      res.end('early');
    }, { logLevel: 'silent', maxDrainBytes: 16 * 1024 });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1000000'], Buffer.alloc(300 * 1024)));
      const response = await client.readResponse();
      assert.equal(response.body.toString(), 'early');
      assert.ok(response.hasToken('connection', 'close'), response.headText);
      assert.equal(await client.closesWithin(3_000), true);
    } finally {
      client.destroy();
      await s.close();
    }
  });
});

describe('a pause the body asked for ends with its exchange', () => {
  it('a body queued past 64 KiB and completed in one (pipelined) read, answered unread: the next request is still read', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      if (req.target === '/slow') await sleep(300); // the rest is held meanwhile, then parsed as one chunk
      if (req.method === 'POST') await sleep(50); // answered without reading its queued body
      res.end(`ok ${req.target}`);
    }, { logLevel: 'silent' });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(Buffer.concat([
        request(['GET /slow HTTP/1.1', 'Host: a']),
        request(['POST /up HTTP/1.1', 'Host: a', 'Content-Length: 100000'], Buffer.alloc(100_000)),
        request(['GET /c HTTP/1.1', 'Host: a']),
      ]));
      const [, up, c] = await client.readResponses(3);
      assert.equal(c!.body.toString(), 'ok /c');
      if (up!.hasToken('connection', 'close')) return; // the body arrived in pieces: answered as owed, closed
      await client.write(request(['GET /d HTTP/1.1', 'Host: a']));
      const d = await client.readResponse({ timeoutMs: 3_000 });
      assert.equal(d.body.toString(), 'ok /d', 'the socket is read again after the exchange that paused it');
    } finally {
      client.destroy();
      await s.close();
    }
  });
});

describe('body deadlines behind a handler pause (defect 6)', () => {
  it('a body sent at once and read slowly by the handler is not a client timeout', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      let length = 0;
      let reads = 0;
      for await (const chunk of req.body) {
        length += chunk.length;
        if (++reads <= 3) await sleep(500); // longer than bodyIdleTimeoutMs, three times
      }
      res.end(`got ${length}`);
    }, { logLevel: 'silent', bodyIdleTimeoutMs: 300, bodyMinBytesPerSecond: 0 });
    const client = await RawClient.connect(s.port);
    try {
      const body = Buffer.alloc(400 * 1024, 0x62);
      await client.write(request(['POST / HTTP/1.1', 'Host: a', `Content-Length: ${body.length}`], body));
      const response = await client.readResponse({ timeoutMs: 10_000 });
      assert.equal(response.status, 200, response.headText);
      assert.equal(response.body.toString(), `got ${body.length}`);
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('the deadline still runs once the handler reads again: a body that then stalls gets 408', TEST_TIMEOUT, async () => {
    const s = await startServer(async (req, res) => {
      for await (const _chunk of req.body) await sleep(400);
      res.end('complete');
    }, { logLevel: 'silent', bodyIdleTimeoutMs: 300, bodyMinBytesPerSecond: 0 });
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1000000'], Buffer.alloc(200 * 1024)));
      const raw = await client.readUntilClose(8_000);
      assert.match(raw.toString('latin1'), /^HTTP\/1\.1 408 /);
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('an accepted Upgrade request with a body over 64 KiB is handed over, not stalled', TEST_TIMEOUT, async () => {
    let upgraded = 0;
    const onUpgrade: UpgradeHandler = (_req, socket) => {
      upgraded++;
      socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: x-test\r\n\r\n');
    };
    const s = await startServer((_req, res) => res.end('plain'), { logLevel: 'silent', bodyIdleTimeoutMs: 5_000, maxDrainBytes: 2 * 1024 * 1024, onUpgrade } as never);
    const client = await RawClient.connect(s.port);
    try {
      const body = Buffer.alloc(1024 * 1024, 0x63);
      const started = performance.now();
      await client.write(request(['POST /up HTTP/1.1', 'Host: a', 'Connection: upgrade', 'Upgrade: x-test', `Content-Length: ${body.length}`], body));
      await client.waitFor('101 Switching Protocols', 3_000);
      assert.equal(upgraded, 1);
      assert.ok(performance.now() - started < 2_000, 'handed over as soon as the body was in');
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('an accepted Upgrade request whose body exceeds maxDrainBytes gets 413 and close', TEST_TIMEOUT, async () => {
    let upgraded = 0;
    const onUpgrade: UpgradeHandler = (_req, socket) => {
      upgraded++;
      socket.destroy();
    };
    const s = await startServer((_req, res) => res.end('plain'), { logLevel: 'silent', maxDrainBytes: 32 * 1024, onUpgrade } as never);
    const client = await RawClient.connect(s.port);
    try {
      await client.write(request(['POST /up HTTP/1.1', 'Host: a', 'Connection: upgrade', 'Upgrade: x-test', 'Content-Length: 1000000'], Buffer.alloc(100 * 1024)));
      const raw = await client.readUntilClose(3_000);
      assert.match(raw.toString('latin1'), /^HTTP\/1\.1 413 /);
      assert.equal(upgraded, 0);
    } finally {
      client.destroy();
      await s.close();
    }
  });
});
