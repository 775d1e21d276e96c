// Issue 15's app on @hono/node-server's serve() with its defaults (see bench/hono-cpu.sh).
import { serve } from '@hono/node-server';
import { HOST, portFromArgs } from './common.js';
import app from './hono-html-app.js';

serve({ fetch: app.fetch, port: portFromArgs(), hostname: HOST });
