// Server-side failures: the closed set of what the core refuses or gives up on (like the parser's
// PARSE_ERRORS for what it refuses in the bytes), each with a stable code, the status it is
// answered with, a fixed reason and whether the connection closes after it; and HttpError, which
// handlers throw to choose their own status. Parse errors are the parser's (ParseError).

/** An error that carries the HTTP status to answer with; thrown by body helpers (413) and usable by handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after answering (the request body may be unread). */
    readonly closeConnection = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The request (or its connection) went away before the handler finished with it. */
export class RequestAbortedError extends Error {
  readonly code = 'ERR_REQUEST_ABORTED';
  constructor(message = 'The connection closed before the request was complete') {
    super(message);
    this.name = 'RequestAbortedError';
  }
}

/** Why a Session gave up on a client: the closed set of timeout kinds. */
export const enum TimeoutKind {
  None = 0,
  /** The whole head did not arrive within headersTimeoutMs (slowloris): 408. */
  Headers = 1,
  /** The body stalled or trickled below the minimum rate: 408. */
  Body = 2,
  /** An idle keep-alive connection lived out keepAliveTimeoutMs: close quietly. */
  KeepAlive = 3,
  /** The client stopped reading the response: abort. */
  Write = 4,
  /**
   * The client left (FIN) while its request was in flight and the handler has not finished
   * within a short grace: the connection is destroyed, whatever the handler still does.
   */
  AbortGrace = 5,
}

export const TIMEOUT_NAMES = ['none', 'headers', 'body', 'keep-alive', 'write', 'abort-grace'] as const;

/** The closed set of server-side errors. Log lines and metrics name them by this code. */
export type ServerErrorCode =
  // The request, refused or given up on by the core.
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_BODY_INCOMPLETE'
  | 'ERR_BODY_INVALID_JSON'
  | 'ERR_BODY_TIMEOUT'
  | 'ERR_HEADERS_TIMEOUT'
  | 'ERR_EXPECTATION'
  | 'ERR_CONNECT_UNSUPPORTED'
  // The upgrade handler threw while taking the connection over: the socket is destroyed.
  | 'ERR_UPGRADE_HANDLER'
  // The handler failed (threw, rejected) before the head was sent.
  | 'ERR_HANDLER'
  // The handler used the response wrongly; thrown to it, and a 500 if it does not catch them.
  | 'ERR_HEADERS_SENT'
  | 'ERR_WRITE_AFTER_END'
  | 'ERR_INVALID_STATUS'
  | 'ERR_INVALID_CONTENT_LENGTH'
  | 'ERR_CONTENT_LENGTH_MISMATCH';

export interface ServerErrorKind {
  /** The status the core answers with when nothing was sent yet. */
  readonly status: 400 | 408 | 413 | 417 | 500 | 501;
  readonly reason: string;
  /** The connection closes after the answer (the request body may be unread, or the client is to blame). */
  readonly close: boolean;
}

export const SERVER_ERRORS: { readonly [code in ServerErrorCode]: ServerErrorKind } = {
  ERR_BODY_TOO_LARGE: { status: 413, reason: 'Request body is too large', close: true },
  ERR_BODY_INCOMPLETE: { status: 400, reason: 'Request body is incomplete', close: true },
  // The body was read whole, so the connection is in sync.
  ERR_BODY_INVALID_JSON: { status: 400, reason: 'Request body is not valid JSON', close: false },
  ERR_BODY_TIMEOUT: { status: 408, reason: 'Request body timeout', close: true },
  ERR_HEADERS_TIMEOUT: { status: 408, reason: 'Request header timeout', close: true },
  ERR_EXPECTATION: { status: 417, reason: 'Unsupported expectation', close: true },
  ERR_CONNECT_UNSUPPORTED: { status: 501, reason: 'CONNECT is not supported', close: true },
  ERR_UPGRADE_HANDLER: { status: 500, reason: 'Upgrade handler failed', close: true },
  ERR_HANDLER: { status: 500, reason: 'Internal Server Error', close: true },
  ERR_HEADERS_SENT: { status: 500, reason: 'Headers already sent', close: true },
  ERR_WRITE_AFTER_END: { status: 500, reason: 'write() after end()', close: true },
  ERR_INVALID_STATUS: { status: 500, reason: 'A final status code is an integer from 200 to 599', close: true },
  ERR_INVALID_CONTENT_LENGTH: { status: 500, reason: 'Content-Length is not a non-negative safe integer', close: true },
  ERR_CONTENT_LENGTH_MISMATCH: { status: 500, reason: 'Body length does not match the declared Content-Length', close: true },
};

/**
 * One of SERVER_ERRORS, as an HttpError: a handler that lets it escape gets its status (500 for
 * its own misuse of the response), and `code` is stable where the message may carry detail.
 */
export class ServerError extends HttpError {
  readonly reason: string;
  constructor(
    readonly code: ServerErrorCode,
    detail?: string,
  ) {
    const kind = SERVER_ERRORS[code];
    super(kind.status, detail === undefined ? kind.reason : `${kind.reason} (${detail})`, kind.close);
    this.name = 'ServerError';
    this.reason = kind.reason;
  }
}
