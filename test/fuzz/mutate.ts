// Byte-level mutations for the coverage-guided loop, driven by a seeded PRNG so a run can be
// repeated. The dictionary holds the bytes HTTP framing turns on (CR, LF, separators, framing
// field names, numbers at overflow boundaries), as AFL/libFuzzer dictionaries do for parsers.

/** mulberry32: small, fast, good enough to pick mutations. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const DICTIONARY: readonly string[] = [
  '\r\n', '\n', '\r', '\r\n\r\n', '\n\n', '\r\r', ' ', '\t', '  ', ':', ': ', ' :', ',', ', ', ';', '=', '"', '\\', '#', '?', '/', '*',
  '\x00', '\x0b', '\x0c', '\x7f', '\x80', '\xff', '\x1b',
  'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.', 'http/1.1', 'GET ', 'POST ', 'HEAD ', 'OPTIONS * ', 'CONNECT a:443 ', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'Host: a\r\n', 'Host:', 'Content-Length: ', 'Content-Length: 0\r\n', 'Content-Length: 5\r\n', 'content-length:', 'Transfer-Encoding: chunked\r\n',
  'Transfer-Encoding: ', 'chunked', 'CHUNKED', 'gzip, chunked', 'chunked, chunked', 'identity', 'Connection: close\r\n', 'Connection: keep-alive\r\n',
  'Connection: upgrade\r\nUpgrade: websocket\r\n', 'Expect: 100-continue\r\n', 'Trailer: x\r\n',
  '0\r\n\r\n', '0\r\n', '5\r\nhello\r\n', 'ffffffffffffffff', '10000000000000000', ';a=b', ';a="b"', ';', '0x', '+', '-',
  '9007199254740991', '9007199254740992', '18446744073709551616', '4294967296', '00000000000000000001',
];

const INTERESTING_BYTES = [0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x22, 0x23, 0x2c, 0x2d, 0x2b, 0x30, 0x3a, 0x3b, 0x3d, 0x46, 0x66, 0x7f, 0x80, 0xff];
const NUMBERS = ['0', '1', '5', '00', '-1', '+5', '0x5', 'ff', 'FFFFFFFF', '4294967296', '9007199254740992', '18446744073709551616', '99999999999999999999'];

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Indices just after each LF (line starts), for line-aware insertions. */
function lineStarts(buf: Buffer): number[] {
  const starts = [0];
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) starts.push(i + 1);
  return starts;
}

function insertAt(buf: Buffer, at: number, bytes: Buffer): Buffer {
  return Buffer.concat([buf.subarray(0, at), bytes, buf.subarray(at)]);
}

/** A position: anywhere, or (half the time) at a line start. */
function position(rng: Rng, buf: Buffer): number {
  if (rng.chance(0.5)) return rng.pick(lineStarts(buf));
  return rng.int(buf.length + 1);
}

type Operator = (rng: Rng, buf: Buffer, other: Buffer) => Buffer;

const OPERATORS: readonly Operator[] = [
  // overwrite one byte with a random or an interesting value
  (rng, buf) => {
    if (buf.length === 0) return buf;
    const out = Buffer.from(buf);
    out[rng.int(out.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
    return out;
  },
  // insert a dictionary token
  (rng, buf) => insertAt(buf, position(rng, buf), latin1(rng.pick(DICTIONARY))),
  // overwrite with a dictionary token
  (rng, buf) => {
    const token = latin1(rng.pick(DICTIONARY));
    const at = position(rng, buf);
    return Buffer.concat([buf.subarray(0, at), token, buf.subarray(Math.min(buf.length, at + token.length))]);
  },
  // delete a short range
  (rng, buf) => {
    if (buf.length === 0) return buf;
    const at = rng.int(buf.length);
    return Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + rng.int(16))]);
  },
  // duplicate a line (repeated fields, repeated requests)
  (rng, buf) => {
    const starts = lineStarts(buf);
    const k = rng.int(starts.length);
    const from = starts[k] as number;
    const to = starts[k + 1] ?? buf.length;
    return insertAt(buf, to, buf.subarray(from, to));
  },
  // remove a line
  (rng, buf) => {
    const starts = lineStarts(buf);
    const k = rng.int(starts.length);
    return Buffer.concat([buf.subarray(0, starts[k]), buf.subarray(starts[k + 1] ?? buf.length)]);
  },
  // replace a run of digits / hex with a boundary number
  (rng, buf) => {
    const text = buf.toString('latin1');
    const runs = [...text.matchAll(/[0-9A-Fa-f]+/g)];
    if (runs.length === 0) return buf;
    const m = rng.pick(runs);
    const at = m.index ?? 0;
    return Buffer.concat([buf.subarray(0, at), latin1(rng.pick(NUMBERS)), buf.subarray(at + m[0].length)]);
  },
  // flip the case of a few letters
  (rng, buf) => {
    const out = Buffer.from(buf);
    for (let n = 1 + rng.int(8); n > 0 && out.length > 0; n--) {
      const i = rng.int(out.length);
      const c = out[i] as number;
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) out[i] = c ^ 0x20;
    }
    return out;
  },
  // CRLF → LF or CR (line-ending confusion)
  (rng, buf) => {
    const text = buf.toString('latin1');
    const crlfs = [...text.matchAll(/\r\n/g)];
    if (crlfs.length === 0) return buf;
    const at = rng.pick(crlfs).index ?? 0;
    return Buffer.concat([buf.subarray(0, at), latin1(rng.pick(['\n', '\r', '\r\r\n', '\n\r'])), buf.subarray(at + 2)]);
  },
  // crossover: the head of this input, the tail of another
  (rng, buf, other) => Buffer.concat([buf.subarray(0, rng.int(buf.length + 1)), other.subarray(rng.int(other.length + 1))]),
  // append another whole input (pipelining)
  (_rng, buf, other) => Buffer.concat([buf, other]),
  // truncate
  (rng, buf) => buf.subarray(0, rng.int(buf.length + 1)),
];

/** 1 to 4 stacked mutations of `buf` (`other` feeds crossover), capped at `maxBytes`. */
export function mutateInput(rng: Rng, buf: Buffer, other: Buffer, maxBytes: number): Buffer {
  let out = buf;
  for (let n = 1 + rng.int(4); n > 0; n--) out = rng.pick(OPERATORS)(rng, out, other);
  return out.length > maxBytes ? out.subarray(0, maxBytes) : out;
}
