// What the raw ceilings (raw.ts on net.Socket, raw-libuv.ts on the libuv transport) share: the
// mode from argv, the one precomputed response, n copies of it per read, and the counter of
// request-head terminators. Neither parses HTTP; both answer exactly the same bytes.
import { DOWNLOAD_BODY, DOWNLOAD_TYPE, SEED_BODY, SEED_TYPE } from './common.js';

export type RawMode = 'seed' | 'close' | 'download';

export const mode = (process.argv[3] ?? 'seed') as RawMode;
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

export const ONE = response();
/** n responses back to back, made once per n (pipelined reads repeat the same few counts). */
const batches: Buffer[] = [ONE];
export function responses(n: number): Buffer {
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
export class TerminatorCounter {
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

