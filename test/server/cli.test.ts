// The `brisk` command as a user runs it: --help and --version, bad input (exit 2), HOST/PORT,
// an app module relative to the cwd, the demo as `npm start` serves it, access logs, and
// graceful shutdown on SIGTERM/SIGINT with requests in flight.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../src/server/options.js';
import { runCli, startCli } from '../helpers/cli-process.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { deadline } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 20_000 };
const SEED_PAGE = '<html><body>Hello World</body></html>';
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'brisk-cli-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('brisk --help and --version', () => {
  // The flags issue 4 names, and the option each sets; --help must show each default.
  const flags: [flag: string, key: keyof ServerOptions][] = [
    ['host', 'host'],
    ['port', 'port'],
    ['log', 'logLevel'],
    ['access-log', 'accessLog'],
    ['headers-timeout', 'headersTimeoutMs'],
    ['keep-alive-timeout', 'keepAliveTimeoutMs'],
    ['body-idle-timeout', 'bodyIdleTimeoutMs'],
    ['write-timeout', 'writeTimeoutMs'],
    ['shutdown-timeout', 'shutdownTimeoutMs'],
    ['max-body-bytes', 'maxBodyBytes'],
    ['max-connections', 'maxConnections'],
    ['max-target-bytes', 'maxTargetBytes'],
    ['max-head-bytes', 'maxHeadBytes'],
    ['max-header-count', 'maxHeaderCount'],
  ];

  it('--help lists every option with its default and exits 0', TEST_TIMEOUT, async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: brisk/);
    const lines = result.stdout.split('\n');
    for (const [flag, key] of flags) {
      const line = lines.find((l) => l.trimStart().startsWith(`--${flag} `));
      assert.ok(line, `--${flag} is listed`);
      assert.ok(line.includes(`default: ${DEFAULT_SERVER_OPTIONS[key]}`), `--${flag} shows its default: ${line}`);
    }
    assert.ok(lines.some((l) => l.trimStart().startsWith('--version')));
    // Every server option has a flag: one option line per field of DEFAULT_SERVER_OPTIONS.
    const optionLines = lines.filter((l) => /^\s+--[a-z-]+ \S/.test(l) && l.includes('(default: '));
    assert.equal(optionLines.length, Object.keys(DEFAULT_SERVER_OPTIONS).length, result.stdout);
    assert.match(result.stdout, /HOST/);
    assert.match(result.stdout, /PORT/);
  });

  it('--version prints the package version', TEST_TIMEOUT, async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+/);
  });
});

describe('bad input exits 2 with a message', () => {
  const cases: [args: string[], env: NodeJS.ProcessEnv, mentions: string][] = [
    [['--port', 'abc'], {}, '--port'],
    [['--port', '70000'], {}, '--port'],
    [['--port', '-1'], {}, '--port'],
    [['--headers-timeout', '1.5'], {}, '--headers-timeout'],
    [['--headers-timeout', ''], {}, '--headers-timeout'],
    [['--max-body-bytes', '1e6'], {}, '--max-body-bytes'],
    [['--log', 'loud'], {}, '--log'],
    [['--access-log', 'xml'], {}, '--access-log'],
    [['--no-such-flag'], {}, 'no-such-flag'],
    [[], { PORT: 'eighty' }, 'PORT'],
    [['one.js', 'two.js'], {}, 'two.js'],
  ];
  for (const [args, env, mentions] of cases) {
    it(`brisk ${args.join(' ')} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`, TEST_TIMEOUT, async () => {
      const result = await runCli(args, env);
      assert.equal(result.code, 2, `exit status; stderr: ${result.stderr}`);
      assert.ok(result.stderr.includes(mentions), `stderr names ${mentions}: ${result.stderr}`);
      assert.equal(result.stdout, '', 'nothing on stdout');
    });
  }

  it('an app module without a default handler function', TEST_TIMEOUT, async () => {
    writeFileSync(join(tmp, 'not-an-app.mjs'), 'export const x = 1;\n');
    const result = await runCli([join(tmp, 'not-an-app.mjs')]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /default/);
  });
});

describe('serving', () => {
  it('`npm start` equivalent: the demo, PORT from the environment, 127.0.0.1 by default', TEST_TIMEOUT, async () => {
    // package.json: "start": "... node dist/src/cli.js dist/examples/demo/app.js", run from the repo root.
    const brisk = await startCli(['dist/examples/demo/app.js'], { PORT: '0' }, { cwd: REPO_ROOT });
    try {
      assert.match(brisk.stdout(), /^brisk listening on http:\/\/127\.0\.0\.1:\d+\n/);
      const response = await fetch(`${brisk.origin}/`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(response.headers.get('content-length'), '37');
      assert.equal(await response.text(), SEED_PAGE);
    } finally {
      await brisk.stop();
    }
  });

  it('without an app module it serves the demo; HOST and PORT come from the environment', TEST_TIMEOUT, async () => {
    const brisk = await startCli([], { HOST: '127.0.0.1', PORT: '0' });
    try {
      const response = await fetch(`${brisk.origin}/stream?n=3`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(await response.text(), 'line 0\nline 1\nline 2\n');
    } finally {
      await brisk.stop();
    }
  });

  it('flags win over the environment', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0'], { PORT: '1' });
    try {
      assert.notEqual(brisk.port, 1);
      assert.equal((await fetch(`${brisk.origin}/`, { signal: AbortSignal.timeout(5_000) })).status, 200);
    } finally {
      await brisk.stop();
    }
  });

  it('serves the default export of an app module given relative to the cwd', TEST_TIMEOUT, async () => {
    writeFileSync(
      join(tmp, 'app.mjs'),
      "export default (req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end('custom ' + req.path); };\n",
    );
    const brisk = await startCli(['app.mjs', '--port', '0'], {}, { cwd: tmp });
    try {
      const response = await fetch(`${brisk.origin}/here`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(await response.text(), 'custom /here');
    } finally {
      await brisk.stop();
    }
  });

  it('serves a Web-standard fetch app (default export with fetch(request)) like a handler', TEST_TIMEOUT, async () => {
    writeFileSync(
      join(tmp, 'fetch-app.mjs'),
      "export default { fetch: (request) => new Response('fetch ' + new URL(request.url).pathname, { headers: { 'Content-Type': 'text/plain' } }) };\n",
    );
    const brisk = await startCli(['fetch-app.mjs', '--port', '0'], {}, { cwd: tmp });
    try {
      const response = await fetch(`${brisk.origin}/there`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(await response.text(), 'fetch /there');
      assert.equal(response.headers.get('content-type'), 'text/plain');
    } finally {
      await brisk.stop();
    }
  });

  it('--log debug traces a connection the way the seed prints, tagged with its id', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0', '--log', 'debug']);
    try {
      const client = await RawClient.connect(brisk.port);
      await client.write(request(['GET /traced HTTP/1.1', 'Host: a', 'X-Trace: yes', 'Connection: close']));
      await client.readUntilClose();
      await sleep(100);
      const output = brisk.stdout() + brisk.stderr();
      // The seed's steps, in order: established, url, header, response sent, closed.
      const steps = [/socket established.*127\.0\.0\.1/i, /received url.*GET \/traced HTTP\/1\.1/i, /received header.*X-Trace/i, /response sent/i, /closed/i];
      const lines = output.split('\n');
      let from = 0;
      const ids = new Set<string>();
      for (const step of steps) {
        const index = lines.findIndex((line, i) => i >= from && step.test(line));
        assert.ok(index >= 0, `a line matching ${step} after line ${from} in:\n${output}`);
        const id = /\bconn(?:ection)?\W{0,2}(\d+)/i.exec(lines[index]);
        assert.ok(id, `the line names its connection: ${lines[index]}`);
        ids.add(id[1]);
        from = index + 1;
      }
      assert.equal(ids.size, 1, 'every step carries the same connection id');
    } finally {
      await brisk.stop();
    }
  });

  it('--access-log common writes one Common Log Format line per request', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0', '--access-log', 'common']);
    try {
      await (await fetch(`${brisk.origin}/?x=1`, { signal: AbortSignal.timeout(5_000) })).text();
      await (await fetch(`${brisk.origin}/missing`, { signal: AbortSignal.timeout(5_000) })).text();
      await sleep(100);
      const lines = brisk.stdout().split('\n').filter((l) => l.includes('HTTP/1.1"'));
      assert.equal(lines.length, 2, brisk.stdout());
      assert.match(lines[0], /^127\.0\.0\.1 \S+ \S+ \[[^\]]+\] "GET \/\?x=1 HTTP\/1\.1" 200 37$/);
      assert.match(lines[1], /^127\.0\.0\.1 \S+ \S+ \[[^\]]+\] "GET \/missing HTTP\/1\.1" 404 \d+$/);
    } finally {
      await brisk.stop();
    }
  });

  it('--access-log json writes one JSON object per request', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0', '--access-log', 'json']);
    try {
      await (await fetch(`${brisk.origin}/`, { signal: AbortSignal.timeout(5_000) })).text();
      await sleep(100);
      const lines = brisk.stdout().split('\n').filter((l) => l.startsWith('{'));
      assert.equal(lines.length, 1, brisk.stdout());
      const entry = JSON.parse(lines[0]) as Record<string, unknown>;
      assert.ok(Object.values(entry).some((v) => v === 200 || v === '200'), `status 200 in ${lines[0]}`);
      assert.ok(Object.values(entry).includes('GET'), `method in ${lines[0]}`);
    } finally {
      await brisk.stop();
    }
  });
});

describe('graceful shutdown', () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i}\n`).join('');

  /** Whether connecting is refused within timeoutMs (the signal may take a moment to arrive). */
  async function refusedWithin(port: number, timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (performance.now() < end) {
      try {
        const client = await RawClient.connect(port, '127.0.0.1', 1_000);
        client.destroy();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true;
      }
      await sleep(25);
    }
    return false;
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} with /stream?n=20 in flight: responses complete, new connections refused, exit 0`, TEST_TIMEOUT, async () => {
      const brisk = await startCli(['--port', '0', '--shutdown-timeout', '5000']);
      const clients: RawClient[] = [];
      try {
        for (let i = 0; i < 5; i++) {
          const client = await RawClient.connect(brisk.port);
          clients.push(client);
          await client.write(request(['GET /stream?n=20 HTTP/1.1', 'Host: a']));
        }
        for (const client of clients) await client.waitFor('line 0\n');
        const signalledAt = performance.now();
        brisk.child.kill(signal);
        assert.equal(await refusedWithin(brisk.port, 1_000), true, 'new connections are refused once shutting down');
        for (const client of clients) {
          const response = await client.readResponse();
          assert.equal(response.status, 200);
          assert.equal(response.body.toString(), lines(20), 'the in-flight response is complete');
          assert.equal(await client.closesWithin(2_000), true);
        }
        const exit = await deadline(brisk.exited, 5_000, 'brisk exits within the shutdown timeout');
        assert.deepEqual(exit, { code: 0, signal: null });
        assert.ok(performance.now() - signalledAt < 5_000);
      } finally {
        for (const client of clients) client.destroy();
        await brisk.stop();
      }
    });
  }

  it('an idle server exits 0 on SIGTERM at once', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0']);
    try {
      brisk.child.kill('SIGTERM');
      const exit = await deadline(brisk.exited, 2_000, 'brisk exits');
      assert.deepEqual(exit, { code: 0, signal: null });
    } finally {
      await brisk.stop();
    }
  });

  it('a request still running at the shutdown timeout is cut off, and brisk exits 0', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0', '--shutdown-timeout', '300']);
    const client = await RawClient.connect(brisk.port);
    try {
      await client.write(request(['GET /stream?n=100000 HTTP/1.1', 'Host: a']));
      await client.waitFor('line 0\n');
      brisk.child.kill('SIGTERM');
      const exit = await deadline(brisk.exited, 3_000, 'brisk exits after the shutdown timeout');
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.equal(await client.closesWithin(1_000), true);
    } finally {
      client.destroy();
      await brisk.stop();
    }
  });

  it('a second signal exits at once, without waiting for in-flight requests', TEST_TIMEOUT, async () => {
    const brisk = await startCli(['--port', '0', '--shutdown-timeout', '10000']);
    const client = await RawClient.connect(brisk.port);
    try {
      await client.write(request(['GET /stream?n=100000 HTTP/1.1', 'Host: a']));
      await client.waitFor('line 0\n');
      brisk.child.kill('SIGTERM');
      await sleep(100);
      assert.equal(brisk.child.exitCode, null, 'still draining after the first signal');
      brisk.child.kill('SIGTERM');
      const exit = await deadline(brisk.exited, 1_000, 'brisk exits after the second signal');
      assert.notEqual(exit.code, null);
    } finally {
      client.destroy();
      await brisk.stop();
    }
  });
});
