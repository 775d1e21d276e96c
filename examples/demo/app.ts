// The demo app that `npm start` serves: the seed's page, plus routes that stream bodies both
// ways. Written on brisk's public API only, as a user would; the README walks through it.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BriskRequest, BriskResponse, Handler } from '../../src/index.js';

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

/** path → method → handler; "*" matches any method. */
const routes = new Map<string, Map<string, Handler>>([
  ['/', new Map([['GET', seedPage], ['HEAD', seedPage]])],
  ['/echo', new Map([['*', echo]])],
  ['/upload', new Map([['POST', upload]])],
  ['/stream', new Map([['GET', stream]])],
  ['/big', new Map([['GET', big]])],
]);

const app: Handler = (req, res) => {
  const byMethod = routes.get(req.path);
  if (byMethod === undefined) return sendText(res, 404, 'Not Found');
  const route = byMethod.get(req.method) ?? byMethod.get('*');
  if (route === undefined) {
    res.setHeader('Allow', [...byMethod.keys()].join(', '));
    return sendText(res, 405, 'Method Not Allowed');
  }
  return route(req, res);
};

export default app;
