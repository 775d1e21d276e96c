// The server's head cache (src/server/head-cache.ts) must never hand back a head made from other
// inputs: a model test against building every head afresh, and responses over one connection
// whose inputs change one at a time (status, a field, its value, the length, framing, the
// connection fields, HTTP/1.0), each parsed and compared with what its handler set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HeadCache, type HeadKey } from '../../src/server/head-cache.js';
import { request, withClient } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';

/** Any deterministic function of the inputs serves as the model's "build a head". */
function build(key: HeadKey, fields: readonly string[]): string {
  return JSON.stringify([key.status, key.contentLength ?? null, key.chunked, key.connection, key.dateLine, fields]);
}

// Small pools, so that a run repeats inputs (hits) and changes one of them at a time (misses).
const fieldList = fc.array(
  fc.tuple(fc.constantFrom('content-type', 'x-a', 'date'), fc.constantFrom('text/html', 'text/plain', '1', '2')),
  { maxLength: 3 },
).map((pairs) => pairs.flatMap(([name, value]) => [name, name, value]));
const headInput = fc.record({
  status: fc.constantFrom(200, 404),
  contentLength: fc.constantFrom(undefined, 0, 37),
  chunked: fc.boolean(),
  connection: fc.constantFrom('Connection: close\r\n', 'Connection: keep-alive\r\n'),
  dateLine: fc.constantFrom('Date: one\r\n', 'Date: two\r\n'),
  fields: fieldList,
  // A handler changes its field list after the head was made from it: the cache kept a copy.
  mutateAfter: fc.boolean(),
});

describe('HeadCache', () => {
  it('gives back exactly the head a fresh build makes, over any sequence of responses', () => {
    let hits = 0;
    fc.assert(
      fc.property(fc.array(headInput, { minLength: 1, maxLength: 40 }), (inputs) => {
        const cache = new HeadCache();
        for (const input of inputs) {
          const fields = [...input.fields];
          const expected = build(input, fields);
          const cached = cache.get(input, fields);
          const head = cached !== '' ? cached : cache.set(input, fields, build(input, fields));
          assert.equal(head, expected);
          // Changed to a value of the pool, so that a later response can be made of the changed list.
          if (input.mutateAfter && fields.length > 0) fields[fields.length - 1] = fields[fields.length - 1] === '1' ? '2' : '1';
        }
        hits += cache.hits;
      }),
      { numRuns: 500, seed: 1402 },
    );
    assert.ok(hits > 0, 'the sequences repeat inputs, so some heads come from the cache');
  });

  it('keeps its own copy of the field list: a list changed after its head was made does not match it', () => {
    const cache = new HeadCache();
    const key: HeadKey = { status: 200, contentLength: 2, chunked: false, connection: 'C\r\n', dateLine: 'D\r\n' };
    const fields = ['x-a', 'X-A', '1'];
    cache.set(key, fields, build(key, fields));
    fields[2] = '2';
    assert.equal(cache.get(key, fields), '', 'a miss');
    assert.equal(cache.get(key, ['x-a', 'X-A', '1']), build(key, ['x-a', 'X-A', '1']), 'the original still hits');
  });

  it('joins a head and a body into the same string as last time only when both are the same', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('H1\r\n\r\n', 'H2\r\n\r\n'), fc.constantFrom('a', 'b', 'x'.repeat(5000))), { maxLength: 30 }),
        (pairs) => {
          const cache = new HeadCache();
          for (const [head, body] of pairs) assert.equal(cache.join(head, body), head + body);
        },
      ),
      { numRuns: 300, seed: 1403 },
    );
  });
});

describe('responses whose inputs change one at a time, on one connection', () => {
  // Each row: the query selects what the handler changes; expected status, fields and body.
  const rows: [query: string, status: number, fields: Record<string, string>, body: string][] = [
    ['base', 200, { 'content-type': 'text/plain', 'x-v': '1' }, 'hello'],
    ['base', 200, { 'content-type': 'text/plain', 'x-v': '1' }, 'hello'],
    ['status', 201, { 'content-type': 'text/plain', 'x-v': '1' }, 'hello'],
    ['value', 200, { 'content-type': 'text/plain', 'x-v': '2' }, 'hello'],
    ['name', 200, { 'content-type': 'text/plain', 'x-w': '1' }, 'hello'],
    ['extra', 200, { 'content-type': 'text/plain', 'x-v': '1', 'x-extra': 'e' }, 'hello'],
    ['length', 200, { 'content-type': 'text/plain', 'x-v': '1' }, 'hello, longer'],
    ['body', 200, { 'content-type': 'text/plain', 'x-v': '1' }, 'HELLO'],
    ['chunked', 200, { 'content-type': 'text/plain', 'x-v': '1', 'transfer-encoding': 'chunked' }, 'hello'],
    ['base', 200, { 'content-type': 'text/plain', 'x-v': '1' }, 'hello'],
  ];

  function handlerFor(query: string, res: import('../../src/index.js').BriskResponse): void {
    res.status = query === 'status' ? 201 : 200;
    res.setHeader('Content-Type', 'text/plain');
    if (query === 'name') res.setHeader('X-W', '1');
    else res.setHeader('X-V', query === 'value' ? '2' : '1');
    if (query === 'extra') res.setHeader('X-Extra', 'e');
    if (query === 'chunked') {
      res.write('hel');
      res.end('lo');
      return;
    }
    res.end(query === 'length' ? 'hello, longer' : query === 'body' ? 'HELLO' : 'hello');
  }

  for (const pipelined of [false, true]) {
    it(`each response is what its handler set (${pipelined ? 'pipelined' : 'one at a time'})`, { timeout: 10_000 }, async () => {
      const s = await startServer((req, res) => handlerFor(req.search, res));
      try {
        await withClient(s.port, async (client) => {
          const requests = rows.map(([query]) => request([`GET /?${query} HTTP/1.1`, 'Host: a']));
          if (pipelined) await client.write(Buffer.concat(requests));
          for (const [i, [query, status, fields, body]] of rows.entries()) {
            if (!pipelined) await client.write(requests[i]!);
            const r = await client.readResponse();
            assert.equal(r.status, status, query);
            assert.equal(r.body.toString(), body, query);
            for (const [name, value] of Object.entries(fields)) assert.equal(r.header(name), value, `${query}: ${name}`);
            for (const name of ['x-v', 'x-w', 'x-extra']) if (!(name in fields)) assert.equal(r.header(name), undefined, `${query}: no ${name}`);
            if (fields['transfer-encoding'] === undefined) assert.equal(r.header('content-length'), String(Buffer.byteLength(body)), query);
            else assert.equal(r.header('content-length'), undefined, query);
            assert.equal(r.header('connection'), 'keep-alive', query);
          }
        });
      } finally {
        await s.close();
      }
    });
  }

  it('keep-alive, close and HTTP/1.0 answers to the same handler each carry their own connection fields', { timeout: 10_000 }, async () => {
    const s = await startServer((_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end('same');
    });
    try {
      const cases: [lines: string[], connection: string][] = [
        [['GET / HTTP/1.1', 'Host: a'], 'keep-alive'],
        [['GET / HTTP/1.0', 'Connection: keep-alive'], 'keep-alive'],
        [['GET / HTTP/1.1', 'Host: a'], 'keep-alive'],
        [['GET / HTTP/1.1', 'Host: a', 'Connection: close'], 'close'],
      ];
      await withClient(s.port, async (client) => {
        for (const [lines, connection] of cases) {
          await client.write(request(lines));
          const r = await client.readResponse();
          assert.equal(r.body.toString(), 'same');
          assert.equal(r.header('connection'), connection, lines.join(' | '));
          assert.equal(r.header('keep-alive') !== undefined, connection === 'keep-alive', lines.join(' | '));
        }
      });
      // An HTTP/1.0 request without keep-alive, after the cache holds a keep-alive head.
      await withClient(s.port, async (client) => {
        await client.write(request(['GET / HTTP/1.0']));
        const r = await client.readResponse();
        assert.equal(r.header('connection'), 'close');
      });
    } finally {
      await s.close();
    }
  });
});
