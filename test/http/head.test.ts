// Tests for src/http/head.ts: status lines, field lines, and refusal of anything that would
// split the response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidFieldError } from '../../src/http/fields.js';
import {
  HeadError,
  serializeFields,
  serializeHead,
  serializeHeadUnchecked,
  statusLine,
} from '../../src/http/head.js';
import { STATUS_TEXT } from '../../src/http/status.js';

const COMMON: ReadonlyArray<readonly [number, string]> = [
  [200, 'HTTP/1.1 200 OK\r\n'],
  [201, 'HTTP/1.1 201 Created\r\n'],
  [204, 'HTTP/1.1 204 No Content\r\n'],
  [206, 'HTTP/1.1 206 Partial Content\r\n'],
  [301, 'HTTP/1.1 301 Moved Permanently\r\n'],
  [302, 'HTTP/1.1 302 Found\r\n'],
  [304, 'HTTP/1.1 304 Not Modified\r\n'],
  [400, 'HTTP/1.1 400 Bad Request\r\n'],
  [404, 'HTTP/1.1 404 Not Found\r\n'],
  [405, 'HTTP/1.1 405 Method Not Allowed\r\n'],
  [408, 'HTTP/1.1 408 Request Timeout\r\n'],
  [413, 'HTTP/1.1 413 Content Too Large\r\n'],
  [414, 'HTTP/1.1 414 URI Too Long\r\n'],
  [431, 'HTTP/1.1 431 Request Header Fields Too Large\r\n'],
  [500, 'HTTP/1.1 500 Internal Server Error\r\n'],
  [501, 'HTTP/1.1 501 Not Implemented\r\n'],
  [503, 'HTTP/1.1 503 Service Unavailable\r\n'],
  [505, 'HTTP/1.1 505 HTTP Version Not Supported\r\n'],
];

test('common status lines, answered as HTTP/1.1 to both versions', async (t) => {
  for (const [status, line] of COMMON) {
    for (const versionMinor of [0, 1] as const) {
      await t.test(`${status} to HTTP/1.${versionMinor}`, () => {
        assert.equal(serializeHead(versionMinor, status, undefined, []), `${line}\r\n`);
      });
    }
  }
});

test('every registered code has its status line', () => {
  for (const [code, phrase] of Object.entries(STATUS_TEXT)) {
    assert.equal(statusLine(Number(code), undefined), `HTTP/1.1 ${code} ${phrase}\r\n`);
  }
});

test('serializeHead: exact bytes', async (t) => {
  const cases: ReadonlyArray<{
    name: string;
    versionMinor: 0 | 1;
    status: number;
    reason: string | undefined;
    fields: readonly string[];
    head: string;
  }> = [
    { name: 'no fields', versionMinor: 1, status: 200, reason: undefined, fields: [], head: 'HTTP/1.1 200 OK\r\n\r\n' },
    {
      name: 'fields in order and case given',
      versionMinor: 1,
      status: 200,
      reason: undefined,
      fields: ['Content-Type', 'text/plain', 'content-length', '5', 'X-A', ''],
      head: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 5\r\nX-A: \r\n\r\n',
    },
    {
      name: 'repeated field names stay separate lines',
      versionMinor: 1,
      status: 200,
      reason: undefined,
      fields: ['set-cookie', 'a=1', 'set-cookie', 'b=2'],
      head: 'HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nset-cookie: b=2\r\n\r\n',
    },
    { name: 'custom reason', versionMinor: 1, status: 200, reason: 'Fine', fields: [], head: 'HTTP/1.1 200 Fine\r\n\r\n' },
    { name: 'reason equal to the registered one', versionMinor: 1, status: 404, reason: 'Not Found', fields: [], head: 'HTTP/1.1 404 Not Found\r\n\r\n' },
    { name: 'empty reason keeps the SP', versionMinor: 1, status: 200, reason: '', fields: [], head: 'HTTP/1.1 200 \r\n\r\n' },
    { name: 'reason with HTAB and obs-text', versionMinor: 1, status: 200, reason: 'Tr\xe8s\tbien', fields: [], head: 'HTTP/1.1 200 Tr\xe8s\tbien\r\n\r\n' },
    { name: 'unregistered code', versionMinor: 1, status: 299, reason: undefined, fields: [], head: 'HTTP/1.1 299 Unknown\r\n\r\n' },
    { name: '509 is unregistered', versionMinor: 0, status: 509, reason: undefined, fields: [], head: 'HTTP/1.1 509 Unknown\r\n\r\n' },
    { name: 'HTTP/1.0 request still gets HTTP/1.1', versionMinor: 0, status: 200, reason: undefined, fields: ['a', 'b'], head: 'HTTP/1.1 200 OK\r\na: b\r\n\r\n' },
    { name: '103 Early Hints', versionMinor: 1, status: 103, reason: undefined, fields: ['link', '</a.css>; rel=preload'], head: 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(serializeHead(c.versionMinor, c.status, c.reason, c.fields), c.head);
      assert.equal(serializeHeadUnchecked(c.versionMinor, c.status, c.reason, c.fields), c.head);
    });
  }
});

test('serializeHead: refuses invalid status and reason', async (t) => {
  const cases: ReadonlyArray<{ name: string; status: number; reason: string | undefined; code: string }> = [
    { name: 'status below 100', status: 99, reason: undefined, code: 'ERR_INVALID_STATUS' },
    { name: 'status above 999', status: 1000, reason: undefined, code: 'ERR_INVALID_STATUS' },
    { name: 'fractional status', status: 200.5, reason: undefined, code: 'ERR_INVALID_STATUS' },
    { name: 'NaN status', status: Number.NaN, reason: undefined, code: 'ERR_INVALID_STATUS' },
    { name: 'CRLF in reason', status: 200, reason: 'OK\r\nSet-Cookie: a=1', code: 'ERR_INVALID_REASON_PHRASE' },
    { name: 'LF in reason', status: 200, reason: 'OK\n', code: 'ERR_INVALID_REASON_PHRASE' },
    { name: 'NUL in reason', status: 200, reason: 'O\0K', code: 'ERR_INVALID_REASON_PHRASE' },
    { name: 'U+010A in reason', status: 200, reason: 'OK\u010a', code: 'ERR_INVALID_REASON_PHRASE' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const attempt = (): string => serializeHead(1, c.status, c.reason, []);
      assert.throws(attempt, (err: unknown) => err instanceof HeadError && err.code === c.code);
      const unchecked = (): string => serializeHeadUnchecked(1, c.status, c.reason, []);
      assert.throws(unchecked, (err: unknown) => err instanceof HeadError && err.code === c.code);
    });
  }
});

test('serializeHead: refuses response-splitting fields', async (t) => {
  const cases: ReadonlyArray<{ name: string; fields: readonly string[]; kind: string }> = [
    { name: 'CRLF in value', fields: ['location', '/a\r\nSet-Cookie: admin=1'], kind: 'INVALID_FIELD_VALUE' },
    { name: 'CRLF CRLF in value (injected body)', fields: ['x', 'a\r\n\r\n<html>'], kind: 'INVALID_FIELD_VALUE' },
    { name: 'bare LF in value', fields: ['x', 'a\nb'], kind: 'INVALID_FIELD_VALUE' },
    { name: 'bare CR in value', fields: ['x', 'a\rb'], kind: 'INVALID_FIELD_VALUE' },
    { name: 'NUL in value', fields: ['x', '\0'], kind: 'INVALID_FIELD_VALUE' },
    { name: 'U+010A in value', fields: ['x', 'a\u010aSet-Cookie: a=1'], kind: 'INVALID_FIELD_VALUE' },
    { name: 'CRLF in name', fields: ['x\r\nSet-Cookie', 'a'], kind: 'INVALID_FIELD_NAME' },
    { name: 'space in name', fields: ['a b', 'x'], kind: 'INVALID_FIELD_NAME' },
    { name: 'colon in name', fields: ['a:b', 'x'], kind: 'INVALID_FIELD_NAME' },
    { name: 'empty name', fields: ['', 'x'], kind: 'INVALID_FIELD_NAME' },
    { name: 'bad field after good ones', fields: ['a', '1', 'b', '2', 'c', '\r\n'], kind: 'INVALID_FIELD_VALUE' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.throws(
        () => serializeHead(1, 200, undefined, c.fields),
        (err: unknown) =>
          err instanceof InvalidFieldError && err.code === 'ERR_INVALID_HEADER' && err.kind === c.kind,
      );
    });
  }
});

test('serializeFields: odd list is refused', () => {
  assert.throws(
    () => serializeFields(['content-type']),
    (err: unknown) => err instanceof HeadError && err.code === 'ERR_INVALID_FIELD_LIST',
  );
  assert.throws(
    () => serializeHead(1, 200, undefined, ['a', 'b', 'c']),
    (err: unknown) => err instanceof HeadError && err.code === 'ERR_INVALID_FIELD_LIST',
  );
});

test('the head is lossless as latin1', () => {
  const head = serializeHead(1, 200, undefined, ['x-name', 'caf\xe9']);
  assert.equal(Buffer.from(head, 'latin1').toString('latin1'), head);
  assert.deepEqual([...Buffer.from(head, 'latin1').subarray(-8, -3)], [0x63, 0x61, 0x66, 0xe9, 0x0d]);
});
