// What the diagnostics channels cost per request, in process: one Session driven with a
// minimal stand-in socket (no kernel, no event loop turn), the seed page answered by a native
// handler, keep-alive, one request per read. Configurations measured in interleaved rounds:
//   none      nobody subscribed (the hot path every user gets)
//   noop      a no-op subscriber on each of the six channels (payload built, events published)
//   otel      examples/otel/tracing.ts with the SDK's BasicTracerProvider and no exporter
// Run: npm run build && node dist/bench/diagnostics.js [--rounds 21] [--requests 50000]
import dc from 'node:diagnostics_channel';
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServer, DIAGNOSTICS_CHANNELS } from '../src/index.js';
import { Session } from '../src/server/session.js';
import { instrumentBrisk } from '../examples/otel/tracing.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = arg('rounds', 21);
const REQUESTS = arg('requests', 50_000);

/** Just what Session and Output call on a socket; writes are counted and dropped. */
class StandInSocket {
  writableNeedDrain = false;
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  bytesRead = 0;
  bytesWritten = 0;
  setNoDelay(): void {}
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
  write(data: string | Uint8Array): boolean {
    this.bytesWritten += data.length;
    return true;
  }
  cork(): void {}
  uncork(): void {}
  pause(): void {}
  resume(): void {}
  end(): void {}
  destroy(): void {}
}

const SEED = '<html><body>Hello World</body></html>';
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(SEED);
});
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\n\r\n', 'latin1');

/** ns per request over `count` requests on one keep-alive connection. */
function run(count: number): number {
  const socket = new StandInSocket();
  // `as never`: the bench must keep compiling whatever Session's transport parameter becomes.
  const session = new Session(1, socket as never, server);
  // CPU time, not wall time: on a shared machine, time spent waiting for a core is not ours.
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) session.onData(REQUEST);
  const used = process.cpuUsage(start);
  const ns = ((used.user + used.system) * 1000) / count;
  if (socket.bytesWritten < count * SEED.length) throw new Error('responses were not written');
  return ns;
}

const noop = (): void => {};
const configs: { name: string; on(): () => void }[] = [
  { name: 'none', on: () => () => {} },
  {
    name: 'noop',
    on: () => {
      const names = Object.values(DIAGNOSTICS_CHANNELS);
      for (const name of names) dc.subscribe(name, noop);
      return () => {
        for (const name of names) dc.unsubscribe(name, noop);
      };
    },
  },
  {
    name: 'otel',
    on: () => instrumentBrisk({ tracer: new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] }).getTracer('bench') }),
  },
];

// Warm every path up first.
for (const config of configs) {
  const off = config.on();
  run(REQUESTS / 4);
  off();
}
const samples = new Map<string, number[]>(configs.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order so that a slow patch of the machine does not always hit the same one.
  for (const config of round % 2 === 0 ? configs : [...configs].reverse()) {
    const off = config.on();
    samples.get(config.name)!.push(run(REQUESTS));
    off();
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples.get('none')!);
console.log(`${REQUESTS} requests × ${ROUNDS} interleaved rounds, CPU ns per request (median, min–max), Node ${process.version}`);
for (const [name, xs] of samples) {
  const m = median(xs);
  console.log(`${name.padEnd(5)} ${m.toFixed(0).padStart(6)} ns  (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})  ${(m - base >= 0 ? '+' : '') + (m - base).toFixed(0)} ns vs none`);
}
