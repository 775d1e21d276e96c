// Inputs the parser fuzzer (fuzz-parser.ts) found, minimised by hand or by greedy line/byte
// deletion, each run through every fuzz invariant (invariants.ts): no exception, the parser's
// contract, the same events whole / byte by byte / split with pauses, and no disagreement with
// Node's llhttp in which brisk is the more lenient side. A new finding is added here as a row;
// rows are never deleted once the parser is fixed, so the fix stays fixed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASES } from '../adversarial/cases.js';
import { checkInput, differentialVerdict } from './invariants.js';
import { Rng, mutateInput } from './mutate.js';

interface Regression {
  name: string;
  /** The input bytes as latin1 (one char per byte). */
  input: string;
  /** When and how it was found. */
  found: string;
  /** What the fuzzer reported and what the right behaviour is. */
  note: string;
  /**
   * The llhttp disagreement on this input must fall in a documented category of
   * differential-deviations.ts (which one is that file's business, so it is not pinned here).
   */
  documented?: true;
  /** A known, recorded bug (.parser-bugs.md): run as node:test todo. */
  todo?: string;
}

const REGRESSIONS: readonly Regression[] = [
  {
    name: 'ICE protocol name in the request line',
    input: 'SOURCE / ICE/1.0\r\n',
    found: '2026-11-24, seed 1 and 2, from the llhttp corpus case method/source-request',
    note: 'brisk: 400 INVALID_VERSION; llhttp parses ICE/1.0 and RTSP/1.0. Safe (brisk refuses); no deviation category covers it yet.',
  },
  {
    name: 'RTSP protocol name followed by junk',
    input: 'OPTIONS * RTSP/1.0\r\n\r\n%',
    found: '2026-11-24, seed 1, mutation of an adversarial-table row',
    note: 'brisk: 400 INVALID_VERSION at the protocol name; llhttp serves the RTSP request, then refuses the "%".',
  },
  {
    name: 'PRI method outside the exact HTTP/2 preface',
    input: 'PRI *',
    found: '2026-11-24, seed 2',
    note: 'brisk answers 505 HTTP2_PREFACE as soon as the method is PRI; llhttp waits for the rest of the line.',
  },
  {
    name: 'PRI with a bare LF after the target',
    input: 'PRI *\n\r\nM',
    found: '2026-11-24, seed 2',
    note: 'brisk: 505 HTTP2_PREFACE at byte 0; llhttp takes "PRI *" as an HTTP/0.9-style request, then refuses what follows.',
  },
  {
    name: 'upgrade request with a bad chunk size, after two good messages',
    input:
      'MKCOL / HTTP/1.1\r\nHost:\r\nTransfer-Encoding:chunked\r\n\r\n1\r\n\xcb\r\n0\r\n\r\nUNLINK / HTTP/1.1\r\nHost:\r\n\r\n' +
      'MKCOL / HTTP/1.1\r\nConnection:upgrade\r\nUpgrade:t\r\nHost:\r\nTransfer-Encoding:chunked\r\n\r\n\n',
    found: '2026-11-24, seed 2',
    note: 'The body of an Upgrade request is framed like any other (RFC 9110 §7.8); brisk refuses the bare LF chunk line, llhttp does not read the body yet.',
  },
  {
    name: 'upgrade request with a bare CR after the last chunk',
    input:
      'MKCOL / HTTP/1.1\r\nHost:\r\nTransfer-Encoding:chunked\r\n\r\n1\r\n\xcb\r\n0\r\n\r\nUNLINK / HTTP/1.1\r\nHost:\r\n\r\n' +
      'MKCOL / HTTP/1.1\r\nConnection:upgrade\r\nUpgrade:t\r\nHost:\r\nTransfer-Encoding:chunked\r\n\r\n0\r\r',
    found: '2026-11-24, seed 2',
    note: 'As above, INVALID_LINE_ENDING.',
  },
  {
    name: 'upgrade request whose chunk data is not followed by CRLF',
    input:
      'MKCOL / HTTP/1.1\r\nHost:\r\nTransfer-Encoding:chunked\r\n\r\n1\r\n\xcb\r\n0\r\n\r\nUNLINK / HTTP/1.1\r\nHost:\r\n\r\n' +
      'MKCOL / HTTP/1.1\r\nConnection:upgrade\r\nUpgrade:t\r\nHost:\r\nTransfer-Encoding:chunked\r\n\r\n1\r\n}\xa6',
    found: '2026-11-24, seed 2',
    note: 'As above, INVALID_CHUNK_DATA_END.',
  },
  {
    name: 'upgrade request with an invalid trailer field name',
    input: 'MOVE / HTTP/1.1\r\nHost:\r\nTransfer-Encoding:chunked\r\nConnection:upgrade\r\nUpgrade:t\r\n\r\n7;&=""\r\n_G\xc1#W\xa2\xdd\r\n0\r\n/',
    found: '2026-11-24, seed 2',
    note: 'brisk refuses "/" as the start of a trailer field name (400 INVALID_HEADER_NAME).',
  },
  {
    name: 'CONNECT with two identical tab-padded Content-Length lines, head unfinished',
    input: 'CONNECT example.com:443 HTTP/1.1\r\nContent-Length:\t3\t\r\nContent-Length:\t3\t\r\nHost: YKQ:20087\r\nConnection: keep-alive\r\n',
    found: '2026-11-24, seed 2',
    note: 'llhttp 9.3.1 refuses at the first tab; brisk reads both lines as the one value 3 and waits for the head to end. Categorised once the head is complete.',
    documented: true,
  },
  {
    name: 'duplicate identical Content-Length in a second message, head unfinished',
    input:
      'COPY / HTTP/1.1\r\nHost: a\r\n\r\nPURGE http://c:52260/ HTTP/1.1\r\nhost: z\r\nConnection:keep-alive\r\ncontent-length:\t7 \r\ncontent-length:\t7 \r\nExpect:100-continue\r\n',
    found: '2026-11-24, seed 2 (minimised by hand)',
    note: 'llhttp: HPE_UNEXPECTED_CONTENT_LENGTH; brisk: one value, waiting for the head to end.',
    documented: true,
  },
];

describe('parser fuzz regressions', () => {
  for (const r of REGRESSIONS) {
    it(r.name, { todo: r.todo }, () => {
      const input = Buffer.from(r.input, 'latin1');
      for (const cut of [1, Math.floor(input.length / 2), input.length - 1]) {
        const { finding } = checkInput(input, { cuts: [cut] });
        assert.ok(finding === null || !finding.fatal, `${finding?.kind}: ${finding?.detail}`);
      }
      if (r.documented === true) {
        const { category } = differentialVerdict(input);
        assert.ok(category !== 'undocumented' && category !== 'agree', `expected a documented category, got ${category}`);
      }
    });
  }
});

// The fuzzer's machinery stays working between fuzz runs: a short, seeded, unguided pass of its
// mutations over the adversarial table must break no invariant.
describe('parser fuzz smoke pass', () => {
  it('400 mutated adversarial inputs (seed 7) break no invariant', () => {
    const rng = new Rng(7);
    const seeds = CASES.map((c) => (typeof c.bytes === 'string' ? Buffer.from(c.bytes, 'latin1') : c.bytes)).filter((b) => b.length > 0);
    for (let i = 0; i < 400; i++) {
      const input = mutateInput(rng, rng.pick(seeds), rng.pick(seeds), 2048);
      const { finding } = checkInput(input, { cuts: [rng.int(input.length + 1), rng.int(input.length + 1)] });
      assert.ok(finding === null || !finding.fatal, `${finding?.kind}: ${finding?.detail}\ninput ${JSON.stringify(input.toString('latin1'))}`);
    }
  });
});
