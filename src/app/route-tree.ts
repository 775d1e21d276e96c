// The segment tree behind Router: patterns parsed once at registration, paths matched by walking
// one node per segment. Pure: no I/O, no knowledge of requests or responses, no regex at match time.
//
// A path is split on "/" after its leading slash, so "/" is the one empty segment [""], "/a" is
// ["a"] and "/a/" is ["a", ""]: `/a` and `/a/` are different routes, and trailing slashes are
// never added or removed. Each node has static children (a Map keyed by the segment), at most one
// `:param` child and at most one `*` child. Precedence at every level is static > param >
// wildcard, with backtracking: if the static branch has no route for the method, the param branch
// is tried, then the wildcard. Matching cost depends on the path's depth, not on the route count.

/** The method key of `Router.all` routes: they answer any method. */
export const ANY_METHOD = '*';

/** One registered route; `T` is what the router stores (handler and middleware). */
export interface Route<T> {
  readonly method: string;
  readonly pattern: string;
  /** Names of the `:param` segments in order, then "*" for a trailing wildcard. */
  readonly paramNames: readonly string[];
  readonly value: T;
}

export class RouteNode<T> {
  statics: Map<string, RouteNode<T>> | null = null;
  param: RouteNode<T> | null = null;
  wildcard: RouteNode<T> | null = null;
  /** Routes ending here, by method (ANY_METHOD for `all`); null when none do. */
  routes: Map<string, Route<T>> | null = null;
  /** The methods this node answers, as the Allow field lists them (HEAD with GET, OPTIONS always). */
  allowed: readonly string[] = [];
}

/** A malformed pattern or a duplicate route: thrown at registration, never at match time. */
export class RouteDefinitionError extends Error {
  override name = 'RouteDefinitionError';
}

/** A percent-encoding in the path that does not decode: the request is answered 400. */
export class MalformedPathError extends Error {
  override name = 'MalformedPathError';
  readonly code = 'MALFORMED_PATH_ENCODING';
  constructor(readonly segment: string) {
    super('Malformed percent-encoding in the request path');
  }
}

const enum SegmentKind {
  Static = 0,
  Param = 1,
  Wildcard = 2,
}

interface PatternSegment {
  readonly kind: SegmentKind;
  /** The decoded static text, or the parameter name. */
  readonly text: string;
}

/** Parse "/users/:id/files/*" into segments; setup time, so clarity beats speed here. */
export function parsePattern(pattern: string): PatternSegment[] {
  if (pattern.charCodeAt(0) !== 0x2f) throw new RouteDefinitionError(`Route pattern must start with "/": ${JSON.stringify(pattern)}`);
  const parts = pattern.slice(1).split('/');
  const names = new Set<string>();
  return parts.map((part, i): PatternSegment => {
    if (part === '*') {
      if (i !== parts.length - 1) throw new RouteDefinitionError(`"*" must be the last segment: ${pattern}`);
      return { kind: SegmentKind.Wildcard, text: '*' };
    }
    if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new RouteDefinitionError(`Invalid parameter name ${JSON.stringify(part)} in ${pattern}`);
      if (names.has(name)) throw new RouteDefinitionError(`Parameter :${name} appears twice in ${pattern}`);
      names.add(name);
      return { kind: SegmentKind.Param, text: name };
    }
    let text = part;
    try {
      text = decodeURIComponent(part);
    } catch {
      throw new RouteDefinitionError(`Malformed percent-encoding in ${pattern}`);
    }
    return { kind: SegmentKind.Static, text };
  });
}

/** Insert a route; returns the node it ends at. Throws on a duplicate method + pattern shape. */
export function insertRoute<T>(root: RouteNode<T>, method: string, pattern: string, value: T): RouteNode<T> {
  const segments = parsePattern(pattern);
  const paramNames: string[] = [];
  let node = root;
  for (const segment of segments) {
    switch (segment.kind) {
      case SegmentKind.Static: {
        const statics = (node.statics ??= new Map());
        let child = statics.get(segment.text);
        if (child === undefined) statics.set(segment.text, (child = new RouteNode<T>()));
        node = child;
        break;
      }
      case SegmentKind.Param:
        paramNames.push(segment.text);
        node = node.param ??= new RouteNode<T>();
        break;
      case SegmentKind.Wildcard:
        paramNames.push('*');
        node = node.wildcard ??= new RouteNode<T>();
        break;
    }
  }
  const routes = (node.routes ??= new Map());
  const existing = routes.get(method);
  if (existing !== undefined) {
    throw new RouteDefinitionError(`${method} ${pattern} conflicts with ${existing.method} ${existing.pattern}`);
  }
  routes.set(method, { method, pattern, paramNames, value });
  node.allowed = allowedMethods(routes);
  return node;
}

/** Registration order, HEAD right after GET when only GET is there, OPTIONS last (answered automatically). */
function allowedMethods(routes: Map<string, Route<unknown>>): string[] {
  const allowed: string[] = [];
  for (const method of routes.keys()) {
    if (method === ANY_METHOD) continue;
    allowed.push(method);
    if (method === 'GET' && !routes.has('HEAD')) allowed.push('HEAD');
  }
  if (!routes.has('OPTIONS')) allowed.push('OPTIONS');
  return allowed;
}

/** The route answering `method` at `node`: exact method, then GET for HEAD, then `all`. */
export function routeAt<T>(node: RouteNode<T>, method: string): Route<T> | null {
  const routes = node.routes;
  if (routes === null) return null;
  return routes.get(method) ?? (method === 'HEAD' ? routes.get('GET') : undefined) ?? routes.get(ANY_METHOD) ?? null;
}

/** One path segment as a string to compare and capture: decoded only when the path has a '%'. */
function segmentText(raw: string, pathHasPercent: boolean): string {
  if (!pathHasPercent || raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new MalformedPathError(raw);
  }
}

/**
 * Depth-first search for the route answering `method`. `start` is the index just after a "/";
 * captured values are pushed onto `values` (and popped when a branch fails), so on success they
 * line up with the route's paramNames. Throws MalformedPathError on a bad percent-encoding.
 */
export function findRoute<T>(
  node: RouteNode<T>,
  path: string,
  start: number,
  method: string,
  pathHasPercent: boolean,
  values: string[],
): Route<T> | null {
  let end = path.indexOf('/', start);
  const isLast = end < 0;
  if (isLast) end = path.length;
  const statics = node.statics;
  const param = node.param;
  let text: string | null = null;
  if (statics !== null) {
    text = segmentText(path.slice(start, end), pathHasPercent);
    const child = statics.get(text);
    if (child !== undefined) {
      const route = isLast ? routeAt(child, method) : findRoute(child, path, end + 1, method, pathHasPercent, values);
      if (route !== null) return route;
    }
  }
  // A parameter never matches an empty segment: "/users/" is not "/users/:id".
  if (param !== null && end > start) {
    text ??= segmentText(path.slice(start, end), pathHasPercent);
    values.push(text);
    const route = isLast ? routeAt(param, method) : findRoute(param, path, end + 1, method, pathHasPercent, values);
    if (route !== null) return route;
    values.pop();
  }
  const wildcard = node.wildcard;
  if (wildcard !== null) {
    const route = routeAt(wildcard, method);
    if (route !== null) {
      values.push(segmentText(path.slice(start), pathHasPercent));
      return route;
    }
  }
  return null;
}

/** Every node with routes that the path reaches, in precedence order (for 405 and OPTIONS). */
export function collectNodes<T>(node: RouteNode<T>, path: string, start: number, pathHasPercent: boolean, out: RouteNode<T>[]): void {
  let end = path.indexOf('/', start);
  const isLast = end < 0;
  if (isLast) end = path.length;
  const text = segmentText(path.slice(start, end), pathHasPercent);
  const child = node.statics?.get(text);
  if (child !== undefined) {
    if (isLast) pushIfRouted(child, out);
    else collectNodes(child, path, end + 1, pathHasPercent, out);
  }
  if (node.param !== null && end > start) {
    if (isLast) pushIfRouted(node.param, out);
    else collectNodes(node.param, path, end + 1, pathHasPercent, out);
  }
  if (node.wildcard !== null) pushIfRouted(node.wildcard, out);
}

function pushIfRouted<T>(node: RouteNode<T>, out: RouteNode<T>[]): void {
  if (node.routes !== null) out.push(node);
}
