// Contestant "hono": Hono on @hono/node-server, the way its README starts a server.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { announce, discard, DOWNLOAD_BODY, DOWNLOAD_TYPE, HOST, KEEP_ALIVE_TIMEOUT_MS, portFromArgs, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

const port = portFromArgs();
const app = new Hono();

app.get('/', (c) => c.body(SEED_BODY, 200, { 'Content-Type': SEED_TYPE }));
app.post('/upload', async (c) => {
  await discard(c.req.raw.body);
  return c.text(UPLOAD_REPLY);
});
app.get('/download', (c) => c.body(DOWNLOAD_BODY, 200, { 'Content-Type': DOWNLOAD_TYPE }));

const server = serve({ fetch: app.fetch, port, hostname: HOST }, () => announce('hono', port));
(server as { keepAliveTimeout?: number }).keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
