// Tests for src/http/encoder.ts: exact wire bytes per encoder, and refusal of writes that
// would break the chosen framing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ResponseFraming, RESPONSE_FRAMING_NAMES } from '../../src/http/framing.js';
import { InvalidFieldError } from '../../src/http/fields.js';
import {
  BodyEncoderError,
  ChunkedEncoder,
  CloseDelimitedEncoder,
  LengthEncoder,
  NoBodyEncoder,
  chunkSizeLine,
  createBodyEncoder,
  type BodyEncoder,
} from '../../src/http/encoder.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const wire = (pieces: readonly Uint8Array[]): string => Buffer.concat(pieces).toString('latin1');

function isEncoderError(code: string): (err: unknown) => boolean {
  return (err: unknown) => err instanceof BodyEncoderError && err.code === code;
}

/** Feed `writes`, then finish; returns the wire bytes. */
function run(encoder: BodyEncoder, writes: readonly string[], trailers?: readonly string[]): string {
  const out: Uint8Array[] = [];
  for (const w of writes) encoder.encode(bytes(w), out);
  encoder.finish(out, trailers);
  return wire(out);
}

/** A strict reference decoder for the chunked coding, trailers ignored. */
function decodeChunked(data: string): string {
  let body = '';
  let i = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', i);
    assert.ok(lineEnd > i, `size line at ${i}`);
    const sizeText = data.slice(i, lineEnd);
    assert.match(sizeText, /^[0-9a-f]+$/);
    const size = parseInt(sizeText, 16);
    i = lineEnd + 2;
    if (size === 0) break;
    body += data.slice(i, i + size);
    assert.equal(data.slice(i + size, i + size + 2), '\r\n', 'CRLF after chunk data');
    i += size + 2;
  }
  assert.equal(data.slice(i), '\r\n', 'empty trailer section');
  return body;
}

test('ChunkedEncoder: exact bytes', async (t) => {
  const cases: ReadonlyArray<{ name: string; writes: readonly string[]; trailers?: readonly string[]; wire: string }> = [
    { name: 'no writes', writes: [], wire: '0\r\n\r\n' },
    { name: 'one write', writes: ['hello'], wire: '5\r\nhello\r\n0\r\n\r\n' },
    { name: 'empty write emits nothing (0 would end the body)', writes: [''], wire: '0\r\n\r\n' },
    { name: 'empty write between two', writes: ['a', '', 'b'], wire: '1\r\na\r\n1\r\nb\r\n0\r\n\r\n' },
    { name: 'sixteen bytes is hex 10', writes: ['0123456789abcdef'], wire: '10\r\n0123456789abcdef\r\n0\r\n\r\n' },
    { name: 'binary bytes pass untouched', writes: ['\r\n\0\xff'], wire: '4\r\n\r\n\0\xff\r\n0\r\n\r\n' },
    { name: 'trailer section', writes: ['a'], trailers: ['x-checksum', 'abc', 'server-timing', 'db;dur=5'], wire: '1\r\na\r\n0\r\nx-checksum: abc\r\nserver-timing: db;dur=5\r\n\r\n' },
    { name: 'empty trailer list', writes: [], trailers: [], wire: '0\r\n\r\n' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(run(new ChunkedEncoder(), c.writes, c.trailers), c.wire));
  }
});

test('ChunkedEncoder: size lines', async (t) => {
  const cases: ReadonlyArray<{ size: number; line: string }> = [
    { size: 1, line: '1\r\n' },
    { size: 15, line: 'f\r\n' },
    { size: 255, line: 'ff\r\n' },
    { size: 1023, line: '3ff\r\n' },
    { size: 1024, line: '400\r\n' },
    { size: 1025, line: '401\r\n' },
    { size: 4096, line: '1000\r\n' },
    { size: 16384, line: '4000\r\n' },
    { size: 65535, line: 'ffff\r\n' },
    { size: 65536, line: '10000\r\n' },
    { size: 100000, line: '186a0\r\n' },
    { size: 2 ** 24, line: '1000000\r\n' },
    { size: 2 ** 24 + 1, line: '1000001\r\n' },
    { size: 2 ** 32 + 5, line: '100000005\r\n' },
    { size: 2 ** 40, line: '10000000000\r\n' },
  ];
  for (const c of cases) {
    await t.test(`${c.size}`, () => assert.equal(Buffer.from(chunkSizeLine(c.size)).toString('latin1'), c.line));
  }
  await t.test('every size up to 5000 and every power of two', () => {
    for (let size = 1; size <= 5000; size++) {
      assert.equal(Buffer.from(chunkSizeLine(size)).toString('latin1'), `${size.toString(16)}\r\n`);
    }
    for (let e = 0; e <= 40; e++) {
      const size = 2 ** e;
      assert.equal(Buffer.from(chunkSizeLine(size)).toString('latin1'), `${size.toString(16)}\r\n`);
    }
  });
  await t.test('a large chunk is framed with its real size', () => {
    const chunk = Buffer.alloc(70_000, 0x61);
    const out: Uint8Array[] = [];
    new ChunkedEncoder().encode(chunk, out);
    assert.equal(Buffer.from(out[0]!).toString('latin1'), '11170\r\n');
  });
});

test('ChunkedEncoder: pieces alias the chunk, no copy', () => {
  const chunk = bytes('abc');
  const out: Uint8Array[] = [];
  const encoder = new ChunkedEncoder();
  encoder.encode(chunk, out);
  assert.equal(out.length, 3);
  assert.equal(out[1], chunk);
  assert.equal(encoder.bytesWritten, 3);
  const empty: Uint8Array[] = [];
  encoder.encode(new Uint8Array(0), empty);
  assert.equal(empty.length, 0);
});

test('ChunkedEncoder: round trip through a reference decoder', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 300 }), { maxLength: 20 }), (strings) => {
      const writes = strings.map((s) => Buffer.from(s, 'utf8').toString('latin1'));
      assert.equal(decodeChunked(run(new ChunkedEncoder(), writes)), writes.join(''));
    }),
    { numRuns: 300 },
  );
});

test('ChunkedEncoder: trailers are validated', async (t) => {
  const cases: ReadonlyArray<{ name: string; trailers: readonly string[] }> = [
    { name: 'CRLF in trailer value', trailers: ['x', 'a\r\nb: c'] },
    { name: 'space in trailer name', trailers: ['a b', 'c'] },
    { name: 'empty trailer name', trailers: ['', 'c'] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.throws(() => new ChunkedEncoder().finish([], c.trailers), InvalidFieldError);
    });
  }
});

test('LengthEncoder: exact bytes and remaining', async (t) => {
  const cases: ReadonlyArray<{ name: string; contentLength: number; writes: readonly string[]; remaining: readonly number[] }> = [
    { name: 'one write', contentLength: 5, writes: ['hello'], remaining: [0] },
    { name: 'two writes', contentLength: 5, writes: ['hel', 'lo'], remaining: [2, 0] },
    { name: 'empty writes are free', contentLength: 2, writes: ['', 'a', '', 'b', ''], remaining: [2, 1, 1, 0, 0] },
    { name: 'zero length', contentLength: 0, writes: ['', ''], remaining: [0, 0] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const encoder = new LengthEncoder(c.contentLength);
      const out: Uint8Array[] = [];
      c.writes.forEach((w, i) => {
        encoder.encode(bytes(w), out);
        assert.equal(encoder.remaining, c.remaining[i]);
      });
      encoder.finish(out);
      assert.equal(wire(out), c.writes.join(''));
      assert.equal(encoder.bytesWritten, c.contentLength);
    });
  }
});

test('LengthEncoder: overflow is refused whole, underflow fails finish', async (t) => {
  const cases: ReadonlyArray<{
    name: string;
    contentLength: number;
    writes: readonly string[];
    failsAtWrite: number | 'finish';
    remainingAfter: number;
  }> = [
    { name: 'one byte too many', contentLength: 5, writes: ['hello!'], failsAtWrite: 0, remainingAfter: 5 },
    { name: 'second write crosses the length', contentLength: 5, writes: ['hel', 'lo!'], failsAtWrite: 1, remainingAfter: 2 },
    { name: 'write after the length is reached', contentLength: 1, writes: ['a', 'b'], failsAtWrite: 1, remainingAfter: 0 },
    { name: 'any byte against zero', contentLength: 0, writes: ['a'], failsAtWrite: 0, remainingAfter: 0 },
    { name: 'finish short', contentLength: 5, writes: ['hel'], failsAtWrite: 'finish', remainingAfter: 2 },
    { name: 'finish with nothing written', contentLength: 1, writes: [], failsAtWrite: 'finish', remainingAfter: 1 },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const encoder = new LengthEncoder(c.contentLength);
      const out: Uint8Array[] = [];
      let written = '';
      c.writes.forEach((w, i) => {
        if (i === c.failsAtWrite) {
          const before = out.length;
          assert.throws(() => encoder.encode(bytes(w), out), isEncoderError('ERR_CONTENT_LENGTH_MISMATCH'));
          assert.equal(out.length, before, 'nothing of the refused chunk is emitted');
        } else {
          encoder.encode(bytes(w), out);
          written += w;
        }
      });
      if (c.failsAtWrite === 'finish') {
        assert.throws(() => encoder.finish(out), isEncoderError('ERR_CONTENT_LENGTH_MISMATCH'));
      }
      assert.equal(encoder.remaining, c.remainingAfter);
      assert.equal(wire(out), written);
    });
  }
});

test('LengthEncoder: refuses an invalid declared length', async (t) => {
  for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    await t.test(String(n), () => {
      assert.throws(() => new LengthEncoder(n), isEncoderError('ERR_INVALID_CONTENT_LENGTH'));
    });
  }
});

test('CloseDelimitedEncoder: bytes pass through, nothing at the end', () => {
  const encoder = new CloseDelimitedEncoder();
  assert.equal(run(encoder, ['ab', '', 'c']), 'abc');
  assert.equal(encoder.bytesWritten, 3);
});

test('NoBodyEncoder drops and counts what a handler writes anyway', () => {
  const encoder = new NoBodyEncoder();
  assert.equal(run(encoder, ['hello', '', 'x']), '');
  assert.equal(encoder.discardedBytes, 6);
  assert.equal(encoder.bytesWritten, 0);
});

test('every encoder: no writes after finish, no second finish', async (t) => {
  const makers: ReadonlyArray<{ name: string; make: () => BodyEncoder }> = [
    { name: 'Length', make: () => new LengthEncoder(0) },
    { name: 'Chunked', make: () => new ChunkedEncoder() },
    { name: 'CloseDelimited', make: () => new CloseDelimitedEncoder() },
    { name: 'None', make: () => new NoBodyEncoder() },
  ];
  for (const m of makers) {
    await t.test(m.name, () => {
      const encoder = m.make();
      encoder.finish([]);
      assert.throws(() => encoder.encode(bytes('x'), []), isEncoderError('ERR_WRITE_AFTER_FINISH'));
      assert.throws(() => encoder.encode(new Uint8Array(0), []), isEncoderError('ERR_WRITE_AFTER_FINISH'));
      assert.throws(() => encoder.finish([]), isEncoderError('ERR_WRITE_AFTER_FINISH'));
    });
  }
});

test('non-chunked encoders drop trailers', async (t) => {
  const trailers = ['x-checksum', 'abc'];
  await t.test('Length', () => assert.equal(run(new LengthEncoder(1), ['a'], trailers), 'a'));
  await t.test('CloseDelimited', () => assert.equal(run(new CloseDelimitedEncoder(), ['a'], trailers), 'a'));
  await t.test('None', () => assert.equal(run(new NoBodyEncoder(), [], trailers), ''));
});

test('createBodyEncoder', async (t) => {
  const cases: ReadonlyArray<{ framing: ResponseFraming; contentLength: number | undefined; type: Function }> = [
    { framing: ResponseFraming.None, contentLength: undefined, type: NoBodyEncoder },
    { framing: ResponseFraming.Length, contentLength: 3, type: LengthEncoder },
    { framing: ResponseFraming.Chunked, contentLength: undefined, type: ChunkedEncoder },
    { framing: ResponseFraming.CloseDelimited, contentLength: undefined, type: CloseDelimitedEncoder },
  ];
  for (const c of cases) {
    await t.test(RESPONSE_FRAMING_NAMES[c.framing]!, () => {
      const encoder = createBodyEncoder(c.framing, c.contentLength);
      assert.ok(encoder instanceof c.type);
      assert.equal(encoder.framing, c.framing);
    });
  }
  await t.test('Length without a length', () => {
    assert.throws(() => createBodyEncoder(ResponseFraming.Length, undefined), isEncoderError('ERR_INVALID_CONTENT_LENGTH'));
  });
});
