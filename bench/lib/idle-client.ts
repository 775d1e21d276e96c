// The memory mode's client, run as its own process: opens COUNT keep-alive connections in batches,
// sends one GET on each and reads the answer, so every connection has served a request and sits
// idle. Then it prints `ready OPEN FAILED` and waits; on a line `report` from stdin it prints
// `open STILL_OPEN`, closes everything and exits.
// Usage: node dist/bench/lib/idle-client.js PORT PATH COUNT [BATCH]
import { createInterface } from 'node:readline';
import { IDLE_BATCH, openIdleConnections } from './idle-connections.js';

const port = Number(process.argv[2]);
const path = process.argv[3] ?? '/';
const count = Number(process.argv[4] ?? 5000);
const batch = Number(process.argv[5] ?? IDLE_BATCH);

const { sockets, failed } = await openIdleConnections(port, count, { path, batch, timeoutMs: 10_000 });
process.stdout.write(`ready ${sockets.length} ${failed}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'report') return;
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  process.stdout.write(`open ${open}\n`);
  for (const s of sockets) s.destroy();
  process.exit(0);
});
