// Tests for src/http/plan.ts: planResponse over the full product of its inputs, against the
// rules written out again here, clause by clause, from the RFCs — not from plan.ts — plus named
// rows for the cases people ask about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESPONSE_FRAMING_NAMES, ResponseFraming } from '../../src/http/framing.js';
import {
  isFinalStatus,
  planResponse,
  type BodyUnread,
  type Persistence,
  type PlanRefusal,
  type ResponsePlanInput,
} from '../../src/http/plan.js';

type Framing = 'None' | 'Length' | 'Chunked' | 'CloseDelimited';

interface Expected {
  readonly refusal: PlanRefusal | null;
  readonly framing?: Framing;
  readonly contentLength?: number | undefined;
  readonly persistence?: Persistence;
}

/** The rules, independently: each line cites the clause it comes from. */
function expected(i: ResponsePlanInput): Expected {
  const s = i.status;
  // RFC 9110 §15: a status code is a three-digit integer; 1xx are interim (§15.2), so only
  // 2xx–5xx complete a request. 101 happens only on the upgrade path, never through a plan.
  const final = typeof s === 'number' && Math.floor(s) === s && s >= 200 && s < 600;
  if (!final) return { refusal: 'ERR_INVALID_STATUS' };
  const connectTunnel = i.method === 'CONNECT' && s >= 200 && s < 300; // RFC 9110 §9.3.6
  const noContent =
    i.method === 'HEAD' || // RFC 9110 §9.3.2; RFC 9112 §6.3 rule 1
    s === 204 || // RFC 9110 §15.3.5
    s === 304 || // RFC 9110 §15.4.5
    connectTunnel; // RFC 9112 §6.3 rule 2
  const length = i.declaredLength >= 0 ? i.declaredLength : i.knownLength >= 0 ? i.knownLength : undefined;
  let framing: Framing;
  if (noContent) framing = 'None';
  else if (length !== undefined) framing = 'Length'; // RFC 9112 §6.3 rule 6
  else if (i.versionMinor === 1) framing = 'Chunked'; // RFC 9112 §6.3 rule 4 / §7.1
  else framing = 'CloseDelimited'; // RFC 9112 §6.3 rule 8: 1.0 has no chunked (§7.1)
  // A body whose size differs from the field the handler set would be read wrong by the client.
  if (framing === 'Length' && i.declaredLength >= 0 && i.knownLength >= 0 && i.declaredLength !== i.knownLength) {
    return { refusal: 'ERR_CONTENT_LENGTH_MISMATCH' };
  }
  // RFC 9110 §8.6: no Content-Length in a 204 or a 2xx to CONNECT; a HEAD response and a 304 may
  // carry the length the GET / 200 would have had.
  const contentLength = s === 204 || connectTunnel ? undefined : length;
  // RFC 9112 §9.3: persistence unless either side said close (§9.6), HTTP/1.0 without
  // keep-alive (§9.3, folded into requestWantsClose by the parser); a close-delimited body ends
  // only by closing (§6.3 rule 8); shutdown and a gone client end it; a body the client still
  // owes cannot be skipped safely (RFC 9112 §9.3 / issue 12: 0.CL desync).
  const close =
    i.requestWantsClose || i.handlerWantsClose || i.serverClosing || i.clientGone ||
    framing === 'CloseDelimited' || i.bodyUnread === 'owed';
  return { refusal: null, framing, contentLength, persistence: close ? 'close' : 'keep-alive' };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'head'] as const;
const STATUSES = [
  0, 99, 100, 101, 102, 103, 199, 200, 201, 202, 204, 205, 206, 226, 299, 300, 301, 304, 307, 308,
  399, 400, 404, 407, 408, 413, 417, 499, 500, 501, 503, 599, 600, 999, 1000, -200, 200.5, Number.NaN,
] as const;
const VERSIONS = [0, 1] as const;
const LENGTHS = [-1, 0, 5, 7] as const;
const BOOLS = [false, true] as const;
const BODY_UNREAD: readonly BodyUnread[] = ['none', 'in-hand', 'owed'];

function* allInputs(): Generator<ResponsePlanInput> {
  for (const method of METHODS)
    for (const status of STATUSES)
      for (const versionMinor of VERSIONS)
        for (const declaredLength of LENGTHS)
          for (const knownLength of LENGTHS)
            for (const requestWantsClose of BOOLS)
              for (const handlerWantsClose of BOOLS)
                for (const serverClosing of BOOLS)
                  for (const clientGone of BOOLS)
                    for (const bodyUnread of BODY_UNREAD)
                      yield {
                        method, status, versionMinor, declaredLength, knownLength,
                        requestWantsClose, handlerWantsClose, serverClosing, clientGone, bodyUnread,
                      };
}

test('planResponse: the full product of its inputs against the rules', () => {
  let rows = 0;
  let refused = 0;
  const seen = new Set<string>();
  for (const input of allInputs()) {
    rows++;
    const plan = planResponse(input);
    const want = expected(input);
    const where = JSON.stringify(input);
    assert.equal(plan.refusal, want.refusal, where);
    if (want.refusal !== null) {
      refused++;
      continue;
    }
    assert.equal(RESPONSE_FRAMING_NAMES[plan.framing], want.framing, where);
    assert.equal(plan.contentLength, want.contentLength, where);
    assert.equal(plan.persistence, want.persistence, where);
    seen.add(`${want.framing}/${want.persistence}/${want.contentLength === undefined ? 'no-cl' : 'cl'}`);
  }
  assert.equal(rows, METHODS.length * STATUSES.length * 2 * 4 * 4 * 16 * 3);
  assert.ok(refused > 0 && refused < rows);
  // Every reachable combination of outcomes was produced somewhere in the product.
  for (const outcome of [
    'None/keep-alive/no-cl', 'None/keep-alive/cl', 'None/close/no-cl', 'None/close/cl',
    'Length/keep-alive/cl', 'Length/close/cl', 'Chunked/keep-alive/no-cl', 'Chunked/close/no-cl',
    'CloseDelimited/close/no-cl',
  ]) {
    assert.ok(seen.has(outcome), outcome);
  }
  assert.ok(!seen.has('CloseDelimited/keep-alive/no-cl'));
});

test('planResponse: invariants of every plan', () => {
  for (const input of allInputs()) {
    const plan = planResponse(input);
    if (plan.refusal !== null) continue;
    const where = JSON.stringify(input);
    // No final status can be 1xx, whatever else is asked.
    assert.ok(input.status >= 200 && input.status <= 599, where);
    if (plan.framing === ResponseFraming.Length) assert.notEqual(plan.contentLength, undefined, where);
    if (plan.framing === ResponseFraming.Chunked) {
      assert.equal(plan.contentLength, undefined, where);
      assert.equal(input.versionMinor, 1, where);
    }
    if (plan.framing === ResponseFraming.CloseDelimited) assert.equal(plan.persistence, 'close', where);
    if (input.bodyUnread === 'owed' || input.clientGone || input.serverClosing) assert.equal(plan.persistence, 'close', where);
    // The same inputs, the same plan: nothing outside the input is read.
    assert.deepEqual(planResponse({ ...input }), plan, where);
  }
});

interface Row {
  readonly name: string;
  readonly input: Partial<ResponsePlanInput>;
  readonly framing?: Framing;
  readonly contentLength?: number;
  readonly persistence?: Persistence;
  readonly refusal?: PlanRefusal;
}

const BASE: ResponsePlanInput = {
  method: 'GET', status: 200, versionMinor: 1, declaredLength: -1, knownLength: -1,
  requestWantsClose: false, handlerWantsClose: false, serverClosing: false, clientGone: false, bodyUnread: 'none',
};

const ROWS: readonly Row[] = [
  { name: 'end(body) on 1.1: Length, kept', input: { knownLength: 13 }, framing: 'Length', contentLength: 13, persistence: 'keep-alive' },
  { name: 'declared length wins over streaming', input: { declaredLength: 5 }, framing: 'Length', contentLength: 5 },
  { name: 'streamed on 1.1: chunked', input: {}, framing: 'Chunked', persistence: 'keep-alive' },
  { name: 'streamed on 1.0: close-delimited, closes', input: { versionMinor: 0 }, framing: 'CloseDelimited', persistence: 'close' },
  { name: '1.0 keep-alive with a length is kept', input: { versionMinor: 0, knownLength: 3 }, framing: 'Length', persistence: 'keep-alive' },
  { name: 'HEAD announces the declared length', input: { method: 'HEAD', declaredLength: 1234 }, framing: 'None', contentLength: 1234 },
  { name: 'HEAD on 1.0 without length needs no close', input: { method: 'HEAD', versionMinor: 0 }, framing: 'None', persistence: 'keep-alive' },
  { name: '"head" is not HEAD (methods are case-sensitive)', input: { method: 'head' }, framing: 'Chunked' },
  { name: '204: no body, no Content-Length', input: { status: 204, knownLength: 0 }, framing: 'None' },
  { name: '304 keeps a declared length', input: { status: 304, declaredLength: 5000 }, framing: 'None', contentLength: 5000 },
  { name: 'CONNECT 200 is a tunnel: no body, no length', input: { method: 'CONNECT', declaredLength: 0 }, framing: 'None' },
  { name: 'CONNECT 407 frames normally', input: { method: 'CONNECT', status: 407, declaredLength: 12 }, framing: 'Length', contentLength: 12 },
  { name: '205 is framed like any other', input: { method: 'PUT', status: 205 }, framing: 'Chunked' },
  { name: 'a 100 cannot be final', input: { status: 100 }, refusal: 'ERR_INVALID_STATUS' },
  { name: 'a 101 cannot be final (upgrade path only)', input: { status: 101 }, refusal: 'ERR_INVALID_STATUS' },
  { name: 'a 102 cannot be final', input: { status: 102, knownLength: 0 }, refusal: 'ERR_INVALID_STATUS' },
  { name: 'a 103 cannot be final', input: { status: 103 }, refusal: 'ERR_INVALID_STATUS' },
  { name: '600 is not a status class', input: { status: 600 }, refusal: 'ERR_INVALID_STATUS' },
  { name: 'declared 5, ended with 7 bytes', input: { declaredLength: 5, knownLength: 7 }, refusal: 'ERR_CONTENT_LENGTH_MISMATCH' },
  { name: 'HEAD: declared 5, ended with nothing: fine', input: { method: 'HEAD', declaredLength: 5, knownLength: 0 }, framing: 'None', contentLength: 5 },
  { name: 'the request said close', input: { requestWantsClose: true, knownLength: 1 }, persistence: 'close' },
  { name: 'the handler said close', input: { handlerWantsClose: true, knownLength: 1 }, persistence: 'close' },
  { name: 'the server is closing', input: { serverClosing: true, knownLength: 1 }, persistence: 'close' },
  { name: 'the client half-closed', input: { clientGone: true, knownLength: 1 }, persistence: 'close' },
  { name: 'a body in hand is drained: kept', input: { bodyUnread: 'in-hand', knownLength: 1 }, persistence: 'keep-alive' },
  { name: 'a body still owed: close (0.CL)', input: { bodyUnread: 'owed', knownLength: 1 }, persistence: 'close' },
];

test('planResponse: named rows', async (t) => {
  for (const row of ROWS) {
    await t.test(row.name, () => {
      const plan = planResponse({ ...BASE, ...row.input });
      if (row.refusal !== undefined) return assert.equal(plan.refusal, row.refusal);
      assert.equal(plan.refusal, null);
      if (row.framing !== undefined) assert.equal(RESPONSE_FRAMING_NAMES[plan.framing], row.framing);
      if ('contentLength' in row) assert.equal(plan.contentLength, row.contentLength);
      else if (row.framing === 'None' || row.framing === 'Chunked' || row.framing === 'CloseDelimited') assert.equal(plan.contentLength, undefined);
      if (row.persistence !== undefined) assert.equal(plan.persistence, row.persistence);
    });
  }
});

test('isFinalStatus', async (t) => {
  const cases: ReadonlyArray<[number, boolean]> = [
    [100, false], [101, false], [103, false], [199, false], [200, true], [404, true], [599, true],
    [600, false], [999, false], [200.5, false], [Number.NaN, false], [-1, false],
  ];
  for (const [status, final] of cases) await t.test(String(status), () => assert.equal(isFinalStatus(status), final));
});

test('planResponse into a reused target overwrites every field', () => {
  const out = { framing: ResponseFraming.Chunked, contentLength: 9 as number | undefined, persistence: 'keep-alive' as Persistence, refusal: null as PlanRefusal | null };
  for (const input of allInputs()) {
    const fresh = planResponse(input);
    const reused = planResponse(input, out);
    assert.equal(reused, out);
    assert.deepEqual({ ...reused }, { ...fresh }, JSON.stringify(input));
  }
});
