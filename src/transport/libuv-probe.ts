// The startup self-test of the libuv transport: every binding it uses and every behaviour the
// core relies on, exercised once on a loopback pair (127.0.0.1, port 0) before a server uses it.
// A runtime where something is missing or behaves differently gets { ok: false, reason } and
// the server runs on the net transport. Uses only what libuv.ts exports (no bindings here).
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import {
  createLibuvListener,
  installBindings,
  loadBindings,
  uninstallBindings,
  UV_EOF,
  type BindingLoader,
  type LibuvListener,
  type LibuvTier,
  type LibuvTransport,
} from './libuv.js';
import type { TransportOwner } from './transport.js';

export type ProbeResult = { ok: true; tier: LibuvTier; ms: number } | { ok: false; reason: string };

export interface ProbeOptions {
  /** Replaces process.binding (tests simulate a missing or broken binding). */
  binding?: BindingLoader;
  /** Test this tier even when a better one is available. */
  tier?: LibuvTier;
  /** The self-test fails past this (default 2000 ms; it normally takes a few ms). */
  timeoutMs?: number;
}

let cached: Promise<ProbeResult> | null = null;
/** What the plain probe installed, put back when its cached result is returned again. */
let cachedInstall: Parameters<typeof installBindings> | null = null;

/**
 * Check the libuv transport; on success its bindings are installed and createLibuvListener()
 * works. Without options the result is computed once per process.
 */
export function probeLibuvTransport(options: ProbeOptions = {}): Promise<ProbeResult> {
  const plain = options.binding === undefined && options.tier === undefined && options.timeoutMs === undefined;
  if (plain && cached !== null) {
    // A probe with options (tests) may have installed another tier meanwhile.
    if (cachedInstall !== null) installBindings(...cachedInstall);
    return cached;
  }
  const result = runProbe(options, plain);
  if (plain) cached = result;
  return result;
}

async function runProbe(options: ProbeOptions, plain: boolean): Promise<ProbeResult> {
  const started = performance.now();
  const loaded = loadBindings(options.binding);
  if ('reason' in loaded) {
    uninstallBindings();
    return { ok: false, reason: loaded.reason };
  }
  if (getSystemErrorName(UV_EOF) !== 'EOF') return { ok: false, reason: `UV_EOF is not ${UV_EOF} on this platform` };
  const tier = options.tier === 'sockets' ? 'sockets' : loaded.tier;
  if (options.tier === 'handles' && loaded.tier !== 'handles') return { ok: false, reason: "tier 'handles' needs tcp_wrap's TCP" };
  installBindings(loaded.bindings, tier);
  try {
    await withTimeout(selfTest(), options.timeoutMs ?? 2000);
  } catch (error) {
    uninstallBindings();
    return { ok: false, reason: `self-test (${tier}): ${(error as Error).message}` };
  }
  if (plain) cachedInstall = [loaded.bindings, tier];
  return { ok: true, tier, ms: Math.round((performance.now() - started) * 10) / 10 };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** Records one connection's events; waiters resolve when a predicate holds. */
class Recorder implements TransportOwner {
  data = '';
  ends = 0;
  drains = 0;
  closes = 0;
  errors: string[] = [];
  private waiters: { test: () => boolean; resolve: () => void }[] = [];

  onData(chunk: Buffer): void {
    this.data += chunk.toString('latin1');
    this.poke();
  }
  onEnd(): void {
    this.ends++;
    this.poke();
  }
  onDrain(): void {
    this.drains++;
    this.poke();
  }
  onError(code: string): void {
    this.errors.push(code);
    this.poke();
  }
  onClose(): void {
    this.closes++;
    this.poke();
  }
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
  private poke(): void {
    this.waiters = this.waiters.filter((w) => (w.test() ? (w.resolve(), false) : true));
  }
}

function clientData(socket: net.Socket): { text: () => string; bytes: () => number; ended: Promise<void> } {
  let text = '';
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (text.length < 64) text += chunk.toString('latin1', 0, Math.min(chunk.length, 64));
  });
  const ended = new Promise<void>((resolve) => socket.once('end', resolve));
  return { text: () => text, bytes: () => bytes, ended };
}

function untilClient(socket: net.Socket, test: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (test()) {
        socket.off('data', poll);
        resolve();
      }
    };
    socket.on('data', poll);
    socket.once('error', reject);
    poll();
  });
}

async function selfTest(): Promise<void> {
  const accepted: LibuvTransport[] = [];
  let wake: (() => void) | null = null;
  const listener: LibuvListener = createLibuvListener({
    host: '127.0.0.1',
    port: 0,
    onConnection: (t) => {
      accepted.push(t);
      wake?.();
    },
  });
  const clients: net.Socket[] = [];
  const next = (): Promise<LibuvTransport> =>
    new Promise((resolve) => {
      const take = (): void => {
        const t = accepted.shift();
        if (t !== undefined) resolve(t);
        else wake = take;
      };
      take();
    });
  try {
    const { port } = await listener.listen();
    const connect = (): net.Socket => {
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      clients.push(socket);
      return socket;
    };
    await conversation(connect(), await next());
    const upgraded = connect();
    await takeOverTest(upgraded, await next());
  } finally {
    for (const c of clients) c.destroy();
    await listener.close();
  }
}

/** Echo, ordering of the three write forms, backpressure and drain, half-close both ways, close. */
async function conversation(client: net.Socket, t: LibuvTransport): Promise<void> {
  const r = new Recorder();
  const seen = clientData(client);
  t.attach(r);
  t.startReading();
  client.write('ping');
  await r.until(() => r.data === 'ping');
  await new Promise<void>((resolve) => (client.localPort !== undefined ? resolve() : client.once('connect', () => resolve())));
  check(t.remoteAddress === '127.0.0.1' && t.remotePort === client.localPort, `getpeername gave ${t.remoteAddress}:${t.remotePort}`);
  check(t.write('pong:') && t.writev([Buffer.from('a'), Buffer.from('b')]) && t.write(Buffer.from('c')), 'a small write returned false');
  await untilClient(client, () => seen.text() === 'pong:abc');

  // Backpressure: the client stops reading until a write returns false, then drains it all.
  client.pause();
  // One write larger than the kernel takes at once goes asynchronous (usually the first).
  const chunk = Buffer.alloc(1024 * 1024, 0x78);
  let written = 8;
  let full = false;
  for (let i = 0; i < 64 && !full; i++) {
    full = !t.write(chunk);
    written += chunk.length;
  }
  check(full && t.needsDrain, 'needsDrain never became true');
  check(r.drains === 0, 'onDrain before the client read');
  client.resume();
  await r.until(() => r.drains === 1);
  check(!t.needsDrain, 'needsDrain still true after onDrain');
  await untilClient(client, () => seen.bytes() === written);
  check(t.bytesWritten === written, `bytesWritten ${t.bytesWritten}, expected ${written}`);

  // The client half-closes; we still write, then end; the close follows both FINs.
  client.end('fin');
  await r.until(() => r.ends === 1);
  check(r.data === 'pingfin' && t.bytesRead === 7, `read ${JSON.stringify(r.data)} (${t.bytesRead} bytes)`);
  t.write('bye');
  t.end();
  await seen.ended;
  await r.until(() => r.closes === 1);
  check(r.errors.length === 0, `errors: ${r.errors.join(', ')}`);
  check(!t.write('late') && r.closes === 1, 'a write after close did something');
}

/** takeOver(): the same connection goes on as a net.Socket, nothing lost either way. */
async function takeOverTest(client: net.Socket, t: LibuvTransport): Promise<void> {
  const r = new Recorder();
  const seen = clientData(client);
  t.attach(r);
  t.startReading();
  client.write('GET');
  await r.until(() => r.data === 'GET');
  t.write('101 ');
  const socket = t.takeOver();
  check(socket instanceof net.Socket, 'takeOver gave no net.Socket');
  let got = '';
  socket.on('data', (chunk: Buffer) => {
    got += chunk.toString('latin1');
    if (got === 'more') socket.end('done');
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.resume();
  client.end('more');
  await seen.ended;
  await closed;
  check(seen.text() === '101 done', `after takeOver the client saw ${JSON.stringify(seen.text())}`);
  check(r.closes === 0 && r.ends === 0, 'the transport emitted after takeOver');
}
