// Session on a transport that reuses its read buffer (the libuv transport's `handles` tier):
// whatever Session keeps past onData — pipelined bytes held while a response is in flight, body
// chunks the handler reads later, the bytes after an Upgrade — must be a copy. The FakeTransport
// overwrites each chunk with '#' once onData returns, so a kept view reads garbage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Connections, type ServerStats } from '../../src/server/connections.js';
import type { UpgradeHandler } from '../../src/server/context.js';
import { Logger } from '../../src/server/logger.js';
import { resolveServerOptions } from '../../src/server/options.js';
import { RejectSummary } from '../../src/server/reject-summary.js';
import type { Handler } from '../../src/server/types.js';
import { FakeTransport } from '../helpers/fake-transport.js';

function open(handler: Handler, upgradeHandler: UpgradeHandler | null = null): FakeTransport {
  const options = resolveServerOptions({ logLevel: 'silent' });
  const log = new Logger('silent', 'off', () => {});
  const stats: ServerStats = { connectionsAccepted: 0, connectionsRejected: 0, requests: 0, parseErrors: 0, timeouts: 0, rejectedRequests: 0 };
  const connections = new Connections({ draining: false }, { options, handler, upgradeHandler, trustProxy: null, log, metrics: null, stats, rejects: new RejectSummary(log) });
  const transport = new FakeTransport({ readsReuseBuffer: true });
  connections.openTransport(transport, undefined, undefined);
  return transport;
}

const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !test(); i++) await turn();
  assert.ok(test(), 'timed out');
}

describe('Session on a transport that reuses its read buffer', () => {
  it('answers pipelined requests held behind an async response from intact bytes', async () => {
    const t = open(async (req, res) => {
      await turn();
      res.end(req.target);
    });
    // One read: the first request goes to the handler, the rest is held as pending.
    t.receive('GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n');
    // A second read while the first response is still in flight: appended to what is held.
    await turn();
    t.receive('GET /three HTTP/1.1\r\nHost: a\r\n\r\n');
    await until(() => (t.text().match(/HTTP\/1\.1 200/g) ?? []).length === 3);
    const text = t.text();
    const at = ['/one', '/two', '/three'].map((b) => text.indexOf(`\r\n\r\n${b}`));
    assert.ok(at.every((i, k) => i > 0 && (k === 0 || i > at[k - 1]!)), text);
    assert.doesNotMatch(t.text(), /400/);
  });

  it('hands the handler body chunks that are still intact when it reads them later', async () => {
    const t = open(async (req, res) => {
      await turn(); // the reads that carried the body are long overwritten
      res.end((await req.bytes()).toString('latin1'));
    });
    t.receive('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello', []);
    await turn();
    t.receive('world');
    await until(() => t.text().endsWith('helloworld') || t.text().includes('#'));
    assert.ok(t.text().endsWith('\r\n\r\nhelloworld'), t.text());
  });

  it('gives the upgrade handler the bytes after the head intact', async () => {
    let rest: Buffer | null = null;
    const t = open(
      (_req, res) => res.end('no'),
      (_req, socket, head) => {
        setTimeout(() => {
          rest = Buffer.from(head);
          socket.destroy();
        }, 5);
      },
    );
    t.receive('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nearly bytes');
    await until(() => rest !== null);
    assert.equal((rest as unknown as Buffer).toString('latin1'), 'early bytes');
  });
});
