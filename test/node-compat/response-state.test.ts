// The response state an app can observe, on node:http and on brisk: headersSent, statusMessage,
// node's own ERR_HTTP_HEADERS_SENT from setHeader / appendHeader / removeHeader / writeHead once
// the head is out (brisk no longer lets node serialise its head, so the layer keeps this state
// itself), wrappers over res.writeHead (on-headers: compression, express-session), res 'close'
// exactly once, and an async app that destroys its socket. Each observation is made by the same
// listener on both servers and compared.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as turn } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { assertSame, send, startBoth, type Pair } from './compare.js';

type Log = unknown[];
const logs = new Map<string, Log>();
const waiters = new Map<string, () => void>();

function done(key: string, log: Log): void {
  logs.set(key, log);
  waiters.get(key)?.();
}

/** What a call did: 'ok', or the error as node made it (code, message, class, string form). */
function attempt(f: () => unknown): unknown {
  try {
    f();
    return 'ok';
  } catch (error) {
    const e = error as Error & { code?: string };
    return [e.code, e.message, e.name, String(e), e instanceof TypeError, e instanceof RangeError];
  }
}

function attemptAll(res: ServerResponse): unknown[] {
  return [
    attempt(() => res.setHeader('X-Late', '1')),
    attempt(() => res.appendHeader('X-Late', '2')),
    attempt(() => res.removeHeader('X-A')),
    attempt(() => res.removeHeader(1 as unknown as string)),
    attempt(() => res.writeHead(201)),
    res.getHeader('X-A'),
    res.hasHeader('x-late'),
  ];
}

const cases: Record<string, (req: IncomingMessage, res: ServerResponse, log: Log) => void | Promise<void>> = {
  '/after-end': (_req, res, log) => {
    log.push(res.headersSent, res.statusMessage ?? null);
    res.setHeader('X-A', '1');
    res.end('done');
    log.push(res.headersSent, res.statusMessage, res.writableEnded, ...attemptAll(res));
  },
  '/after-flush': (_req, res, log) => {
    res.setHeader('X-A', '1');
    res.flushHeaders();
    log.push(res.headersSent, res.statusMessage, ...attemptAll(res));
    res.end('done');
  },
  '/after-write': (_req, res, log) => {
    res.statusCode = 404;
    res.setHeader('X-A', '1');
    res.write('part');
    log.push(res.headersSent, res.statusCode, res.statusMessage, ...attemptAll(res));
    res.end();
  },
  '/explicit-head': (_req, res, log) => {
    res.writeHead(299);
    log.push(res.headersSent, res.statusCode, res.statusMessage, ...attemptAll(res));
    res.end('x');
  },
  '/reason': (_req, res, log) => {
    res.writeHead(202, 'Fine');
    log.push(res.headersSent, res.statusMessage, ...attemptAll(res));
    res.end('x');
  },
  '/merged': (_req, res, log) => {
    res.setHeader('X-B', '0');
    res.writeHead(202, { 'X-A': '1' });
    log.push(res.headersSent, res.statusMessage, ...attemptAll(res));
    res.end('x');
  },
  '/bad-status': (_req, res, log) => {
    log.push(attempt(() => res.writeHead(1000)), attempt(() => res.writeHead(99)), res.headersSent);
    res.statusMessage = 'bad\nmessage';
    log.push(attempt(() => res.writeHead(200)), res.headersSent);
    res.statusMessage = 'Fine';
    res.writeHead(200);
    log.push(res.headersSent, res.statusMessage);
    res.end('x');
  },
  '/string-status': (_req, res, log) => {
    res.writeHead('203' as unknown as number);
    log.push(res.statusCode, res.statusMessage, res.headersSent);
    res.end('x');
  },
  '/wrapped': (_req, res, log) => {
    // What on-headers does: the listener runs when the head is made, with fields still open.
    const original = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      log.push('wrapper', this.headersSent, args);
      this.setHeader('X-Wrapped', 'yes');
      this.statusCode = 201;
      return (original as (...a: unknown[]) => ServerResponse).apply(this, [this.statusCode, ...args.slice(1)]);
    } as ServerResponse['writeHead'];
    res.setHeader('Content-Type', 'text/plain');
    res.end('wrapped body');
    log.push(res.headersSent, res.statusCode);
  },
  '/close-once': async (req, res, log) => {
    let closes = 0;
    res.on('close', () => closes++);
    res.end('bye');
    await new Promise((resolve) => res.once('finish', resolve));
    await turn();
    req.socket.destroy();
    await turn();
    await turn();
    log.push(closes, res.destroyed);
  },
};

async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const key = `${String(req.headers['x-server'])} ${req.url}`;
  const log: Log = [];
  const run = cases[req.url ?? ''];
  if (run === undefined) {
    res.statusCode = 404;
    res.end();
    return;
  }
  await run(req, res, log);
  done(key, log);
}

async function observe(pair: Pair, target: string): Promise<{ node: Log; brisk: Log }> {
  const out: Record<string, Log> = {};
  for (const [server, port] of [['node', pair.nodePort], ['brisk', pair.briskPort]] as const) {
    const key = `${server} ${target}`;
    logs.delete(key);
    const seen = new Promise<void>((resolve) => waiters.set(key, resolve));
    await send(port, { target, headers: [['X-Server', server]] }).catch(() => undefined);
    await seen;
    out[server] = logs.get(key)!;
  }
  return { node: out.node!, brisk: out.brisk! };
}

describe('node-compat: response state as node:http keeps it', () => {
  let pair: Pair;
  before(async () => {
    pair = await startBoth(listener);
  });
  after(async () => {
    await pair.close();
  });

  for (const target of Object.keys(cases)) {
    test(`${target}: what the app sees matches node:http`, async () => {
      const { node, brisk } = await observe(pair, target);
      assert.deepEqual(brisk, node);
    });
  }

  test('/after-end: the head is sent, and late field calls throw ERR_HTTP_HEADERS_SENT', async () => {
    const { brisk } = await observe(pair, '/after-end');
    assert.equal(brisk[2], true);
    assert.deepEqual((brisk[5] as unknown[]).slice(0, 2), ['ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client']);
  });

  test('/wrapped: a writeHead wrapper runs once, before the head, and its fields are sent', async () => {
    const r = await assertSame(pair, { target: '/wrapped', headers: [['X-Server', 'x']] });
    assert.equal(r.status, 201);
    assert.ok(r.headers.some(([n, v]) => n === 'X-Wrapped' && v === 'yes'));
  });

  test('/explicit-head, /reason and /merged answer as node:http does', async () => {
    await assertSame(pair, { target: '/explicit-head', headers: [['X-Server', 'x']] }, '/explicit-head', { briskKnowsLength: true });
    await assertSame(pair, { target: '/reason', headers: [['X-Server', 'x']] }, '/reason', { briskKnowsLength: true });
    await assertSame(pair, { target: '/merged', headers: [['X-Server', 'x']] }, '/merged', { briskKnowsLength: true });
  });
});

describe('node-compat: an async app that gives up its socket', () => {
  test('destroying req.socket before answering, after a turn: 500 and the connection closes', async () => {
    const pair = await startBoth(async (req, res) => {
      await turn();
      req.socket.destroy();
      await turn();
      if (!res.writableEnded) res.end('too late');
    });
    try {
      const r = await send(pair.briskPort, { target: '/' });
      assert.equal(r.status, 500);
      assert.ok(r.headers.some(([n, v]) => n.toLowerCase() === 'connection' && v === 'close'));
    } finally {
      await pair.close();
    }
  });
});

describe('node-compat: Express wrapped in a function of the app', () => {
  // Nothing on the wrapper says Express will re-parent res onto app.response: the write side
  // must survive that (it is on each instance, not on a prototype).
  test('(req, res) => app(req, res): answers as on node:http', async () => {
    const app = express();
    app.get('/send', (_req, res) => res.set('X-A', '1').send('sent'));
    app.get('/json', (_req, res) => res.status(201).json({ ok: true }));
    app.get('/stream', (_req, res) => {
      res.write('a');
      setImmediate(() => res.end('b'));
    });
    const pair = await startBoth((req, res) => {
      res.setHeader('X-Wrapper', 'yes');
      app(req as express.Request, res as express.Response);
    });
    try {
      for (const target of ['/send', '/json', '/stream', '/missing']) await assertSame(pair, { target });
    } finally {
      await pair.close();
    }
  });
});
