// How a response body is delimited on the wire (RFC 9112 §6.3): the four framings, and the
// Content-Length syntax a handler's field must have. Which framing a response gets is decided in
// one place, planResponse() (plan.ts); the encoders (encoder.ts) enforce it. Pure: no I/O, no state.

export const enum ResponseFraming {
  /** No content follows the head (HEAD, 204, 304, 2xx to CONNECT). */
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
