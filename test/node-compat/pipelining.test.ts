// Pipelined requests to Express and Koa apps on brisk: answered in order, each byte for byte as
// node:http answers it, and written together — brisk joins the answers parsed from one read into
// one socket write, as for its native handlers, whether the app ends with a string or (Express's
// res.send, which hashes the body for its ETag) a Buffer. Also the objects Express re-parents:
// brisk makes req and res with Express's prototypes already (prototypes.ts), which must not show.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import express from 'express';
import Koa from 'koa';
import { objectKindsOf } from '../../src/node-compat/prototypes.js';
import { RawClient } from '../helpers/raw-client.js';
import { countTransportWrites } from '../helpers/transport-writes.js';
import { comparable, requestBytes, startBoth, type Pair, type RawRequest } from './compare.js';

const BINARY = Buffer.from([0x00, 0x7f, 0x80, 0xc3, 0xa9, 0xff, 0x0a]);

function expressApp(): express.Express {
  const app = express();
  const sub = express();
  app.get('/ascii/:n', (req, res) => res.send(`answer ${req.params.n}`));
  app.get('/utf8', (_req, res) => res.type('text/plain').send('héllo ✓ wörld'));
  app.get('/json', (_req, res) => res.json({ name: 'Zoë', emoji: '🎉', n: 1 }));
  app.get('/binary', (_req, res) => res.type('application/octet-stream').send(BINARY));
  app.get('/large', (_req, res) => res.type('text/plain').send('x'.repeat(40_000)));
  app.get('/socket', (req, res) => {
    const s = req.socket;
    res.json({
      address: s.remoteAddress, family: s.remoteFamily, encrypted: (s as { encrypted?: boolean }).encrypted ?? null,
      port: s.remotePort === Number(req.get('x-client-port')), same: res.socket === s && req.connection === s,
    });
  });
  app.get('/end-string', (_req, res) => res.end('plain end'));
  app.get('/objects', (req, res) => {
    res.json({
      req: Object.getPrototypeOf(req) === app.request,
      res: Object.getPrototypeOf(res) === app.response,
      incoming: req instanceof http.IncomingMessage,
      outgoing: res instanceof http.ServerResponse,
    });
  });
  sub.get('/objects', (req, res, next) => {
    res.locals.inSub = Object.getPrototypeOf(req) === sub.request && Object.getPrototypeOf(res) === sub.response;
    next();
  });
  app.use('/sub', sub);
  app.use('/sub', (req, res) => {
    res.json({ inSub: res.locals.inSub, restored: Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response });
  });
  return app;
}

function koaApp(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    await Promise.resolve();
    if (ctx.path === '/buffer') ctx.body = BINARY;
    else if (ctx.path === '/utf8') ctx.body = 'grüße ✓';
    else ctx.body = `koa ${ctx.path}`;
  });
  return app;
}

/** All of `requests` in one write to each server; the answers compared one by one; brisk's write count. */
async function pipelineBoth(pair: Pair, requests: readonly RawRequest[]): Promise<number> {
  const bytes = Buffer.concat(requests.map(requestBytes));
  const methods = requests.map((r) => r.method ?? 'GET');
  const nodeClient = await RawClient.connect(pair.nodePort);
  const briskClient = await RawClient.connect(pair.briskPort);
  try {
    await nodeClient.write(bytes);
    const fromNode = await readAll(nodeClient, methods);
    const { result: fromBrisk, writes } = await countTransportWrites(async () => {
      await briskClient.write(bytes);
      return readAll(briskClient, methods);
    });
    fromBrisk.forEach((response, i) => {
      const what = `${methods[i]} ${requests[i]!.target} (#${i})`;
      assert.deepEqual(comparable(response), comparable(fromNode[i]!), `${what}: brisk's answer differs from node:http's`);
      assert.ok(response.body.equals(fromNode[i]!.body), `${what}: bodies differ`);
    });
    assert.equal(briskClient.pending.length, 0, 'no bytes beyond the answers');
    return writes;
  } finally {
    nodeClient.destroy();
    briskClient.destroy();
  }
}

async function readAll(client: RawClient, methods: readonly string[]) {
  const out = [];
  for (const method of methods) out.push(await client.readResponse({ method }));
  return out;
}

describe('pipelined requests to node:http apps on brisk', () => {
  test('Express: 16 res.send answers (Buffers) in order, as node:http sends them, in a few writes', async () => {
    const pair = await startBoth(expressApp());
    try {
      const requests = Array.from({ length: 16 }, (_, i) => ({ target: `/ascii/${i}` }));
      const writes = await pipelineBoth(pair, requests);
      assert.ok(writes >= 1 && writes <= 4, `16 answers took ${writes} socket writes`);
    } finally {
      await pair.close();
    }
  });

  test('Express: non-ASCII, JSON, binary, large, HEAD and plain end() answers mixed in one pipeline, byte for byte', async () => {
    const pair = await startBoth(expressApp());
    try {
      const targets = ['/utf8', '/ascii/1', '/json', '/binary', '/large', '/end-string', '/utf8', '/ascii/2'];
      const requests: RawRequest[] = targets.map((target) => ({ target }));
      requests.push({ method: 'HEAD', target: '/json' }, { target: '/ascii/3' });
      await pipelineBoth(pair, requests);
    } finally {
      await pair.close();
    }
  });

  test('Koa (async middleware): 16 answers in order, as node:http sends them, in a few writes', async () => {
    const pair = await startBoth(koaApp().callback());
    try {
      const requests = Array.from({ length: 16 }, (_, i) => ({ target: i % 5 === 1 ? '/buffer' : i % 5 === 2 ? '/utf8' : `/k${i}` }));
      const writes = await pipelineBoth(pair, requests);
      // The binary and non-ASCII answers are Buffers written on their own; the rest join.
      assert.ok(writes <= 10, `16 answers took ${writes} socket writes`);
    } finally {
      await pair.close();
    }
  });

  test("Express's prototypes: req and res are its objects inside the app, a mounted app's inside it, as on node:http", async () => {
    const pair = await startBoth(expressApp());
    try {
      const requests = [{ target: '/objects' }, { target: '/sub/objects' }, { target: '/objects' }];
      await pipelineBoth(pair, requests);
      const client = await RawClient.connect(pair.briskPort);
      try {
        await client.write(requestBytes({ target: '/objects' }));
        const body = JSON.parse((await client.readResponse()).body.toString()) as Record<string, boolean>;
        assert.deepEqual(body, { req: true, res: true, incoming: true, outgoing: true });
        await client.write(requestBytes({ target: '/sub/objects' }));
        assert.deepEqual(JSON.parse((await client.readResponse()).body.toString()), { inSub: true, restored: true });
      } finally {
        client.destroy();
      }
    } finally {
      await pair.close();
    }
  });

  test("req.socket's remoteAddress, remoteFamily, remotePort and encrypted, as on node:http", async () => {
    const pair = await startBoth(expressApp());
    try {
      const answers = [];
      for (const port of [pair.nodePort, pair.briskPort]) {
        const client = await RawClient.connect(port);
        try {
          await client.write(requestBytes({ target: '/socket', headers: [['X-Client-Port', String(client.socket.localPort)]] }));
          answers.push(JSON.parse((await client.readResponse()).body.toString()) as unknown);
        } finally {
          client.destroy();
        }
      }
      assert.deepEqual(answers[1], answers[0]);
      assert.deepEqual(answers[1], { address: '127.0.0.1', family: 'IPv4', encrypted: null, port: true, same: true });
    } finally {
      await pair.close();
    }
  });

  test('objectKindsOf: Express prototypes when they inherit from node’s, else plain node objects', () => {
    const app = express();
    const kinds = objectKindsOf(app);
    const v8 = Number(process.versions.v8.split('.')[0]);
    if (v8 >= 12) {
      assert.equal(kinds.req?.prototype, app.request);
      assert.equal(kinds.res?.prototype, app.response);
    } else {
      assert.deepEqual(kinds, { req: null, res: null });
    }
    const plain = { req: null, res: null };
    assert.deepEqual(objectKindsOf(new Koa().callback()), plain);
    const fake = Object.assign(() => {}, { request: {}, response: Object.create(null) });
    assert.deepEqual(objectKindsOf(fake), plain);
    assert.deepEqual(objectKindsOf(null), plain);
  });
});
