// The byte-run loops of src/parser/scan.ts against the plain one-table-lookup-per-byte loop
// they replace: for every byte value, at every offset in and around the unrolled steps, they
// must stop at exactly the same index. (The parser tests cover them only with the bytes that
// happen to occur in their rows.)
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { FIELD_VALUE, HOST, TARGET, TOKEN } from '../../src/parser/chars.js';
import { skipFieldValue, skipOws, skipTable, trimOwsEnd } from '../../src/parser/scan.js';

/** The reference: the first index in buf[i, end) whose byte is not in `table`. */
function plainSkip(table: Uint8Array, buf: Uint8Array, i: number, end: number): number {
  while (i < end && table[buf[i]] === 1) i++;
  return i;
}

/** Runs of `fill` bytes with one byte `b` at `at` (or none when at = -1), `length` long. */
function runWith(fill: number, length: number, b: number, at: number): Uint8Array {
  const buf = new Uint8Array(length).fill(fill);
  if (at >= 0) buf[at] = b;
  return buf;
}

describe('scan loops stop where a table loop stops', () => {
  test('skipFieldValue = FIELD_VALUE, every byte at every offset of a 13-byte run', () => {
    for (let b = 0; b < 256; b++) {
      for (let at = -1; at < 13; at++) {
        const buf = runWith(0x61, 13, b, at);
        for (let start = 0; start <= 4; start++) {
          for (let end = start; end <= 13; end++) {
            assert.equal(skipFieldValue(buf, start, end), plainSkip(FIELD_VALUE, buf, start, end), `byte ${b} at ${at}, [${start}, ${end})`);
          }
        }
      }
    }
  });

  test('skipFieldValue goes on after HTAB and obs-text, wherever they are', () => {
    const buf = Uint8Array.from([0x61, 0x09, 0x62, 0x80, 0xff, 0x63, 0x09, 0x09, 0x64, 0x7f, 0x65]);
    for (let start = 0; start < buf.length; start++) {
      assert.equal(skipFieldValue(buf, start, buf.length), plainSkip(FIELD_VALUE, buf, start, buf.length));
    }
    assert.equal(skipFieldValue(buf, 0, buf.length), 9); // stops at DEL
  });

  test('skipTable = the plain loop, for every table the parser uses', () => {
    for (const table of [TOKEN, TARGET, HOST, FIELD_VALUE]) {
      const fill = table === TARGET || table === HOST ? 0x61 : 0x41;
      for (let b = 0; b < 256; b++) {
        for (let at = -1; at < 10; at++) {
          const buf = runWith(fill, 10, b, at);
          for (let start = 0; start <= 4; start++) {
            assert.equal(skipTable(table, buf, start, 10), plainSkip(table, buf, start, 10));
          }
        }
      }
    }
  });

  test('skipOws and trimOwsEnd take SP and HTAB only', () => {
    const buf = Uint8Array.from([0x20, 0x09, 0x20, 0x61, 0x0b, 0x20, 0x09]);
    assert.equal(skipOws(buf, 0, buf.length), 3);
    assert.equal(skipOws(buf, 4, buf.length), 4);
    assert.equal(skipOws(buf, 5, buf.length), 7);
    assert.equal(trimOwsEnd(buf, 0, buf.length), 5);
    assert.equal(trimOwsEnd(buf, 5, buf.length), 5);
    assert.equal(trimOwsEnd(buf, 0, 3), 0);
  });
});
