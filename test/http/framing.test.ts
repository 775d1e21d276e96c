// Tests for src/http/framing.ts: the Content-Length syntax a handler's field must have. Which
// framing a response gets is planResponse()'s decision: test/http/plan.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESPONSE_FRAMING_NAMES, parseContentLength } from '../../src/http/framing.js';

test('RESPONSE_FRAMING_NAMES names the four framings', () => {
  assert.deepEqual(RESPONSE_FRAMING_NAMES, ['None', 'Length', 'Chunked', 'CloseDelimited']);
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
