// One entry point for every kind of app serve() and the CLI accept. It sits above the adapters
// (src/app for fetch apps and routers, src/node-compat for node:http apps) so that neither
// imports the other: the layering test keeps src/app on the public core alone.
import type { Handler } from './core.js';
import { toHandler, type FetchApp, type FetchHandlerOptions } from './app/fetch.js';
import { installFastResponseOnce } from './app/fast-response.js';
import { Router } from './app/router.js';
import { nodeListenerOf, type NodeApp } from './node-compat/detect.js';
import { fromNodeListener } from './node-compat/listener.js';

/** What `serve` and the CLI accept: a core Handler, a Router, a fetch app, or an Express / Connect / Koa app. */
export type BriskApp = Handler | Router | FetchApp | { handle: Handler } | NodeApp;

/**
 * A Handler for any app: an Express / Connect / Koa app goes through fromNodeListener; another
 * function is taken as a core Handler `(req, res)`; a Router (or any object with a `handle`
 * function) gives its `handle`; an object with `fetch` goes through toHandler, with FastResponse
 * as the global Response unless `options.fastResponse` is false. A plain function is never
 * treated as a fetch function (wrap it as `{ fetch }`) nor as a node:http listener (wrap it with
 * fromNodeListener).
 */
export function toBriskHandler(app: BriskApp, options?: FetchHandlerOptions): Handler {
  if (app instanceof Router) return app.handle;
  // node:http apps (docs/node-compat.md): Express / Connect are functions told apart by their
  // handle() and use(); Koa has callback(). An object with fetch() stays a fetch app.
  if (typeof app === 'function' || typeof (app as FetchApp | null)?.fetch !== 'function') {
    const listener = nodeListenerOf(app);
    if (listener !== null) return fromNodeListener(listener);
  }
  if (typeof app === 'function') return app as Handler;
  if (app !== null && typeof app === 'object') {
    if (typeof (app as FetchApp).fetch === 'function') {
      if (options?.fastResponse !== false) installFastResponseOnce();
      return toHandler(app as FetchApp, options);
    }
    if (typeof (app as { handle?: unknown }).handle === 'function') return (app as { handle: Handler }).handle;
  }
  throw new TypeError('Expected a handler function, a Router, an object with a fetch(request) method, or an Express / Connect / Koa app');
}
