// The net.Socket transport held to the same contract the libuv transport runs (contract.ts), so
// that the two transports Session can sit on behave alike case by case (contract.test.ts holds
// net and FakeTransport to the seam's own suite).
import net from 'node:net';
import { NetSocketTransport } from '../../src/transport/net-socket.js';
import { socketPeer, transportContract, type ContractSubject } from './contract.js';

function netSubject(): ContractSubject {
  let server: net.Server | null = null;
  let port = 0;
  const accepted: net.Socket[] = [];
  const waiting: ((socket: net.Socket) => void)[] = [];
  const clients = new Set<net.Socket>();
  return {
    name: 'net (NetSocketTransport)',
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

transportContract(netSubject());
