// Options a JavaScript caller can get wrong are refused when the server is made, not found out
// on the first request that needs them: `log: false` used to pass, and the first malformed
// request (its parse error is logged) then threw "this.sink is not a function" out of the read
// callback and ended the process. A log function that throws must not do that either.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServer, type Handler } from '../../src/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { startServer } from '../helpers/server.js';

const ok: Handler = (_req, res) => res.end('ok');

describe('server options: checked at construction', () => {
  const refused: [string, Record<string, unknown>, ErrorConstructor, RegExp][] = [
    ['log: false', { log: false }, TypeError, /option log must be a function/],
    ['log: a string', { log: 'stderr' }, TypeError, /option log must be a function/],
    ['log: null', { log: null }, TypeError, /option log must be a function/],
    ['host: a number', { host: 8080 }, TypeError, /option host must be a string/],
    ['onUpgrade: true', { onUpgrade: true }, TypeError, /option onUpgrade must be a function/],
    ['logLevel: unknown', { logLevel: 'verbose' }, RangeError, /option logLevel/],
    ['port: negative', { port: -1 }, RangeError, /option port/],
    ['proxyProtocol: "yes"', { proxyProtocol: 'yes', trustProxy: 'loopback' }, TypeError, /option proxyProtocol must be true or false/],
  ];
  for (const [name, options, Kind, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => createServer(ok, options as never), (error: unknown) => error instanceof Kind && message.test((error as Error).message));
    });
  }

  it('refuses a handler that is not a function', () => {
    for (const handler of [null, undefined, 123, {}, 'app']) {
      assert.throws(() => createServer(handler as never), /the handler must be a function/);
    }
  });

  it('accepts a log function, logLevel silent, and options left undefined', () => {
    for (const options of [{ log: () => {} }, { logLevel: 'silent' as const }, { log: undefined, host: undefined }]) {
      assert.doesNotThrow(() => createServer(ok, options));
    }
  });
});

describe('a log function that throws', () => {
  it('does not take the server down on the bad request that logs, and the next connection is served', async () => {
    let calls = 0;
    const t = await startServer(ok, {
      log: () => {
        calls++;
        throw new Error('the log sink is broken');
      },
    });
    const stderrWrite = process.stderr.write;
    const stderr: string[] = [];
    process.stderr.write = ((chunk: string) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const bad = await RawClient.connect(t.port);
      bad.write('GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n');
      const answer = await bad.readResponse();
      assert.equal(answer.status, 400);
      assert.ok(await bad.closesWithin(2_000), "the bad request gets Connection: close");
      assert.ok(calls >= 1, 'the parse error went to the log function');
      assert.ok(stderr.some((line) => /the log function threw \(Error: the log sink is broken\)/.test(line)), stderr.join(''));
      const good = await RawClient.connect(t.port);
      good.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.equal((await good.readResponse()).status, 200);
      good.destroy();
      bad.destroy();
    } finally {
      process.stderr.write = stderrWrite;
      await t.close();
    }
  });
});
