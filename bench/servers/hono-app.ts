// Contestant "hono-brisk": the same Hono app as the "hono" contestant (hono.ts), unchanged, as
// a module for brisk's CLI: `brisk hono-app.js` — the user's configuration, no opt-in.
import { Hono } from 'hono';
import { discard, DOWNLOAD_BODY, DOWNLOAD_TYPE, SEED_BODY, SEED_TYPE, UPLOAD_REPLY } from './common.js';

const app = new Hono();

app.get('/', (c) => c.body(SEED_BODY, 200, { 'Content-Type': SEED_TYPE }));
app.post('/upload', async (c) => {
  await discard(c.req.raw.body);
  return c.text(UPLOAD_REPLY);
});
app.get('/download', (c) => c.body(DOWNLOAD_BODY, 200, { 'Content-Type': DOWNLOAD_TYPE }));

export default app;
