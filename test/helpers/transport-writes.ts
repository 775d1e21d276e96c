// Counts the writes brisk's connections make while `fn` runs, at its Transports (what Output
// calls), so that the count holds on every transport. Sockets that are not brisk Transports
// (node:http's, a test's own clients) are not counted.
import { LibuvTransport } from '../../src/transport/libuv.js';
import { NetSocketTransport } from '../../src/transport/net-socket.js';

type Writer = { write: (...a: unknown[]) => boolean; writev: (...a: unknown[]) => boolean };

export async function countTransportWrites<T>(fn: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const prototypes = [NetSocketTransport.prototype, LibuvTransport.prototype] as unknown as Writer[];
  const saved = prototypes.map((p) => [p.write, p.writev] as const);
  let writes = 0;
  for (const p of prototypes) {
    for (const name of ['write', 'writev'] as const) {
      const original = p[name];
      p[name] = function (this: unknown, ...args: unknown[]) {
        writes++;
        return original.apply(this, args);
      };
    }
  }
  try {
    return { result: await fn(), writes };
  } finally {
    prototypes.forEach((p, i) => ([p.write, p.writev] = saved[i]!));
  }
}
