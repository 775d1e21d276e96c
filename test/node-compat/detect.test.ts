// Which apps serve() and the CLI take as node:http apps, and node's headers object rebuilt from
// brisk's field lines (checked against node:http itself).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import Koa from 'koa';
import fc from 'fast-check';
import { nodeListenerOf, Router, serve, toBriskHandler } from '../../src/index.js';
import { nodeHeaders } from '../../src/node-compat/headers.js';
import { startCli } from '../helpers/cli-process.js';
import { RawClient } from '../helpers/raw-client.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('app detection', () => {
  test('Express and Connect-style apps (function with handle and use), Koa (callback), others not', () => {
    const app = express();
    assert.equal(nodeListenerOf(app), app);
    const connectLike = Object.assign((_req: unknown, _res: unknown) => {}, { handle() {}, use() {} });
    assert.equal(nodeListenerOf(connectLike), connectLike);
    const koa = new Koa();
    assert.equal(typeof nodeListenerOf(koa), 'function');
    assert.equal(nodeListenerOf((_req: unknown, _res: unknown) => {}), null, 'a plain function is a brisk Handler');
    assert.equal(nodeListenerOf({ fetch: () => new Response('') }), null);
    assert.equal(nodeListenerOf(new Router()), null);
    assert.throws(() => nodeListenerOf({ callback: () => 42 }), /did not return a request listener/);
  });

  test('toBriskHandler keeps a plain function as it is and wraps Express', () => {
    const fn = (): void => {};
    assert.equal(toBriskHandler(fn), fn);
    const app = express();
    const handler = toBriskHandler(app);
    assert.notEqual(handler as unknown, app);
    assert.equal(typeof handler, 'function');
  });

  test('serve(expressApp) and serve(koaApp) answer through the app', async () => {
    const app = express();
    app.get('/', (_req, res) => res.send('from express'));
    const koa = new Koa();
    koa.use((ctx) => {
      ctx.body = 'from koa';
    });
    for (const [candidate, text] of [[app, 'from express'], [koa, 'from koa']] as const) {
      const server = await serve(candidate, { host: '127.0.0.1', port: 0, logLevel: 'silent' });
      try {
        const port = (server.address() as { port: number }).port;
        const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
        assert.equal(await response.text(), text);
      } finally {
        await server.close({ timeoutMs: 500 });
      }
    }
  });
});

describe('the CLI detects node:http apps', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'brisk-compat-cli-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const modules = (): [string, string, string][] => {
    const expressUrl = pathToFileURL(join(REPO, 'node_modules/express/index.js')).href;
    const koaUrl = pathToFileURL(join(REPO, 'node_modules/koa/dist/koa.mjs')).href;
    return [
      ['express.mjs', `import express from '${expressUrl}';\nconst app = express();\napp.get('/p', (req, res) => res.send('express ' + req.path));\nexport default app;\n`, 'express /p'],
      ['koa.mjs', `import Koa from '${koaUrl}';\nconst app = new Koa();\napp.use((ctx) => { ctx.body = 'koa ' + ctx.path; });\nexport default app;\n`, 'koa /p'],
      ['listener.mjs', `export const listener = (req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end('listener ' + req.url); };\n`, 'listener /p'],
    ];
  };
  for (const index of [0, 1, 2]) {
    test(`module ${index}`, { timeout: 20_000 }, async () => {
      const [file, source, expected] = modules()[index];
      writeFileSync(join(tmp, file), source);
      const brisk = await startCli([file, '--port', '0'], {}, { cwd: tmp });
      try {
        const response = await fetch(`${brisk.origin}/p`, { signal: AbortSignal.timeout(5_000) });
        assert.equal(await response.text(), expected);
      } finally {
        await brisk.stop();
      }
    });
  }
});

describe("req.headers: node's joining rules", () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    server = http.createServer((req, res) => res.end(JSON.stringify({ headers: req.headers, raw: req.rawHeaders })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const NAMES = ['Host', 'user-agent', 'Content-Type', 'Authorization', 'ETag', 'Age', 'Referer', 'Set-Cookie', 'set-cookie', 'Cookie', 'COOKIE', 'Accept', 'accept', 'X-Custom', 'x-custom', 'Vary', 'Cache-Control', 'If-None-Match', 'Max-Forwards', 'Constructor', 'hasOwnProperty', 'Retry-After', 'From', 'Location', 'Server', 'Expires', 'Proxy-Authorization', 'Last-Modified', 'If-Modified-Since', 'If-Unmodified-Since'];
  const field = fc.tuple(fc.constantFrom(...NAMES), fc.stringMatching(/^[a-z0-9=;,/ ]{1,8}$/).map((s) => s.trim() || 'v'));

  test('equal to what node:http builds for the same field lines (fast-check, fixed seed)', async () => {
    const client = await RawClient.connect(port);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(field, { minLength: 0, maxLength: 12 }), async (fields) => {
          const lines = ['GET / HTTP/1.1', ...fields.map(([n, v]) => `${n}: ${v}`)];
          if (!fields.some(([n]) => n === 'Host')) lines.push('Host: h');
          await client.write(lines.join('\r\n') + '\r\n\r\n');
          const r = await client.readResponse();
          const { headers, raw } = JSON.parse(r.body.toString()) as { headers: unknown; raw: string[] };
          assert.deepEqual(nodeHeaders(raw), headers);
        }),
        { seed: 16, numRuns: 150 },
      );
    } finally {
      client.destroy();
    }
  });
});
