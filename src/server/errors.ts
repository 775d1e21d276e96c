// Server-side failures that become HTTP answers (408, 413, 417, 500, 503 ...), and the error
// handlers may throw to choose their own status. Parse errors are the parser's (ParseError).

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
