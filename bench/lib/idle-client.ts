// The memory mode's client, run as its own process: opens COUNT keep-alive connections in batches,
// sends one GET on each and reads the answer, so every connection has served a request and sits
// idle. Then it prints `ready OPEN FAILED` and waits; on a line `report` from stdin it prints
// `open STILL_OPEN`, closes everything and exits.
// Usage: node dist/bench/lib/idle-client.js PORT PATH COUNT [BATCH]
import net from 'node:net';
import { createInterface } from 'node:readline';

const port = Number(process.argv[2]);
const path = process.argv[3] ?? '/';
const count = Number(process.argv[4] ?? 5000);
/** Connections opened at once; arbitrary, small enough not to overflow a listen backlog of 511. */
const batchSize = Number(process.argv[5] ?? 250);
const REQUEST = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'latin1');

const sockets: net.Socket[] = [];
let failed = 0;

/** Connect, send one request, resolve once the answer's head and (small) body arrived. */
function openOne(): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let received = '';
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      if (ok) sockets.push(socket);
      else {
        failed++;
        socket.destroy();
      }
      resolve();
    };
    socket.setTimeout(10_000, () => done(false));
    socket.on('connect', () => socket.write(REQUEST));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(received.slice(0, headEnd));
      if (length === null || received.length - headEnd - 4 >= Number(length[1])) {
        socket.setTimeout(0);
        done(true);
      }
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

for (let opened = 0; opened < count; opened += batchSize) {
  const batch: Promise<void>[] = [];
  for (let k = 0; k < Math.min(batchSize, count - opened); k++) batch.push(openOne());
  await Promise.all(batch);
}
process.stdout.write(`ready ${sockets.length} ${failed}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'report') return;
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  process.stdout.write(`open ${open}\n`);
  for (const s of sockets) s.destroy();
  process.exit(0);
});
