// webSocketUpgrade: what to do with a socket the core hands over (BriskServerOptions.onUpgrade).
// WebSocket handshakes go to the `ws` package in its no-server mode (`handleUpgrade` on brisk's
// own socket, with an IncomingMessage-like view of the parsed request); every other upgrade gets
// one complete HTTP/1.1 refusal and the connection closes. Never parses HTTP: the core did that.
//
// The life of an upgrade request:
//   1. The core parsed a request with `Connection: upgrade` + `Upgrade` (or a CONNECT), removed
//      its listeners from the socket, and calls this handler with the request and what followed it.
//   2. classify(): CONNECT → 501; HTTP/1.0 → 400; a protocol other than websocket → 501; a path
//      that is not ours → 404; a method other than GET → 405. Refusals are written by refuse().
//   3. Optional `verify(req)` (sync or async; the socket is paused meanwhile) → 403 when false.
//   4. ws checks Sec-WebSocket-Key / -Version (answering 400 itself), writes 101, takes the socket.
//   5. onConnection(ws, req). A shared heartbeat pings every client and drops the ones that
//      stopped answering; close() ends every connection for a graceful shutdown.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import type { BriskRequest, UpgradeHandler } from '../core.js';

export { WebSocket };

export interface WebSocketUpgradeOptions {
  /** Which request paths are WebSocket endpoints: an exact path ("/ws") or a predicate. Default: every path. */
  path?: string | ((req: BriskRequest) => boolean);
  /** Called once per accepted connection, after the 101 went out. */
  onConnection(ws: WebSocket, req: BriskRequest): void;
  /** Largest message (after reassembly) accepted; bigger ones close with 1009. Default 16 MiB (arbitrary; ws's own default is 100 MiB). */
  maxPayload?: number;
  /** permessage-deflate (RFC 7692). Default false: it costs memory per connection. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Pick one of the client's Sec-WebSocket-Protocol offers, or false for none. Default: the first offer. */
  handleProtocols?: (protocols: Set<string>, req: BriskRequest) => string | false;
  /** Accept or refuse (403) a handshake, e.g. by Origin or a cookie. The socket is paused while it runs. */
  verify?: (req: BriskRequest) => boolean | Promise<boolean>;
  /** Ping every client this often and terminate those that did not pong since the last ping; 0 turns it off. Default 30000. */
  pingIntervalMs?: number;
}

/** An UpgradeHandler (pass it as `onUpgrade`) that also knows its connections. */
export interface WebSocketUpgradeHandler extends UpgradeHandler {
  /** The open connections. */
  readonly clients: ReadonlySet<WebSocket>;
  /**
   * Graceful shutdown: refuse new handshakes (503), send a close frame (default 1001 "going
   * away") to every client, and terminate whatever has not closed after `timeoutMs` (default 2000).
   */
  close(options?: { code?: number; reason?: string; timeoutMs?: number }): Promise<void>;
}

/** Default maxPayload: 16 MiB. Arbitrary: large enough for a file sent as one message, small enough to bound memory. */
const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
const DEFAULT_PING_INTERVAL_MS = 30_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;
/** How long a refused connection may keep sending (read and dropped) after our answer, before it is destroyed. */
const REFUSAL_LINGER_MS = 2_000;
const GOING_AWAY = 1001;

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** Why an upgrade request is not handed to ws: the status, a fixed sentence, and extra fields. */
interface Refusal {
  readonly status: number;
  readonly message: string;
  readonly fields?: Readonly<Record<string, string>>;
}

export function webSocketUpgrade(options: WebSocketUpgradeOptions): WebSocketUpgradeHandler {
  const { onConnection, verify, handleProtocols } = options;
  const isOurPath = pathMatcher(options.path);
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
  if (!(Number.isInteger(pingIntervalMs) && pingIntervalMs >= 0)) {
    throw new TypeError(`webSocketUpgrade: pingIntervalMs must be a whole number of ms: ${String(pingIntervalMs)}`);
  }
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: true,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD_BYTES,
    perMessageDeflate: options.perMessageDeflate ?? false,
    handleProtocols:
      handleProtocols === undefined
        ? undefined
        : (protocols, shim) => handleProtocols(protocols, (shim as unknown as UpgradeRequestShim).briskRequest),
  });
  const heartbeat = new Heartbeat(wss.clients, pingIntervalMs);
  let closing: Promise<void> | null = null;

  /** The socket is paused: ws unshifts `head` and adds its 'data' listener, then resume() flows both. */
  const accept = (req: BriskRequest, socket: Socket, head: Buffer): void => {
    wss.handleUpgrade(upgradeRequestShim(req, socket), socket, head, (ws) => {
      // A client's protocol error (bad frame, message over maxPayload) closes its connection;
      // without a listener, ws's 'error' event would throw and take the process down.
      ws.on('error', ignoreClientError);
      heartbeat.track(ws);
      onConnection(ws, req);
    });
    socket.resume();
  };

  const handler = (req: BriskRequest, socket: Socket, head: Buffer): void => {
    // The core hands the socket over paused; keep it so until ws has attached its listeners
    // (data unshifted into an already-flowing stream would wait for the next packet).
    socket.pause();
    const refusal = closing !== null ? SHUTTING_DOWN : classify(req, isOurPath);
    if (refusal !== null) return refuse(socket, req.method, refusal);
    if (verify === undefined) return accept(req, socket, head);
    Promise.resolve()
      .then(() => verify(req))
      .then(
        (verified) => {
          if (socket.destroyed) return;
          if (!verified) return refuse(socket, req.method, FORBIDDEN);
          accept(req, socket, head);
        },
        () => refuse(socket, req.method, FORBIDDEN),
      );
  };

  return Object.assign(handler, {
    /** Only WebSocket upgrades are taken over; others (h2c, ...) are served as plain HTTP. */
    accepts: (req: BriskRequest): boolean => WEBSOCKET_TOKEN.test(req.headers.get('upgrade') ?? ''),
    clients: wss.clients as ReadonlySet<WebSocket>,
    close(closeOptions: { code?: number; reason?: string; timeoutMs?: number } = {}): Promise<void> {
      closing ??= closeAll(wss, heartbeat, closeOptions);
      return closing;
    },
  });
}

function ignoreClientError(): void {}

/** "websocket" as an element of the Upgrade list (RFC 9110 §7.8), any case. Runs once per upgrade. */
const WEBSOCKET_TOKEN = /(?:^|,)\s*websocket\s*(?:,|$)/i;

const SHUTTING_DOWN: Refusal = { status: 503, message: 'The server is shutting down' };
const FORBIDDEN: Refusal = { status: 403, message: 'WebSocket handshake refused' };

/** Step 2 of the life above: the refusal for a request ws should not see, or null to hand it over. */
function classify(req: BriskRequest, isOurPath: (req: BriskRequest) => boolean): Refusal | null {
  if (req.method === 'CONNECT') return { status: 501, message: 'CONNECT is not supported' };
  // RFC 9110 §7.8: Upgrade in an HTTP/1.0 request must be ignored, and RFC 6455 §4.1 needs HTTP/1.1.
  if (req.httpVersion === '1.0') return { status: 400, message: 'Upgrade needs HTTP/1.1' };
  if (!offersWebSocket(req.headers.get('upgrade') ?? '')) {
    return { status: 501, message: 'Only Upgrade: websocket is supported' };
  }
  if (!isOurPath(req)) return { status: 404, message: 'No WebSocket endpoint at this path' };
  // ws answers 405 too, but without the Allow field RFC 9110 §15.5.6 requires.
  if (req.method !== 'GET') return { status: 405, message: 'A WebSocket handshake is a GET', fields: { Allow: 'GET' } };
  return null;
}

/** Whether an Upgrade field value (RFC 9110 §7.8: a list of protocol[/version]) names websocket. */
function offersWebSocket(upgrade: string): boolean {
  for (const item of upgrade.split(',')) {
    const slash = item.indexOf('/');
    const name = (slash < 0 ? item : item.slice(0, slash)).trim();
    if (name.toLowerCase() === 'websocket') return true;
  }
  return false;
}

function pathMatcher(path: WebSocketUpgradeOptions['path']): (req: BriskRequest) => boolean {
  if (path === undefined) return () => true;
  if (typeof path === 'function') return path;
  if (!path.startsWith('/')) throw new TypeError(`webSocketUpgrade: path must start with "/": ${JSON.stringify(path)}`);
  return (req) => req.path === path;
}

/**
 * Write one complete HTTP/1.1 answer and close: our FIN goes out after the answer, bytes the
 * client still sends are read and dropped (destroying with unread input would send an RST that
 * can discard the answer before the client reads it), and the socket is destroyed once the
 * client closes too, or after REFUSAL_LINGER_MS.
 */
function refuse(socket: Socket, method: string, refusal: Refusal): void {
  const body = refusal.message + '\n';
  let head =
    `HTTP/1.1 ${refusal.status} ${REASONS[refusal.status] ?? 'Error'}\r\n` +
    `Date: ${new Date().toUTCString()}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n';
  for (const [name, value] of Object.entries(refusal.fields ?? {})) head += `${name}: ${value}\r\n`;
  head += '\r\n';
  if (socket.destroyed) return;
  const linger = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
  socket.on('end', () => socket.destroy());
  socket.on('data', () => {});
  socket.resume();
  socket.end(method === 'HEAD' ? head : head + body);
}

// --- the IncomingMessage view ws reads ---

/**
 * What ws's handleUpgrade reads from a request (ws 8, lib/websocket-server.js): `method`,
 * `url` (only with its own `path` option, which we do not use), `headers` (upgrade,
 * sec-websocket-key/-version/-protocol/-extensions, origin), and `socket` (in verifyClient).
 * The rest mirrors IncomingMessage for user code that inspects it.
 */
export interface UpgradeRequestShim {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly headers: Record<string, string | string[]>;
  readonly rawHeaders: readonly string[];
  readonly socket: Socket;
  readonly connection: Socket;
  /** The request brisk parsed. */
  readonly briskRequest: BriskRequest;
}

function upgradeRequestShim(req: BriskRequest, socket: Socket): IncomingMessage {
  const shim: UpgradeRequestShim = {
    method: req.method,
    url: req.target,
    httpVersion: req.httpVersion,
    httpVersionMajor: 1,
    httpVersionMinor: req.httpVersion === '1.0' ? 0 : 1,
    headers: nodeStyleHeaders(req.headers.raw),
    rawHeaders: req.headers.raw,
    socket,
    connection: socket,
    briskRequest: req,
  };
  return shim as unknown as IncomingMessage;
}

/**
 * Fields that Node's IncomingMessage keeps only the first of when repeated (node's
 * `matchKnownFields`): a second Host or Content-Type is not a list.
 */
const FIRST_VALUE_WINS = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

/**
 * Header fields as Node's `req.headers` has them: lower-cased names; repeated fields joined with
 * ", " ("; " for Cookie), Set-Cookie as an array, the FIRST_VALUE_WINS fields keeping their
 * first value. A null-prototype object, so a field named "__proto__" is just a field.
 */
export function nodeStyleHeaders(raw: readonly string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    const previous = headers[name];
    if (name === 'set-cookie') {
      if (previous === undefined) headers[name] = [value];
      else (previous as string[]).push(value);
    } else if (previous === undefined) {
      headers[name] = value;
    } else if (!FIRST_VALUE_WINS.has(name)) {
      headers[name] = previous + (name === 'cookie' ? '; ' : ', ') + value;
    }
  }
  return headers;
}

// --- liveness and shutdown ---

/**
 * One timer for all connections (like the core's coarse clock): each tick terminates the
 * clients that have not answered the previous ping, then pings the rest. Runs only while
 * there are clients, and never keeps the process alive.
 */
class Heartbeat {
  private readonly alive = new WeakSet<WebSocket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clients: Set<WebSocket>,
    private readonly intervalMs: number,
  ) {}

  track(ws: WebSocket): void {
    if (this.intervalMs === 0) return;
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this.clients.size === 0) return this.stop();
    for (const ws of this.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}

async function closeAll(
  wss: WebSocketServer,
  heartbeat: Heartbeat,
  options: { code?: number; reason?: string; timeoutMs?: number },
): Promise<void> {
  heartbeat.stop();
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const clients = [...wss.clients];
  const closed = clients.map(
    (ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))),
  );
  for (const ws of clients) ws.close(options.code ?? GOING_AWAY, options.reason ?? 'server shutting down');
  const timer = setTimeout(() => {
    for (const ws of clients) ws.terminate();
  }, timeoutMs);
  timer.unref();
  await Promise.all(closed);
  clearTimeout(timer);
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}
