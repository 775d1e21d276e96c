// What every bench contestant serves, in one place: the seed page, the 1 MiB download, the port.
// Contestants that are not Node.js programs (Bun, nginx) repeat these values; keep them in step.

/** The seed page: 37 bytes. */
export const SEED_BODY = '<html><body>Hello World</body></html>';
export const SEED_TYPE = 'text/html; charset=utf-8';
/** What /upload answers once the body has been read and thrown away. */
export const UPLOAD_REPLY = 'ok';
export const DOWNLOAD_BYTES = 1024 * 1024;
/** Allocated once at start-up; every /download response sends this same buffer. */
export const DOWNLOAD_BODY = Buffer.alloc(DOWNLOAD_BYTES, 'x');
export const DOWNLOAD_TYPE = 'application/octet-stream';
/** Idle keep-alive connections must survive the memory mode; Node's default is 5 s. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** The port from argv[2], else $PORT. Host is always loopback. */
export function portFromArgs(): number {
  const raw = process.argv[2] ?? process.env.PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error(`usage: node ${process.argv[1]} PORT (or PORT=… in the environment); got ${raw}`);
    process.exit(2);
  }
  return port;
}

export const HOST = '127.0.0.1';

/** The path of an absolute URL ("http://host/p?q" -> "/p"), without `new URL` on the hot path. */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}

/** Read a Web stream to its end and throw the bytes away. */
export async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body === null) return;
  const reader = body.getReader();
  for (;;) {
    const { done } = await reader.read();
    if (done) return;
  }
}

/** Tell the runner we are up (it polls the port anyway; this line is for people). */
export function announce(name: string, port: number): void {
  if (process.env.BENCH_QUIET !== '1') console.log(`${name} listening on http://${HOST}:${port}/`);
}
