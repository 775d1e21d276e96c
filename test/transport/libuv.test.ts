// The libuv transport (src/transport/libuv.ts) beyond the Transport contract (contract.test.ts runs
// that on both tiers): its listeners (refusal, close, address), the startup self-test, and the fallback when a binding is
// gone or --pending-deprecation is set. Skipped, with the probe's reason printed, only where
// the probe fails on this Node line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { probeLibuvTransport, type ProbeResult } from '../../src/transport/libuv-probe.js';
import { createLibuvListener, libuvTier, loadBindings, type LibuvListener, type LibuvTier } from '../../src/transport/libuv.js';
import { listenerFor } from './libuv-support.js';

const here = dirname(fileURLToPath(import.meta.url));
const probe: ProbeResult = await probeLibuvTransport();
const skip = probe.ok ? false : `the libuv transport is not available on Node ${process.version}: ${probe.reason}`;
if (skip !== false) console.log(`# skipping libuv transport tests: ${skip}`);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with what happened to a client the server refused: it must be closed without a byte. */
function refusedClient(socket: net.Socket): Promise<{ bytes: number; how: string }> {
  return new Promise((resolve) => {
    let bytes = 0;
    socket.on('data', (c: Buffer) => (bytes += c.length));
    socket.once('end', () => resolve({ bytes, how: 'end' }));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve({ bytes, how: e.code ?? 'error' }));
  });
}

for (const tier of ['handles', 'sockets'] as const) {
  describe(`libuv listener (${tier})`, { skip, timeout: 20_000 }, () => {
    test('maxConnections: the connection past the limit is closed at once; a freed slot is used again', async () => {
      const s = await listenerFor(tier, { maxConnections: 2 });
      try {
        const a = s.connect();
        const ta = await s.accepted();
        s.connect();
        await s.accepted();
        assert.equal(s.listener.connections, 2);
        const refused = await refusedClient(s.connect());
        assert.equal(refused.bytes, 0);
        assert.equal(s.listener.refused, 1);
        const closed = new Promise<void>((resolve) => ta.attach({ onData() {}, onEnd: () => ta.destroy(), onDrain() {}, onError() {}, onClose: resolve }));
        a.destroy();
        ta.startReading();
        await closed;
        assert.equal(s.listener.connections, 1);
        s.connect().write('hello');
        const tc = await s.accepted();
        let got = '';
        await new Promise<void>((resolve) => {
          tc.attach({ onData: (c) => ((got += c.toString()), got === 'hello' && resolve()), onEnd() {}, onDrain() {}, onError() {}, onClose() {} });
          tc.startReading();
        });
        assert.equal(s.listener.connections, 2);
      } finally {
        await s.dispose();
      }
    });

    test('admit() false refuses the connection (shutdown, the server\'s own limit)', async () => {
      let open = false;
      const s = await listenerFor(tier, { admit: () => open });
      try {
        const refused = await refusedClient(s.connect());
        assert.equal(refused.bytes, 0);
        assert.equal(s.listener.refused, 1);
        open = true;
        s.connect();
        const t = await s.accepted();
        assert.equal(s.listener.connections, 1);
        t.destroy();
      } finally {
        await s.dispose();
      }
    });

    test('address() and close(): the port stops accepting, open connections go on', async () => {
      const s = await listenerFor(tier);
      const { listener, port } = s;
      assert.deepEqual(listener.address(), { host: '127.0.0.1', port });
      const client = s.connect();
      const t = await s.accepted();
      await listener.close();
      await listener.close(); // twice: the same
      const refused = await new Promise<string>((resolve) => {
        const c = net.connect({ host: '127.0.0.1', port });
        c.once('connect', () => (c.destroy(), resolve('connected')));
        c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      assert.equal(refused, 'ECONNREFUSED');
      let got = '';
      client.on('data', (c: Buffer) => (got += c.toString()));
      t.write('still here');
      await new Promise<void>((resolve) => {
        const poll = (): void => (got === 'still here' ? resolve() : void setTimeout(poll, 5));
        poll();
      });
      t.destroy();
      await s.dispose();
    });

    test('tier: \'sockets\' is honoured where handles are available (cluster workers)', async () => {
      await probeLibuvTransport();
      const l = createLibuvListener({ host: '127.0.0.1', port: 0, tier: 'sockets', onConnection: (t) => t.destroy() });
      assert.equal(l.tier, 'sockets');
      await l.listen();
      await l.close();
    });

    test('listen() on a port in use rejects with EADDRINUSE', async () => {
      const s = await listenerFor(tier);
      try {
        const second: LibuvListener = createLibuvListener({ host: '127.0.0.1', port: s.port, onConnection: (t) => t.destroy() });
        await assert.rejects(second.listen(), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
      } finally {
        await s.dispose();
      }
    });
  });
}

describe('libuv self-test and fallback', { timeout: 60_000 }, () => {
  test('the probe passes on this Node line, fast', { skip }, async () => {
    const again = await probeLibuvTransport({ timeoutMs: 2000 });
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.tier, 'handles');
    console.log(`# probe on ${process.version}: first ${probe.ok ? probe.ms : '-'} ms, again ${again.ms} ms`);
    // < 50 ms on a quiet machine; the bound leaves room for a shared, loaded one.
    assert.ok(again.ms < 500, `probe took ${again.ms} ms`);
  });

  test('a missing or broken binding: the probe says why and installs nothing', async () => {
    const real = (name: string): unknown => (process as unknown as { binding(n: string): unknown }).binding(name);
    const cases: [string, (name: string) => unknown, RegExp | LibuvTier][] = [
      ['every binding gone', (name) => { throw new Error(`No such module: ${name}`); }, /stream_wrap.*No such module/],
      ['stream_wrap without WriteWrap', (name) => (name === 'stream_wrap' ? { ...(real(name) as object), WriteWrap: undefined } : real(name)), /WriteWrap/],
      ['stream_wrap without streamBaseState', (name) => (name === 'stream_wrap' ? { ...(real(name) as object), streamBaseState: undefined } : real(name)), /streamBaseState/],
      ['tcp_wrap gone: accepted net.Sockets driven at the handle', (name) => { if (name === 'tcp_wrap') throw new Error('No such module: tcp_wrap'); return real(name); }, 'sockets'],
      ['tcp_wrap without bind6', (name) => (name === 'tcp_wrap' ? { TCP: class {}, constants: { SERVER: 1 } } : real(name)), 'sockets'],
    ];
    for (const [what, binding, expect] of cases) {
      if (skip !== false && typeof expect === 'string') continue;
      const result = await probeLibuvTransport({ binding });
      if (typeof expect === 'string') {
        assert.ok(result.ok && result.tier === expect, `${what}: ${JSON.stringify(result)}`);
        assert.equal(libuvTier(), expect);
      } else {
        assert.ok(!result.ok && expect.test(result.reason), `${what}: ${JSON.stringify(result)}`);
        assert.equal(libuvTier(), null, `${what}: bindings left installed`);
        assert.throws(() => createLibuvListener({ host: '127.0.0.1', port: 0, onConnection() {} }), /not available/);
      }
    }
    await probeLibuvTransport(); // the real bindings back for the tests that follow
  });

  test('loadBindings does not call process.binding under --pending-deprecation', () => {
    const before = process.env.NODE_PENDING_DEPRECATION;
    process.env.NODE_PENDING_DEPRECATION = '1';
    try {
      const loaded = loadBindings();
      assert.ok('reason' in loaded && /pending-deprecation/.test(loaded.reason));
    } finally {
      if (before === undefined) delete process.env.NODE_PENDING_DEPRECATION;
      else process.env.NODE_PENDING_DEPRECATION = before;
    }
  });

  describe('in a child process, nothing printed whatever the flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brisk-libuv-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    let noBinding = '';
    let warningBinding = '';
    let noTcpWrap = '';
    before(() => {
      noBinding = join(dir, 'no-binding.cjs');
      writeFileSync(noBinding, 'delete process.binding;\n');
      // A future line that makes tcp_wrap runtime-deprecated (as it did crypto, zlib, ...).
      warningBinding = join(dir, 'warning-binding.cjs');
      writeFileSync(warningBinding, [
        'const real = process.binding;',
        'process.binding = function binding(name) {',
        "  if (name === 'tcp_wrap') process.emitWarning(\"Access to process.binding('tcp_wrap') is deprecated.\", 'DeprecationWarning', 'DEP0111');",
        '  return real.call(process, name);',
        '};',
      ].join('\n'));
      noTcpWrap = join(dir, 'no-tcp-wrap.cjs');
      // Named `binding`, like Node's own, so that only the missing tcp_wrap is simulated.
      writeFileSync(noTcpWrap, [
        'const real = process.binding;',
        'process.binding = function binding(name) {',
        "  if (name === 'tcp_wrap') throw new Error('No such module: tcp_wrap');",
        '  return real.call(process, name);',
        '};',
      ].join('\n'));
    });
    const child = join(here, 'probe-child.js');
    const run = (args: string[], env: NodeJS.ProcessEnv = {}): { result: ProbeResult & { tier: LibuvTier | null }; stderr: string } => {
      const r = spawnSync(process.execPath, [...args, child], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '', ...env } });
      assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1, `stdout: ${r.stdout}`);
      return { result: JSON.parse(lines[0] as string), stderr: r.stderr };
    };
    const cases: [string, string[], NodeJS.ProcessEnv, 'libuv' | RegExp][] = [
      ['no flags', [], {}, 'libuv'],
      ['--pending-deprecation: falls back rather than print DEP0111', ['--pending-deprecation'], {}, /pending-deprecation/],
      ['NODE_PENDING_DEPRECATION=1: the same', [], { NODE_PENDING_DEPRECATION: '1' }, /pending-deprecation/],
      ['NODE_OPTIONS=--pending-deprecation: the same', [], { NODE_OPTIONS: '--pending-deprecation' }, /pending-deprecation/],
      ['--pending-deprecation --throw-deprecation: falls back, does not throw', ['--pending-deprecation', '--throw-deprecation'], {}, /pending-deprecation/],
      ['--pending-deprecation --no-deprecation: silenced, so used', ['--pending-deprecation', '--no-deprecation'], {}, 'libuv'],
      ['--no-deprecation', ['--no-deprecation'], {}, 'libuv'],
      ['process.binding gone: the net transport', ['--require', 'NO_BINDING'], {}, /process\.binding is not available/],
      ['a binding that warns when loaded: the net transport, the warning not printed', ['--require', 'WARNING_BINDING'], {}, /warned: Access to process\.binding\('tcp_wrap'\)/],
    ];
    for (const [what, args, env, expect] of cases) {
      test(what, { skip: expect === 'libuv' ? skip : false }, () => {
        const { result, stderr } = run(args.map((a) => (a === 'NO_BINDING' ? noBinding : a === 'WARNING_BINDING' ? warningBinding : a)), env);
        assert.equal(stderr, '', 'something was printed');
        if (expect === 'libuv') assert.ok(result.ok && result.tier === 'handles', JSON.stringify(result));
        else assert.ok(!result.ok && expect.test(result.reason), JSON.stringify(result));
      });
    }
    test('tcp_wrap gone: tier sockets, nothing printed', { skip }, () => {
      const { result, stderr } = run(['--require', noTcpWrap]);
      assert.equal(stderr, '');
      assert.ok(result.ok && result.tier === 'sockets', JSON.stringify(result));
    });
  });
});
