// The Transport contract (src/transport/transport.ts), one suite run against every transport.
// Each transport comes with a harness that plays the client; adding a transport is one line in
// TRANSPORTS (a transport over a real socket: `realSocketHarness((socket) => new X(socket))`).
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { NetSocketTransport } from '../../src/transport/net-socket.js';
import type { Transport, TransportOwner } from '../../src/transport/transport.js';
import { FakeTransport } from '../helpers/fake-transport.js';

/** The client's end of one connection, and the transport under test on the server's end. */
interface Harness {
  readonly transport: Transport;
  /** The client sends bytes. */
  send(data: Buffer): Promise<void>;
  /** The client half-closes (FIN). */
  end(): void;
  /** The client resets the connection (RST). */
  reset(): void;
  /** The client stops / starts reading what the server writes. */
  pauseReading(): void;
  resumeReading(): void;
  /** Everything the client has read so far. */
  received(): Buffer;
  /** Whether the client has seen the server's FIN. */
  readonly sawEnd: boolean;
  /** Let time pass for what is in flight (a turn of the event loop or more). */
  settle(): Promise<void>;
  cleanup(): Promise<void>;
}

type HarnessFactory = () => Promise<Harness>;

/** A harness over a real loopback connection, for any transport that wraps a net.Socket. */
function realSocketHarness(wrap: (socket: net.Socket) => Transport): HarnessFactory {
  return async () => {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise<void>((resolve) => client.once('connect', resolve));
    const socket = await accepted;
    const chunks: Buffer[] = [];
    let sawEnd = false;
    client.on('data', (c: Buffer) => chunks.push(c));
    client.on('end', () => (sawEnd = true));
    client.on('error', () => {});
    return {
      transport: wrap(socket),
      send: (data) => new Promise<void>((resolve) => client.write(data, () => resolve())),
      end: () => client.end(),
      reset: () => client.resetAndDestroy(),
      pauseReading: () => client.pause(),
      resumeReading: () => client.resume(),
      received: () => Buffer.concat(chunks),
      get sawEnd() {
        return sawEnd;
      },
      settle: () => new Promise<void>((resolve) => setTimeout(resolve, 20)),
      async cleanup() {
        client.destroy();
        socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  };
}

/** The FakeTransport, with the test playing the client through its controls. */
const fakeHarness: HarnessFactory = async () => {
  const fake = new FakeTransport({ highWaterMark: 16 * 1024 });
  return {
    transport: fake,
    send: async (data) => fake.receive(data),
    end: () => fake.clientEnd(),
    reset: () => fake.clientReset(),
    // A client that does not read: writes queue instead of completing.
    pauseReading: () => {
      fake.autoComplete = false;
    },
    resumeReading: () => {
      fake.autoComplete = true;
      fake.completeWrites();
    },
    received: () => fake.output(),
    get sawEnd() {
      return fake.finSent;
    },
    settle: () => new Promise<void>((resolve) => setImmediate(resolve)),
    cleanup: async () => {},
  };
};

/** Every transport the suite runs against. */
const TRANSPORTS: ReadonlyArray<readonly [name: string, harness: HarnessFactory]> = [
  ['net', realSocketHarness((socket) => new NetSocketTransport(socket))],
  ['fake', fakeHarness],
];

type Event = readonly ['data', Buffer] | readonly ['end' | 'drain' | 'close'] | readonly ['error', string];

/** An owner that records what it hears and lets the test wait for it. */
class Recorder implements TransportOwner {
  readonly events: Event[] = [];
  private waiters: (() => void)[] = [];

  onData(chunk: Buffer): void {
    this.push(['data', Buffer.from(chunk)]);
  }
  onEnd(): void {
    this.push(['end']);
  }
  onDrain(): void {
    this.push(['drain']);
  }
  onError(code: string): void {
    this.push(['error', code]);
  }
  onClose(): void {
    this.push(['close']);
  }

  kinds(): string[] {
    return this.events.map((e) => e[0]);
  }

  data(): Buffer {
    return Buffer.concat(this.events.filter((e) => e[0] === 'data').map((e) => e[1] as Buffer));
  }

  count(kind: Event[0]): number {
    return this.events.filter((e) => e[0] === kind).length;
  }

  async until(what: string, ok: () => boolean, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${this.kinds().join(' ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private push(event: Event): void {
    assert.ok(!this.events.some((e) => e[0] === 'close'), `event ${event[0]} after close`);
    this.events.push(event);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

async function withHarness(factory: HarnessFactory, fn: (h: Harness, owner: Recorder) => Promise<void>): Promise<void> {
  const h = await factory();
  const owner = new Recorder();
  try {
    await fn(h, owner);
  } finally {
    await h.cleanup();
  }
}

const T = { timeout: 10_000 };

for (const [name, factory] of TRANSPORTS) {
  describe(`Transport contract: ${name}`, () => {
    it('reading starts paused: nothing is delivered before attach() and startReading()', T, () =>
      withHarness(factory, async (h, owner) => {
        await h.send(Buffer.from('early'));
        await h.settle();
        h.transport.attach(owner);
        await h.settle();
        assert.deepEqual(owner.kinds(), []);
        h.transport.startReading();
        await owner.until('data', () => owner.data().toString() === 'early');
      }),
    );

    it('bytes arrive in order and whole; stopReading holds them, startReading delivers them', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        await h.send(Buffer.from('one,'));
        await owner.until('first bytes', () => owner.data().length === 4);
        h.transport.stopReading();
        await h.send(Buffer.from('two,'));
        await h.settle();
        assert.equal(owner.data().toString(), 'one,');
        h.transport.startReading();
        await h.send(Buffer.from('three'));
        await owner.until('all bytes', () => owner.data().toString() === 'one,two,three');
        assert.ok(h.transport.bytesRead >= 13);
      }),
    );

    it('write (latin1 strings, bytes) and writev reach the client in order', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        assert.equal(h.transport.write('caf\u00e9 '), true);
        assert.equal(h.transport.write(Buffer.from('bytes ')), true);
        assert.equal(h.transport.writev([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]), true);
        assert.equal(h.transport.writev([Buffer.from('!')]), true);
        const want = Buffer.from('caf\u00e9 bytes abc!', 'latin1');
        await owner.until('client read', () => h.received().length >= want.length);
        assert.deepEqual(h.received(), want);
        assert.equal(h.transport.bytesWritten, want.length);
      }),
    );

    it('write, end and destroy never call the owner back synchronously', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        h.transport.write('x');
        h.transport.writev([Buffer.from('y'), Buffer.from('z')]);
        h.transport.end();
        h.transport.destroy();
        assert.deepEqual(owner.kinds(), []);
        await owner.until('close', () => owner.count('close') === 1);
      }),
    );

    it("the client's FIN: onEnd, writes still go out, then our end() closes (onClose once, last)", T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        await h.send(Buffer.from('request'));
        h.end();
        await owner.until('end', () => owner.count('end') === 1);
        assert.equal(owner.data().toString(), 'request');
        h.transport.write('answer');
        h.transport.end();
        await owner.until('close', () => owner.count('close') === 1);
        await h.settle();
        assert.equal(h.received().toString(), 'answer');
        assert.ok(h.sawEnd);
        assert.deepEqual(owner.kinds().filter((k) => k !== 'data'), ['end', 'close']);
      }),
    );

    it('our end(): the client reads everything, then our FIN; reading goes on until it closes', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        h.transport.write('last words');
        h.transport.end();
        await owner.until('client saw FIN', () => h.sawEnd);
        assert.equal(h.received().toString(), 'last words');
        await h.send(Buffer.from('late'));
        await owner.until('late data', () => owner.data().toString() === 'late');
        h.end();
        await owner.until('close', () => owner.count('close') === 1);
      }),
    );

    it('a reset: onError with an errno code, then onClose once; calls after it are no-ops', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        await h.send(Buffer.from('x'));
        await owner.until('data', () => owner.data().length === 1);
        h.reset();
        await owner.until('close', () => owner.count('close') === 1);
        const errors = owner.events.filter((e) => e[0] === 'error');
        assert.ok(errors.length <= 1);
        for (const e of errors) assert.match(e[1] as string, /^E[A-Z]+$/);
        assert.equal(owner.kinds().at(-1), 'close');
        assert.equal(h.transport.write('after'), false);
        assert.equal(h.transport.writev([Buffer.from('a'), Buffer.from('b')]), false);
        h.transport.end();
        h.transport.destroy();
        h.transport.startReading();
        h.transport.stopReading();
        await h.settle();
        assert.equal(owner.count('close'), 1);
      }),
    );

    it('destroy(): onClose once, nothing after it', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        h.transport.destroy();
        await owner.until('close', () => owner.count('close') === 1);
        await h.send(Buffer.from('ignored')).catch(() => {});
        await h.settle();
        assert.equal(owner.kinds().at(-1), 'close');
        assert.equal(owner.count('data'), 0);
      }),
    );

    it('backpressure: write returns false with needsDrain set, onDrain once the client reads', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        h.pauseReading();
        const piece = Buffer.alloc(1 << 20, 0x61);
        let written = 0;
        let full = false;
        for (let i = 0; i < 256 && !full; i++) {
          full = !h.transport.write(piece);
          written += piece.length;
          if (!full) await h.settle();
        }
        assert.ok(full, 'some write returned false');
        assert.equal(h.transport.needsDrain, true);
        assert.equal(owner.count('drain'), 0);
        h.resumeReading();
        await owner.until('drain', () => owner.count('drain') === 1, 8_000);
        assert.equal(h.transport.needsDrain, false);
        await owner.until('client read all', () => h.received().length === written, 8_000);
      }),
    );

    it('peer address, kind, encryption', T, () =>
      withHarness(factory, async (h) => {
        assert.match(h.transport.remoteAddress, /^127\.0\.0\.1$|^::ffff:127\.0\.0\.1$/);
        assert.ok(h.transport.remotePort > 0 && h.transport.remotePort < 65536);
        assert.equal(h.transport.kind, name);
        assert.equal(h.transport.encrypted, false);
        assert.equal(typeof h.transport.readsReuseBuffer, 'boolean');
      }),
    );

    it('takeOver(): a paused net.Socket, and the owner hears nothing more', T, () =>
      withHarness(factory, async (h, owner) => {
        h.transport.attach(owner);
        h.transport.startReading();
        const socket = h.transport.takeOver();
        assert.ok(socket instanceof net.Socket);
        await h.send(Buffer.from('for the new owner')).catch(() => {});
        h.end();
        await h.settle();
        assert.deepEqual(owner.kinds(), []);
        assert.equal(h.transport.write('x'), false);
        socket.destroy();
      }),
    );
  });
}

describe('FakeTransport controls', () => {
  it('delivers bytes in the split the test asks for', async () => {
    const fake = new FakeTransport({ autoPump: false });
    const owner = new Recorder();
    fake.attach(owner);
    fake.startReading();
    fake.receive('GET / HTTP/1.1\r\n', [1, 5, 6]);
    assert.equal(fake.pump(), 4);
    assert.deepEqual(owner.events.map((e) => (e[1] as Buffer).toString()), ['G', 'ET /', ' ', 'HTTP/1.1\r\n']);
  });

  it('readsReuseBuffer: a chunk kept past onData is overwritten', async () => {
    const fake = new FakeTransport({ autoPump: false, readsReuseBuffer: true });
    let kept: Buffer | null = null;
    fake.attach({ onData: (c) => (kept = c), onEnd() {}, onDrain() {}, onError() {}, onClose() {} });
    fake.startReading();
    fake.receive('abc');
    fake.pump();
    assert.equal((kept as Buffer | null)?.toString(), '###');
  });

  it('writes wait for completeWrites; onDrain when the queue empties past the high-water mark', async () => {
    const fake = new FakeTransport({ autoComplete: false, highWaterMark: 4 });
    const owner = new Recorder();
    fake.attach(owner);
    assert.equal(fake.write('ab'), true);
    assert.equal(fake.write('cde'), false);
    assert.equal(fake.needsDrain, true);
    fake.completeWrites(3);
    assert.equal(fake.text(), 'abc');
    assert.equal(owner.count('drain'), 0);
    fake.completeWrites();
    assert.equal(fake.text(), 'abcde');
    assert.deepEqual(owner.kinds(), ['drain']);
    assert.equal(fake.needsDrain, false);
  });

  it("the client's FIN comes after the bytes sent before it", async () => {
    const fake = new FakeTransport();
    const owner = new Recorder();
    fake.attach(owner);
    fake.startReading();
    fake.receive('abc', [1]);
    fake.clientEnd();
    await owner.until('end', () => owner.count('end') === 1);
    assert.deepEqual(owner.kinds(), ['data', 'data', 'end']);
  });
});
