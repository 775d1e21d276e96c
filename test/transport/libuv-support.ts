// The libuv transport's listeners as the tests use them: connections handed out one by one, and
// the contract subject of each tier (contract.test.ts runs the Transport contract on both).
import assert from 'node:assert/strict';
import net from 'node:net';
import { probeLibuvTransport } from '../../src/transport/libuv-probe.js';
import { createLibuvListener, type LibuvTier, type LibuvTransport } from '../../src/transport/libuv.js';
import { socketPeer, type ContractSubject } from './contract.js';

/** A listener of `tier` on 127.0.0.1:0 whose connections are handed out one by one. */
export async function listenerFor(tier: LibuvTier, options: { maxConnections?: number; admit?: () => boolean } = {}) {
  const installed = await probeLibuvTransport(tier === 'sockets' ? { tier } : {});
  assert.ok(installed.ok, JSON.stringify(installed));
  const queue: LibuvTransport[] = [];
  const waiting: ((t: LibuvTransport) => void)[] = [];
  const listener = createLibuvListener({
    host: '127.0.0.1',
    port: 0,
    ...options,
    onConnection: (t) => {
      const w = waiting.shift();
      if (w !== undefined) w(t);
      else queue.push(t);
    },
  });
  assert.equal(listener.tier, tier);
  const { port } = await listener.listen();
  const clients = new Set<net.Socket>();
  return {
    listener,
    port,
    connect(): net.Socket {
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      clients.add(socket);
      socket.on('error', () => {});
      return socket;
    },
    accepted(): Promise<LibuvTransport> {
      const t = queue.shift();
      return t !== undefined ? Promise.resolve(t) : new Promise((resolve) => waiting.push(resolve));
    },
    async dispose(): Promise<void> {
      for (const c of clients) c.destroy();
      await listener.close();
    },
  };
}

export function libuvSubject(tier: LibuvTier): ContractSubject {
  let server: Awaited<ReturnType<typeof listenerFor>> | null = null;
  return {
    name: `libuv (${tier})`,
    kind: 'libuv',
    takesOver: true,
    async pair() {
      server ??= await listenerFor(tier);
      const client = server.connect();
      const peer = socketPeer(client);
      const transport = await server.accepted();
      if (client.connecting) await new Promise((resolve) => client.once('connect', resolve));
      return { transport, peer };
    },
    async dispose() {
      await server?.dispose();
    },
  };
}
