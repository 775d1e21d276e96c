// Tests for src/http/framing.ts: the one response-framing decision, one row per rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESPONSE_FRAMING_NAMES,
  ResponseFraming,
  connectionMustClose,
  decideResponseFraming,
  parseContentLength,
  shouldSendContentLengthHeader,
  type ResponseFramingInput,
} from '../../src/http/framing.js';

interface FramingCase {
  readonly name: string;
  readonly input: ResponseFramingInput;
  readonly framing: ResponseFraming;
  /** Does the head carry Content-Length? */
  readonly contentLengthField: boolean;
}

function input(
  method: string,
  status: number,
  versionMinor: number,
  contentLength: number | undefined,
  bodyFinished = false,
): ResponseFramingInput {
  return { method, status, versionMinor, contentLength, bodyFinished };
}

const None = ResponseFraming.None;
const Length = ResponseFraming.Length;
const Chunked = ResponseFraming.Chunked;
const CloseDelimited = ResponseFraming.CloseDelimited;

const CASES: readonly FramingCase[] = [
  // Known length → Length, whatever the version.
  { name: 'GET 200 1.1 declared length', input: input('GET', 200, 1, 5), framing: Length, contentLengthField: true },
  { name: 'GET 200 1.0 declared length', input: input('GET', 200, 0, 5), framing: Length, contentLengthField: true },
  { name: 'POST 201 1.1 empty body', input: input('POST', 201, 1, 0), framing: Length, contentLengthField: true },
  { name: 'handler finished, total passed as length', input: input('GET', 200, 1, 13, true), framing: Length, contentLengthField: true },
  { name: 'GET 404 1.1 declared length', input: input('GET', 404, 1, 9), framing: Length, contentLengthField: true },
  // Unknown length → Chunked on 1.1, close-delimited on 1.0.
  { name: 'GET 200 1.1 unknown length', input: input('GET', 200, 1, undefined), framing: Chunked, contentLengthField: false },
  { name: 'GET 200 1.0 unknown length', input: input('GET', 200, 0, undefined), framing: CloseDelimited, contentLengthField: false },
  { name: 'GET 500 1.0 unknown length', input: input('GET', 500, 0, undefined), framing: CloseDelimited, contentLengthField: false },
  { name: '205 is framed like any other (it must be empty)', input: input('PUT', 205, 1, undefined), framing: Chunked, contentLengthField: false },
  { name: 'future minor version treated as 1.1', input: input('GET', 200, 2, undefined), framing: Chunked, contentLengthField: false },
  {
    name: 'finished without a length stays chunked (always correct)',
    input: input('GET', 200, 1, undefined, true),
    framing: Chunked,
    contentLengthField: false,
  },
  // HEAD: never content; Content-Length still announced when declared (RFC 9110 §9.3.2).
  { name: 'HEAD 200 1.1 declared length', input: input('HEAD', 200, 1, 1234), framing: None, contentLengthField: true },
  { name: 'HEAD 200 1.1 unknown length', input: input('HEAD', 200, 1, undefined), framing: None, contentLengthField: false },
  { name: 'HEAD 200 1.0 unknown length (no close needed)', input: input('HEAD', 200, 0, undefined), framing: None, contentLengthField: false },
  { name: 'HEAD 404 declared length', input: input('HEAD', 404, 1, 9), framing: None, contentLengthField: true },
  { name: 'method is case-sensitive: "head" is not HEAD', input: input('head', 200, 1, undefined), framing: Chunked, contentLengthField: false },
  // 1xx, 204, 304: never content (RFC 9112 §6.3 rule 1).
  { name: '100 Continue', input: input('POST', 100, 1, undefined), framing: None, contentLengthField: false },
  { name: '101 Switching Protocols', input: input('GET', 101, 1, undefined), framing: None, contentLengthField: false },
  { name: '103 Early Hints, length never sent', input: input('GET', 103, 1, 10), framing: None, contentLengthField: false },
  { name: '204 No Content, length never sent', input: input('DELETE', 204, 1, 0), framing: None, contentLengthField: false },
  { name: '204 to HTTP/1.0', input: input('GET', 204, 0, undefined), framing: None, contentLengthField: false },
  { name: '304 Not Modified with declared length', input: input('GET', 304, 1, 5000), framing: None, contentLengthField: true },
  { name: '304 Not Modified unknown length', input: input('GET', 304, 0, undefined), framing: None, contentLengthField: false },
  // CONNECT: 2xx is a tunnel (RFC 9110 §9.3.6), other statuses frame normally.
  { name: 'CONNECT 200', input: input('CONNECT', 200, 1, undefined), framing: None, contentLengthField: false },
  { name: 'CONNECT 200 with declared length', input: input('CONNECT', 200, 1, 0), framing: None, contentLengthField: false },
  { name: 'CONNECT 299', input: input('CONNECT', 299, 1, undefined), framing: None, contentLengthField: false },
  { name: 'CONNECT 407 unknown length', input: input('CONNECT', 407, 1, undefined), framing: Chunked, contentLengthField: false },
  { name: 'CONNECT 407 declared length', input: input('CONNECT', 407, 1, 12), framing: Length, contentLengthField: true },
  { name: 'CONNECT 502 to HTTP/1.0', input: input('CONNECT', 502, 0, undefined), framing: CloseDelimited, contentLengthField: false },
];

test('decideResponseFraming', async (t) => {
  for (const c of CASES) {
    await t.test(c.name, () => {
      const framing = decideResponseFraming(c.input);
      assert.equal(RESPONSE_FRAMING_NAMES[framing], RESPONSE_FRAMING_NAMES[c.framing]);
    });
  }
});

test('shouldSendContentLengthHeader', async (t) => {
  for (const c of CASES) {
    await t.test(c.name, () => assert.equal(shouldSendContentLengthHeader(c.input), c.contentLengthField));
  }
});

test('Length framing always sends Content-Length; Chunked / CloseDelimited never do', () => {
  for (const c of CASES) {
    const framing = decideResponseFraming(c.input);
    if (framing === ResponseFraming.Length) assert.ok(shouldSendContentLengthHeader(c.input), c.name);
    if (framing === ResponseFraming.Chunked || framing === ResponseFraming.CloseDelimited) {
      assert.ok(!shouldSendContentLengthHeader(c.input), c.name);
    }
  }
});

test('connectionMustClose', async (t) => {
  const cases: ReadonlyArray<{ framing: ResponseFraming; mustClose: boolean }> = [
    { framing: ResponseFraming.None, mustClose: false },
    { framing: ResponseFraming.Length, mustClose: false },
    { framing: ResponseFraming.Chunked, mustClose: false },
    { framing: ResponseFraming.CloseDelimited, mustClose: true },
  ];
  for (const c of cases) {
    await t.test(RESPONSE_FRAMING_NAMES[c.framing]!, () => assert.equal(connectionMustClose(c.framing), c.mustClose));
  }
});

test('parseContentLength', async (t) => {
  const cases: ReadonlyArray<{ name: string; value: string; length: number | undefined }> = [
    { name: 'zero', value: '0', length: 0 },
    { name: 'plain', value: '1234', length: 1234 },
    { name: 'leading zeros', value: '007', length: 7 },
    { name: 'largest safe integer', value: '9007199254740991', length: Number.MAX_SAFE_INTEGER },
    { name: 'past the largest safe integer', value: '9007199254740992', length: undefined },
    { name: 'seventeen digits', value: '10000000000000000', length: undefined },
    { name: 'empty', value: '', length: undefined },
    { name: 'sign', value: '+5', length: undefined },
    { name: 'negative', value: '-1', length: undefined },
    { name: 'surrounding space', value: ' 5', length: undefined },
    { name: 'list', value: '5, 5', length: undefined },
    { name: 'hex', value: '0x10', length: undefined },
    { name: 'fraction', value: '1.5', length: undefined },
    { name: 'exponent', value: '1e3', length: undefined },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(parseContentLength(c.value), c.length));
  }
});
