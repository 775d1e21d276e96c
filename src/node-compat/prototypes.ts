// Where the app's req and res objects are made. Express's app.handle re-parents every request
// onto its own prototypes (`Object.setPrototypeOf(req, app.request)`, the same for res, both
// inheriting from node's). On V8 12+ (Node 22+) that costs 2–3.5 µs a request for the pair and
// leaves the objects slow; creating them with those prototypes from the start (Reflect.construct
// with node's own constructors, so they are the same IncomingMessage and ServerResponse) makes
// Express's call a no-op. Measured (min of 7 × 100k, req+res pair): Node 26 2065 → 316 ns,
// Node 24 3580 → 475 ns, Node 22 439 → 259 ns. On Node 20 (V8 11) a constructor with another
// new.target took 45 µs instead, so there node's objects are made plainly and re-parented.
//
// The prototypes are read from the listener's public `request` / `response` (Express documents
// `app.request` and `app.response` for extending them), and used only when they inherit from
// node's own prototypes; anything else gets plain node objects.
import { IncomingMessage, ServerResponse } from 'node:http';

/** Constructors whose prototype is where the app puts req / res (new.target for Reflect.construct), or null. */
export interface ObjectKinds {
  readonly req: (new () => object) | null;
  readonly res: (new () => object) | null;
}

const PLAIN: ObjectKinds = { req: null, res: null };
const V8_MAJOR = Number(process.versions.v8.split('.')[0]);
const CONSTRUCT_WITH_PROTOTYPE = V8_MAJOR >= 12;

/** A constructor whose `prototype` is `proto`: only its prototype is used, as new.target. */
function targetFor(proto: object): new () => object {
  const target = function () {} as unknown as new () => object;
  target.prototype = proto;
  return target;
}

/** The kinds of objects to make for this listener (Express: its app.request / app.response). */
export function objectKindsOf(listener: unknown): ObjectKinds {
  if (!CONSTRUCT_WITH_PROTOTYPE || typeof listener !== 'function') return PLAIN;
  const { request, response } = listener as { request?: unknown; response?: unknown };
  const req = typeof request === 'object' && request !== null && Object.prototype.isPrototypeOf.call(IncomingMessage.prototype, request) ? targetFor(request) : null;
  const res = typeof response === 'object' && response !== null && Object.prototype.isPrototypeOf.call(ServerResponse.prototype, response) ? targetFor(response) : null;
  return req === null && res === null ? PLAIN : { req, res };
}

export function makeRequest(kinds: ObjectKinds, socket: unknown): IncomingMessage {
  return kinds.req === null ? new IncomingMessage(socket as never) : (Reflect.construct(IncomingMessage, [socket], kinds.req) as IncomingMessage);
}

export function makeResponse(kinds: ObjectKinds, req: IncomingMessage): ServerResponse {
  return kinds.res === null ? new ServerResponse(req) : (Reflect.construct(ServerResponse, [req], kinds.res) as ServerResponse);
}
