// Contestant "raw-libuv": the raw ceiling on brisk's libuv transport (src/transport/libuv.ts)
// instead of net.Socket. Same bytes as raw.ts (raw-common.ts): it counts request-head terminators
// per read and answers that many copies of one precomputed response in one write. It shows what
// the transport beneath net.Socket leaves for brisk to reach once Session runs on it.
//
//   node raw-libuv.js PORT [seed|close|download] [handles|sockets]
// The last argument forces a tier: 'sockets' accepts net.Sockets and drives their handles.
// Exits with status 3 and the probe's reason when the libuv transport is not available here.
import { probeLibuvTransport } from '../../src/transport/libuv-probe.js';
import { createLibuvListener, type LibuvTransport } from '../../src/transport/libuv.js';
import type { TransportOwner } from '../../src/transport/transport.js';
import { announce, HOST, portFromArgs } from './common.js';
import { mode, ONE, responses, TerminatorCounter } from './raw-common.js';

const port = portFromArgs();

class Connection implements TransportOwner {
  private readonly counter = new TerminatorCounter();
  constructor(private readonly t: LibuvTransport) {}

  onData(chunk: Buffer): void {
    const n = this.counter.count(chunk);
    if (n === 0) return;
    if (mode === 'close') {
      this.t.write(ONE);
      this.t.end();
    } else this.t.write(responses(n));
  }

  /** The client's FIN: end ours too (what net.Socket does without allowHalfOpen). */
  onEnd(): void {
    this.t.end();
  }

  onDrain(): void {}
  onError(): void {}
  onClose(): void {}
}

const tier = process.argv[4] === 'sockets' ? 'sockets' : undefined;
const probe = await probeLibuvTransport(tier === undefined ? {} : { tier });
if (!probe.ok) {
  console.error(`raw-libuv: the libuv transport is not available: ${probe.reason}`);
  process.exit(3);
}
const listener = createLibuvListener({
  host: HOST,
  port,
  onConnection(t) {
    t.attach(new Connection(t));
    t.startReading();
  },
});
await listener.listen();
announce(`raw-libuv (${mode}, tier ${probe.tier})`, port);
