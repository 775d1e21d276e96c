// The write side of the http.ServerResponse a node:http app gets. Node's own ServerResponse keeps
// everything about fields and status (setHeader, getHeader, getHeaders, getHeaderNames,
// getRawHeaderNames, hasHeader, removeHeader, appendHeader, statusCode, statusMessage, and
// headersSent / writableEnded through its own writeHead and `finished`), so apps see node's exact
// behaviour and errors there. What would reach node's socket is replaced: these public methods
// are overridden, each as an own property of the instance because Express re-parents `res`
// onto its own prototype (a subclass's methods would be lost — and an app may wrap Express in a
// function of its own, so re-parenting cannot be told from the listener):
//
//   writeHead      node's, after turning a headers argument into setHeader/appendHeader calls
//                  (node's own rules for objects and flat arrays), so that getHeaders() sees them
//                  (node keeps writeHead-only fields in its private serialised head otherwise).
//   write          validates like node, copies status and fields to brisk on the first call,
//                  then BriskResponse.write(); its return value and 'drain' are brisk's.
//   end            the same, then BriskResponse.end(): a body given whole gets Content-Length.
//   flushHeaders   sends the head now (brisk frames the body as a stream: chunked, or close
//                  for HTTP/1.0, unless the app set Content-Length).
//   writeContinue  starts reading the body: brisk sends 100 Continue on the first read.
//   writeProcessing  no-op: brisk sends no 102 (RFC 9110 dropped it).
//   writeEarlyHints  BriskResponse.writeEarlyHints() (103).
//
// Node's serialised head (what its _storeHeader builds) is made but never used: brisk's response
// decides Content-Length versus chunked in its one place (src/http/framing.ts), adds Date and the
// Connection fields, and refuses a body where none is allowed (HEAD, 204, 304). Not making it
// would mean keeping headersSent (and ERR_HTTP_HEADERS_SENT) here, with an accessor on each
// instance: measured (Ir a request, Node 26), Object.defineProperty and the three guarded field
// methods cost more than node's serialisation (~1.7k against ~0.5–1k instructions).
// Wrappers an app puts over res.writeHead (on-headers: compression, express-session, response
// time) run: the head is committed through `res.writeHead(...)`, as node's implicit head is.
import { isAscii } from 'node:buffer';
import { ServerResponse } from 'node:http';
import type { BriskResponse, BodyChunk } from '../core.js';

/** Own property that links req and res to their exchange. */
export const kExchange = Symbol('brisk.nodeExchange');

/** What the write side needs from its exchange (listener.ts). */
export interface ResponseExchange {
  readonly bres: BriskResponse;
  committed: boolean;
  /** statusCode when writeHead ran: node ignores later assignments to it (its head is made), so does brisk. */
  headStatus: number;
  readonly done: boolean;
  needDrain: boolean;
  drainCallbacks: ((error?: Error | null) => void)[] | null;
  finished(): void;
  waitForDrain(): void;
  startBody(): void;
  /**
   * brisk threw on what res was asked to send. The error still reaches the app (as node's own
   * would), but the exchange ends here: an app that catches it and sees headersSent (Koa) would
   * otherwise leave the connection waiting for a response that never comes.
   */
  responseRefused(error: unknown): void;
}

type Callback = (error?: Error | null) => void;
// getRawHeaderNames: node ≥ 15.13, missing from @types/node 20.
type Res = ServerResponse & { [kExchange]: ResponseExchange; finished: boolean; getRawHeaderNames(): string[] };
type HeadersArg = Record<string, string | number | readonly string[] | undefined> | readonly (string | readonly string[])[];

const nativeWriteHead = ServerResponse.prototype.writeHead as (this: ServerResponse, status: number, reason?: string, headers?: never) => ServerResponse;
const EMPTY = Buffer.alloc(0);
/** Bodies up to this size are considered for batching (see batchable); brisk copies them behind the head anyway. */
const BATCH_LIMIT = 16 * 1024;

export function installWriteSide(res: ServerResponse, exchange: ResponseExchange): void {
  const r = res as Res;
  r[kExchange] = exchange;
  r.writeHead = writeHead as Res['writeHead'];
  r.write = write as Res['write'];
  r.end = end as Res['end'];
  r.flushHeaders = flushHeaders;
  r.writeContinue = writeContinue;
  r.writeProcessing = writeProcessing;
  r.writeEarlyHints = writeEarlyHints as Res['writeEarlyHints'];
}

function nodeError(message: string, code: string, Kind: ErrorConstructor = Error): Error {
  return Object.assign(new Kind(message), { code });
}

function writeHead(this: Res, statusCode: number, reason?: string | HeadersArg, headers?: HeadersArg): Res {
  if (typeof reason !== 'string') {
    headers = reason;
    reason = undefined;
  }
  // With fields already set, node merges the argument into its field store by its own rules
  // (which differ between Node versions for repeated names): let it.
  if (headers === undefined || headers === null || this.headersSent || this.getHeaderNames().length > 0) {
    nativeWriteHead.call(this, statusCode, reason as string, headers as never);
  } else {
    const code = statusCode | 0;
    if (code < 100 || code > 999) return nativeWriteHead.call(this, statusCode) as Res; // node's RangeError
    applyHeaders(this, headers);
    nativeWriteHead.call(this, statusCode, reason);
  }
  this[kExchange].headStatus = this.statusCode;
  return this;
}

/**
 * writeHead's headers argument when no field was set before: node then serialises the argument
 * straight into its private head, and getHeaders() would not see it. The same result through
 * the public store: each key of an object, each line of an array (flat or pairs), repeats kept.
 */
function applyHeaders(res: Res, headers: HeadersArg): void {
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as readonly (readonly string[])[]) res.appendHeader(pair[0], pair[1]);
      return;
    }
    const flat = headers as readonly string[];
    if (flat.length % 2 !== 0) throw nodeError(`The argument 'headers' is invalid`, 'ERR_INVALID_ARG_VALUE', TypeError);
    for (let i = 0; i < flat.length; i += 2) if (flat[i]) res.appendHeader(flat[i], flat[i + 1]);
    return;
  }
  // Each key is its own line, as node writes them: { 'x-a': 1, 'X-A': 2 } gives two.
  const record = headers as Record<string, string | number | readonly string[] | undefined>;
  for (const name in record) {
    const v = record[name];
    if (name && v !== undefined && Object.hasOwn(record, name)) res.appendHeader(name, v as string);
  }
}

/** Copy status and fields to brisk's response, once: the moment node would serialise its head. */
function commit(res: Res, exchange: ResponseExchange): void {
  // Through the property: wrappers of writeHead (on-headers) run here, as for node's implicit head.
  if (!res.headersSent) res.writeHead(res.statusCode);
  exchange.committed = true;
  const bres = exchange.bres;
  bres.status = exchange.headStatus > 0 ? exchange.headStatus : res.statusCode;
  // The names as the app spelt them, and lower-cased in the same order (both lists are node's
  // field store in insertion order): getHeader with the lower-cased name skips a toLowerCase and
  // the lookup of a new string per field (Express: 383 → 233 ns for its 4 fields, Node 26).
  const names = res.getRawHeaderNames();
  const keys = res.getHeaderNames();
  const same = keys.length === names.length;
  for (let i = 0; i < names.length; i++) {
    const value = res.getHeader(same ? keys[i] : names[i]);
    if (value !== undefined) bres.appendHeader(names[i], value as string | number | string[]);
  }
}

function toChunk(chunk: unknown, encoding: BufferEncoding | undefined): BodyChunk {
  if (typeof chunk === 'string') {
    return encoding === undefined || encoding === 'utf8' || encoding === 'utf-8' ? chunk : Buffer.from(chunk, encoding);
  }
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk === null) throw nodeError('May not write null values to stream', 'ERR_STREAM_NULL_VALUES', TypeError);
  throw nodeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array', 'ERR_INVALID_ARG_TYPE', TypeError);
}

/** A write node would refuse (after end, after destroy): error to the callback and, after end, on res. */
function refuseWrite(res: Res, callback: Callback | undefined): false {
  const ended = res.finished;
  const error = ended ? nodeError('write after end', 'ERR_STREAM_WRITE_AFTER_END') : nodeError('Cannot call write after a stream was destroyed', 'ERR_STREAM_DESTROYED');
  process.nextTick(() => {
    callback?.(error);
    if (ended && !res.destroyed) res.emit('error', error);
  });
  return false;
}

function write(this: Res, chunk: unknown, encoding?: BufferEncoding | Callback, callback?: Callback): boolean {
  if (typeof encoding === 'function') {
    callback = encoding;
    encoding = undefined;
  }
  const body = toChunk(chunk, encoding);
  const exchange = this[kExchange];
  if (this.finished || this.destroyed || exchange.done) return refuseWrite(this, callback);
  let ok: boolean;
  try {
    if (!exchange.committed) commit(this, exchange);
    ok = exchange.bres.write(body);
  } catch (error) {
    exchange.responseRefused(error);
    throw error;
  }
  if (ok) {
    if (callback !== undefined) process.nextTick(callback);
    return true;
  }
  exchange.needDrain = true;
  if (callback !== undefined) (exchange.drainCallbacks ??= []).push(callback);
  exchange.waitForDrain();
  return false;
}

function end(this: Res, chunk?: unknown, encoding?: BufferEncoding | Callback, callback?: Callback): Res {
  if (typeof chunk === 'function') {
    callback = chunk as Callback;
    chunk = undefined;
  } else if (typeof encoding === 'function') {
    callback = encoding;
    encoding = undefined;
  }
  const exchange = this[kExchange];
  if (this.finished) {
    if (chunk !== undefined && chunk !== null && (chunk as { length?: number }).length !== 0) refuseWrite(this, callback);
    else if (callback !== undefined) this.once('finish', callback);
    return this;
  }
  const body = chunk === undefined || chunk === null ? undefined : toChunk(chunk, encoding as BufferEncoding | undefined);
  if (callback !== undefined) this.once('finish', callback);
  if (this.destroyed || exchange.done) {
    this.finished = true;
    return this;
  }
  const bres = exchange.bres;
  try {
    if (!exchange.committed) commit(this, exchange);
    // 204 and 304 carry no body: node drops it, and so must its length (Express's res.send ends
    // a 304 with ''; brisk would announce Content-Length: 0 for a body it was given).
    bres.end(bres.status === 304 || bres.status === 204 || body === undefined ? undefined : batchable(body));
  } catch (error) {
    exchange.responseRefused(error);
    throw error;
  }
  // `finished` is node's public (deprecated) flag behind writableEnded.
  this.finished = true;
  exchange.finished();
  return this;
}

/**
 * A small ASCII body as a (latin1) string, the same bytes: brisk joins the string responses
 * answered from one read into one socket write, but writes each Buffer on its own. Express's
 * res.send always ends with a Buffer (it hashes the body for its ETag), so without this every
 * pipelined Express response cost a write syscall. (Measured, Node 26, pipelined ×16: 25,154
 * writes for 25,105 responses, writeBuffer 37% of the CPU profile.)
 */
function batchable(body: BodyChunk): BodyChunk {
  if (typeof body === 'string' || body.byteLength > BATCH_LIMIT || !isAscii(body)) return body;
  return (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)).toString('latin1');
}

function flushHeaders(this: Res): void {
  const exchange = this[kExchange];
  if (exchange.committed || exchange.done) return;
  try {
    commit(this, exchange);
    exchange.bres.write(EMPTY);
  } catch (error) {
    exchange.responseRefused(error);
    throw error;
  }
}

function writeContinue(this: Res, callback?: () => void): void {
  this[kExchange].startBody();
  if (callback !== undefined) process.nextTick(callback);
}

function writeProcessing(this: Res, callback?: () => void): void {
  if (callback !== undefined) process.nextTick(callback);
}

function writeEarlyHints(this: Res, hints: Record<string, string | string[]>, callback?: () => void): void {
  const exchange = this[kExchange];
  if (!exchange.committed && !exchange.done) exchange.bres.writeEarlyHints(hints);
  if (callback !== undefined) process.nextTick(callback);
}
