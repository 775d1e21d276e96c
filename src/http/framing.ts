// THE one place that decides how a response body is delimited on the wire (RFC 9112 §6.3,
// RFC 9110 §8.6, §9.3.2, §9.3.6, §15). Callers ask here and obey; nothing else in brisk picks
// between Content-Length, chunked and close. Pure: no I/O, no state.
//
// The life of a response's framing:
//   1. The handler sets status and fields, and maybe a Content-Length, then writes or ends.
//   2. When the head is about to be sent, the server calls decideResponseFraming() with the
//      declared length, or the total length if the handler already ended (Go buffers small
//      bodies for exactly this), and shouldSendContentLengthHeader() for the field itself.
//   3. The server writes the Content-Length / Transfer-Encoding fields to match (it owns those
//      two fields: any the handler set are replaced), and serialises the head (head.ts).
//   4. createBodyEncoder() (encoder.ts) turns the decision into an encoder that refuses to
//      break it: bytes past a declared length, or any bytes where no body is allowed.
//   5. After the last byte, connectionMustClose(framing) joins the keep-alive decision.

import { bodyAllowed } from './status.js';

export const enum ResponseFraming {
  /** No content follows the head (HEAD, 1xx, 204, 304, 2xx to CONNECT). */
  None = 0,
  /** Content-Length: n, then exactly n bytes. */
  Length = 1,
  /** Transfer-Encoding: chunked (HTTP/1.1 only). */
  Chunked = 2,
  /** Content runs until the server closes the connection (HTTP/1.0, unknown length). */
  CloseDelimited = 3,
}

/** Names for debug traces and test failures, indexed by ResponseFraming. */
export const RESPONSE_FRAMING_NAMES: readonly string[] = ['None', 'Length', 'Chunked', 'CloseDelimited'];

export interface ResponseFramingInput {
  /** Request method as received (methods are case-sensitive, RFC 9110 §9.1). */
  readonly method: string;
  readonly status: number;
  /** Minor version of the request: 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly versionMinor: number;
  /** Declared by the handler, or the total body length when known; undefined if unknown. */
  readonly contentLength: number | undefined;
  /**
   * The handler already ended. Informational: the decision reads only `contentLength`, so a
   * finished body earns Length framing by passing its total as `contentLength`. Without it
   * the decision stays Chunked / CloseDelimited, which frames any body correctly.
   */
  readonly bodyFinished: boolean;
}

/** Framing when the length is unknown, indexed by min(versionMinor, 1). */
const UNKNOWN_LENGTH_FRAMING: readonly ResponseFraming[] = [
  ResponseFraming.CloseDelimited, // HTTP/1.0 has no chunked coding (RFC 9112 §7.1)
  ResponseFraming.Chunked,
];

/** Closes after the body, indexed by ResponseFraming. */
const MUST_CLOSE: readonly boolean[] = [false, false, false, true];

/** Can this exchange carry content at all? (RFC 9112 §6.3 rules 1 and 2.) */
function contentAllowed(method: string, status: number): boolean {
  if (!bodyAllowed(status)) return false; // 1xx, 204, 304
  if (method === 'HEAD') return false; // RFC 9110 §9.3.2
  // RFC 9110 §9.3.6: a 2xx to CONNECT switches to tunnel mode right after the head.
  return !(method === 'CONNECT' && status < 300);
}

/**
 * Decide the response framing. In order:
 *   HEAD, 1xx, 204, 304, 2xx to CONNECT  → None
 *   known length                          → Length
 *   unknown length, HTTP/1.1              → Chunked
 *   unknown length, HTTP/1.0              → CloseDelimited
 */
export function decideResponseFraming(input: ResponseFramingInput): ResponseFraming {
  if (!contentAllowed(input.method, input.status)) return ResponseFraming.None;
  if (input.contentLength !== undefined) return ResponseFraming.Length;
  return UNKNOWN_LENGTH_FRAMING[input.versionMinor >= 1 ? 1 : 0]!;
}

/**
 * Should the head carry `Content-Length: <input.contentLength>`? True whenever a length is
 * known, except where RFC 9110 §8.6 forbids the field: 1xx, 204 and 2xx to CONNECT. So a
 * HEAD response or a 304 still announces a declared length (the size a GET / 200 would have
 * had) although its framing is None. Transfer-Encoding: chunked is sent iff framing is Chunked.
 */
export function shouldSendContentLengthHeader(input: ResponseFramingInput): boolean {
  if (input.contentLength === undefined) return false;
  const status = input.status;
  if (status < 200 || status === 204) return false;
  return !(input.method === 'CONNECT' && status < 300);
}

/**
 * Parse a Content-Length field value a handler set: 1*DIGIT (RFC 9110 §8.6), no sign, no
 * spaces, no list, at most Number.MAX_SAFE_INTEGER. Undefined when it is not one.
 */
export function parseContentLength(value: string): number | undefined {
  const length = value.length;
  if (length === 0 || length > 16) return undefined; // 16 digits already exceed 2^53 - 1
  let n = 0;
  for (let i = 0; i < length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n <= Number.MAX_SAFE_INTEGER ? n : undefined;
}

/** Must the connection close after this response? True only for CloseDelimited. */
export function connectionMustClose(framing: ResponseFraming): boolean {
  return MUST_CLOSE[framing]!;
}
