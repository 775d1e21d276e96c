// Tests for src/http/date.ts: IMF-fixdate format and the once-per-second cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpDate } from '../../src/http/date.js';

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

test('httpDate: RFC 9110 §5.6.7 example', () => {
  assert.equal(httpDate(Date.UTC(1994, 10, 6, 8, 49, 37)), 'Sun, 06 Nov 1994 08:49:37 GMT');
});

test('httpDate: same text as Date.prototype.toUTCString', async (t) => {
  const cases: ReadonlyArray<{ name: string; ms: number }> = [
    { name: 'epoch', ms: 0 },
    { name: 'one ms before the epoch', ms: -1 },
    { name: 'leap day', ms: Date.UTC(2000, 1, 29, 12, 0, 0) },
    { name: 'last second of a year', ms: Date.UTC(1999, 11, 31, 23, 59, 59, 999) },
    { name: 'single-digit day, hour, minute, second', ms: Date.UTC(2024, 0, 2, 3, 4, 5) },
    { name: '2038 (past 32-bit seconds)', ms: Date.UTC(2038, 0, 19, 3, 14, 8) },
    { name: 'three-digit year is zero-padded', ms: Date.UTC(999, 0, 1) },
    { name: 'year 9999', ms: Date.UTC(9999, 11, 31, 23, 59, 59) },
    { name: 'each weekday', ms: Date.UTC(2023, 4, 1) },
    { name: 'each weekday +1', ms: Date.UTC(2023, 4, 2) },
    { name: 'each weekday +2', ms: Date.UTC(2023, 4, 3) },
    { name: 'each weekday +3', ms: Date.UTC(2023, 4, 4) },
    { name: 'each weekday +4', ms: Date.UTC(2023, 4, 5) },
    { name: 'each weekday +5', ms: Date.UTC(2023, 4, 6) },
    { name: 'each weekday +6', ms: Date.UTC(2023, 4, 7) },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const text = httpDate(c.ms);
      assert.equal(text, new Date(c.ms).toUTCString());
      assert.match(text, IMF_FIXDATE);
      assert.equal(text.length, 29);
    });
  }
  await t.test('every month', () => {
    for (let month = 0; month < 12; month++) {
      const ms = Date.UTC(2021, month, 15, 10, 20, 30);
      assert.equal(httpDate(ms), new Date(ms).toUTCString());
    }
  });
});

test('httpDate: default argument is now', () => {
  const before = new Date().toUTCString();
  const text = httpDate();
  const after = new Date().toUTCString();
  assert.match(text, IMF_FIXDATE);
  assert.ok(text === before || text === after, `${text} not in [${before}, ${after}]`);
});

test('httpDate: cached per whole second', async (t) => {
  const second = Date.UTC(2020, 5, 15, 12, 30, 45);
  const cases: ReadonlyArray<{ name: string; ms: number; expected: string }> = [
    { name: 'start of the second', ms: second, expected: 'Mon, 15 Jun 2020 12:30:45 GMT' },
    { name: 'end of the same second', ms: second + 999, expected: 'Mon, 15 Jun 2020 12:30:45 GMT' },
    { name: 'next second renders again', ms: second + 1000, expected: 'Mon, 15 Jun 2020 12:30:46 GMT' },
    { name: 'clock stepping back renders again', ms: second + 1, expected: 'Mon, 15 Jun 2020 12:30:45 GMT' },
    { name: 'a year later', ms: second + 365 * 86_400_000, expected: 'Tue, 15 Jun 2021 12:30:45 GMT' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(httpDate(c.ms), c.expected));
  }
});
