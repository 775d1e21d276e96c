// Contestant "hono": Hono on @hono/node-server, the way its README starts a server.
import { serve } from '@hono/node-server';
import { announce, HOST, KEEP_ALIVE_TIMEOUT_MS, portFromArgs } from './common.js';
// The very app the "hono-brisk" contestant runs through brisk's CLI: one definition, so the two
// rows compare servers, never two copies of an app.
import app from './hono-app.js';

const port = portFromArgs();
const server = serve({ fetch: app.fetch, port, hostname: HOST }, () => announce('hono', port));
(server as { keepAliveTimeout?: number }).keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
