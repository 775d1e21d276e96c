// Tests for src/http/status.ts: reason phrases, bodyAllowed, isValidStatus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_TEXT, bodyAllowed, isValidStatus, reasonPhrase } from '../../src/http/status.js';
import { isFieldValue } from '../../src/http/fields.js';

const PHRASES: ReadonlyArray<readonly [number, string]> = [
  [100, 'Continue'],
  [101, 'Switching Protocols'],
  [103, 'Early Hints'],
  [200, 'OK'],
  [201, 'Created'],
  [202, 'Accepted'],
  [203, 'Non-Authoritative Information'],
  [204, 'No Content'],
  [205, 'Reset Content'],
  [206, 'Partial Content'],
  [207, 'Multi-Status'],
  [208, 'Already Reported'],
  [226, 'IM Used'],
  [300, 'Multiple Choices'],
  [301, 'Moved Permanently'],
  [302, 'Found'],
  [303, 'See Other'],
  [304, 'Not Modified'],
  [305, 'Use Proxy'],
  [307, 'Temporary Redirect'],
  [308, 'Permanent Redirect'],
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [402, 'Payment Required'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [406, 'Not Acceptable'],
  [407, 'Proxy Authentication Required'],
  [408, 'Request Timeout'],
  [409, 'Conflict'],
  [410, 'Gone'],
  [411, 'Length Required'],
  [412, 'Precondition Failed'],
  [413, 'Content Too Large'],
  [414, 'URI Too Long'],
  [415, 'Unsupported Media Type'],
  [416, 'Range Not Satisfiable'],
  [417, 'Expectation Failed'],
  [421, 'Misdirected Request'],
  [422, 'Unprocessable Content'],
  [425, 'Too Early'],
  [426, 'Upgrade Required'],
  [428, 'Precondition Required'],
  [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'],
  [451, 'Unavailable For Legal Reasons'],
  [500, 'Internal Server Error'],
  [501, 'Not Implemented'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
  [504, 'Gateway Timeout'],
  [505, 'HTTP Version Not Supported'],
  [506, 'Variant Also Negotiates'],
  [507, 'Insufficient Storage'],
  [508, 'Loop Detected'],
  [510, 'Not Extended'],
  [511, 'Network Authentication Required'],
];

test('reasonPhrase: registered codes', async (t) => {
  for (const [status, phrase] of PHRASES) {
    await t.test(`${status} ${phrase}`, () => {
      assert.equal(reasonPhrase(status), phrase);
      assert.equal(STATUS_TEXT[status], phrase);
    });
  }
});

test('reasonPhrase: "Unknown" fallback', async (t) => {
  const cases: ReadonlyArray<{ name: string; status: number }> = [
    { name: 'unregistered 2xx', status: 299 },
    { name: '509 is Unassigned in the IANA registry', status: 509 },
    { name: 'highest three-digit code', status: 999 },
    { name: 'below 100', status: 99 },
    { name: 'four digits', status: 1000 },
    { name: 'zero', status: 0 },
    { name: 'negative', status: -200 },
    { name: 'fraction', status: 200.5 },
    { name: 'NaN', status: Number.NaN },
    { name: 'Infinity', status: Number.POSITIVE_INFINITY },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(reasonPhrase(c.status), 'Unknown'));
  }
});

test('every registered phrase is a valid reason-phrase', () => {
  for (const [code, phrase] of Object.entries(STATUS_TEXT)) {
    assert.ok(phrase.length > 0 && isFieldValue(phrase), `${code} ${JSON.stringify(phrase)}`);
  }
});

test('bodyAllowed', async (t) => {
  const cases: ReadonlyArray<{ name: string; status: number; allowed: boolean }> = [
    { name: '100 Continue', status: 100, allowed: false },
    { name: '101 Switching Protocols', status: 101, allowed: false },
    { name: '103 Early Hints', status: 103, allowed: false },
    { name: 'any 1xx', status: 199, allowed: false },
    { name: '200 OK', status: 200, allowed: true },
    { name: '201 Created', status: 201, allowed: true },
    { name: '204 No Content', status: 204, allowed: false },
    { name: '205 Reset Content (empty, but framed)', status: 205, allowed: true },
    { name: '206 Partial Content', status: 206, allowed: true },
    { name: '301 Moved Permanently', status: 301, allowed: true },
    { name: '304 Not Modified', status: 304, allowed: false },
    { name: '404 Not Found', status: 404, allowed: true },
    { name: '500 Internal Server Error', status: 500, allowed: true },
    { name: '999', status: 999, allowed: true },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(bodyAllowed(c.status), c.allowed));
  }
});

test('isValidStatus', async (t) => {
  const cases: ReadonlyArray<{ name: string; n: number; valid: boolean }> = [
    { name: 'lowest', n: 100, valid: true },
    { name: 'common', n: 200, valid: true },
    { name: 'unregistered but three digits', n: 599, valid: true },
    { name: 'highest', n: 999, valid: true },
    { name: 'two digits', n: 99, valid: false },
    { name: 'four digits', n: 1000, valid: false },
    { name: 'zero', n: 0, valid: false },
    { name: 'negative', n: -100, valid: false },
    { name: 'fraction', n: 200.5, valid: false },
    { name: 'NaN', n: Number.NaN, valid: false },
    { name: 'Infinity', n: Number.POSITIVE_INFINITY, valid: false },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(isValidStatus(c.n), c.valid));
  }
});
