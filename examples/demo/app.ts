// The demo app that `npm start` serves: the seed's page, routes that stream bodies both ways,
// static files under /static/, server-sent events on /events and a WebSocket echo on /ws.
// Written on brisk's public API only, as a user would; the README walks through it.
//
// Two exports: the default is the HTTP handler; `upgrade` takes over the sockets of Upgrade
// requests (WebSocket handshakes), and the CLI passes it as the server's `onUpgrade`.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  serveStatic,
  sse,
  webSocketUpgrade,
  type BriskRequest,
  type BriskResponse,
  type Handler,
} from '../../src/index.js';

/** The seed tutorial's response body, byte for byte (37 bytes). */
const SEED_PAGE = '<html><body>Hello World</body></html>';

/** Pause between the lines of /stream, so a client sees them arrive one by one. */
const STREAM_LINE_DELAY_MS = 10;
const STREAM_MAX_LINES = 100_000;

/**
 * /big's body is byte i = i % 251. 251 is prime, so the pattern never lines up with a power of
 * two and a misplaced chunk shows. The buffer holds 261 whole periods (65,511 bytes, just under
 * 64 KiB): every chunk starts on a period boundary, so each one is a subarray of this one buffer
 * and a 100 MB response copies nothing.
 */
const PATTERN = Uint8Array.from({ length: 251 * 261 }, (_, i) => i % 251);

/** Time between two events of /events, and how many it sends when ?n= is absent. */
const EVENT_INTERVAL_MS = 500;
const EVENTS_DEFAULT = 10;
const EVENTS_MAX = 100_000;
/** How long an EventSource waits before reconnecting after the stream ends. */
const EVENT_RETRY_MS = 2_000;

/**
 * The folder behind /static/: $STATIC_DIR (relative to the current directory), else the demo's
 * own public/ folder. That folder sits next to this file in the source tree; the compiled demo
 * runs from dist/examples/demo/, three levels below the repository, so look there second.
 */
function staticRoot(): string {
  const fromEnv = process.env.STATIC_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  const candidates = [new URL('./public/', import.meta.url), new URL('../../../examples/demo/public/', import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return fileURLToPath(candidates[0]);
}

async function digestBody(req: BriskRequest): Promise<{ bodyLength: number; bodySha256: string }> {
  const hash = createHash('sha256');
  let bodyLength = 0;
  for await (const chunk of req.body) {
    hash.update(chunk);
    bodyLength += chunk.length;
  }
  return { bodyLength, bodySha256: hash.digest('hex') };
}

function sendJson(res: BriskResponse, value: unknown): void {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(value));
}

function sendText(res: BriskResponse, status: number, text: string): void {
  res.status = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text + '\n');
}

/** A query parameter that must be a whole number in [0, max]; undefined when it is not. */
function wholeNumberParam(req: BriskRequest, name: string, max: number): number | undefined {
  const text = req.query.get(name);
  if (text === null || !/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function seedPage(_req: BriskRequest, res: BriskResponse): void {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(SEED_PAGE); // brisk sends Content-Length: 37, and for HEAD the same head without the body
}

async function echo(req: BriskRequest, res: BriskResponse): Promise<void> {
  const { bodyLength, bodySha256 } = await digestBody(req);
  const headers = [...req.headers.entries()];
  sendJson(res, { method: req.method, target: req.target, headers, bodyLength, bodySha256 });
}

async function upload(req: BriskRequest, res: BriskResponse): Promise<void> {
  sendJson(res, await digestBody(req));
}

async function stream(req: BriskRequest, res: BriskResponse): Promise<void> {
  const lines = wholeNumberParam(req, 'n', STREAM_MAX_LINES);
  if (lines === undefined) return sendText(res, 400, `n must be a whole number up to ${STREAM_MAX_LINES}`);
  // No Content-Length: brisk frames the body itself, chunked for HTTP/1.1, close-delimited for 1.0.
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  for (let i = 0; i < lines && !req.signal.aborted; i++) {
    if (i > 0) await sleep(STREAM_LINE_DELAY_MS);
    if (!res.write(`line ${i}\n`)) await res.drained();
  }
  // Stopped early because the client left (its FIN or reset aborts req.signal): this end() does
  // not send the last chunk — brisk destroys the connection instead, so the client can never
  // take the lines it got for the whole body. Only a loop that ran to the end completes it.
  res.end();
}

async function big(req: BriskRequest, res: BriskResponse): Promise<void> {
  const size = wholeNumberParam(req, 'bytes', Number.MAX_SAFE_INTEGER);
  if (size === undefined) return sendText(res, 400, 'bytes must be a whole number');
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', size);
  for (let sent = 0; sent < size && !req.signal.aborted; sent += PATTERN.length) {
    // write() says false when the socket's buffer is full: wait, so memory stays flat.
    if (!res.write(PATTERN.subarray(0, Math.min(PATTERN.length, size - sent)))) await res.drained();
  }
  res.end();
}

/**
 * `n` ticks, one every EVENT_INTERVAL_MS, each with its number as the event id, then a "done"
 * event. A client that reconnects sends the last id it saw (Last-Event-ID) and continues from
 * there; once it has seen them all it gets 204, which tells an EventSource to stop reconnecting.
 */
async function events(req: BriskRequest, res: BriskResponse): Promise<void> {
  const count = req.query.has('n') ? wholeNumberParam(req, 'n', EVENTS_MAX) : EVENTS_DEFAULT;
  if (count === undefined) return sendText(res, 400, `n must be a whole number up to ${EVENTS_MAX}`);
  const lastSeen = Number(req.headers.get('last-event-id') ?? '0');
  const first = Number.isSafeInteger(lastSeen) && lastSeen > 0 ? lastSeen + 1 : 1;
  if (first > count) {
    res.status = 204;
    return res.end();
  }
  const stream = sse(res, { retry: EVENT_RETRY_MS, req });
  for (let i = first; i <= count && !stream.closed; i++) {
    if (i > first) await sleep(EVENT_INTERVAL_MS);
    await stream.send(`tick ${i}`, { id: String(i) });
  }
  await stream.send(String(count), { event: 'done' });
  stream.close();
}

/** /ws without an Upgrade: RFC 9110 §15.5.22 says which protocol to ask for. */
function webSocketOnly(_req: BriskRequest, res: BriskResponse): void {
  res.setHeader('Upgrade', 'websocket');
  sendText(res, 426, 'This is a WebSocket endpoint: connect with a WebSocket client');
}

/** GET /static/<path>: files with ETag, Last-Modified, 304s and ranges. */
const staticFiles = serveStatic(staticRoot(), { prefix: '/static' });

/** path → method → handler; "*" matches any method. */
const routes = new Map<string, Map<string, Handler>>([
  ['/', new Map([['GET', seedPage], ['HEAD', seedPage]])],
  ['/echo', new Map([['*', echo]])],
  ['/upload', new Map([['POST', upload]])],
  ['/stream', new Map([['GET', stream]])],
  ['/big', new Map([['GET', big]])],
  ['/events', new Map([['GET', events]])],
  ['/ws', new Map([['GET', webSocketOnly]])],
]);

const app: Handler = (req, res) => {
  if (req.path.startsWith('/static/') || req.path === '/static') return staticFiles(req, res);
  const byMethod = routes.get(req.path);
  if (byMethod === undefined) return sendText(res, 404, 'Not Found');
  const route = byMethod.get(req.method) ?? byMethod.get('*');
  if (route === undefined) {
    res.setHeader('Allow', [...byMethod.keys()].join(', '));
    return sendText(res, 405, 'Method Not Allowed');
  }
  return route(req, res);
};

/** WebSocket handshakes on /ws: every message comes back, text as text and binary as binary. */
export const upgrade = webSocketUpgrade({
  path: '/ws',
  onConnection(ws) {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  },
});

export default app;
