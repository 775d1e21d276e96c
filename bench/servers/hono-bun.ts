// Contestant "hono-bun": the very Hono app the "hono-brisk" and "hono" contestants run
// (hono-app.ts), on Bun.serve — run by the `bun` binary from the npm package, not by Node.js.
// Usage: bun dist/bench/servers/hono-bun.js PORT
import { announce, HOST, portFromArgs } from './common.js';
import app from './hono-app.js';

/** The part of Bun's global this file uses (no @types/bun in the project). */
declare const Bun: {
  serve(options: { port: number; hostname: string; idleTimeout: number; fetch: (request: Request) => Response | Promise<Response> }): unknown;
};

const port = portFromArgs();
// idleTimeout in seconds, the longest Bun allows: idle connections must survive the memory mode (as bun.js).
Bun.serve({ port, hostname: HOST, idleTimeout: 255, fetch: (request) => app.fetch(request) });
announce('hono-bun', port);
