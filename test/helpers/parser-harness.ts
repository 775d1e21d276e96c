// Drives brisk's RequestParser over a list of input pieces and records what it reported:
// the messages it built, an event log for split-independence checks, and every breach of the
// parser's contract (consumed counts, statuses, body views, callback order). Used by the
// conformance runner and the parser tests; it never throws for a parser failure, it records it.
import { RequestParser, ParserStatus } from '../../src/parser/index.js';
import { ParseError, PARSE_ERRORS, type ParseErrorCode } from '../../src/parser/errors.js';
import type { ParserLimits } from '../../src/parser/options.js';
import type { HeadInfo, ParserHandler } from '../../src/parser/types.js';
import { emptyMessage, type MessageRecord } from './message-record.js';

/** One request as the parser reported it, in the shape the tests compare. */
export interface ParsedMessage extends MessageRecord {
  /** From HeadInfo; undefined before headers-complete. */
  bodyKind?: number;
  contentLength?: number;
  expectContinue?: boolean;
  expectOther?: boolean;
  /** Byte where the message began; known only when the input is fed one byte per call. */
  startOffset?: number;
}

export type RunOutcome = 'accept' | 'reject' | 'upgrade' | 'threw';

export interface RunError {
  code: ParseErrorCode;
  status: number;
  /** parser.error.offset: bytes since the last reset. */
  offset: number;
  /** Bytes fed before the failing call plus what that call reported consumed. */
  consumedOffset: number;
}

export interface ParseRun {
  outcome: RunOutcome;
  messages: ParsedMessage[];
  error: RunError | null;
  /** Where the new protocol starts, for `upgrade`. */
  upgradeOffset: number | null;
  /** finish() result when it was called: an error code, or null for a clean EOF. Not part of `outcome`. */
  finish?: ParseErrorCode | null;
  /** The exception, for `threw`. */
  thrown?: string;
  /** Callback and return-value log; body pieces merged, so it must not depend on the split. */
  events: string[];
  /** Breaches of the API contract, each a sentence. Empty when the parser behaved. */
  violations: string[];
  executeCalls: number;
}

export interface RunOptions {
  limits?: Partial<ParserLimits>;
  /** Call pause() in onMessageComplete, then resume() and execute the rest. */
  pauseOnComplete?: boolean;
  /** Call finish() at the end when parsing did not stop on an error or upgrade. */
  finish?: boolean;
  /** Stop after this many execute() calls (a parser that never progresses is a violation). */
  maxExecuteCalls?: number;
}

/** Cuts `input` into pieces of `size` bytes (the last may be shorter); all share its memory. */
export function splitEvery(input: Buffer, size: number): Buffer[] {
  if (!(size >= 1) || size >= input.length) return [input];
  const pieces: Buffer[] = [];
  for (let at = 0; at < input.length; at += size) pieces.push(input.subarray(at, at + size));
  return pieces;
}

/** Cuts `input` at the given offsets (any order, duplicates and out-of-range ignored). */
export function splitAt(input: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < input.length).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const c of points) {
    pieces.push(input.subarray(from, c));
    from = c;
  }
  pieces.push(input.subarray(from));
  return pieces;
}

export function latin1(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

const ERROR_CODES = new Set(Object.keys(PARSE_ERRORS));

/** Records callbacks into messages and events, and checks their order and body views. */
class Recorder implements ParserHandler {
  readonly messages: ParsedMessage[] = [];
  readonly events: string[] = [];
  readonly violations: string[] = [];
  private bodyParts: Buffer[] = [];
  /** The piece currently being executed, to check that body views point into it. */
  currentPiece: Buffer = Buffer.alloc(0);
  /** Stream offset of currentPiece[0]. */
  currentPieceOffset = 0;
  parser: RequestParser | null = null;
  pauseOnComplete = false;
  pausedByUs = false;

  private current(event: string): ParsedMessage {
    const m = this.messages[this.messages.length - 1];
    if (m === undefined) {
      this.violations.push(`${event} before onMessageBegin`);
      const fresh: ParsedMessage = emptyMessage();
      this.messages.push(fresh);
      return fresh;
    }
    if (m.complete) this.violations.push(`${event} after onMessageComplete`);
    return m;
  }

  onMessageBegin(): void {
    const last = this.messages[this.messages.length - 1];
    if (last !== undefined && !last.complete) this.violations.push('onMessageBegin inside an unfinished message');
    this.flushBody();
    const m: ParsedMessage = emptyMessage();
    if (this.currentPiece.length === 1) m.startOffset = this.currentPieceOffset;
    this.messages.push(m);
    this.events.push('begin');
  }

  onUrl(method: string, target: string, versionMinor: number): void {
    const m = this.current('onUrl');
    if (m.method !== null) this.violations.push('onUrl twice in one message');
    m.method = method;
    m.target = target;
    m.versionMinor = versionMinor;
    this.events.push(`url ${JSON.stringify(method)} ${JSON.stringify(target)} 1.${versionMinor}`);
  }

  onHeadersComplete(info: HeadInfo): void {
    const m = this.current('onHeadersComplete');
    if (m.method === null) this.violations.push('onHeadersComplete before onUrl');
    if (m.headersComplete) this.violations.push('onHeadersComplete twice in one message');
    if (info.method !== m.method || info.target !== m.target || info.versionMinor !== m.versionMinor) {
      this.violations.push(`HeadInfo request line ${info.method} ${info.target} 1.${info.versionMinor} differs from onUrl`);
    }
    if (info.headers.length % 2 !== 0) this.violations.push('HeadInfo.headers has an odd length');
    m.headersComplete = true;
    m.headers = info.headers.slice();
    m.keepAlive = info.keepAlive;
    m.upgrade = info.upgrade;
    m.bodyKind = info.bodyKind;
    m.contentLength = info.contentLength;
    m.expectContinue = info.expectContinue;
    m.expectOther = info.expectOther;
    this.events.push(
      `head ${JSON.stringify(info.headers)} kind=${info.bodyKind} len=${info.contentLength} ` +
        `keepAlive=${info.keepAlive} upgrade=${info.upgrade} expect=${info.expectContinue}/${info.expectOther}`,
    );
  }

  onBody(view: Buffer): void {
    const m = this.current('onBody');
    if (!m.headersComplete) this.violations.push('onBody before onHeadersComplete');
    if (!Buffer.isBuffer(view)) {
      this.violations.push('onBody argument is not a Buffer');
      return;
    }
    if (view.length === 0) this.violations.push('onBody with an empty view');
    const piece = this.currentPiece;
    if (
      view.buffer !== piece.buffer ||
      view.byteOffset < piece.byteOffset ||
      view.byteOffset + view.length > piece.byteOffset + piece.length
    ) {
      this.violations.push('onBody view is not a view into the input passed to execute()');
    }
    const copy = Buffer.from(view);
    this.bodyParts.push(copy);
    const last = this.events.length - 1;
    if (last >= 0 && this.events[last]!.startsWith('body ')) this.events[last] += copy.toString('hex');
    else this.events.push(`body ${copy.toString('hex')}`);
  }

  onTrailers(trailers: string[]): void {
    const m = this.current('onTrailers');
    if (!m.headersComplete) this.violations.push('onTrailers before onHeadersComplete');
    if (trailers.length % 2 !== 0) this.violations.push('trailers list has an odd length');
    m.trailers = trailers.slice();
    this.events.push(`trailers ${JSON.stringify(trailers)}`);
  }

  onMessageComplete(): void {
    const m = this.current('onMessageComplete');
    if (!m.headersComplete) this.violations.push('onMessageComplete before onHeadersComplete');
    this.flushBody();
    m.complete = true;
    this.events.push('complete');
    if (this.pauseOnComplete && this.parser !== null) {
      this.parser.pause();
      this.pausedByUs = true;
    }
  }

  flushBody(): void {
    const m = this.messages[this.messages.length - 1];
    if (m === undefined || this.bodyParts.length === 0) return;
    m.body = Buffer.concat([m.body, ...this.bodyParts]);
    this.bodyParts = [];
  }
}

function describeThrown(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Feeds `pieces` in order to a fresh parser. Stops at the first error or upgrade; resumes after
 * pauses it asked for. Never throws because of the parser: a thrown exception is the `threw` outcome.
 */
export function runParser(pieces: readonly Buffer[], options: RunOptions = {}): ParseRun {
  const recorder = new Recorder();
  recorder.pauseOnComplete = options.pauseOnComplete === true;
  const maxCalls = options.maxExecuteCalls ?? 1_000_000;
  const run: ParseRun = {
    outcome: 'accept',
    messages: recorder.messages,
    error: null,
    upgradeOffset: null,
    events: recorder.events,
    violations: recorder.violations,
    executeCalls: 0,
  };
  let parser: RequestParser;
  try {
    parser = new RequestParser(recorder, options.limits);
  } catch (e) {
    run.outcome = 'threw';
    run.thrown = `constructor: ${describeThrown(e)}`;
    return run;
  }
  recorder.parser = parser;
  let fed = 0;
  try {
    for (const piece of pieces) {
      let view = piece;
      for (;;) {
        if (++run.executeCalls > maxCalls) {
          run.violations.push(`no progress after ${maxCalls} execute() calls`);
          return finishRun(run, recorder);
        }
        recorder.currentPiece = view;
        recorder.currentPieceOffset = fed;
        recorder.pausedByUs = false;
        const consumed = parser.execute(view);
        const status = parser.status;
        if (!Number.isInteger(consumed) || consumed < 0 || consumed > view.length) {
          run.violations.push(`execute() returned ${consumed} for ${view.length} bytes`);
          return finishRun(run, recorder);
        }
        if (status === ParserStatus.Error) {
          recordError(run, parser, fed + consumed);
          return finishRun(run, recorder);
        }
        if (status === ParserStatus.Upgraded) {
          run.outcome = 'upgrade';
          run.upgradeOffset = fed + consumed;
          run.events.push(`upgrade@${fed + consumed}`);
          const last = run.messages[run.messages.length - 1];
          if (last === undefined || !last.complete) run.violations.push('Upgraded before a message completed');
          return finishRun(run, recorder);
        }
        if (status === ParserStatus.Paused) {
          if (!recorder.pausedByUs) run.violations.push('Paused without a pause() call');
          fed += consumed;
          parser.resume();
          if (consumed === view.length) break;
          view = view.subarray(consumed);
          continue;
        }
        if (status !== ParserStatus.Ok) {
          run.violations.push(`unknown status ${String(status)}`);
          return finishRun(run, recorder);
        }
        if (consumed !== view.length) {
          run.violations.push(`status Ok but consumed ${consumed} of ${view.length} bytes`);
        }
        fed += view.length;
        break;
      }
    }
    if (options.finish === true) {
      const err = parser.finish();
      if (err === null) {
        run.finish = null;
        run.events.push('finish ok');
      } else {
        checkErrorShape(run, err);
        run.finish = err.code;
        run.events.push(`finish ${err.code}@${err.offset}`);
      }
    }
  } catch (e) {
    run.outcome = 'threw';
    run.thrown = describeThrown(e);
    run.events.push(`threw ${run.thrown}`);
  }
  return finishRun(run, recorder);
}

function checkErrorShape(run: ParseRun, err: unknown): void {
  if (!(err instanceof ParseError)) {
    run.violations.push(`error is not a ParseError: ${String(err)}`);
    return;
  }
  if (!ERROR_CODES.has(err.code)) run.violations.push(`unknown error code ${err.code}`);
  else if (PARSE_ERRORS[err.code].status !== err.status) run.violations.push(`${err.code} with status ${err.status}`);
}

function recordError(run: ParseRun, parser: RequestParser, consumedOffset: number): void {
  const err = parser.error;
  if (err === null || err === undefined) {
    run.violations.push('status Error but parser.error is null');
    run.outcome = 'reject';
    return;
  }
  checkErrorShape(run, err);
  run.outcome = 'reject';
  run.error = { code: err.code, status: err.status, offset: err.offset, consumedOffset };
  run.events.push(`error ${err.code}@${err.offset}`);
}

function finishRun(run: ParseRun, recorder: Recorder): ParseRun {
  recorder.flushBody();
  return run;
}

/** Flat name/value list → pairs. */
export function pairs(flat: readonly string[] | null): [string, string][] {
  const out: [string, string][] = [];
  if (flat === null) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** The outcome, error and messages of a run as one string: equal strings mean equal results. */
export function runFingerprint(run: ParseRun): string {
  return run.events.join('\n');
}
