// The Transport contract (src/transport/transport.ts), as tests any implementation runs:
//   transportContract({ name, kind, pair, dispose, takesOver })
// `pair()` gives a fresh transport and its Peer, the other end of the connection. For socket
// transports the peer is a net.Socket client (socketPeer below); a FakeTransport gives its own
// controller as the Peer. contract.test.ts runs it on every transport (net, both libuv tiers,
// the fake): one suite, so that they behave alike case by case.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { Transport, TransportOwner } from '../../src/transport/transport.js';

/** The other end of a transport's connection, as a test drives it. */
export interface Peer {
  write(data: string | Buffer): void;
  /** Half-close (FIN). */
  end(): void;
  /** Abort the connection (RST). */
  reset(): void;
  /** Stop / start reading (a client that does not read). */
  pause(): void;
  resume(): void;
  /** Everything received so far, in order. */
  received(): Buffer;
  /** The peer has seen our FIN. */
  readonly ended: boolean;
  /** The connection is gone from the peer's side (closed or reset). */
  readonly closed: boolean;
  /** The peer's local port, which is the transport's remotePort (null: not a socket). */
  readonly localPort: number | null;
  /** Resolves once `test()` holds (checked on every peer event), rejects after `ms`. */
  until(test: () => boolean, ms?: number): Promise<void>;
}

export interface Pair {
  transport: Transport;
  peer: Peer;
}

export interface ContractSubject {
  name: string;
  /** What `transport.kind` says. */
  kind: string;
  pair(): Promise<Pair>;
  /** After all tests of the subject. */
  dispose?(): Promise<void>;
  /** takeOver() gives a net.Socket on the same connection (false for a fake). */
  takesOver: boolean;
}

type Event = readonly [string, string?];

/**
 * A TransportOwner that records every event and checks the contract's event rules on each:
 * nothing before attach, nothing re-entrant from a call the test makes (`calling`), nothing
 * after onClose, onClose once.
 */
export class Recorder implements TransportOwner {
  readonly events: Event[] = [];
  readonly violations: string[] = [];
  data = Buffer.alloc(0);
  calling = false;
  /** Called with each chunk while it is valid (echo tests write it back from here). */
  onChunk: ((chunk: Buffer) => void) | null = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly copyData = true) {}

  private record(event: Event): void {
    if (this.calling) this.violations.push(`${event[0]} emitted synchronously from a call`);
    if (this.count('close') > 0) this.violations.push(`${event[0]} after close`);
    this.events.push(event);
    for (const w of this.waiters.splice(0)) w();
  }

  onData(chunk: Buffer): void {
    if (this.copyData) this.data = Buffer.concat([this.data, chunk]);
    this.onChunk?.(chunk);
    this.record(['data']);
  }
  onEnd(): void {
    this.record(['end']);
  }
  onDrain(): void {
    this.record(['drain']);
  }
  onError(code: string): void {
    this.record(['error', code]);
  }
  onClose(): void {
    this.record(['close']);
  }

  count(name: string): number {
    let n = 0;
    for (const e of this.events) if (e[0] === name) n++;
    return n;
  }

  errors(): string[] {
    return this.events.filter((e) => e[0] === 'error').map((e) => e[1] as string);
  }

  /** Run `fn` as the owner's call: any event it emits synchronously is a violation. */
  call<T>(fn: () => T): T {
    this.calling = true;
    try {
      return fn();
    } finally {
      this.calling = false;
    }
  }

  until(test: () => boolean, ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; events: ${this.events.map((e) => e.join(' ')).join(', ')}`)), ms);
      const check = (): void => {
        if (test()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

/** A net.Socket client as the Peer. */
export function socketPeer(socket: net.Socket): Peer {
  const chunks: Buffer[] = [];
  let ended = false;
  let closed = false;
  let waiters: (() => void)[] = [];
  const poke = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    poke();
  });
  socket.on('end', () => {
    ended = true;
    poke();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    poke();
  });
  return {
    write: (data) => void socket.write(data),
    end: () => void socket.end(),
    reset: () => void socket.resetAndDestroy(),
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
    received: () => Buffer.concat(chunks),
    get ended() {
      return ended;
    },
    get closed() {
      return closed;
    },
    get localPort() {
      return socket.localPort ?? null;
    },
    until(test, ms = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`peer timed out (received ${chunks.reduce((n, c) => n + c.length, 0)} bytes, ended ${ended}, closed ${closed})`)), ms);
        const check = (): void => {
          if (test()) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Bytes whose value depends on their position, so that a lost, doubled or reordered piece shows. */
export function pattern(length: number, seed = 0): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7 + seed + (i >> 8)) & 0xff;
  return b;
}

/** Write 1 MiB pieces until write() returns false (the peer is not reading); the bytes written. */
function fillUntilFull(r: Recorder, t: Transport, seed: number): Buffer[] {
  const written: Buffer[] = [];
  for (let i = 0; i < 64; i++) {
    const piece = pattern(1024 * 1024, seed + i);
    written.push(piece);
    if (!r.call(() => t.write(piece))) return written;
  }
  assert.fail('write() never returned false with a peer that does not read (64 MiB)');
}

export function transportContract(subject: ContractSubject): void {
  describe(`Transport contract: ${subject.name}`, { timeout: 60_000 }, () => {
    if (subject.dispose !== undefined) after(() => subject.dispose?.());

    const open = async (copy = true): Promise<{ t: Transport; peer: Peer; r: Recorder }> => {
      const { transport: t, peer } = await subject.pair();
      const r = new Recorder(copy);
      t.attach(r);
      return { t, peer, r };
    };
    const T = { timeout: 20_000 };

    const noViolations = (r: Recorder): void => assert.deepEqual(r.violations, []);

    test('reading starts paused: nothing before attach() or startReading(); then bytes arrive and can be echoed', T, async () => {
      const { transport: t, peer } = await subject.pair();
      peer.write('hello');
      await sleep(30);
      const r = new Recorder();
      t.attach(r);
      await sleep(30);
      assert.equal(r.count('data'), 0, 'data before startReading()');
      r.call(() => t.startReading());
      await r.until(() => r.data.toString() === 'hello');
      assert.equal(r.call(() => t.write(Buffer.from(r.data))), true);
      await peer.until(() => peer.received().toString() === 'hello');
      r.call(() => t.destroy());
      await r.until(() => r.count('close') === 1);
      noViolations(r);
    });

    test('write, writev and write(bytes) go out in order; bytesRead and bytesWritten count them', async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      r.call(() => {
        t.write('on\u00e9 '); // latin1
        t.writev([Buffer.from('two '), new Uint8Array(Buffer.from('three ')), Buffer.from('four ')]);
        t.write(Buffer.from('five'));
        t.writev([Buffer.from(' six')]);
      });
      await peer.until(() => peer.received().length === 27);
      assert.equal(peer.received().toString('latin1'), 'on\u00e9 two three four five six');
      assert.equal(t.bytesWritten, 27);
      peer.write('0123456789');
      await r.until(() => r.data.length === 10);
      assert.equal(t.bytesRead, 10);
      assert.equal(t.needsDrain, false);
      r.call(() => t.destroy());
      await r.until(() => r.count('close') === 1);
      noViolations(r);
    });

    test('write, writev, end and destroy in a row: no event from inside them, then onClose once', T, async () => {
      const { t, r } = await open();
      r.call(() => {
        t.startReading();
        t.write('x');
        t.writev([Buffer.from('y'), Buffer.from('z')]);
        t.end();
        t.destroy();
      });
      await r.until(() => r.count('close') === 1);
      await sleep(20);
      assert.equal(r.count('close'), 1);
      noViolations(r);
    });

    test('remoteAddress and remotePort are the peer; kind, encrypted, readsReuseBuffer', T, async () => {
      const { t, peer, r } = await open();
      if (peer.localPort !== null) {
        assert.equal(t.remoteAddress, '127.0.0.1');
        assert.equal(t.remotePort, peer.localPort);
      }
      assert.equal(t.kind, subject.kind);
      assert.equal(typeof t.readsReuseBuffer, 'boolean');
      assert.equal(t.encrypted, false);
      r.call(() => t.destroy());
      await r.until(() => r.count('close') === 1);
    });

    test('stopReading() holds the peer\'s bytes until startReading()', async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      peer.write('a');
      await r.until(() => r.data.length === 1);
      r.call(() => t.stopReading());
      peer.write('b');
      await sleep(30);
      assert.equal(r.data.toString(), 'a');
      r.call(() => t.startReading());
      await r.until(() => r.data.toString() === 'ab');
      r.call(() => t.destroy());
      await r.until(() => r.count('close') === 1);
      noViolations(r);
    });

    test('backpressure: needsDrain while the peer does not read, onDrain once it has, nothing lost', async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      peer.pause();
      const written = fillUntilFull(r, t, 1);
      assert.equal(t.needsDrain, true);
      await sleep(30);
      assert.equal(r.count('drain'), 0, 'onDrain while the peer reads nothing');
      const total = written.reduce((n, b) => n + b.length, 0);
      peer.resume();
      await r.until(() => r.count('drain') === 1);
      assert.equal(t.needsDrain, false);
      await peer.until(() => peer.received().length === total);
      assert.ok(peer.received().equals(Buffer.concat(written)), 'the bytes arrived changed or out of order');
      assert.equal(t.bytesWritten, total);
      r.call(() => t.destroy());
      await r.until(() => r.count('close') === 1);
      assert.equal(r.count('drain'), 1);
      noViolations(r);
    });

    test('an owner that writes its read chunks back without copying them loses nothing', async () => {
      const { t, peer, r } = await open(false);
      let echoed = 0;
      let backedUp = false;
      r.onChunk = (chunk) => {
        echoed += chunk.length;
        t.write(chunk); // the chunk may be a view of a reused buffer: the transport must cope
        backedUp ||= t.needsDrain;
      };
      r.call(() => t.startReading());
      // The peer does not read, so our echoes go asynchronous (queued in the transport) while
      // reads go on: send until that has happened, then 4 MiB more.
      peer.pause();
      const sent: Buffer[] = [];
      let extra = 64;
      for (let i = 0; i < 1024 && extra > 0; i++) {
        const piece = pattern(64 * 1024, i);
        sent.push(piece);
        peer.write(piece);
        if (i % 16 === 15) await r.until(() => echoed === sent.length * 64 * 1024, 10_000);
        if (backedUp) extra--;
      }
      assert.ok(backedUp, 'the echoes never queued up');
      const all = Buffer.concat(sent);
      await r.until(() => echoed === all.length, 10_000);
      peer.resume();
      await peer.until(() => peer.received().length === all.length, 20_000);
      assert.ok(peer.received().equals(all), 'echoed bytes differ from the bytes sent');
      r.call(() => t.destroy());
      await r.until(() => r.count('close') === 1);
      noViolations(r);
    });

    test('the peer half-closes: onEnd, then the owner still writes; end() closes after the FIN', async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      peer.write('request');
      peer.end();
      await r.until(() => r.count('end') === 1);
      assert.equal(r.data.toString(), 'request');
      r.call(() => {
        t.write('answer after the client\'s FIN');
        t.end();
        t.end(); // twice: a no-op
      });
      await peer.until(() => peer.ended);
      assert.equal(peer.received().toString(), 'answer after the client\'s FIN');
      await r.until(() => r.count('close') === 1);
      await sleep(20);
      assert.deepEqual(r.events.map((e) => e[0]), ['data', 'end', 'close']);
      noViolations(r);
    });

    test('the owner half-closes: the FIN follows every queued write; the peer can still send', async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      peer.pause();
      const written = fillUntilFull(r, t, 3);
      r.call(() => t.end());
      assert.equal(r.call(() => t.write('after end')), false, 'write after end() accepted');
      peer.resume();
      await peer.until(() => peer.ended, 10_000);
      assert.ok(peer.received().equals(Buffer.concat(written)), 'FIN before the queued bytes, or bytes changed');
      peer.write('still talking');
      await r.until(() => r.data.toString() === 'still talking');
      assert.equal(r.count('close'), 0);
      peer.end();
      await r.until(() => r.count('close') === 1);
      assert.equal(r.count('end'), 1);
      assert.deepEqual(r.errors(), []);
      noViolations(r);
    });

    test('a reset from the peer: ECONNRESET or a plain close, then onClose exactly once', async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      peer.write('x');
      await r.until(() => r.data.length === 1);
      peer.reset();
      await r.until(() => r.count('close') === 1);
      for (const code of r.errors()) assert.equal(code, 'ECONNRESET');
      assert.equal(r.call(() => t.write('late')), false);
      r.call(() => {
        t.end();
        t.destroy();
        t.startReading();
        t.stopReading();
      });
      await sleep(30);
      assert.equal(r.count('close'), 1);
      noViolations(r);
    });

    test('destroy() with writes queued: onClose once, no onDrain or onError; later calls are no-ops', async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      peer.pause();
      fillUntilFull(r, t, 5);
      r.call(() => t.destroy());
      r.call(() => t.destroy());
      await r.until(() => r.count('close') === 1);
      peer.resume();
      // The peer sees our FIN or a reset (the kernel's choice with data still unsent).
      await peer.until(() => peer.ended || peer.closed, 10_000);
      await sleep(30);
      assert.deepEqual(r.events.map((e) => e[0]), ['close']);
      assert.equal(t.needsDrain, false);
      assert.equal(r.call(() => t.write('x')), false);
      assert.equal(r.call(() => t.writev([Buffer.from('y'), Buffer.from('z')])), false);
      noViolations(r);
    });

    test('takeOver() without a connection under it (a fake): a net.Socket, and the owner hears nothing more', { skip: subject.takesOver }, async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      const socket = r.call(() => t.takeOver());
      assert.ok(socket instanceof net.Socket);
      peer.write('for the new owner');
      peer.end();
      await sleep(30);
      assert.deepEqual(r.events, []);
      assert.equal(r.call(() => t.write('x')), false);
      socket.destroy();
      noViolations(r);
    });

    test('takeOver() gives a paused net.Socket that continues the conversation', { skip: !subject.takesOver }, async () => {
      const { t, peer, r } = await open();
      r.call(() => t.startReading());
      peer.write('GET /ws');
      await r.until(() => r.data.toString() === 'GET /ws');
      r.call(() => t.write('101 '));
      const socket = r.call(() => t.takeOver());
      assert.ok(socket instanceof net.Socket);
      peer.write('more');
      await sleep(30);
      let got = '';
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
        if (got === 'more') socket.write('switched');
      });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      assert.equal(got, '', 'the socket emitted data before resume()');
      socket.resume();
      await peer.until(() => peer.received().toString() === '101 switched');
      peer.write(pattern(256 * 1024)); // larger than one read: the socket's flow goes on
      await new Promise<void>((resolve) => {
        const poll = (): void => (got.length >= 4 + 256 * 1024 ? resolve() : void setTimeout(poll, 5));
        poll();
      });
      assert.ok(Buffer.from(got.slice(4), 'latin1').length === 256 * 1024);
      peer.end();
      await new Promise<void>((resolve) => socket.once('end', () => resolve()));
      socket.end();
      await closed;
      await peer.until(() => peer.ended);
      assert.equal(r.events.filter((e) => e[0] !== 'data').length, 0, `events after takeOver: ${r.events.join(' ')}`);
      assert.equal(r.call(() => t.write('x')), false);
      noViolations(r);
    });
  });
}
