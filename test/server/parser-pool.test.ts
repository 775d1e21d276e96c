// Parsers are lent to connections while they parse and pooled between requests (parser-pool.ts).
// A pooled parser must come back clean, report to its new connection only, and never be shared
// by two connections at once: heads split across reads on interleaved connections stay apart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveParserLimits, type HeadInfo, type ParserHandler } from '../../src/parser/index.js';
import { ParserPool } from '../../src/server/parser-pool.js';
import { RawClient } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Records the targets it is told about. */
function recorder(): ParserHandler & { targets: string[]; completed: number } {
  return {
    targets: [],
    completed: 0,
    onMessageBegin() {},
    onUrl() {},
    onHeadersComplete(info: HeadInfo) {
      this.targets.push(info.target);
    },
    onBody() {},
    onTrailers() {},
    onMessageComplete() {
      this.completed++;
    },
  };
}

const GET = (target: string): Buffer => Buffer.from(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`, 'latin1');

describe('ParserPool', () => {
  const limits = resolveParserLimits({});

  it('lends a released parser again, reset and reporting to the new handler only', () => {
    const pool = new ParserPool(limits);
    const first = recorder();
    const parser = pool.acquire(first);
    // Leave it mid-head: a pooled parser must not carry this into its next life.
    parser.execute(Buffer.from('GET /half HTTP/1.1\r\nHo', 'latin1'));
    pool.release(parser);
    assert.equal(pool.size, 1);
    const second = recorder();
    const again = pool.acquire(second);
    assert.equal(again, parser, 'the pooled parser is reused');
    assert.equal(pool.size, 0);
    again.execute(GET('/next'));
    assert.deepEqual(second.targets, ['/next']);
    assert.deepEqual(first.targets, [], 'the first handler hears nothing more');
    assert.equal(again.bytesConsumed, GET('/next').length, 'byte accounting starts again');
  });

  it('keeps at most `capacity` parsers', () => {
    const pool = new ParserPool(limits, 2);
    const parsers = [pool.acquire(recorder()), pool.acquire(recorder()), pool.acquire(recorder())];
    assert.equal(new Set(parsers).size, 3, 'an empty pool makes new parsers');
    for (const p of parsers) pool.release(p);
    assert.equal(pool.size, 2);
  });
});

describe('pooled parsers on real connections', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${req.target} ${req.headers.get('x-conn') ?? '-'}`);
    });
  });
  after(() => srv.close());

  it('heads split across reads on interleaved connections stay with their connection', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => RawClient.connect(srv.port)));
    try {
      for (let round = 0; round < 3; round++) {
        const heads = clients.map((_, i) => `GET /r${round}/c${i} HTTP/1.1\r\nHost: a\r\nX-Conn: ${i}\r\n\r\n`);
        // Every connection sends the first part of its head, then every connection the rest:
        // each holds a parser mid-head while the others parse.
        for (let i = 0; i < clients.length; i++) await clients[i].write(heads[i].slice(0, 5 + i * 3));
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (let i = clients.length - 1; i >= 0; i--) await clients[i].write(heads[i].slice(5 + i * 3));
        const answers = await Promise.all(clients.map((c) => c.readResponse()));
        answers.forEach((answer, i) => {
          assert.equal(answer.status, 200);
          assert.equal(answer.body.toString('latin1'), `/r${round}/c${i} ${i}`);
        });
      }
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('idle keep-alive connections give their parser back', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(srv.port)));
    try {
      await Promise.all(clients.map((c) => c.write(GET('/idle'))));
      await Promise.all(clients.map((c) => c.readResponse()));
      // All 20 are open and idle: the parsers they used are back in the pool, not held by them.
      // The pool is the server's private business (its Connections): reached around the type here.
      const pool = (srv.server as unknown as { connections: { parsers: ParserPool } }).connections.parsers;
      assert.equal(srv.server.connectionCount, 20);
      assert.ok(pool.size >= 1, `pooled parsers: ${pool.size}`);
      // And the connections still work after their parser went back.
      await Promise.all(clients.map((c) => c.write(GET('/again'))));
      for (const answer of await Promise.all(clients.map((c) => c.readResponse()))) {
        assert.equal(answer.body.toString('latin1'), '/again -');
      }
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});
