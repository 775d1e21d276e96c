// Router: method + path routing on the core's Handler API, with middleware, 404, 405 + Allow,
// HEAD through GET and automatic OPTIONS. Routes live in the segment tree of route-tree.ts; this
// file owns dispatch. It never writes to a socket itself: everything goes through BriskResponse.
//
// The life of a routed request (Router.handle):
//   1. Match: a fully static path is one Map lookup; anything else walks the tree, one node per
//      segment, capturing `:param` and `*` values (percent-decoded; a bad encoding is a 400).
//   2. `req.params` is set on the request object: an own property holding the captured values.
//   3. No middleware anywhere: the route's handler is called directly (no closure, no promise).
//      Otherwise the global middleware, then the route's, run Koa-style around the handler:
//      each gets `next()`, may stop by not calling it, and may run code after `await next()`.
//   4. No route for the method: 405 with Allow if the path exists for other methods, 204 with
//      Allow for OPTIONS, else 404. These answers also run through the global middleware.
import type { BriskRequest, BriskResponse, Handler } from '../core.js';
import {
  ANY_METHOD,
  collectNodes,
  findRoute,
  insertRoute,
  MalformedPathError,
  RouteDefinitionError,
  RouteNode,
  type Route,
} from './route-tree.js';

export { RouteDefinitionError, MalformedPathError } from './route-tree.js';

/**
 * The request a route handler receives: the core's BriskRequest plus the captured path parameters.
 * `params` is an own property the router sets on the request object before calling middleware;
 * values are percent-decoded once, `params['*']` holds a trailing wildcard's rest of the path.
 */
export type RoutedRequest = BriskRequest & { params: Record<string, string> };

export type RouteHandler = (req: RoutedRequest, res: BriskResponse) => void | Promise<void>;
/** Resolves when everything after this middleware (later middleware and the handler) is done. */
export type Next = () => Promise<void>;
export type Middleware = (req: RoutedRequest, res: BriskResponse, next: Next) => void | Promise<void>;

/** What `match` reports: a route, the methods the path does answer (405), or null (404). */
export type MatchResult =
  | { readonly handler: RouteHandler; readonly middleware: readonly Middleware[]; readonly params: Record<string, string> }
  | { readonly allowed: readonly string[] }
  | null;

export interface RouterOptions {
  /** Answers requests no route matches (default: 404 "Not Found", plain text). */
  notFound?: RouteHandler;
}

interface RouteEntry {
  readonly handler: RouteHandler;
  readonly middleware: readonly Middleware[];
}

/** An HTTP method is a token (RFC 9110 §9.1); checked at registration. */
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NO_MIDDLEWARE: readonly Middleware[] = Object.freeze([]);

const enum MissKind {
  NotFound = 0,
  MethodNotAllowed = 1,
  Options = 2,
  BadRequest = 3,
}

export class Router {
  /** The Handler to pass to `serve` / `createServer`: bound, so `router.handle` can be passed around. */
  readonly handle: Handler = (req, res) => this.dispatch(req as RoutedRequest, res);

  private readonly root = new RouteNode<RouteEntry>();
  /** Fully static patterns, by path: the common case is one Map lookup, no tree walk. */
  private readonly staticPaths = new Map<string, RouteNode<RouteEntry>>();
  private readonly middleware: Middleware[] = [];
  /** Every method some route answers, for `OPTIONS *`. */
  private readonly allMethods = new Set<string>();
  /** Captured values of the match in progress; matching is synchronous, so one array serves all. */
  private readonly values: string[] = [];
  private notFoundHandler: RouteHandler;

  constructor(options: RouterOptions = {}) {
    this.notFoundHandler = options.notFound ?? answerNotFound;
  }

  // --- registration ---

  /** Add a route: `add('GET', '/users/:id', handler)` or with route middleware before the handler. */
  add(method: string, pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    if (method !== ANY_METHOD && !METHOD_TOKEN.test(method)) throw new RouteDefinitionError(`Invalid method ${JSON.stringify(method)}`);
    if (stack.length === 0) throw new RouteDefinitionError(`${method} ${pattern}: a handler is required`);
    for (const fn of stack) if (typeof fn !== 'function') throw new RouteDefinitionError(`${method} ${pattern}: handlers must be functions`);
    const handler = stack[stack.length - 1] as RouteHandler;
    const middleware = stack.length === 1 ? NO_MIDDLEWARE : Object.freeze(stack.slice(0, -1) as Middleware[]);
    const node = insertRoute(this.root, method, pattern, { handler, middleware });
    if (pattern.indexOf('%') < 0 && pattern.indexOf(':') < 0 && pattern.indexOf('*') < 0) this.staticPaths.set(pattern, node);
    if (method !== ANY_METHOD) this.allMethods.add(method);
    return this;
  }

  get(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add('GET', pattern, ...stack);
  }
  post(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add('POST', pattern, ...stack);
  }
  put(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add('PUT', pattern, ...stack);
  }
  patch(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add('PATCH', pattern, ...stack);
  }
  delete(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add('DELETE', pattern, ...stack);
  }
  head(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add('HEAD', pattern, ...stack);
  }
  options(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add('OPTIONS', pattern, ...stack);
  }
  /** A route for every method (it takes precedence over 405 and automatic OPTIONS on its path). */
  all(pattern: string, ...stack: [...Middleware[], RouteHandler]): this {
    return this.add(ANY_METHOD, pattern, ...stack);
  }

  /** Global middleware: runs for every request, in the order added, including 404/405/OPTIONS answers. */
  use(...middleware: Middleware[]): this {
    for (const fn of middleware) {
      if (typeof fn !== 'function') throw new RouteDefinitionError('middleware must be a function');
      this.middleware.push(fn);
    }
    return this;
  }

  /** Replace the 404 answer. */
  notFound(handler: RouteHandler): this {
    this.notFoundHandler = handler;
    return this;
  }

  // --- matching ---

  /**
   * The route for `method` and a raw (not yet decoded) `path`: its handler, middleware and params;
   * or `{ allowed }` when only other methods match (405); or null (404). HEAD finds GET routes.
   * Throws MalformedPathError when a percent-encoding in the path does not decode.
   */
  match(method: string, path: string): MatchResult {
    const route = this.find(method, path);
    if (route !== null) {
      return { handler: route.value.handler, middleware: route.value.middleware, params: this.takeParams(route) };
    }
    const allowed = this.allowedFor(method, path);
    return allowed.length > 0 ? { allowed } : null;
  }

  private find(method: string, path: string): Route<RouteEntry> | null {
    if (path.length === 0) path = '/'; // absolute-form "http://host" with no path
    else if (path.charCodeAt(0) !== 0x2f) return null; // "*" and CONNECT's authority-form
    const hasPercent = path.indexOf('%') >= 0;
    if (!hasPercent) {
      const node = this.staticPaths.get(path);
      if (node !== undefined) {
        const routes = node.routes as Map<string, Route<RouteEntry>>;
        const route = routes.get(method) ?? (method === 'HEAD' ? routes.get('GET') : undefined) ?? routes.get(ANY_METHOD);
        if (route !== undefined) return route;
      }
    }
    this.values.length = 0;
    return findRoute(this.root, path, 1, method, hasPercent, this.values);
  }

  /** The params object of the match `find` just made. */
  private takeParams(route: Route<RouteEntry>): Record<string, string> {
    const names = route.paramNames;
    const params: Record<string, string> = {};
    if (names.length === 0) return params;
    const values = this.values;
    for (let i = 0; i < names.length; i++) params[names[i]] = values[i];
    return params;
  }

  /** The union of the Allow lists of every node the path reaches; empty when none does. */
  private allowedFor(method: string, path: string): string[] {
    if (path.length === 0) path = '/';
    if (path === '*' && method === 'OPTIONS') return this.allMethods.size === 0 ? [] : withHeadAndOptions([...this.allMethods]);
    if (path.charCodeAt(0) !== 0x2f) return [];
    const nodes: RouteNode<RouteEntry>[] = [];
    collectNodes(this.root, path, 1, path.indexOf('%') >= 0, nodes);
    if (nodes.length === 1) return nodes[0].allowed as string[];
    const allowed: string[] = [];
    for (const node of nodes) for (const method of node.allowed) if (!allowed.includes(method)) allowed.push(method);
    return allowed;
  }

  // --- dispatch ---

  private dispatch(req: RoutedRequest, res: BriskResponse): void | Promise<void> {
    let route: Route<RouteEntry> | null;
    try {
      route = this.find(req.method, req.path);
    } catch (error) {
      if (!(error instanceof MalformedPathError)) throw error;
      return this.answerMiss(req, res, MissKind.BadRequest, null);
    }
    if (route === null) return this.dispatchMiss(req, res);
    req.params = this.takeParams(route);
    req.route = route.pattern;
    const entry = route.value;
    // Fast path: no middleware anywhere, call the handler as is.
    if (this.middleware.length === 0 && entry.middleware.length === 0) return entry.handler(req, res);
    return runChain(req, res, this.middleware, entry.middleware, entry.handler);
  }

  private dispatchMiss(req: RoutedRequest, res: BriskResponse): void | Promise<void> {
    let allowed: string[];
    try {
      allowed = this.allowedFor(req.method, req.path);
    } catch (error) {
      if (!(error instanceof MalformedPathError)) throw error;
      return this.answerMiss(req, res, MissKind.BadRequest, null);
    }
    if (allowed.length === 0) return this.answerMiss(req, res, MissKind.NotFound, null);
    return this.answerMiss(req, res, req.method === 'OPTIONS' ? MissKind.Options : MissKind.MethodNotAllowed, allowed.join(', '));
  }

  /** Answers made by the router itself; the global middleware still runs around them. */
  private answerMiss(req: RoutedRequest, res: BriskResponse, kind: MissKind, allow: string | null): void | Promise<void> {
    req.params = {};
    let final: RouteHandler;
    switch (kind) {
      case MissKind.NotFound:
        final = this.notFoundHandler;
        break;
      case MissKind.BadRequest:
        final = answerBadPath;
        break;
      case MissKind.MethodNotAllowed:
        final = (_req, r) => answerMethodNotAllowed(r, allow as string);
        break;
      case MissKind.Options:
        final = (_req, r) => answerOptions(r, allow as string);
        break;
    }
    if (this.middleware.length === 0) return final(req, res);
    return runChain(req, res, this.middleware, NO_MIDDLEWARE, final);
  }
}

/**
 * Run `outer` then `inner` middleware around `handler`, Koa-style. Each `next` resolves once the
 * rest of the chain has; calling it twice is an error. A synchronous throw becomes a rejection, so
 * the core answers 500 either way.
 */
function runChain(
  req: RoutedRequest,
  res: BriskResponse,
  outer: readonly Middleware[],
  inner: readonly Middleware[],
  handler: RouteHandler,
): Promise<void> {
  let calledUpTo = -1;
  const step = (i: number): Promise<void> => {
    if (i <= calledUpTo) return Promise.reject(new Error('next() called more than once'));
    calledUpTo = i;
    try {
      if (i < outer.length) return Promise.resolve(outer[i](req, res, () => step(i + 1)));
      const j = i - outer.length;
      if (j < inner.length) return Promise.resolve(inner[j](req, res, () => step(i + 1)));
      return Promise.resolve(handler(req, res));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return step(0);
}

function withHeadAndOptions(methods: string[]): string[] {
  if (methods.includes('GET') && !methods.includes('HEAD')) methods.splice(methods.indexOf('GET') + 1, 0, 'HEAD');
  if (!methods.includes('OPTIONS')) methods.push('OPTIONS');
  return methods;
}

function answerText(res: BriskResponse, status: number, text: string): void {
  res.status = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text);
}

function answerNotFound(_req: RoutedRequest, res: BriskResponse): void {
  answerText(res, 404, 'Not Found\n');
}

function answerBadPath(_req: RoutedRequest, res: BriskResponse): void {
  answerText(res, 400, 'Malformed percent-encoding in the request path\n');
}

function answerMethodNotAllowed(res: BriskResponse, allow: string): void {
  res.setHeader('Allow', allow);
  answerText(res, 405, 'Method Not Allowed\n');
}

/** RFC 9110 §9.3.7: the methods the target supports, in Allow; no content. */
function answerOptions(res: BriskResponse, allow: string): void {
  res.status = 204;
  res.setHeader('Allow', allow);
  res.end();
}
