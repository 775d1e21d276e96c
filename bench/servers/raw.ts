// Contestant "raw": the ceiling. A node:net server that does no HTTP parsing at all: it counts
// request-head terminators (CR LF CR LF) in the incoming bytes and, per read, writes that many
// copies of one precomputed response in a single socket.write. No Node.js HTTP server can do less
// work per request, so brisk's speed is reported as a fraction of this one's.
//
// It cannot read the request, so the runner tells it what to answer at start-up:
//   node raw.js PORT            the seed page, keep-alive (also used for /upload: a 1 MiB body of
//                               'x' holds no terminator, so each upload gets one answer)
//   node raw.js PORT close      the seed page with `Connection: close`, then the socket is ended
//   node raw.js PORT download   a 1 MiB body
import net from 'node:net';
import { announce, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, portFromArgs, SEED_BODY, SEED_TYPE } from './common.js';

type RawMode = 'seed' | 'close' | 'download';

const port = portFromArgs();
const mode = (process.argv[3] ?? 'seed') as RawMode;
if (mode !== 'seed' && mode !== 'close' && mode !== 'download') {
  console.error(`raw: unknown mode ${mode} (seed | close | download)`);
  process.exit(2);
}

function response(): Buffer {
  const body = mode === 'download' ? DOWNLOAD_BODY : Buffer.from(SEED_BODY);
  const type = mode === 'download' ? DOWNLOAD_TYPE : SEED_TYPE;
  const connection = mode === 'close' ? 'Connection: close\r\n' : '';
  // A fixed Date: computing one is work the ceiling leaves out on purpose.
  const head = `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n${connection}` +
    'Date: Tue, 24 Nov 2026 00:00:00 GMT\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const ONE = response();
/** n responses back to back, made once per n (pipelined reads repeat the same few counts). */
const batches: Buffer[] = [ONE];
function responses(n: number): Buffer {
  let batch = batches[n - 1];
  if (batch === undefined) {
    batch = Buffer.concat(new Array<Buffer>(n).fill(ONE));
    if (n <= 256) batches[n - 1] = batch;
  }
  return batch;
}

const CR = 13;
const LF = 10;

/**
 * Where a connection is in the terminator CR LF CR LF: 0 nothing matched, 1 CR, 2 CR LF,
 * 3 CR LF CR. Kept between reads, so a terminator split across two reads is still counted once.
 */
class TerminatorCounter {
  private matched = 0;

  count(chunk: Buffer): number {
    let found = 0;
    let s = this.matched;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (s === 0) {
        const cr = chunk.indexOf(CR, i);
        if (cr < 0) break;
        i = cr + 1;
        s = 1;
        continue;
      }
      const b = chunk[i++];
      if (s === 1) s = b === LF ? 2 : b === CR ? 1 : 0;
      else if (s === 2) s = b === CR ? 3 : 0;
      else if (b === LF) {
        found++;
        s = 0;
      } else s = b === CR ? 1 : 0;
    }
    this.matched = s;
    return found;
  }
}

const server = net.createServer({ noDelay: true }, (socket) => {
  const counter = new TerminatorCounter();
  socket.on('data', (chunk: Buffer) => {
    const n = counter.count(chunk);
    if (n === 0) return;
    if (mode === 'close') socket.end(ONE);
    else socket.write(responses(n));
  });
  socket.on('error', () => socket.destroy());
});
server.listen(port, HOST, () => announce(`raw (${mode})`, port));
