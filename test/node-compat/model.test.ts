// Model-based: random sequences of ServerResponse calls (setHeader, appendHeader, removeHeader,
// statusCode, writeHead, write, flushHeaders, end, with turns of the event loop between them),
// run by the same listener on node:http and on brisk; the answers must match (compare.ts), but
// for the documented framing differences (docs/node-compat.md): writeHead then end, where brisk
// knows the length; HEAD answered with end(body), where brisk announces it.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { assertSame, startBoth, type Pair } from './compare.js';

type Op =
  | ['set' | 'append', string, string]
  | ['setArray', string, string[]]
  | ['remove', string]
  | ['status', number]
  | ['writeHead', number, Record<string, string> | null]
  | ['write', string]
  | ['flush']
  | ['tick']
  | ['end', string | null];

const NAMES = ['X-A', 'x-a', 'X-B', 'Content-Type', 'Set-Cookie', 'Cache-Control', 'Vary'];
const STATUSES = [200, 201, 204, 304, 404, 500];
const value = fc.stringMatching(/^[a-z0-9=;/]{1,6}$/);
const name = fc.constantFrom(...NAMES);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(fc.constantFrom('set' as const, 'append' as const), name, value),
  fc.tuple(fc.constant('setArray' as const), name, fc.array(value, { minLength: 1, maxLength: 3 })),
  fc.tuple(fc.constant('remove' as const), name),
  fc.tuple(fc.constant('status' as const), fc.constantFrom(...STATUSES)),
  fc.tuple(fc.constant('writeHead' as const), fc.constantFrom(...STATUSES), fc.option(fc.dictionary(name, value, { maxKeys: 2 }), { nil: null })),
  fc.tuple(fc.constant('write' as const), fc.stringMatching(/^[a-z]{0,20}$/)),
  fc.tuple(fc.constant('flush' as const)),
  fc.tuple(fc.constant('tick' as const)),
  fc.tuple(fc.constant('end' as const), fc.option(fc.stringMatching(/^[a-z]{0,20}$/), { nil: null })),
);

function apply(res: ServerResponse, o: Op): void {
  try {
    switch (o[0]) {
      case 'set': res.setHeader(o[1], o[2]); break;
      case 'append': res.appendHeader(o[1], o[2]); break;
      case 'setArray': res.setHeader(o[1], o[2]); break;
      case 'remove': res.removeHeader(o[1]); break;
      case 'status': res.statusCode = o[1]; break;
      case 'writeHead': if (o[2] === null) res.writeHead(o[1]); else res.writeHead(o[1], o[2]); break;
      case 'write': res.write(o[1]); break;
      case 'flush': res.flushHeaders(); break;
      case 'end': if (o[1] === null) res.end(); else res.end(o[1]); break;
      case 'tick': break;
    }
  } catch {
    // node's header store throws the same way on both servers (headers already sent ...)
  }
}

async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ops = JSON.parse(Buffer.from((req.url ?? '/').slice(3), 'base64url').toString()) as Op[];
  for (const o of ops) {
    if (o[0] === 'tick') await new Promise((resolve) => setImmediate(resolve));
    else apply(res, o);
    if (res.writableEnded) return;
  }
  res.end();
}

/** writeHead succeeded before any write or flush, then end, on a GET whose status allows a body. */
function briskKnowsLength(ops: Op[], method: string): boolean {
  let status = 200;
  let explicitHead = false;
  for (const o of ops) {
    if (o[0] === 'status' && !explicitHead) status = o[1];
    if (o[0] === 'writeHead' && !explicitHead) {
      explicitHead = true;
      status = o[1];
    }
    if (o[0] === 'write' || o[0] === 'flush') return false;
    if (o[0] === 'end') break;
  }
  return explicitHead && method === 'GET' && status !== 204 && status !== 304;
}

/** HEAD, and end(body) came before any write or flush. */
function headAnnouncesLength(ops: Op[], method: string): boolean {
  if (method !== 'HEAD') return false;
  for (const o of ops) {
    if (o[0] === 'write' || o[0] === 'flush') return false;
    if (o[0] === 'end') return o[1] !== null;
  }
  return false;
}

describe('ServerResponse call sequences: brisk as node:http', () => {
  let pair: Pair;
  before(async () => {
    pair = await startBoth((req, res) => void listener(req, res));
  });
  after(() => pair.close());

  test('random sequences (fast-check, seed 1616)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), fc.constantFrom('GET', 'HEAD'), async (ops, method) => {
        const target = '/s/' + Buffer.from(JSON.stringify(ops)).toString('base64url');
        await assertSame(pair, { method, target }, JSON.stringify(ops), {
          briskKnowsLength: briskKnowsLength(ops, method),
          headAnnouncesLength: headAnnouncesLength(ops, method),
        });
      }),
      { seed: 1616, numRuns: 150 },
    );
    assert.ok(true);
  });
});
