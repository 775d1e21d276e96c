// Which apps are node:http apps, for serve() and the CLI (documented in docs/node-compat.md):
//   - an Express or Connect app: a function with `handle` and `use` functions (the app itself is
//     the request listener);
//   - a Koa instance: an object with a `callback` function (its callback() is the listener);
//   - (CLI) a module's named export `listener`: any `(req, res)` for http.createServer.
import type { NodeRequestListener } from './listener.js';

/** An app whose request listener serve() can take: Express / Connect, or Koa. */
// The static type only (what Express's, Connect's and Koa's typings all declare); nodeListenerOf
// decides at run time. No call signature: it would make `serve((req, res) => …)` lose its
// Handler parameter types.
export type NodeApp =
  | { use(...args: any[]): unknown; listen(...args: any[]): unknown }
  | { callback(): NodeRequestListener };

/** The node:http request listener of an Express/Connect app or a Koa instance, else null. */
export function nodeListenerOf(app: unknown): NodeRequestListener | null {
  if (typeof app === 'function') {
    const fn = app as { handle?: unknown; use?: unknown };
    return typeof fn.handle === 'function' && typeof fn.use === 'function' ? (app as NodeRequestListener) : null;
  }
  if (app !== null && typeof app === 'object' && typeof (app as { callback?: unknown }).callback === 'function') {
    const listener = (app as { callback(): unknown }).callback();
    if (typeof listener !== 'function') throw new TypeError('app.callback() did not return a request listener (req, res)');
    return listener as NodeRequestListener;
  }
  return null;
}
