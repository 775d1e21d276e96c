// The connection's state as a Reading × Writing pair (src/server/conn-state.ts): every decision
// made from it, over every combination of the pair and of the separate inputs. Each table is
// written out here by hand (rows: Reading; columns: Writing Idle, Pending, Body, Done,
// Lingering, Closed), not computed, so a change to a decision shows up as a cell that differs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deadlineFor,
  keepConnection,
  MAX_HELD_BYTES,
  Reading,
  READING_COUNT,
  READING_NAMES,
  SESSION_STATE_NAMES,
  shouldRead,
  stateName,
  Writing,
  WRITING_COUNT,
  WRITING_NAMES,
} from '../../src/server/conn-state.js';
import { TimeoutKind, TIMEOUT_NAMES } from '../../src/server/errors.js';

const READINGS = [Reading.Head, Reading.Body, Reading.Held, Reading.Idle, Reading.Eof, Reading.Closed];
const WRITINGS = [Writing.Idle, Writing.Pending, Writing.Body, Writing.Done, Writing.Lingering, Writing.Closed];

/** One row per Reading (in READINGS order), one cell per Writing (in WRITINGS order). */
type Grid<T> = Record<(typeof READING_NAMES)[number], readonly T[]>;

function eachPair(fn: (r: Reading, w: Writing, at: string) => void): void {
  for (const r of READINGS) for (const w of WRITINGS) fn(r, w, `(${READING_NAMES[r]}, ${WRITING_NAMES[w]})`);
}

function cell<T>(grid: Grid<T>, r: Reading, w: Writing): T {
  const row = grid[READING_NAMES[r]];
  assert.equal(row.length, WRITING_COUNT);
  return row[w]!;
}

describe('conn-state: the pair', () => {
  it('has six variants on each side, named in order', () => {
    assert.equal(READING_COUNT, 6);
    assert.equal(WRITING_COUNT, 6);
    assert.deepEqual(READINGS, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(WRITINGS, [0, 1, 2, 3, 4, 5]);
  });
});

describe('conn-state: stateName (the debug lines of README, Logging)', () => {
  const names: Grid<string> = {
    head: ['reading-head', 'in-handler', 'writing', 'writing', 'closing', 'closing'],
    body: ['reading-body', 'reading-body', 'writing', 'writing', 'closing', 'closing'],
    held: ['idle', 'in-handler', 'writing', 'writing', 'closing', 'closing'],
    idle: ['idle', 'in-handler', 'writing', 'writing', 'closing', 'closing'],
    eof: ['closing', 'in-handler', 'writing', 'writing', 'closing', 'closing'],
    closed: ['closing', 'closing', 'closing', 'closing', 'closing', 'closing'],
  };
  it('every pair', () => {
    eachPair((r, w, at) => assert.equal(stateName(r, w), cell(names, r, w), at));
  });
  it('names only the documented states, and every one of them', () => {
    const seen = new Set<string>();
    eachPair((r, w) => seen.add(stateName(r, w)));
    assert.deepEqual([...seen].sort(), [...SESSION_STATE_NAMES].sort());
  });
});

describe('conn-state: shouldRead (is the transport read?)', () => {
  const T = true;
  const F = false;
  const base: Grid<boolean> = {
    head: [T, T, T, T, T, F],
    body: [T, T, T, T, T, F],
    held: [T, T, T, T, T, F],
    idle: [T, T, T, T, T, F],
    eof: [F, F, F, F, F, F],
    closed: [F, F, F, F, T, F],
  };
  // The handler paused the body: the body is not read (back-pressure); lingering still reads.
  const paused: Grid<boolean> = { ...base, body: [F, F, F, F, T, F] };
  // A full read of pipelined bytes is held: stop reading until they are parsed.
  const full: Grid<boolean> = { ...base, held: [F, F, F, F, T, F] };
  for (const bodyPaused of [false, true]) {
    for (const heldBytes of [0, 1, MAX_HELD_BYTES - 1, MAX_HELD_BYTES, MAX_HELD_BYTES * 4]) {
      it(`every pair, body paused ${bodyPaused}, ${heldBytes} bytes held`, () => {
        const atMax = heldBytes >= MAX_HELD_BYTES;
        eachPair((r, w, at) => {
          let expected = cell(base, r, w);
          if (bodyPaused && r === Reading.Body) expected = cell(paused, r, w);
          if (atMax && r === Reading.Held) expected = cell(full, r, w);
          assert.equal(shouldRead(r, w, bodyPaused, heldBytes), expected, at);
        });
      });
    }
  }
});

describe('conn-state: deadlineFor (which deadline runs?)', () => {
  const N = TimeoutKind.None;
  const H = TimeoutKind.Headers;
  const B = TimeoutKind.Body;
  const K = TimeoutKind.KeepAlive;
  const W = TimeoutKind.Write;
  const A = TimeoutKind.AbortGrace;
  const base: Grid<TimeoutKind> = {
    head: [H, H, H, H, W, N],
    body: [B, B, B, B, W, N],
    held: [K, N, N, N, W, N],
    idle: [K, K, K, K, W, N],
    eof: [N, A, A, N, W, N],
    closed: [W, W, W, W, W, N],
  };
  // The handler paused the body: the client is not to blame while it waits.
  const bodyPausedRow = [N, N, N, N, W, N];
  // The client's FIN waits behind held bytes: a handler with the whole request is bounded.
  const finHeldRow = [K, A, A, N, W, N];
  for (const bodyPaused of [false, true]) {
    for (const finHeld of [false, true]) {
      it(`every pair, body paused ${bodyPaused}, FIN held ${finHeld}`, () => {
        eachPair((r, w, at) => {
          let expected = cell(base, r, w);
          if (bodyPaused && r === Reading.Body) expected = bodyPausedRow[w]!;
          if (finHeld && r === Reading.Held) expected = finHeldRow[w]!;
          const got = deadlineFor(r, w, bodyPaused, finHeld);
          assert.equal(got, expected, `${at}: ${TIMEOUT_NAMES[got]}, expected ${TIMEOUT_NAMES[expected]}`);
        });
      });
    }
  }
});

describe('conn-state: keepConnection (another request after this response?)', () => {
  it('only from (held, done), when the plan keeps it, the server is not closing and no FIN is held', () => {
    let kept = 0;
    for (const plan of [false, true]) {
      for (const closing of [false, true]) {
        for (const finHeld of [false, true]) {
          eachPair((r, w, at) => {
            const expected = plan && !closing && !finHeld && r === Reading.Held && w === Writing.Done;
            const got = keepConnection(r, w, plan, closing, finHeld);
            assert.equal(got, expected, `${at} plan ${plan} closing ${closing} finHeld ${finHeld}`);
            if (got) kept++;
          });
        }
      }
    }
    assert.equal(kept, 1);
  });
});
