// The parser's contract with its consumer: the callbacks it makes and what headers-complete says.
// Named after the seed's on_url / on_header / on_body / on_message_complete.

/** How the request body is delimited (RFC 9112 §6.3). Requests are never close-delimited. */
export const enum BodyKind {
  /** No body: neither Content-Length nor Transfer-Encoding, or Content-Length: 0, or CONNECT. */
  None = 0,
  /** Content-Length: n, n > 0. */
  Length = 1,
  /** Transfer-Encoding ending in chunked. */
  Chunked = 2,
}

/** Facts about one request head, handed over once at headers-complete. Reused: copy what you keep. */
export interface HeadInfo {
  /** Method as received (case-sensitive token), e.g. "GET". */
  method: string;
  /** The raw request-target, e.g. "/a?b=1" or "example.com:443" or "*". */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor: number;
  /**
   * Header fields in arrival order as a flat list: name0, value0, name1, value1, ...
   * Names exactly as received; values with leading and trailing OWS removed. A fresh array
   * per message, so the consumer may keep it.
   */
  headers: string[];
  bodyKind: BodyKind;
  /** Declared length for BodyKind.Length, else 0. */
  contentLength: number;
  /** Whether the connection may carry another request after this one (RFC 9112 §9.3). */
  keepAlive: boolean;
  /**
   * The client asks to switch protocols: CONNECT, or `Connection: upgrade` with an `Upgrade`
   * field. The parser delivers the body (if any), completes the message and then pauses with
   * `upgraded` set: the bytes after `bytesConsumed` belong to the new protocol. A server that
   * declines may `resume()` and keep parsing HTTP.
   */
  upgrade: boolean;
  /** `Expect: 100-continue` was sent (HTTP/1.1 only). */
  expectContinue: boolean;
  /** An Expect field with any other expectation was present (answer 417). */
  expectOther: boolean;
}

/** A HeadInfo before any message: the parser keeps one and refills it for each head. */
export function emptyHeadInfo(): HeadInfo {
  return {
    method: '',
    target: '',
    versionMinor: 1,
    headers: [],
    bodyKind: BodyKind.None,
    contentLength: 0,
    keepAlive: true,
    upgrade: false,
    expectContinue: false,
    expectOther: false,
  };
}

export interface ParserHandler {
  /** A new message starts (first byte of its request line). */
  onMessageBegin(): void;
  /** The request line is complete and valid. */
  onUrl(method: string, target: string, versionMinor: number): void;
  /** The head is complete and valid; `info` is reused by the parser after this call returns. */
  onHeadersComplete(info: HeadInfo): void;
  /** A piece of body, after chunk framing is removed: a view into the caller's input, not a copy. */
  onBody(data: Buffer): void;
  /** Trailer fields of a chunked body, flat name/value list like `HeadInfo.headers`. */
  onTrailers(trailers: string[]): void;
  /** The message is complete. Call `parser.pause()` here to stop after it. */
  onMessageComplete(): void;
}
