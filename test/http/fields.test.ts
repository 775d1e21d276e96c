// Tests for src/http/fields.ts: tokens, field validation (response splitting), token lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  InvalidFieldError,
  hasToken,
  isFieldValue,
  isToken,
  validateFieldName,
  validateFieldValue,
} from '../../src/http/fields.js';

const TCHAR_EXTRAS = "!#$%&'*+-.^_`|~";

/** Reference rules, written the slow and obvious way. */
function referenceIsTchar(code: number): boolean {
  const ch = String.fromCharCode(code);
  return /^[A-Za-z0-9]$/.test(ch) || TCHAR_EXTRAS.includes(ch);
}
function referenceIsFieldValueChar(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

function assertFieldError(fn: () => void, kind: string, offset: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TypeError, 'is a TypeError');
    assert.ok(err instanceof InvalidFieldError, 'is an InvalidFieldError');
    assert.equal(err.code, 'ERR_INVALID_HEADER');
    assert.equal(err.kind, kind);
    assert.equal(err.offset, offset);
    return true;
  });
}

test('isToken', async (t) => {
  const cases: ReadonlyArray<{ name: string; s: string; token: boolean }> = [
    { name: 'lowercase name', s: 'content-type', token: true },
    { name: 'mixed case', s: 'X-Request-ID', token: true },
    { name: 'every tchar symbol', s: TCHAR_EXTRAS, token: true },
    { name: 'digits', s: '0123456789', token: true },
    { name: 'empty', s: '', token: false },
    { name: 'space', s: 'a b', token: false },
    { name: 'colon', s: 'a:b', token: false },
    { name: 'HTAB', s: 'a\tb', token: false },
    { name: 'separator "("', s: 'a(b', token: false },
    { name: 'DQUOTE', s: '"a"', token: false },
    { name: 'slash', s: 'a/b', token: false },
    { name: 'comma', s: 'a,b', token: false },
    { name: 'DEL', s: 'a\x7f', token: false },
    { name: 'obs-text', s: 'caf\xe9', token: false },
    { name: 'above latin1', s: 'a\u0100', token: false },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(isToken(c.s), c.token));
  }
});

test('validateFieldName: accepts tokens', async (t) => {
  const names = ['content-type', 'Content-Length', 'x-a', 'a', TCHAR_EXTRAS, 'X_Under_Score', 'h2c'];
  for (const name of names) {
    await t.test(name, () => assert.doesNotThrow(() => validateFieldName(name)));
  }
});

test('validateFieldName: refuses non-tokens and splitting attempts', async (t) => {
  const cases: ReadonlyArray<{ name: string; fieldName: string; offset: number }> = [
    { name: 'empty name', fieldName: '', offset: 0 },
    { name: 'space inside', fieldName: 'a b', offset: 1 },
    { name: 'colon inside', fieldName: 'a:b', offset: 1 },
    { name: 'trailing colon', fieldName: 'content-type:', offset: 12 },
    { name: 'leading space', fieldName: ' a', offset: 0 },
    { name: 'trailing space', fieldName: 'a ', offset: 1 },
    { name: 'CRLF then a second field', fieldName: 'x\r\nSet-Cookie: a=b', offset: 1 },
    { name: 'bare LF', fieldName: 'x\ny', offset: 1 },
    { name: 'bare CR', fieldName: 'x\ry', offset: 1 },
    { name: 'NUL', fieldName: 'x\0', offset: 1 },
    { name: 'HTAB', fieldName: 'x\ty', offset: 1 },
    { name: 'DEL', fieldName: '\x7f', offset: 0 },
    { name: 'DQUOTE', fieldName: 'a"b', offset: 1 },
    { name: 'equals sign', fieldName: 'a=b', offset: 1 },
    { name: 'at sign', fieldName: 'a@b', offset: 1 },
    { name: 'brackets', fieldName: '[a]', offset: 0 },
    { name: 'braces', fieldName: 'a{b}', offset: 1 },
    { name: 'semicolon', fieldName: 'a;b', offset: 1 },
    { name: 'backslash', fieldName: 'a\\b', offset: 1 },
    { name: 'obs-text', fieldName: 'caf\xe9', offset: 3 },
    { name: 'U+010A (latin1 would truncate it to LF)', fieldName: 'x\u010ay', offset: 1 },
    { name: 'emoji', fieldName: 'x\u{1F600}', offset: 1 },
  ];
  for (const c of cases) {
    await t.test(c.name, () =>
      assertFieldError(() => validateFieldName(c.fieldName), 'INVALID_FIELD_NAME', c.offset),
    );
  }
});

test('validateFieldValue: accepts field-content', async (t) => {
  const cases: ReadonlyArray<{ name: string; value: string }> = [
    { name: 'empty', value: '' },
    { name: 'media type', value: 'text/plain; charset=utf-8' },
    { name: 'HTAB inside', value: 'a\tb' },
    { name: 'leading and trailing whitespace', value: ' a\t' },
    { name: 'quoted string', value: 'attachment; filename="a b.txt"' },
    { name: 'obs-text bytes', value: 'caf\xe9 \x80\xff' },
    { name: 'every VCHAR', value: Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('') },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.doesNotThrow(() => validateFieldValue(c.value));
      assert.equal(isFieldValue(c.value), true);
    });
  }
});

test('validateFieldValue: refuses CTLs and splitting attempts', async (t) => {
  const cases: ReadonlyArray<{ name: string; value: string; offset: number }> = [
    { name: 'CRLF then a second field', value: 'x\r\nSet-Cookie: admin=1', offset: 1 },
    { name: 'CRLF CRLF then a body', value: 'x\r\n\r\n<script>', offset: 1 },
    { name: 'bare CR', value: '\r', offset: 0 },
    { name: 'bare LF', value: 'a\n', offset: 1 },
    { name: 'NUL', value: 'a\0b', offset: 1 },
    { name: 'SOH', value: '\x01', offset: 0 },
    { name: 'VT', value: 'a\x0bb', offset: 1 },
    { name: 'ESC', value: '\x1b[31m', offset: 0 },
    { name: 'US (0x1F)', value: '\x1f', offset: 0 },
    { name: 'DEL', value: 'a\x7f', offset: 1 },
    { name: 'U+010A (latin1 would truncate it to LF)', value: 'x\u010aSet-Cookie: a=1', offset: 1 },
    { name: 'U+010D (latin1 would truncate it to CR)', value: 'x\u010d', offset: 1 },
    { name: 'U+0100', value: '\u0100', offset: 0 },
    { name: 'emoji (surrogate pair)', value: 'ok \u{1F600}', offset: 3 },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assertFieldError(() => validateFieldValue(c.value, 'x-test'), 'INVALID_FIELD_VALUE', c.offset);
      assert.equal(isFieldValue(c.value), false);
    });
  }
});

test('validateFieldValue: the message names the field but never echoes the value', () => {
  assert.throws(
    () => validateFieldValue('Bearer s3cret\r\n', 'authorization'),
    (err: unknown) => {
      assert.ok(err instanceof InvalidFieldError);
      assert.equal(err.fieldName, 'authorization');
      assert.match(err.message, /authorization/);
      assert.doesNotMatch(err.message, /s3cret/);
      assert.equal(err.reason, 'Invalid character in field value');
      return true;
    },
  );
});

test('every latin1 character against the reference rules', () => {
  for (let code = 0; code < 256; code++) {
    const ch = String.fromCharCode(code);
    const label = `0x${code.toString(16)}`;
    assert.equal(isToken(`a${ch}b`), referenceIsTchar(code), `name char ${label}`);
    assert.equal(isFieldValue(`a${ch}b`), referenceIsFieldValueChar(code), `value char ${label}`);
  }
});

test('hasToken', async (t) => {
  const cases: ReadonlyArray<{ name: string; list: string; token: string; has: boolean }> = [
    { name: 'exact', list: 'close', token: 'close', has: true },
    { name: 'case-insensitive', list: 'Close', token: 'close', has: true },
    { name: 'all caps', list: 'CLOSE', token: 'close', has: true },
    { name: 'second element', list: 'keep-alive, close', token: 'close', has: true },
    { name: 'first element', list: 'Upgrade, keep-alive', token: 'upgrade', has: true },
    { name: 'no OWS', list: 'gzip,chunked', token: 'chunked', has: true },
    { name: 'OWS around', list: '  close  ', token: 'close', has: true },
    { name: 'HTAB around', list: '\tclose\t', token: 'close', has: true },
    { name: 'OWS before comma', list: 'gzip , chunked ', token: 'chunked', has: true },
    { name: 'empty elements', list: ',, ,close,,', token: 'close', has: true },
    { name: 'empty list', list: '', token: 'close', has: false },
    { name: 'only commas and OWS', list: ' , ,, ', token: 'close', has: false },
    { name: 'absent', list: 'keep-alive', token: 'close', has: false },
    { name: 'token is a prefix of the element', list: 'closed', token: 'close', has: false },
    { name: 'token is a suffix of the element', list: 'xclose', token: 'close', has: false },
    { name: 'element is a prefix of the token', list: 'clo', token: 'close', has: false },
    { name: 'element with a space inside', list: 'clo se', token: 'close', has: false },
    { name: 'token then another word', list: 'close x', token: 'close', has: false },
    { name: 'parameters make a different element', list: 'chunked;q=1', token: 'chunked', has: false },
    { name: 'quoted comma does not split', list: 'foo;bar="x,close,y", gzip', token: 'close', has: false },
    { name: 'quoted-pair keeps the quote open', list: 'foo;b="x\\",close", gzip', token: 'close', has: false },
    { name: 'match after a quoted string', list: 'foo;b="x\\",close", close', token: 'close', has: true },
    { name: 'quoted token is not the token', list: '"close"', token: 'close', has: false },
    { name: 'Kelvin sign is not k', list: '\u212Aeep-alive', token: 'keep-alive', has: false },
    { name: 'dotless i is not i', list: 'upgrad\u0130', token: 'upgradi', has: false },
    { name: 'empty token never matches', list: 'a, ,b', token: '', has: false },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(hasToken(c.list, c.token), c.has));
  }
});

test('hasToken agrees with split/trim/lowercase on quote-free lists', () => {
  const piece = fc.constantFrom('close', 'Close', 'keep-alive', 'x', ' ', '\t', ',', ', ', 'clo', 'se', 'CLOSE');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), fc.constantFrom('close', 'keep-alive', 'x'), (pieces, token) => {
      const list = pieces.join('');
      const expected = list
        .split(',')
        .map((element) => element.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase())
        .includes(token);
      assert.equal(hasToken(list, token), expected, JSON.stringify(list));
    }),
    { numRuns: 2000 },
  );
});
