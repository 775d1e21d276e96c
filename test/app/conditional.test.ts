// The pure pieces behind serveStatic, table by table: HTTP-date parsing (RFC 9110 §5.6.7),
// entity-tag lists (§8.8.3), If-Range (§13.1.5) and Range parsing (§14.1.1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHttpDate, ifRangeHolds, parseEntityTagList, parseHttpDate } from '../../src/app/conditional.js';
import { parseRange, RangeKind } from '../../src/app/range.js';

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;

describe('parseHttpDate', () => {
  const cases: [string, number | undefined][] = [
    ['Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['  Sun, 06 Nov 1994 08:49:37 GMT ', NOV_6_1994],
    ['Sun, 06 Nov 1994 08:49:37 UTC', undefined],
    ['Sun, 06 Nov 1994 08:49:37', undefined],
    ['06 Nov 1994 08:49:37 GMT', undefined],
    ['Sun, 6 Nov 1994 08:49:37 GMT', undefined],
    ['Sun, 06 nov 1994 08:49:37 GMT', undefined],
    ['Sun, 30 Feb 1994 08:49:37 GMT', undefined],
    ['Sun, 06 Nov 1994 24:00:00 GMT', undefined],
    ['1994-11-06T08:49:37Z', undefined],
    ['784111777', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.equal(parseHttpDate(text), expected));
  }
  it('formats IMF-fixdate', () => assert.equal(formatHttpDate(NOV_6_1994), 'Sun, 06 Nov 1994 08:49:37 GMT'));
});

describe('parseEntityTagList', () => {
  const cases: [string, unknown][] = [
    ['*', '*'],
    ['"a"', [{ weak: false, opaque: '"a"' }]],
    ['W/"a"', [{ weak: true, opaque: '"a"' }]],
    ['"a", W/"b" ,"c"', [{ weak: false, opaque: '"a"' }, { weak: true, opaque: '"b"' }, { weak: false, opaque: '"c"' }]],
    ['"a,b"', [{ weak: false, opaque: '"a,b"' }]],
    ['""', [{ weak: false, opaque: '""' }]],
    ['a', null],
    ['"a', null],
    ['w/"a"', null],
    ['"a" "b"', null],
    ['"a b"', null],
    ['', null],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(parseEntityTagList(text), expected));
  }
});

describe('ifRangeHolds', () => {
  const validators = { etag: '"v1"', lastModifiedSeconds: NOV_6_1994 };
  const cases: [string, boolean][] = [
    ['"v1"', true],
    ['"v2"', false],
    ['W/"v1"', false],
    ['"v1", "v2"', false],
    ['Sun, 06 Nov 1994 08:49:37 GMT', true],
    ['Sun, 06 Nov 1994 08:49:38 GMT', false],
    ['soon', false],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.equal(ifRangeHolds(text, validators), expected));
  }
});

describe('parseRange against 100 bytes', () => {
  const cases: [string, ReturnType<typeof parseRange>][] = [
    ['bytes=0-0', { kind: RangeKind.Single, start: 0, end: 0 }],
    ['bytes=0-', { kind: RangeKind.Single, start: 0, end: 99 }],
    ['bytes=99-', { kind: RangeKind.Single, start: 99, end: 99 }],
    ['bytes=-1', { kind: RangeKind.Single, start: 99, end: 99 }],
    ['bytes=-100', { kind: RangeKind.Single, start: 0, end: 99 }],
    ['bytes=10-99999999999999999999', { kind: RangeKind.Single, start: 10, end: 99 }],
    ['bytes = 1-2', { kind: RangeKind.Single, start: 1, end: 2 }],
    ['bytes=100-100', { kind: RangeKind.Unsatisfiable }],
    ['bytes=99999999999999999999-', { kind: RangeKind.Unsatisfiable }],
    ['bytes=-0', { kind: RangeKind.Unsatisfiable }],
    ['bytes=', { kind: RangeKind.Ignore }],
    ['bytes=-', { kind: RangeKind.Ignore }],
    ['bytes=1-2-3', { kind: RangeKind.Ignore }],
    ['bytes=+1-2', { kind: RangeKind.Ignore }],
    ['bytes=0x1-2', { kind: RangeKind.Ignore }],
    ['bytes=2-1', { kind: RangeKind.Ignore }],
    ['bytes=0-1,2-3', { kind: RangeKind.Ignore }],
    ['bits=0-1', { kind: RangeKind.Ignore }],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(parseRange(text, 100), expected));
  }
  it('a zero-length representation ignores Range', () => assert.deepEqual(parseRange('bytes=0-', 0), { kind: RangeKind.Ignore }));
});
