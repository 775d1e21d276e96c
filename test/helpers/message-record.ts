// The shape in which the parser tests record one request, shared by the harness for brisk's
// parser (parser-harness.ts) and the one for Node's llhttp (node-llhttp.ts), so that the
// differential tests compare like with like. Each harness adds the fields only its parser reports.

/** One request as a parser reported it: request line, fields, body, and how far it got. */
export interface MessageRecord {
  method: string | null;
  target: string | null;
  versionMinor: number | null;
  /** Flat name/value list from headers-complete; null before it. */
  headers: string[] | null;
  trailers: string[] | null;
  body: Buffer;
  headersComplete: boolean;
  complete: boolean;
  /** Undefined before headers-complete. */
  keepAlive?: boolean;
  upgrade?: boolean;
}

/** A message just begun: nothing seen yet. */
export function emptyMessage(): MessageRecord {
  return {
    method: null,
    target: null,
    versionMinor: null,
    headers: null,
    trailers: null,
    body: Buffer.alloc(0),
    headersComplete: false,
    complete: false,
  };
}
