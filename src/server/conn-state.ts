// The state of one connection as a pair, after hyper's conn.rs: what the read side is doing
// (Reading) × what the write side is doing (Writing). Everything Session decides about the
// connection as a whole — is the transport read, which deadline runs, is the connection kept
// after a response, what the debug log calls the state — is a pure function of the pair here
// (plus the two inputs that are not the connection's: whether the handler paused the body, and
// whether a FIN waits behind held bytes), each tested over every combination
// (test/server/conn-state.test.ts).
//
// Why these variants:
// - Reading splits at what the client is waiting for and who is to blame for waiting:
//   Head (a request head is owed: the headers deadline), Body (body bytes are owed: the body
//   deadline, unless the handler paused it), Held (a request is complete and the parser is
//   stopped; bytes pipelined after it are held, bounded, until its response is done — or, with
//   no response in flight, until the client reads our answers again or the next turn of the event
//   loop), Idle (between requests, nothing held: keep-alive), Eof (the client's FIN was seen and
//   every byte before it parsed: nothing more will come) and Closed (no more HTTP is parsed: our
//   side ended and what still arrives is discarded, or the transport is gone). hyper's Init /
//   Continue / Body / KeepAlive / Closed, with Held for the pipelining hyper does not do and Eof
//   kept apart from Closed because a FIN does not end the response in flight.
// - Writing follows the response: Idle (no request to answer), Pending (the handler has the
//   request, nothing is written), Body (the head is out), Done (the response is complete while the
//   request body is still arriving, drained), Lingering (our FIN is queued: flush, and read and
//   discard briefly so the client sees our answer, not a reset) and Closed (the transport is
//   closed, destroyed or handed over). hyper's Init / Body / KeepAlive / Closed, with Pending and
//   Done because brisk answers while the body still arrives, and Lingering because the linger is
//   a state with its own deadline, not a detail of closing.
import { TimeoutKind } from './errors.js';

export const enum Reading {
  Head = 0,
  Body = 1,
  Held = 2,
  Idle = 3,
  Eof = 4,
  Closed = 5,
}

export const enum Writing {
  Idle = 0,
  Pending = 1,
  Body = 2,
  Done = 3,
  Lingering = 4,
  Closed = 5,
}

export const READING_NAMES = ['head', 'body', 'held', 'idle', 'eof', 'closed'] as const;
export const WRITING_NAMES = ['idle', 'pending', 'body', 'done', 'lingering', 'closed'] as const;
export const READING_COUNT = READING_NAMES.length;
export const WRITING_COUNT = WRITING_NAMES.length;

/** The names debug lines carry (README, Logging): the lifecycle as a user reads it. */
export const SESSION_STATE_NAMES = ['reading-head', 'reading-body', 'in-handler', 'writing', 'idle', 'closing'] as const;
export type SessionStateName = (typeof SESSION_STATE_NAMES)[number];

/** Pipelined bytes held while the parser is stopped before the transport stops being read. */
export const MAX_HELD_BYTES = 64 * 1024;

/** What the debug log calls the pair: closing once either side is closing, writing once the head is out. */
export function stateName(reading: Reading, writing: Writing): SessionStateName {
  if (writing === Writing.Lingering || writing === Writing.Closed || reading === Reading.Closed) return 'closing';
  if (writing === Writing.Body || writing === Writing.Done) return 'writing';
  if (writing === Writing.Pending) return reading === Reading.Body ? 'reading-body' : 'in-handler';
  switch (reading) {
    case Reading.Head:
      return 'reading-head';
    case Reading.Body:
      return 'reading-body';
    case Reading.Idle:
    case Reading.Held:
      return 'idle';
    default:
      return 'closing';
  }
}

/**
 * Whether the transport should be read. While lingering, yes (and discard) unless the client
 * already ended; while the handler paused the body, no (that is the back-pressure); while bytes
 * are held, only up to MAX_HELD_BYTES (reading on is what lets a FIN during a long handler be seen).
 */
export function shouldRead(reading: Reading, writing: Writing, bodyPaused: boolean, heldBytes: number): boolean {
  if (writing === Writing.Closed || reading === Reading.Eof) return false;
  if (writing === Writing.Lingering) return true;
  switch (reading) {
    case Reading.Head:
    case Reading.Idle:
      return true;
    case Reading.Body:
      return !bodyPaused;
    case Reading.Held:
      return heldBytes < MAX_HELD_BYTES;
    default:
      return false;
  }
}

/**
 * The read deadline that runs: by when the client must have sent more, or how long we wait for
 * the client to take our FIN (Write). None while the handler has the whole request (the client is
 * not to blame) unless the client left (`finHeld`: its FIN waits behind bytes held): then the
 * handler's time is bounded (AbortGrace), as it is once the client's EOF is seen.
 */
export function deadlineFor(reading: Reading, writing: Writing, bodyPaused: boolean, finHeld: boolean): TimeoutKind {
  if (writing === Writing.Closed) return TimeoutKind.None;
  if (writing === Writing.Lingering) return TimeoutKind.Write;
  switch (reading) {
    case Reading.Head:
      return TimeoutKind.Headers;
    case Reading.Idle:
      return TimeoutKind.KeepAlive;
    case Reading.Body:
      return bodyPaused ? TimeoutKind.None : TimeoutKind.Body;
    case Reading.Held:
      if (writing === Writing.Idle) return TimeoutKind.KeepAlive; // between requests, waiting to parse the next
      return finHeld && writing !== Writing.Done ? TimeoutKind.AbortGrace : TimeoutKind.None;
    case Reading.Eof:
      return writing === Writing.Pending || writing === Writing.Body ? TimeoutKind.AbortGrace : TimeoutKind.None;
    default:
      return TimeoutKind.Write; // not parsing any more: only the close is left to bound
  }
}

/**
 * Whether the connection carries another request once a response is done: the response plan
 * said so (`planKeepAlive`, http/plan.ts), the server is not shutting down, the request's last
 * byte was parsed (Held), the client has not left (no FIN held) and nothing closed either side.
 */
export function keepConnection(reading: Reading, writing: Writing, planKeepAlive: boolean, serverClosing: boolean, finHeld: boolean): boolean {
  return planKeepAlive && !serverClosing && !finHeld && reading === Reading.Held && writing === Writing.Done;
}
