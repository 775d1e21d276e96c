// brisk's default for fetch apps under serve() and the CLI: FastResponse as the global Response
// (as @hono/node-server installs its own), with the documented opt-out; toHandler() alone never
// touches globals.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FastResponse, serve, toHandler } from '../../src/index.js';
import { startCli } from '../helpers/cli-process.js';
import { tempDir } from '../ops/support.js';

const NativeResponse = globalThis.Response;
/** A fetch app that says which Response the global is, in a response that shows its framing. */
const whichResponse = { fetch: () => new Response(new Response('x') instanceof FastResponse && !(NativeResponse === globalThis.Response) ? 'fast' : 'native') };

async function ask(origin: string): Promise<{ body: string; length: string | null }> {
  const response = await fetch(origin + '/', { signal: AbortSignal.timeout(5_000) });
  return { length: response.headers.get('content-length'), body: await response.text() };
}

describe('the FastResponse default', () => {
  // In this order: once installed, the global stays FastResponse for the process.
  it('toHandler() and serve(app, { fetch: { fastResponse: false } }) keep the runtime Response', async () => {
    toHandler(whichResponse);
    assert.equal(globalThis.Response, NativeResponse);
    const server = await serve(whichResponse, { host: '127.0.0.1', port: 0, logLevel: 'silent', fetch: { fastResponse: false } });
    try {
      const { port } = server.address() as { port: number };
      assert.deepEqual(await ask(`http://127.0.0.1:${port}`), { body: 'native', length: '6' });
    } finally {
      await server.close({ timeoutMs: 500 });
    }
  });

  it('serve(fetchApp) installs FastResponse (a Router or handler does not)', async () => {
    const handler = await serve((_req, res) => res.end('h'), { host: '127.0.0.1', port: 0, logLevel: 'silent' });
    await handler.close({ timeoutMs: 500 });
    assert.equal(globalThis.Response, NativeResponse);
    const server = await serve(whichResponse, { host: '127.0.0.1', port: 0, logLevel: 'silent' });
    try {
      const { port } = server.address() as { port: number };
      assert.deepEqual(await ask(`http://127.0.0.1:${port}`), { body: 'fast', length: '4' });
    } finally {
      await server.close({ timeoutMs: 500 });
    }
  });

  it('the CLI: FastResponse by default, the runtime Response with export const fetchOptions = { fastResponse: false }', async () => {
    const temp = tempDir('brisk-fetch-default-');
    try {
      const app = "export default { fetch: () => new Response(new Response('x').constructor.name) };\n";
      writeFileSync(path.join(temp.dir, 'app.mjs'), app);
      writeFileSync(path.join(temp.dir, 'native.mjs'), app + 'export const fetchOptions = { fastResponse: false };\n');
      for (const [file, expected] of [['app.mjs', 'FastResponse'], ['native.mjs', 'Response']] as const) {
        const brisk = await startCli([path.join(temp.dir, file), '--host', '127.0.0.1', '--port', '0', '--log', 'silent']);
        try {
          assert.deepEqual(await ask(brisk.origin), { body: expected, length: String(expected.length) });
        } finally {
          await brisk.stop();
        }
      }
    } finally {
      temp.remove();
    }
  });
});
