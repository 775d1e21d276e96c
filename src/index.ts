// brisk's public API: the core (server, handler types, parser) and, on top, the app layer
// (router, fetch handlers, static files, compression, WebSocket, server-sent events). `serve` here accepts any app; the core's Handler-only serve is shadowed
// (an explicit export wins over `export *`, ECMAScript §16.2.3) and stays reachable as serveHandler.
import { serve as serveHandler, type BriskServerOptions, type Server } from './core.js';
import type { FetchHandlerOptions } from './app/fetch.js';
import { toBriskHandler, type BriskApp } from './app-kinds.js';

export * from './core.js';
export { serveHandler };

export {
  Router,
  RouteDefinitionError,
  MalformedPathError,
  type RoutedRequest,
  type RouteHandler,
  type Middleware,
  type Next,
  type MatchResult,
  type RouterOptions,
} from './app/router.js';
export {
  toHandler,
  briskRequestOf,
  writeResponse,
  type FetchApp,
  type FetchEnv,
  type FetchHandlerOptions,
} from './app/fetch.js';

export { toBriskHandler, type BriskApp } from './app-kinds.js';
export { fromNodeListener, nodeListenerOf, type NodeRequestListener, type NodeApp } from './node-compat/index.js';
export { FastResponse, installFastResponse } from './app/fast-response.js';
export { serveStatic, type StaticOptions } from './app/static.js';
export { compress, type CompressOptions } from './app/compress.js';
export { webSocketUpgrade, WebSocket, type WebSocketUpgradeOptions, type WebSocketUpgradeHandler } from './app/websocket.js';
export { sse, type SseOptions, type SseEventFields, type EventStream } from './app/sse.js';

/**
 * Create a server for `app` and listen on options.host:options.port (default 127.0.0.1:5000).
 * `app` is a Handler `(req, res)`, a Router, a fetch app (`{ fetch(request) }`, e.g. Hono), or an
 * Express / Connect / Koa app (docs/node-compat.md).
 */
export async function serve(app: BriskApp, options: BriskServerOptions & { fetch?: FetchHandlerOptions } = {}): Promise<Server> {
  const { fetch: fetchOptions, ...serverOptions } = options;
  return serveHandler(toBriskHandler(app, fetchOptions), serverOptions);
}
