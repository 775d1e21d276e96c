// Issue 15's app, unchanged: `brisk hono-html-app.js` (see bench/hono-cpu.sh).
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.html('<html><body>Hello World</body></html>'));
export default app;
