// What the diagnostics channels cost per request, in one process through the public API: a
// brisk server on 127.0.0.1 and a raw client on one keep-alive connection sending 16 pipelined
// requests per write (so brisk's own work, not the kernel's, is most of the CPU), the seed
// page answered by a native handler. CPU time of the process per request (the machine may be
// shared: time spent waiting for a core is not counted). Configurations, interleaved rounds:
//   none      nobody subscribed (the hot path every user gets)
//   noop      a no-op subscriber on each of the six channels (payload built, events published)
//   otel      examples/otel/tracing.ts with the SDK's BasicTracerProvider and no exporter
// Run: npm run build && node dist/bench/diagnostics.js [--rounds 15] [--requests 32000]
import dc from 'node:diagnostics_channel';
import net from 'node:net';
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServer, DIAGNOSTICS_CHANNELS } from '../src/index.js';
import { instrumentBrisk } from '../examples/otel/tracing.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = arg('rounds', 15);
const PIPELINE = 16;
const REQUESTS = Math.ceil(arg('requests', 32_000) / PIPELINE) * PIPELINE;

const SEED = '<html><body>Hello World</body></html>';
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(SEED);
});
const { port } = await server.listen(0, '127.0.0.1');
const BATCH = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\n\r\n'.repeat(PIPELINE), 'latin1');

const socket = net.connect(port, '127.0.0.1');
socket.setNoDelay(true);
await new Promise((resolve) => socket.once('connect', resolve));

/** Every response is the same size (the Date field has a fixed width): measure it once. */
async function responseBytes(): Promise<number> {
  socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\n\r\n');
  const [chunk] = (await new Promise((resolve) => socket.once('data', (c) => resolve([c])))) as Buffer[];
  return chunk.length;
}
const RESPONSE_BYTES = await responseBytes();

/** CPU ns per request over `count` requests, PIPELINE per write, the next write once all answers arrived. */
function run(count: number): Promise<number> {
  return new Promise((resolve) => {
    const start = process.cpuUsage();
    let sent = 0;
    let pending = 0;
    const onData = (chunk: Buffer): void => {
      pending -= chunk.length;
      if (pending > 0) return;
      if (sent < count) return send();
      socket.off('data', onData);
      const used = process.cpuUsage(start);
      resolve(((used.user + used.system) * 1000) / count);
    };
    const send = (): void => {
      sent += PIPELINE;
      pending += PIPELINE * RESPONSE_BYTES;
      socket.write(BATCH);
    };
    socket.on('data', onData);
    send();
  });
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
  await run(REQUESTS / 4);
  off();
}
const samples = new Map<string, number[]>(configs.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order so that a slow patch of the machine does not always hit the same one.
  for (const config of round % 2 === 0 ? configs : [...configs].reverse()) {
    const off = config.on();
    samples.get(config.name)!.push(await run(REQUESTS));
    off();
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples.get('none')!);
console.log(`${REQUESTS} requests (${PIPELINE} per write) × ${ROUNDS} interleaved rounds, CPU ns per request (median, min–max), Node ${process.version}`);
for (const [name, xs] of samples) {
  const m = median(xs);
  console.log(`${name.padEnd(5)} ${m.toFixed(0).padStart(6)} ns  (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})  ${(m - base >= 0 ? '+' : '') + (m - base).toFixed(0)} ns vs none`);
}
socket.destroy();
await server.close({ timeoutMs: 1000 });
