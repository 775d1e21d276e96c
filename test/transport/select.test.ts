// Which transport a server runs on: the `transport` option over BRISK_TRANSPORT over 'auto', TLS
// always on net, cluster workers on tier 'sockets', the startup log line, and the PROXY header
// read through the libuv transport (no net.Socket under the connection).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createServer } from '../../src/index.js';
import { probeLibuvTransport } from '../../src/transport/libuv-probe.js';
import { requestedTransport, selectTransport } from '../../src/transport/select.js';
import { CLI_PATH } from '../ops/support.js';

const probe = await probeLibuvTransport();
const needsLibuv = probe.ok ? {} : { skip: `libuv transport unavailable: ${probe.reason}` };

describe('requestedTransport', () => {
  const cases: [unknown, string | undefined, string][] = [
    [undefined, undefined, 'auto'],
    [undefined, '', 'auto'],
    [undefined, 'net', 'net'],
    [undefined, 'libuv', 'libuv'],
    ['net', 'libuv', 'net'], // the option wins over the environment
    ['libuv', 'net', 'libuv'],
    ['auto', 'net', 'auto'],
  ];
  for (const [option, env, expected] of cases) {
    it(`option ${String(option)}, BRISK_TRANSPORT=${String(env)} → ${expected}`, () => {
      assert.equal(requestedTransport(option, env === undefined ? {} : { BRISK_TRANSPORT: env }), expected);
    });
  }
  it('refuses anything else, naming where it came from', () => {
    assert.throws(() => requestedTransport('uv', {}), /option transport/);
    assert.throws(() => requestedTransport(undefined, { BRISK_TRANSPORT: 'fast' }), /BRISK_TRANSPORT/);
    assert.throws(() => createServer(() => {}, { transport: 'tcp' as never }), /option transport/);
  });
});

describe('selectTransport', () => {
  it("'net' is net without a probe; TLS is always net", async () => {
    assert.deepEqual(await selectTransport('net', { tls: false, worker: false }), { kind: 'net', tier: null, why: 'requested' });
    for (const choice of ['auto', 'libuv'] as const) {
      assert.deepEqual(await selectTransport(choice, { tls: true, worker: false }), { kind: 'net', tier: null, why: 'TLS runs on node:tls' });
    }
  });

  it('auto and libuv run on libuv where the probe passes; a cluster worker on tier sockets', needsLibuv, async () => {
    const auto = await selectTransport('auto', { tls: false, worker: false });
    assert.equal(auto.kind, 'libuv');
    assert.equal(auto.tier, probe.ok ? probe.tier : null);
    assert.match(auto.why, /self-test \d+ ms/);
    const worker = await selectTransport('libuv', { tls: false, worker: true });
    assert.equal(worker.tier, 'sockets');
  });
});

describe('a server on each transport', () => {
  for (const transport of ['net', 'libuv'] as const) {
    it(`transport: '${transport}' says so and serves`, transport === 'libuv' ? needsLibuv : {}, async () => {
      const server = createServer((req, res) => res.end(`${req.remoteAddress}:${req.remotePort}`), { logLevel: 'silent', transport });
      assert.equal(server.transport as unknown, null);
      const { port } = await server.listen(0, '127.0.0.1');
      try {
        assert.match(server.transport as string, transport === 'net' ? /^net \(requested\)$/ : /^libuv \(tcp_wrap handles, self-test \d+ ms\)$/);
        assert.equal(server.listening, true);
        const response = await fetch(`http://127.0.0.1:${port}/`);
        assert.match(await response.text(), /^127\.0\.0\.1:\d+$/);
      } finally {
        await server.close();
      }
      assert.equal(server.listening, false);
      assert.equal(server.address(), null);
    });
  }

  it('the CLI prints which transport runs and why', async () => {
    const run = promisify(execFile);
    const child = execFile(process.execPath, [CLI_PATH, '--port', '0', '--transport', 'net', 'dist/examples/demo/app.js'], { env: { ...process.env, HOST: '127.0.0.1', PORT: '' } });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      for (let i = 0; i < 100 && !stderr.includes('transport:'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(stderr, /^brisk: transport: net \(requested\)$/m);
    } finally {
      child.kill('SIGKILL');
    }
    await assert.rejects(run(process.execPath, [CLI_PATH, '--transport', 'uv', 'dist/examples/demo/app.js'], { timeout: 10_000 }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /--transport must be auto, libuv or net/);
      return true;
    });
  });
});

describe('PROXY protocol on the libuv transport', () => {
  /** Send `parts` with a pause between them; resolve with everything the server answered. */
  function exchange(port: number, parts: (string | Buffer)[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      let i = 0;
      const next = (): void => {
        if (i < parts.length) socket.write(parts[i++]!, () => setTimeout(next, 20));
      };
      socket.on('connect', next);
    });
  }

  it('reads the header through the transport, in any split; the Session parses the rest', needsLibuv, async () => {
    const server = createServer((req, res) => res.end(`${req.remoteAddress} ${req.remotePort} ${req.target}\n`), {
      logLevel: 'silent',
      transport: 'libuv',
      proxyProtocol: true,
      trustProxy: 'loopback',
      metricsPath: '/metrics',
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      assert.match(server.transport as string, /^libuv /);
      const whole = await exchange(port, ['PROXY TCP4 198.51.100.7 10.0.0.1 40000 80\r\nGET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
      assert.match(whole, /^HTTP\/1\.1 200 [^]*198\.51\.100\.7 40000 \/a\n$/);
      const split = await exchange(port, ['PROXY TCP6 2001:db8::7 ::1 ', '5555 443\r\nGET /1 HTTP/1.1\r\nHost: x\r\n', '\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
      assert.match(split, /2001:db8::7 5555 \/1\n[^]*2001:db8::7 5555 \/2\n$/);
      const bad = await exchange(port, ['PROXY TCP4 nonsense\r\n\r\n']);
      assert.equal(bad, '', 'a bad header is refused by closing');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'GET' }).catch(() => null))?.text();
      assert.equal(metrics, undefined, 'a request without a header is not served');
      assert.equal(server.stats.connectionsAccepted, 4);
    } finally {
      await server.close();
    }
  });
});
