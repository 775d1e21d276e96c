// HeadCache: the last response head a server serialised, with what it was made from. A response
// made of the same status, fields, framing, connection fields and Date line as the one before it
// (a hot endpoint, a health check, every response of a benchmark) gets that head string back
// instead of building it again; any difference builds a new one. One entry per Server (on its
// ServerContext, never process-wide): a miss costs a comparison of the field list.
//
// Measured (callgrind, instructions per request of the whole server, the seed page on the libuv
// transport, keep-alive c50, Node 26): see the commit that added it. Building a head (buildHead)
// is ~10 string concatenations and, at the write, a flattening copy of the tree they make.
import { statusLine } from '../http/head.js';

/** What a head is made from, besides the Response's field list. */
export interface HeadKey {
  readonly status: number;
  /** The Content-Length field's value, or undefined. */
  readonly contentLength: number | undefined;
  /** Transfer-Encoding: chunked. */
  readonly chunked: boolean;
  /** The connection field lines (keep-alive fields or `Connection: close`). */
  readonly connection: string;
  /** The Date line of this second (a handler's own Date field is among the fields). */
  readonly dateLine: string;
}

export class HeadCache {
  private status = 0;
  private contentLength: number | undefined = undefined;
  private chunked = false;
  private connection = '';
  private dateLine = '';
  /** A copy of the field list the head was made from (lower-cased name, name, value, ...). */
  private fields: string[] = [];
  private head = '';
  /** The last head joined with a string body, and that body. */
  private wholeHead = '';
  private wholeBody = '';
  private whole = '';

  hits = 0;
  misses = 0;

  /** The head made from exactly these inputs, or '' when the last head was made from others. */
  get(key: HeadKey, fields: readonly string[]): string {
    if (
      this.head === '' || key.status !== this.status || key.contentLength !== this.contentLength ||
      key.chunked !== this.chunked || key.connection !== this.connection || key.dateLine !== this.dateLine
    ) return this.miss();
    const cached = this.fields;
    const n = fields.length;
    if (n !== cached.length) return this.miss();
    for (let i = 0; i < n; i++) if (fields[i] !== cached[i]) return this.miss();
    this.hits++;
    return this.head;
  }

  /** Remember `head` as made from these inputs; returns it. */
  set(key: HeadKey, fields: readonly string[], head: string): string {
    this.status = key.status;
    this.contentLength = key.contentLength;
    this.chunked = key.chunked;
    this.connection = key.connection;
    this.dateLine = key.dateLine;
    this.fields = fields.slice();
    this.head = head;
    return head;
  }

  /**
   * `head + body` for a whole response, the same string as last time when both are (a string
   * body up to WHOLE_LIMIT bytes): a repeated response is then one flat string, written as is.
   */
  join(head: string, body: string): string {
    if (head === this.wholeHead && body === this.wholeBody) return this.whole;
    const whole = head + body;
    if (body.length <= WHOLE_LIMIT) {
      this.wholeHead = head;
      this.wholeBody = body;
      this.whole = whole;
    }
    return whole;
  }

  private miss(): string {
    this.misses++;
    return '';
  }
}

/** Bodies above this are not kept (comparing and holding them costs more than joining). */
const WHOLE_LIMIT = 4096;

// The plan owns the framing and connection fields; a handler's own are never serialised.
const CONTENT_LENGTH = 'content-length';
const TRANSFER_ENCODING = 'transfer-encoding';
const CONNECTION = 'connection';
const KEEP_ALIVE = 'keep-alive';
const DATE = 'date';

/** The head from its key and the handler's fields (flat: lower-cased name, name, value, ...). */
export function buildHead(key: HeadKey, fields: readonly string[]): string {
  let head = statusLine(key.status, undefined);
  let hasDate = false;
  for (let i = 0; i < fields.length; i += 3) {
    const lower = fields[i];
    // The plan owns framing and connection fields; a handler's Date wins.
    if (lower === CONTENT_LENGTH || lower === TRANSFER_ENCODING || lower === CONNECTION || lower === KEEP_ALIVE) continue;
    if (lower === DATE) hasDate = true;
    head += fields[i + 1] + ': ' + fields[i + 2] + '\r\n';
  }
  if (!hasDate) head += key.dateLine;
  if (key.contentLength !== undefined) head += 'Content-Length: ' + key.contentLength + '\r\n';
  else if (key.chunked) head += 'Transfer-Encoding: chunked\r\n';
  return head + key.connection + '\r\n';
}
