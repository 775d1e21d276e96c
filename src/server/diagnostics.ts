// node:diagnostics_channel events for every request the server answers, so that tracers, APMs
// and metrics libraries can see brisk (OpenTelemetry's HTTP instrumentation patches node:http,
// which brisk does not use). Everything about the channels is here; the connection core calls
// the trace* functions below from one line each (session.ts, exchange.ts, response.ts).
//
// One request, one payload object (a RequestEvent), passed to each of its events and filled in
// as it goes, as undici passes one `request` object to its channels:
//   brisk:request:start  → brisk:response:headers → brisk:request:finish   (or brisk:request:abort)
// with brisk:request:error in between whenever something fails under the request (handler threw,
// malformed or timed-out body, client FIN). Every start has exactly one end: finish or abort.
// A request refused before it had a handler (parse error, header timeout) is one
// brisk:request:reject event with its own payload (RejectEvent).
//
// Plain channels rather than a TracingChannel: tracingChannel's start/end/asyncStart/asyncEnd
// describe one function call and its promise, and a request is not one: its response may finish
// before the handler returns or long after its promise settles (res kept and streamed), it may be
// aborted while the handler is still pending, and a rejected request has no handler at all.
//
// Cost when nobody subscribes: one boolean read per channel at the head of a request
// (`hasSubscribers`) and one null check at each later hook; no payload, no clock read.
import dc from 'node:diagnostics_channel';
import { RequestAbortedError } from './errors.js';
import type { BriskRequest, BriskResponse } from './types.js';

/** The channel names, for `diagnostics_channel.subscribe(name, fn)`. */
export const DIAGNOSTICS_CHANNELS = {
  /** A request head was parsed; the handler is about to run. Payload: RequestEvent. */
  requestStart: 'brisk:request:start',
  /** The response head (status, fields) is being written. Payload: RequestEvent. */
  responseHeaders: 'brisk:response:headers',
  /** End: the response was written in full and the request read (or drained). Payload: RequestEvent. */
  requestFinish: 'brisk:request:finish',
  /** Something failed under the request (not an end: finish or abort follows). Payload: RequestEvent. */
  requestError: 'brisk:request:error',
  /** End: the connection closed before the request and its response were complete. Payload: RequestEvent. */
  requestAbort: 'brisk:request:abort',
  /** A request answered (4xx, Connection: close) before any handler saw it. Payload: RejectEvent. */
  requestReject: 'brisk:request:reject',
} as const;

/**
 * The payload of every event of one request: the same object each time, filled in as the request
 * progresses. Times are `performance.now()` milliseconds (add `performance.timeOrigin` for epoch
 * milliseconds), 0 until they happen.
 */
export interface RequestEvent {
  readonly request: BriskRequest;
  readonly response: BriskResponse;
  /** The connection's id within its server (pipelined and keep-alive requests share it). */
  readonly connectionId: number;
  /** The peer's address and port (the PROXY protocol's when it is on; see `request.ip` for proxies). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly method: string;
  /** The raw request-target. */
  readonly target: string;
  readonly httpVersion: '1.0' | '1.1';
  /** The route pattern that matched (`/users/:id`), once a router has set `request.route`. */
  readonly route: string | undefined;
  /** The response status, 0 until the head is sent (101 once upgraded). */
  readonly status: number;
  /** Request body bytes received, including any drained after the response. */
  readonly bytesIn: number;
  /** Response body bytes written (framing not counted). */
  readonly bytesOut: number;
  /** When the request head had been parsed. */
  readonly startTime: number;
  /** When the response head was written. */
  readonly headersTime: number;
  /** When the request finished or was aborted. */
  readonly endTime: number;
  /** The socket was handed to the upgrade handler (WebSocket): what it writes is not seen. */
  readonly upgraded: boolean;
  /**
   * On brisk:request:error, what failed: the handler's throw or rejection, an HttpError (malformed
   * or timed-out body), a RequestAbortedError (client FIN). On brisk:request:abort, why: that
   * earlier error when there was one, else a RequestAbortedError. Undefined otherwise.
   */
  readonly error: unknown;
}

/** The payload of brisk:request:reject: a request answered before it had a handler. */
export interface RejectEvent {
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The status sent (400, 408, 414, 431, 501, 505 ...), always with Connection: close. */
  readonly status: number;
  /** The parser's error code (`INVALID_HEADER_NAME`, `HEADERS_TOO_LARGE` ...) or `HEADERS_TIMEOUT`. */
  readonly code: string;
  readonly reason: string;
  /** performance.now() when the answer was queued. */
  readonly time: number;
}

/** What a trace reads of a response (Response); structural, so this file imports no part of the core. */
interface TracedResponse extends BriskResponse {
  trace: RequestTrace | null;
  readonly bodyBytes: number;
}

/** What a trace reads of one request and its response (Exchange). */
interface TracedExchange {
  readonly req: BriskRequest;
  readonly res: TracedResponse;
  readonly bodyReceived: number;
  readonly drainedBytes: number;
}

/** What a trace needs of the connection (Session). */
export interface TracedConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

const startChannel = dc.channel(DIAGNOSTICS_CHANNELS.requestStart);
const headersChannel = dc.channel(DIAGNOSTICS_CHANNELS.responseHeaders);
const finishChannel = dc.channel(DIAGNOSTICS_CHANNELS.requestFinish);
const errorChannel = dc.channel(DIAGNOSTICS_CHANNELS.requestError);
const abortChannel = dc.channel(DIAGNOSTICS_CHANNELS.requestAbort);
const rejectChannel = dc.channel(DIAGNOSTICS_CHANNELS.requestReject);

/** One request's payload; kept on its Response (`res.trace`) while it is traced. */
export class RequestTrace implements RequestEvent {
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly method: string;
  readonly target: string;
  readonly httpVersion: '1.0' | '1.1';
  route: string | undefined = undefined;
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly startTime = performance.now();
  headersTime = 0;
  endTime = 0;
  upgraded = false;
  error: unknown = undefined;
  /** finish or abort was published: nothing more is. */
  ended = false;

  constructor(
    connection: TracedConnection,
    readonly request: BriskRequest,
    readonly response: BriskResponse,
  ) {
    this.connectionId = connection.id;
    this.remoteAddress = connection.remoteAddress;
    this.remotePort = connection.remotePort;
    this.method = request.method;
    this.target = request.target;
    this.httpVersion = request.httpVersion;
  }
}

class RejectTrace implements RejectEvent {
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly time = performance.now();

  constructor(
    connection: TracedConnection,
    readonly status: number,
    readonly code: string,
    readonly reason: string,
  ) {
    this.connectionId = connection.id;
    this.remoteAddress = connection.remoteAddress;
    this.remotePort = connection.remotePort;
  }
}

/**
 * A request head was parsed (Session.onHeadersComplete). A request is traced when anything
 * listens to one of its channels now; one subscribed later sees the requests that start after.
 */
export function traceStart(connection: TracedConnection, exchange: TracedExchange): void {
  if (!(startChannel.hasSubscribers || finishChannel.hasSubscribers || abortChannel.hasSubscribers ||
    headersChannel.hasSubscribers || errorChannel.hasSubscribers)) return;
  const trace = new RequestTrace(connection, exchange.req, exchange.res);
  exchange.res.trace = trace;
  if (startChannel.hasSubscribers) startChannel.publish(trace);
}

/** The response head is being written (Response.sendHead): its status is final. */
export function traceHeaders(res: TracedResponse): void {
  const trace = res.trace;
  if (trace === null || trace.ended) return;
  trace.status = res.status;
  trace.headersTime = performance.now();
  trace.route = trace.request.route;
  if (headersChannel.hasSubscribers) headersChannel.publish(trace);
}

/** Something failed under the request (Exchange.handlerFailed, Exchange.abort). Once per error. */
export function traceError(res: TracedResponse, error: unknown): void {
  const trace = res.trace;
  if (trace === null || trace.ended || trace.error === error) return;
  trace.error = error;
  if (errorChannel.hasSubscribers) errorChannel.publish(trace);
}

/** Request and response are both complete (Session.exchangeDone). */
export function traceFinish(exchange: TracedExchange): void {
  const trace = end(exchange);
  if (trace !== null && finishChannel.hasSubscribers) finishChannel.publish(trace);
}

/** The socket was handed to the upgrade handler (Session.onUpgraded): the request ends here. */
export function traceUpgrade(exchange: TracedExchange): void {
  const trace = end(exchange);
  if (trace === null) return;
  trace.upgraded = true;
  trace.status = 101;
  if (finishChannel.hasSubscribers) finishChannel.publish(trace);
}

/** The connection closed with this request unfinished (Session.onClose). */
export function traceAbort(exchange: TracedExchange | null): void {
  if (exchange === null) return;
  const trace = end(exchange);
  if (trace === null) return;
  // An Error (with its stack) costs microseconds: made only for a traced request.
  trace.error ??= new RequestAbortedError('The connection closed before the response was complete');
  if (abortChannel.hasSubscribers) abortChannel.publish(trace);
}

/** A request answered before it had a handler (Session.sendErrorAndClose). */
export function traceReject(connection: TracedConnection, status: number, code: string, reason: string): void {
  if (rejectChannel.hasSubscribers) rejectChannel.publish(new RejectTrace(connection, status, code, reason));
}

function end(exchange: TracedExchange): RequestTrace | null {
  const res = exchange.res;
  const trace = res.trace;
  if (trace === null || trace.ended) return null;
  trace.ended = true;
  trace.endTime = performance.now();
  trace.bytesIn = exchange.bodyReceived + exchange.drainedBytes;
  trace.bytesOut = res.bodyBytes;
  trace.route = trace.request.route;
  return trace;
}
