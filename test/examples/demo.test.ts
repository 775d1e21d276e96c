// The full demo as `npm start` runs it (the CLI serving examples/demo/app.ts and passing its
// `upgrade` export as onUpgrade): /static/ from the bundled public/ folder or STATIC_DIR,
// /events, the /ws echo, and a SIGTERM that closes open WebSockets with 1001.
// (The core demo routes /, /echo, /upload, /stream, /big are covered by test/server/demo.test.ts.)
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startCli, type BriskProcess } from '../helpers/cli-process.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { deadline } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 30_000 };
/** examples/demo/public in the source tree (this file runs from dist/test/examples/). */
const PUBLIC_DIR = fileURLToPath(new URL('../../../examples/demo/public/', import.meta.url));

describe('the full demo through the CLI', () => {
  let brisk: BriskProcess;
  before(async () => {
    brisk = await startCli(['--port', '0']);
  });
  after(() => brisk.stop());

  it('serves the bundled public/ folder under /static/', TEST_TIMEOUT, async () => {
    const page = await fetch(`${brisk.origin}/static/index.html`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = await page.text();
    assert.match(html, /<h1>Hello from brisk<\/h1>/);
    assert.match(html, /href="style\.css"/);
    assert.match(html, /src="x\.png"/);

    const png = await fetch(`${brisk.origin}/static/x.png`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.ok(Buffer.from(await png.arrayBuffer()).equals(readFileSync(path.join(PUBLIC_DIR, 'x.png'))));

    const css = await fetch(`${brisk.origin}/static/style.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const etag = css.headers.get('etag') as string;
    await css.text();
    assert.equal((await fetch(`${brisk.origin}/static/style.css`, { headers: { 'if-none-match': etag } })).status, 304);

    const index = await fetch(`${brisk.origin}/static/`);
    assert.equal(index.status, 200);
    assert.equal(await index.text(), html);
  });

  it('never serves files outside public/', TEST_TIMEOUT, async () => {
    for (const target of ['/static/../app.js', '/static/%2e%2e/app.ts', '/static/..%2fapp.ts', '/static/%2e%2e%2f%2e%2e%2fpackage.json']) {
      const client = await RawClient.connect(brisk.port);
      try {
        await client.write(request([`GET ${target} HTTP/1.1`, 'Host: localhost']));
        const res = await client.readResponse();
        assert.ok(res.status >= 400 && res.status < 500, `${target} → ${res.status}`);
        assert.doesNotMatch(res.body.toString(), /import|"name"/, target);
      } finally {
        client.destroy();
      }
    }
  });

  it('/events sends ticks with ids, then "done"; a client that saw them all gets 204', TEST_TIMEOUT, async () => {
    const res = await fetch(`${brisk.origin}/events?n=2`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(await res.text(), 'retry: 2000\n\nid: 1\ndata: tick 1\n\nid: 2\ndata: tick 2\n\nevent: done\ndata: 2\n\n');

    const resumed = await fetch(`${brisk.origin}/events?n=3`, { headers: { 'last-event-id': '2' } });
    assert.equal(await resumed.text(), 'retry: 2000\n\nid: 3\ndata: tick 3\n\nevent: done\ndata: 3\n\n');
    const finished = await fetch(`${brisk.origin}/events?n=3`, { headers: { 'last-event-id': '3' } });
    assert.equal(finished.status, 204);
    assert.equal((await fetch(`${brisk.origin}/events?n=x`)).status, 400);
  });

  it('/ws echoes WebSocket messages; a plain GET /ws gets 426 with Upgrade: websocket', TEST_TIMEOUT, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${brisk.port}/ws`);
    await deadline(once(ws, 'open'), 5_000, 'open');
    ws.send('ping over the CLI');
    const [data, isBinary] = (await deadline(once(ws, 'message'), 5_000, 'echo')) as [Buffer, boolean];
    assert.deepEqual([data.toString(), isBinary], ['ping over the CLI', false]);
    ws.close();
    await once(ws, 'close');

    const plain = await fetch(`${brisk.origin}/ws`);
    assert.equal(plain.status, 426);
    assert.equal(plain.headers.get('upgrade'), 'websocket');
    await plain.text();

    const elsewhere = new WebSocket(`ws://127.0.0.1:${brisk.port}/not-ws`);
    elsewhere.on('error', () => {});
    const [, refused] = (await deadline(once(elsewhere, 'unexpected-response'), 5_000, 'refusal')) as [unknown, { statusCode: number }];
    assert.equal(refused.statusCode, 404);
    elsewhere.terminate();
  });
});

describe('the full demo with STATIC_DIR', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'brisk-static-dir-'));
  let brisk: BriskProcess;
  before(async () => {
    writeFileSync(path.join(dir, 'hello.txt'), 'from STATIC_DIR\n');
    brisk = await startCli(['--port', '0'], { STATIC_DIR: dir });
  });
  after(async () => {
    await brisk.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves that folder instead of the bundled one', TEST_TIMEOUT, async () => {
    const res = await fetch(`${brisk.origin}/static/hello.txt`);
    assert.equal(await res.text(), 'from STATIC_DIR\n');
    assert.equal((await fetch(`${brisk.origin}/static/index.html`)).status, 404);
  });
});

describe('the full demo on SIGTERM', () => {
  it('closes open WebSockets with 1001 and exits promptly', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0', '--shutdown-timeout', '5000']);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${brisk.port}/ws`);
      await deadline(once(ws, 'open'), 5_000, 'open');
      const closed = once(ws, 'close') as Promise<[number, Buffer]>;
      const start = performance.now();
      brisk.child.kill('SIGTERM');
      const [code] = await deadline(closed, 5_000, 'close frame');
      assert.equal(code, 1001);
      const exit = await deadline(brisk.exited, 5_000, 'exit');
      assert.equal(exit.code, 0, brisk.stderr());
      assert.ok(performance.now() - start < 3_000, `exited after ${Math.round(performance.now() - start)} ms`);
    } finally {
      await brisk.stop();
    }
  });
});
