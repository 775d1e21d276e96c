// Contestant "bun": Bun.serve, run by the `bun` binary from the npm package (not by Node.js).
// Repeats bench/servers/common.ts's values: keep them in step.
// Usage: bun bench/servers/bun.js PORT
/* global Bun */
const SEED_BODY = '<html><body>Hello World</body></html>';
const SEED_TYPE = 'text/html; charset=utf-8';
const UPLOAD_REPLY = 'ok';
const DOWNLOAD_BODY = new Uint8Array(1024 * 1024).fill(0x78);
const DOWNLOAD_TYPE = 'application/octet-stream';

const port = Number(process.argv[2] ?? process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: bun bench/servers/bun.js PORT');
  process.exit(2);
}

function pathOf(url) {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}

Bun.serve({
  port,
  hostname: '127.0.0.1',
  // Seconds; the longest Bun allows. Idle connections must survive the memory mode.
  idleTimeout: 255,
  async fetch(request) {
    const path = pathOf(request.url);
    if (path === '/upload') {
      const reader = request.body?.getReader();
      if (reader) for (;;) if ((await reader.read()).done) break;
      return new Response(UPLOAD_REPLY, { headers: { 'Content-Type': 'text/plain' } });
    }
    if (path === '/download') return new Response(DOWNLOAD_BODY, { headers: { 'Content-Type': DOWNLOAD_TYPE } });
    return new Response(SEED_BODY, { headers: { 'Content-Type': SEED_TYPE } });
  },
});
if (process.env.BENCH_QUIET !== '1') console.log(`bun listening on http://127.0.0.1:${port}/`);
