// THE response plan: everything about a final response's head that is decided rather than set —
// how its body is delimited, the Content-Length it announces, and whether the connection carries
// another request afterwards — from one set of inputs, in one call, once per response. Pure: no
// I/O, no state, no side effects; Response serialises from the result and the connection reads
// the persistence from it (RFC 9110 §6.4.1, §8.6, §9.3.2, §9.3.6, §15; RFC 9112 §6.3, §9.3).
//
// A final status is an integer 200–599 by construction: 1xx are sent only through the
// informational paths (100 Continue, writeEarlyHints), 101 only by handing the connection to the
// upgrade handler; a plan for any other status is refused, so a 1xx can never end a response
// and shift a pipeline by one.

import { ResponseFraming } from './framing.js';
import { bodyAllowed } from './status.js';

/**
 * Where the request body stands when the response head is decided.
 *   none     the request had no body, or its last byte was parsed;
 *   in-hand  unread, but the rest can be drained to keep the connection (within maxDrainBytes);
 *   owed     unread, and the rest may never come or is too much to drain (a client waiting for
 *            100 Continue, a body past maxDrainBytes, bytes that have not arrived): close.
 */
export type BodyUnread = 'none' | 'in-hand' | 'owed';

export type Persistence = 'keep-alive' | 'close';

/** Why no head can be made from these inputs (the handler's mistake, thrown where it made it). */
export type PlanRefusal = 'ERR_INVALID_STATUS' | 'ERR_CONTENT_LENGTH_MISMATCH';

export interface ResponsePlanInput {
  /** Request method as received (methods are case-sensitive, RFC 9110 §9.1). */
  readonly method: string;
  /** The final status the handler chose. */
  readonly status: number;
  /** Minor version of the request: 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly versionMinor: number;
  /** The Content-Length the handler set, or -1. */
  readonly declaredLength: number;
  /** The whole body's length when the handler ended with it in one call, or -1 (streaming). */
  readonly knownLength: number;
  /** The request does not allow another one after it (Connection: close; HTTP/1.0 without keep-alive). */
  readonly requestWantsClose: boolean;
  /** The handler's Connection field, as it is when the head is sent, has the `close` option. */
  readonly handlerWantsClose: boolean;
  /** The server is shutting down. */
  readonly serverClosing: boolean;
  /** The client half-closed or is gone, or the exchange is no longer the connection's current one. */
  readonly clientGone: boolean;
  readonly bodyUnread: BodyUnread;
}

export interface ResponsePlan {
  readonly framing: ResponseFraming;
  /** The Content-Length field's value, or undefined for no field. */
  readonly contentLength: number | undefined;
  readonly persistence: Persistence;
  /** Non-null: nothing else in the plan holds and nothing may be written. */
  readonly refusal: PlanRefusal | null;
}

/**
 * Where planResponse writes its plan: a fresh object by default, or one the caller keeps (a
 * Response is its own plan target). Measured (Response head + end(body), stub connection): a
 * new plan object and a new input object per response cost ~12 ns of ~140.
 */
export type PlanTarget = { -readonly [K in keyof ResponsePlan]: ResponsePlan[K] };

/** A ResponsePlanInput a caller fills and reuses (planResponse never keeps it). */
export type PlanInputSlots = { -readonly [K in keyof ResponsePlanInput]: ResponsePlanInput[K] };

/** A final status (RFC 9110 §15: 2xx–5xx complete a request; 1xx are interim). */
export function isFinalStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 200 && status <= 599;
}

/** Can this exchange carry content at all? (RFC 9112 §6.3 rules 1 and 2.) */
function contentAllowed(method: string, status: number): boolean {
  if (!bodyAllowed(status)) return false; // 204, 304: RFC 9110 §15.3.5, §15.4.5
  if (method === 'HEAD') return false; // RFC 9110 §9.3.2
  // RFC 9110 §9.3.6: a 2xx to CONNECT switches to tunnel mode right after the head.
  return !(method === 'CONNECT' && status < 300);
}

/**
 * May the head carry Content-Length? Whenever a length is known, except where RFC 9110 §8.6
 * forbids the field (204, 2xx to CONNECT). A HEAD response or a 304 still announces a declared
 * length (the size a GET / 200 would have had) although nothing follows it.
 */
function contentLengthAllowed(method: string, status: number): boolean {
  return status !== 204 && !(method === 'CONNECT' && status < 300);
}

function refuse(out: PlanTarget, refusal: PlanRefusal): ResponsePlan {
  out.framing = ResponseFraming.None;
  out.contentLength = undefined;
  out.persistence = 'close';
  out.refusal = refusal;
  return out;
}

/**
 * Plan a final response. Framing, in order:
 *   HEAD, 204, 304, 2xx to CONNECT  → None
 *   a declared or known length       → Length
 *   unknown length, HTTP/1.1         → Chunked
 *   unknown length, HTTP/1.0         → CloseDelimited (HTTP/1.0 has no chunked, RFC 9112 §7.1)
 * The connection is kept only when the request, the handler and the server all allow it, the
 * client is still there, the body is not close-delimited, and no request-body bytes are owed.
 * The plan is written into `out` (every field) and returned; nothing else is touched.
 */
export function planResponse(input: ResponsePlanInput, out: PlanTarget = newPlan()): ResponsePlan {
  const method = input.method;
  const status = input.status;
  if (!isFinalStatus(status)) return refuse(out, 'ERR_INVALID_STATUS');
  const declared = input.declaredLength;
  const known = input.knownLength;
  const length = declared >= 0 ? declared : known;
  let framing: ResponseFraming;
  if (!contentAllowed(method, status)) framing = ResponseFraming.None;
  else if (length >= 0) framing = ResponseFraming.Length;
  else framing = input.versionMinor >= 1 ? ResponseFraming.Chunked : ResponseFraming.CloseDelimited;
  // A body of one length under a field that says another would desync the client.
  if (framing === ResponseFraming.Length && declared >= 0 && known >= 0 && declared !== known) {
    return refuse(out, 'ERR_CONTENT_LENGTH_MISMATCH');
  }
  const keep =
    !input.requestWantsClose && !input.handlerWantsClose && !input.serverClosing && !input.clientGone &&
    framing !== ResponseFraming.CloseDelimited && input.bodyUnread !== 'owed';
  out.framing = framing;
  out.contentLength = length >= 0 && contentLengthAllowed(method, status) ? length : undefined;
  out.persistence = keep ? 'keep-alive' : 'close';
  out.refusal = null;
  return out;
}

function newPlan(): PlanTarget {
  return { framing: ResponseFraming.None, contentLength: undefined, persistence: 'close', refusal: null };
}
