// One suite, run through each reverse proxy (nginx, HAProxy): the demo behind it must answer
// GET, stream (lines arrive one by one, not at the end), take a 20 MB upload (with a length and
// chunked), give a 10 MB download byte for byte, reuse upstream connections, revalidate a static
// file (304), pass server-sent events as they happen and tunnel a WebSocket.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  bigBody,
  chunkedStream,
  DOWNLOAD_BYTES,
  readTimed,
  sha256,
  startDemo,
  UPLOAD_BYTES,
  uploadPayload,
  webSocketEcho,
  type DemoUnderTest,
  type Foreground,
} from './interop-support.js';

export interface Proxy {
  /** The proxy's listening port (on 127.0.0.1). */
  readonly port: number;
  readonly process: Foreground;
  /** Remove its temporary folder. */
  cleanup(): void;
}

export interface ProxySuiteOptions {
  readonly name: string;
  /** Why the suite cannot run here (binary missing), or undefined. */
  readonly skip: string | undefined;
  /** Start the proxy in front of 127.0.0.1:<upstreamPort>. */
  start(upstreamPort: number): Promise<Proxy>;
}

/** Bound on every test: a proxy that stalls fails the test instead of hanging CI. */
const TEST_TIMEOUT_MS = 60_000;

export function proxySuite(options: ProxySuiteOptions): void {
  describe(`the demo behind ${options.name}`, { skip: options.skip, timeout: 5 * TEST_TIMEOUT_MS }, () => {
    let demo: DemoUnderTest;
    let proxy: Proxy;
    let origin: string;

    before(async () => {
      demo = await startDemo();
      proxy = await options.start(demo.port);
      origin = `http://127.0.0.1:${proxy.port}`;
    });

    after(async () => {
      await proxy?.process.stop();
      proxy?.cleanup();
      await demo?.close();
    });

    const test = (name: string, fn: () => Promise<void>) =>
      it(name, { timeout: TEST_TIMEOUT_MS }, async () => {
        try {
          await fn();
        } catch (error) {
          // The proxy's own log says why it answered 502/504; show it with the failure.
          (error as Error).message += `\n--- ${options.name} output ---\n${proxy.process.output().slice(-3000)}`;
          throw error;
        }
      });

    test('GET / answers the seed page, over reused upstream connections', async () => {
      const before = demo.server.stats.connectionsAccepted;
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${origin}/`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), '<html><body>Hello World</body></html>');
      }
      const opened = demo.server.stats.connectionsAccepted - before;
      assert.ok(opened <= 5, `20 requests opened ${opened} upstream connections (keep-alive not reused)`);
    });

    test('/stream lines arrive as they are written, not all at the end', async () => {
      const start = performance.now();
      const res = await fetch(`${origin}/stream?n=30`);
      assert.equal(res.status, 200);
      const { body, arrivals } = await readTimed(res, start);
      const expected = Array.from({ length: 30 }, (_, i) => `line ${i}\n`).join('');
      assert.equal(body.toString(), expected);
      // 30 lines 10 ms apart take ≥ 290 ms; buffered by the proxy they would arrive in one go.
      assert.ok(arrivals.length >= 5, `the body arrived in ${arrivals.length} pieces`);
      assert.ok(arrivals[arrivals.length - 1] - arrivals[0] >= 150, `pieces spread over ${Math.round(arrivals[arrivals.length - 1] - arrivals[0])} ms`);
    });

    test('a 20 MB upload with Content-Length reaches /upload intact', async () => {
      const payload = uploadPayload();
      const res = await fetch(`${origin}/upload`, { method: 'POST', body: payload, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { bodyLength: UPLOAD_BYTES, bodySha256: sha256(payload) });
    });

    test('a 20 MB chunked upload reaches /upload intact', async () => {
      const payload = uploadPayload();
      const res = await fetch(`${origin}/upload`, {
        method: 'POST',
        body: chunkedStream(payload),
        duplex: 'half',
        headers: { 'content-type': 'application/octet-stream' },
      } as RequestInit);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { bodyLength: UPLOAD_BYTES, bodySha256: sha256(payload) });
    });

    test('a 10 MB download from /big arrives byte for byte', async () => {
      const res = await fetch(`${origin}/big?bytes=${DOWNLOAD_BYTES}`);
      assert.equal(res.status, 200);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(body.length, DOWNLOAD_BYTES);
      assert.equal(sha256(body), sha256(bigBody(DOWNLOAD_BYTES)));
    });

    test('a static file revalidates: ETag, then 304 with If-None-Match', async () => {
      const first = await fetch(`${origin}/static/style.css`);
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type') ?? '', /^text\/css/);
      await first.text();
      const etag = first.headers.get('etag');
      assert.ok(etag, 'an ETag');
      const again = await fetch(`${origin}/static/style.css`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
    });

    test('server-sent events from /events arrive one by one', async () => {
      const start = performance.now();
      const res = await fetch(`${origin}/events?n=3`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const { body, arrivals } = await readTimed(res, start);
      const ticks = body.toString().split('\n').filter((l) => l.startsWith('data: tick '));
      assert.deepEqual(ticks, ['data: tick 1', 'data: tick 2', 'data: tick 3'], body.toString());
      assert.match(body.toString(), /event: done\ndata: 3\n\n$/);
      assert.ok(arrivals[arrivals.length - 1] - arrivals[0] >= 500, `events spread over ${Math.round(arrivals[arrivals.length - 1] - arrivals[0])} ms`);
    });

    test('a WebSocket on /ws echoes text and binary through the proxy', async () => {
      const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256));
      const { echoes, closeCode } = await webSocketEcho(`ws://127.0.0.1:${proxy.port}/ws`, ['hello through the proxy', binary]);
      assert.equal(echoes[0], 'hello through the proxy');
      assert.ok(Buffer.isBuffer(echoes[1]) && echoes[1].equals(binary));
      assert.equal(closeCode, 1000);
    });

    test('the demo logged no errors', async () => {
      assert.deepEqual(demo.errors, []);
    });
  });
}
