// The vocabulary of the adversarial table: row and expectation types, the smuggled request every
// ambiguous row hides, and shorthands for building requests and expectations. Data only.
import type { ServerOptions } from '../../../src/index.js';
import type { ParsedResponse } from '../../helpers/http-response.js';

export type Feed = 'whole' | 'split' | 'trickle';

export type Category =
  | 'content-length'
  | 'transfer-encoding'
  | 'cl-te'
  | 'chunked'
  | 'line-endings'
  | 'control-chars'
  | 'request-line'
  | 'target'
  | 'host'
  | 'field-syntax'
  | 'limits'
  | 'pipeline'
  | 'expect'
  | 'connection'
  | 'timeouts'
  | 'desync';

export interface Expectation {
  /** Status of the last response on the connection. */
  status?: number;
  /** Statuses of every final response, in order (defaults to [status]). */
  statuses?: number[];
  /** The server ends the connection (read until EOF); false: it stays open after the responses. */
  closes: boolean;
  /** Handler invocations on this connection. */
  handlerCalls: number;
  /** Request-targets the handler saw, in order. */
  targets?: string[];
  /** Bodies the handler read completely, in order (latin1). */
  bodies?: string[];
  /** Methods of the requests answered, for response parsing (HEAD has no body). */
  methods?: string[];
  /** Statuses of the 1xx responses before the first final response. */
  interim?: number[];
  /** Extra checks on the parsed responses. */
  check?: (responses: readonly ParsedResponse[]) => void;
}

export interface AdversarialCase {
  name: string;
  category: Category;
  /** The exact bytes; strings are latin1 (one char per byte). */
  bytes: string | Buffer;
  feed: Feed;
  /** Offsets for 'split' (default: 1, a third, two thirds, length-1). */
  splitAt?: number[];
  /** Half-close (FIN) after sending. */
  endAfter?: boolean;
  expect: Expectation;
  /** RFC section, CVE or advisory. */
  source: string;
  /** Which of several allowed answers brisk gives, and why. */
  note?: string;
  /** A second request is hidden where a lenient parser would find it. */
  smuggle?: boolean;
  /** Server options for this row (small limits and timeouts). */
  options?: Partial<ServerOptions>;
  /** A known server/parser bug (recorded in .server-bugs.md / .parser-bugs.md): run as node:test todo. */
  todo?: string;
  /** Serve the demo app (examples/demo/app.ts, its calls recorded) instead of the recording handler. */
  app?: 'demo';
  /** More bytes sent `afterMs` after `bytes` (a body that arrives late, or a next request instead of it). */
  then?: { afterMs: number; bytes: string };
  /** Why this row is not re-run split in five pieces (its outcome depends on what arrives together). */
  wholeOnly?: string;
}

/** A complete request that must never be executed: its target is how the runner spots it. */
export const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
export const SMUGGLED_TARGET = '/smuggled';
export const NEXT = 'GET /next HTTP/1.1\r\nHost: a\r\n\r\n';

/** A request: request line, field lines (CRLF added), blank line, body. */
export function msg(line: string, fields: readonly string[], body = ''): string {
  return `${line}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n${body}`;
}

export const post = (fields: readonly string[], body = ''): string => msg('POST / HTTP/1.1', ['Host: a', ...fields], body);
export const get = (target: string, fields: readonly string[] = []): string => msg(`GET ${target} HTTP/1.1`, ['Host: a', ...fields]);

/** Chunked body whose zero chunk is followed by the smuggled request. */
export const CHUNKED_THEN_SMUGGLED = `0\r\n\r\n${SMUGGLED}`;

// Expectation shorthands.
export const rejected = (status: number): Expectation => ({ status, closes: true, handlerCalls: 0, targets: [] });
/** The head was fine, so the handler started; the body was not, so it never completed. */
export const rejectedInBody = (status: number, target = '/'): Expectation => ({ status, closes: true, handlerCalls: 1, targets: [target], bodies: [] });
export const accepted = (targets: string[], bodies?: string[]): Expectation => ({
  statuses: targets.map(() => 200),
  closes: false,
  handlerCalls: targets.length,
  targets,
  bodies,
});

export const SMALL_TIMEOUTS: Partial<ServerOptions> = { headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, bodyMinBytesPerSecond: 0 };
