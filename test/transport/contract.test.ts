// The Transport contract (contract.ts) on every transport Session can sit on: net (a
// NetSocketTransport over an accepted net.Socket), libuv on both tiers ('handles': bare tcp_wrap
// handles; 'sockets': an accepted net.Socket's handle driven directly), and the FakeTransport the
// Session tests use, so that a behaviour the fake allows is one the real transports have. Then the
// FakeTransport's own controls.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { probeLibuvTransport } from '../../src/transport/libuv-probe.js';
import { NetSocketTransport } from '../../src/transport/net-socket.js';
import type { TransportOwner } from '../../src/transport/transport.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { socketPeer, transportContract, type ContractSubject, type Peer } from './contract.js';
import { libuvSubject } from './libuv-support.js';

function netSubject(): ContractSubject {
  let server: net.Server | null = null;
  let port = 0;
  const accepted: net.Socket[] = [];
  const waiting: ((socket: net.Socket) => void)[] = [];
  const clients = new Set<net.Socket>();
  return {
    name: 'net',
    kind: 'net',
    takesOver: true,
    async pair() {
      if (server === null) {
        server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
          const w = waiting.shift();
          if (w !== undefined) w(socket);
          else accepted.push(socket);
        });
        await new Promise<void>((resolve) => (server as net.Server).listen(0, '127.0.0.1', resolve));
        port = (server.address() as net.AddressInfo).port;
      }
      const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      client.on('error', () => {});
      clients.add(client);
      const peer = socketPeer(client);
      const socket = accepted.shift() ?? (await new Promise<net.Socket>((resolve) => waiting.push(resolve)));
      if (client.connecting) await new Promise((resolve) => client.once('connect', resolve));
      return { transport: new NetSocketTransport(socket), peer };
    },
    async dispose() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
    },
  };
}

/** The FakeTransport with its test controls as the Peer (a client that stops reading: writes stop completing). */
function fakeSubject(): ContractSubject {
  return {
    name: 'fake',
    kind: 'fake',
    takesOver: false,
    async pair() {
      const fake = new FakeTransport({ highWaterMark: 16 * 1024 });
      const peer: Peer = {
        write: (data) => fake.receive(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data)),
        end: () => fake.clientEnd(),
        reset: () => fake.clientReset(),
        pause: () => {
          fake.autoComplete = false;
        },
        resume: () => {
          fake.autoComplete = true;
          fake.completeWrites();
        },
        received: () => fake.output(),
        get ended() {
          return fake.finSent;
        },
        get closed() {
          return fake.closed;
        },
        localPort: null,
        async until(test, ms = 5000) {
          const deadline = Date.now() + ms;
          while (!test()) {
            if (Date.now() > deadline) throw new Error('fake peer timed out');
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        },
      };
      return { transport: fake, peer };
    },
  };
}

const probe = await probeLibuvTransport();
if (!probe.ok) console.log(`# skipping the libuv transport's contract: ${probe.reason}`);

transportContract(netSubject());
if (probe.ok) {
  transportContract(libuvSubject('handles'));
  transportContract(libuvSubject('sockets'));
}
transportContract(fakeSubject());

/** An owner that records the kinds of event it hears. */
class Events implements TransportOwner {
  readonly kinds: string[] = [];
  readonly chunks: Buffer[] = [];
  onData(chunk: Buffer): void {
    this.kinds.push('data');
    this.chunks.push(Buffer.from(chunk));
  }
  onEnd(): void {
    this.kinds.push('end');
  }
  onDrain(): void {
    this.kinds.push('drain');
  }
  onError(): void {
    this.kinds.push('error');
  }
  onClose(): void {
    this.kinds.push('close');
  }
}

describe('FakeTransport controls', () => {
  it('delivers bytes in the split the test asks for', async () => {
    const fake = new FakeTransport({ autoPump: false });
    const owner = new Events();
    fake.attach(owner);
    fake.startReading();
    fake.receive('GET / HTTP/1.1\r\n', [1, 5, 6]);
    assert.equal(fake.pump(), 4);
    assert.deepEqual(owner.chunks.map((c) => c.toString()), ['G', 'ET /', ' ', 'HTTP/1.1\r\n']);
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
    const owner = new Events();
    fake.attach(owner);
    assert.equal(fake.write('ab'), true);
    assert.equal(fake.write('cde'), false);
    assert.equal(fake.needsDrain, true);
    fake.completeWrites(3);
    assert.equal(fake.text(), 'abc');
    assert.deepEqual(owner.kinds, []);
    fake.completeWrites();
    assert.equal(fake.text(), 'abcde');
    assert.deepEqual(owner.kinds, ['drain']);
    assert.equal(fake.needsDrain, false);
  });

  it("the client's FIN comes after the bytes sent before it", async () => {
    const fake = new FakeTransport();
    const owner = new Events();
    fake.attach(owner);
    fake.startReading();
    fake.receive('abc', [1]);
    fake.clientEnd();
    for (let i = 0; i < 100 && !owner.kinds.includes('end'); i++) await new Promise((resolve) => setTimeout(resolve, 2));
    assert.deepEqual(owner.kinds, ['data', 'data', 'end']);
  });
});
