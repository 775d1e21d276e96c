// webSocketUpgrade over real sockets: the `ws` client against brisk (echo text and binary,
// close codes, a large message, maxPayload, subprotocols, verify, graceful close), refusals
// of everything that is not a WebSocket handshake for us (one complete HTTP/1.1 answer, then
// close), plain HTTP on the same server, and raw-socket cases the ws client cannot produce:
// a pipelined HTTP request before the upgrade, and a frame in the same packet as the handshake.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createServer, type Handler, type Server } from '../../src/core.js';
import { nodeStyleHeaders, webSocketUpgrade, type WebSocketUpgradeHandler, type WebSocketUpgradeOptions } from '../../src/app/websocket.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { deadline } from '../helpers/server.js';

const MAX_PAYLOAD = 8 * 1024 * 1024;

interface WsApp {
  readonly server: Server;
  readonly upgrade: WebSocketUpgradeHandler;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const httpHandler: Handler = async (req, res) => {
  const body = await req.text();
  res.setHeader('Content-Type', 'text/plain');
  res.end(`http ${req.method} ${req.path} ${body.length}`);
};

/** Echoes messages (same type), closes with 4001 on "please close", and reports close codes. */
function echoOptions(closes: { code: number; reason: string }[]): WebSocketUpgradeOptions {
  return {
    path: '/ws',
    maxPayload: MAX_PAYLOAD,
    onConnection(ws, req) {
      ws.send(`hello ${req.query.get('name') ?? 'anonymous'} ${ws.protocol}`);
      ws.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'please close') return ws.close(4001, 'as you wish');
        ws.send(data, { binary: isBinary });
      });
      ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
    },
  };
}

async function startWsApp(options: WebSocketUpgradeOptions): Promise<WsApp> {
  const upgrade = webSocketUpgrade(options);
  const server = createServer(httpHandler, { logLevel: 'silent', onUpgrade: upgrade });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    upgrade,
    port,
    url: `ws://127.0.0.1:${port}`,
    async close() {
      await upgrade.close({ timeoutMs: 500 });
      await server.close({ timeoutMs: 500 });
    },
  };
}

/** Open a ws client and collect its messages; resolves once open and greeted. */
async function connectClient(url: string, protocols?: string[]): Promise<{ ws: WebSocket; messages: AsyncIterator<[Buffer, boolean]>; greeting: string }> {
  const ws = new WebSocket(url, protocols);
  const queue: [Buffer, boolean][] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (data, isBinary) => {
    queue.push([data as Buffer, isBinary]);
    wake?.();
  });
  const messages: AsyncIterator<[Buffer, boolean]> = {
    async next() {
      while (queue.length === 0) {
        if (ws.readyState === WebSocket.CLOSED) return { done: true, value: undefined };
        await deadline(new Promise<void>((r) => { wake = r; ws.once('close', () => r()); }), 10_000, 'a WebSocket message');
      }
      return { done: false, value: queue.shift() as [Buffer, boolean] };
    },
  };
  await deadline(once(ws, 'open'), 5_000, 'WebSocket open');
  const first = await messages.next();
  assert.equal(first.done, false);
  return { ws, messages, greeting: (first.value as [Buffer, boolean])[0].toString() };
}

/** A client-to-server frame (RFC 6455 §5.2): FIN, opcode, masked payload. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  let header: Buffer;
  if (payload.length < 126) header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
  else {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  }
  return Buffer.concat([header, mask, masked]);
}

/** Parse one unmasked server frame with a short payload from the start of `buf`. */
function serverFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const len = buf[1] & 0x7f;
  assert.ok(len < 126, 'short frames only');
  assert.equal(buf[1] & 0x80, 0, 'server frames are not masked');
  if (buf.length < 2 + len) return undefined;
  return { opcode: buf[0] & 0x0f, payload: buf.subarray(2, 2 + len), length: 2 + len };
}

const KEY = randomBytes(16).toString('base64');
const ACCEPT = createHash('sha1').update(KEY + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
const handshakeLines = (target = '/ws', extra: string[] = []): string[] => [
  `GET ${target} HTTP/1.1`,
  'Host: localhost',
  'Connection: Upgrade',
  'Upgrade: websocket',
  `Sec-WebSocket-Key: ${KEY}`,
  'Sec-WebSocket-Version: 13',
  ...extra,
];

/** Read the 101 head off a raw client; returns what followed it. */
async function readSwitchingProtocols(client: RawClient): Promise<{ head: string; rest: () => Buffer }> {
  await client.waitFor('\r\n\r\n');
  const end = client.pending.indexOf('\r\n\r\n') + 4;
  const head = client.pending.toString('latin1', 0, end);
  return { head, rest: () => client.pending.subarray(end) };
}

async function waitForFrame(client: RawClient, from: () => Buffer): Promise<{ opcode: number; payload: Buffer }> {
  const until = performance.now() + 5_000;
  for (;;) {
    const frame = serverFrame(from());
    if (frame !== undefined) return frame;
    if (performance.now() > until || client.isEnded) throw new Error('no frame from the server');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webSocketUpgrade with the ws client', () => {
  let app: WsApp;
  const closes: { code: number; reason: string }[] = [];
  before(async () => {
    app = await startWsApp(echoOptions(closes));
  });
  after(() => app.close());

  it('echoes text and binary messages, keeping their type', async () => {
    const { ws, messages, greeting } = await connectClient(`${app.url}/ws?name=ada`);
    assert.equal(greeting, 'hello ada ');
    ws.send('héllo wörld');
    const text = await messages.next();
    assert.deepEqual([text.value[0].toString(), text.value[1]], ['héllo wörld', false]);
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    ws.send(bytes);
    const binary = await messages.next();
    assert.deepEqual([binary.value[0], binary.value[1]], [bytes, true]);
    ws.close(1000);
    await once(ws, 'close');
  });

  it('passes close codes both ways', async () => {
    const a = await connectClient(`${app.url}/ws`);
    a.ws.close(4000, 'bye from client');
    const [codeA] = (await deadline(once(a.ws, 'close'), 5_000, 'close')) as [number, Buffer];
    assert.equal(codeA, 4000);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(closes.some((c) => c.code === 4000 && c.reason === 'bye from client'), JSON.stringify(closes));

    const b = await connectClient(`${app.url}/ws`);
    b.ws.send('please close');
    const [codeB, reasonB] = (await deadline(once(b.ws, 'close'), 5_000, 'close')) as [number, Buffer];
    assert.deepEqual([codeB, reasonB.toString()], [4001, 'as you wish']);
  });

  it('echoes a large (6 MiB) binary message intact', async () => {
    const { ws, messages } = await connectClient(`${app.url}/ws`);
    const big = randomBytes(6 * 1024 * 1024);
    ws.send(big);
    const echoed = await messages.next();
    assert.equal(echoed.value[0].length, big.length);
    assert.ok(echoed.value[0].equals(big));
    ws.close();
    await once(ws, 'close');
  });

  it('closes with 1009 when a message exceeds maxPayload', async () => {
    const { ws } = await connectClient(`${app.url}/ws`);
    ws.send(Buffer.alloc(MAX_PAYLOAD + 1));
    const [code] = (await deadline(once(ws, 'close'), 10_000, 'close')) as [number];
    assert.equal(code, 1009);
  });

  it('serves plain HTTP on the same server and port', async () => {
    const get = await fetch(`http://127.0.0.1:${app.port}/plain?x=1`);
    assert.equal(await get.text(), 'http GET /plain 0');
    const post = await fetch(`http://127.0.0.1:${app.port}/ws`, { method: 'POST', body: 'abc' });
    assert.equal(await post.text(), 'http POST /ws 3');
  });

  it('handles many concurrent connections', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => connectClient(`${app.url}/ws?name=c${i}`)));
    await Promise.all(clients.map(async ({ ws, messages }, i) => {
      ws.send(`msg ${i}`);
      assert.equal((await messages.next()).value[0].toString(), `msg ${i}`);
    }));
    assert.ok(app.upgrade.clients.size >= 20);
    await Promise.all(clients.map(({ ws }) => { ws.close(); return once(ws, 'close'); }));
  });
});

describe('webSocketUpgrade refusals: one complete HTTP/1.1 answer, then close', () => {
  let app: WsApp;
  before(async () => {
    app = await startWsApp(echoOptions([]));
  });
  after(() => app.close());

  const cases: { name: string; lines: string[]; status: number; fields?: Record<string, string>; body?: RegExp }[] = [
    { name: 'CONNECT → 501', lines: ['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443'], status: 501, body: /CONNECT/ },
    { name: 'websocket on another path → 404', lines: handshakeLines('/elsewhere'), status: 404 },
    {
      name: 'websocket with POST → 405 with Allow: GET',
      lines: ['POST /ws HTTP/1.1', ...handshakeLines().slice(1), 'Content-Length: 0'],
      status: 405,
      fields: { allow: 'GET' },
    },
    {
      name: 'missing Sec-WebSocket-Key → 400 (ws)',
      lines: handshakeLines().filter((l) => !l.startsWith('Sec-WebSocket-Key')),
      status: 400,
    },
    {
      name: 'Sec-WebSocket-Version: 12 → 400 with Sec-WebSocket-Version (ws)',
      lines: handshakeLines().map((l) => (l.startsWith('Sec-WebSocket-Version') ? 'Sec-WebSocket-Version: 12' : l)),
      status: 400,
      fields: { 'sec-websocket-version': '13, 8' },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const client = await RawClient.connect(app.port);
      try {
        await client.write(request(c.lines));
        const res = await client.readResponse({ timeoutMs: 5_000 });
        assert.equal(res.status, c.status, res.headText);
        assert.equal(res.httpVersion, '1.1');
        assert.ok(res.hasToken('connection', 'close'), res.headText);
        assert.equal(res.framing, 'length');
        for (const [name, value] of Object.entries(c.fields ?? {})) assert.equal(res.header(name), value, res.headText);
        if (c.body) assert.match(res.body.toString(), c.body);
        assert.ok(await client.closesWithin(3_000), 'the server closes the connection');
      } finally {
        client.destroy();
      }
    });
  }

  // Upgrades the handler does not accept (`accepts`: websocket only) are served as plain HTTP by
  // the ordinary handler (RFC 9110 §7.8 lets a server ignore Upgrade; in HTTP/1.0 it must).
  const plain: { name: string; lines: string[]; body: string; method?: string }[] = [
    {
      name: 'Upgrade: h2c (curl --http2) → served as HTTP/1.1',
      lines: ['GET /ws HTTP/1.1', 'Host: localhost', 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA'],
      body: 'http GET /ws 0',
    },
    { name: 'Upgrade: TLS/1.2 → served as HTTP/1.1', lines: ['OPTIONS * HTTP/1.1', 'Host: localhost', 'Connection: Upgrade', 'Upgrade: TLS/1.2'], body: 'http OPTIONS * 0' },
    { name: 'HTTP/1.0 websocket → served as HTTP/1.0 (Upgrade ignored)', lines: ['GET /ws HTTP/1.0', ...handshakeLines().slice(1)], body: 'http GET /ws 0' },
    { name: 'HEAD with Upgrade: h2c → a HEAD response, no body', lines: ['HEAD /ws HTTP/1.1', 'Host: localhost', 'Connection: Upgrade', 'Upgrade: h2c'], body: '', method: 'HEAD' },
  ];
  for (const c of plain) {
    it(c.name, async () => {
      const client = await RawClient.connect(app.port);
      try {
        await client.write(request(c.lines));
        const res = await client.readResponse({ timeoutMs: 5_000, method: c.method });
        assert.equal(res.status, 200, res.headText);
        assert.equal(res.body.toString(), c.body);
        assert.equal(res.header('upgrade'), undefined, 'no switch is announced');
      } finally {
        client.destroy();
      }
    });
  }
});

describe('webSocketUpgrade on a raw socket', () => {
  let app: WsApp;
  before(async () => {
    app = await startWsApp(echoOptions([]));
  });
  after(() => app.close());

  it('serves a pipelined HTTP request first, then upgrades the same connection', async () => {
    const client = await RawClient.connect(app.port);
    try {
      const plain = request(['POST /first HTTP/1.1', 'Host: localhost', 'Content-Length: 5'], 'abcde');
      await client.write(Buffer.concat([plain, request(handshakeLines('/ws?name=raw'))]));
      const first = await client.readResponse();
      assert.equal(first.status, 200);
      assert.equal(first.body.toString(), 'http POST /first 5');
      const { head, rest } = await readSwitchingProtocols(client);
      assert.match(head, /^HTTP\/1\.1 101 /);
      assert.match(head, new RegExp(`Sec-WebSocket-Accept: ${ACCEPT.replace(/[+/]/g, '\\$&')}\r\n`, 'i'));
      const greeting = await waitForFrame(client, rest);
      assert.deepEqual([greeting.opcode, greeting.payload.toString()], [1, 'hello raw ']);
      const afterGreeting = rest().length;
      await client.write(clientFrame(1, Buffer.from('over raw')));
      const echo = await waitForFrame(client, () => rest().subarray(afterGreeting));
      assert.deepEqual([echo.opcode, echo.payload.toString()], [1, 'over raw']);
    } finally {
      client.destroy();
    }
  });

  it('delivers a frame sent in the same packet as the handshake (the `head` bytes)', async () => {
    const client = await RawClient.connect(app.port);
    try {
      await client.write(Buffer.concat([request(handshakeLines('/ws?name=eager')), clientFrame(1, Buffer.from('early bird'))]));
      const { head, rest } = await readSwitchingProtocols(client);
      assert.match(head, /^HTTP\/1\.1 101 /);
      const greeting = await waitForFrame(client, rest);
      assert.equal(greeting.payload.toString(), 'hello eager ');
      const echo = await waitForFrame(client, () => rest().subarray(greeting.payload.length + 2));
      assert.equal(echo.payload.toString(), 'early bird');
    } finally {
      client.destroy();
    }
  });
});

describe('webSocketUpgrade options', () => {
  it('picks a subprotocol with handleProtocols, refuses with verify (403), allows otherwise', async () => {
    const app = await startWsApp({
      path: (req) => req.path.startsWith('/chat/'),
      handleProtocols: (offered, req) => (req.path === '/chat/v2' && offered.has('v2.chat') ? 'v2.chat' : false),
      verify: async (req) => {
        await new Promise((r) => setTimeout(r, 20)); // async: the socket must stay paused meanwhile
        return req.headers.get('origin') !== 'http://evil.example';
      },
      onConnection(ws, req) {
        ws.send(`hello ${req.path} ${ws.protocol}`);
        ws.on('message', (data) => ws.send(data));
      },
    });
    try {
      const { ws, messages, greeting } = await connectClient(`${app.url}/chat/v2`, ['v1.chat', 'v2.chat']);
      assert.equal(greeting, 'hello /chat/v2 v2.chat');
      assert.equal(ws.protocol, 'v2.chat');
      ws.send('after verify');
      assert.equal((await messages.next()).value[0].toString(), 'after verify');
      ws.close();

      const evil = new WebSocket(`${app.url}/chat/v2`, { origin: 'http://evil.example' });
      const [, res] = (await deadline(once(evil, 'unexpected-response'), 5_000, 'refusal')) as [unknown, { statusCode: number }];
      assert.equal(res.statusCode, 403);
      evil.on('error', () => {});
      evil.terminate();
    } finally {
      await app.close();
    }
  });

  it('close() sends 1001 to every client and then refuses new handshakes with 503', async () => {
    const app = await startWsApp(echoOptions([]));
    try {
      const clients = await Promise.all([1, 2, 3].map(() => connectClient(`${app.url}/ws`)));
      const codes = clients.map(({ ws }) => once(ws, 'close') as Promise<[number]>);
      await app.upgrade.close({ timeoutMs: 1_000 });
      for (const [code] of await Promise.all(codes)) assert.equal(code, 1001);
      assert.equal(app.upgrade.clients.size, 0);
      const late = new WebSocket(`${app.url}/ws`);
      const [, res] = (await deadline(once(late, 'unexpected-response'), 5_000, 'refusal')) as [unknown, { statusCode: number }];
      assert.equal(res.statusCode, 503);
      late.on('error', () => {});
      late.terminate();
    } finally {
      await app.server.close({ timeoutMs: 500 });
    }
  });

  it('terminates clients that stop answering pings', async () => {
    const app = await startWsApp({ ...echoOptions([]), pingIntervalMs: 100 });
    try {
      const { ws } = await connectClient(`${app.url}/ws`, undefined);
      // Keep the client from answering: ws auto-pongs, so drop its socket's writes.
      const socket = (ws as unknown as { _socket: { write: (...a: unknown[]) => boolean } })._socket;
      socket.write = () => true;
      const [code] = (await deadline(once(ws, 'close'), 5_000, 'termination')) as [number];
      assert.equal(code, 1006);
    } finally {
      await app.close();
    }
  });
});

describe('nodeStyleHeaders: the IncomingMessage.headers ws reads', () => {
  const table: { name: string; raw: string[]; expected: Record<string, string | string[]> }[] = [
    { name: 'names are lower-cased', raw: ['Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], expected: { upgrade: 'websocket', 'sec-websocket-key': 'k' } },
    { name: 'repeated list fields join with ", "', raw: ['Sec-WebSocket-Protocol', 'a', 'sec-websocket-protocol', 'b'], expected: { 'sec-websocket-protocol': 'a, b' } },
    { name: 'Cookie joins with "; "', raw: ['Cookie', 'a=1', 'Cookie', 'b=2'], expected: { cookie: 'a=1; b=2' } },
    { name: 'Set-Cookie is an array', raw: ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'], expected: { 'set-cookie': ['a=1', 'b=2'] } },
    { name: 'singleton fields keep the first value', raw: ['Host', 'a', 'Host', 'b', 'User-Agent', 'x', 'User-Agent', 'y'], expected: { host: 'a', 'user-agent': 'x' } },
    { name: '__proto__ is an ordinary field', raw: ['__proto__', 'x'], expected: Object.fromEntries([['__proto__', 'x']]) as Record<string, string> },
  ];
  for (const row of table) {
    it(row.name, () => {
      const headers = nodeStyleHeaders(row.raw);
      assert.deepEqual({ ...headers }, { ...row.expected });
      assert.equal(Object.getPrototypeOf(headers), null);
    });
  }
  it('matches what node:http itself builds', async () => {
    const http = await import('node:http');
    const raw = ['Host', 'a', 'Cookie', 'x=1', 'X-List', '1', 'cookie', 'y=2', 'x-list', '2', 'Content-Type', 'a/b', 'Content-Type', 'c/d'];
    const server = http.createServer((req, res) => {
      res.end(JSON.stringify(req.headers));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as { port: number };
      const client = await RawClient.connect(port);
      const lines = ['GET / HTTP/1.1'];
      for (let i = 0; i < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      lines.push('Connection: close');
      await client.write(request(lines));
      const res = await client.readResponse();
      client.destroy();
      assert.deepEqual({ ...nodeStyleHeaders([...raw, 'Connection', 'close']) }, JSON.parse(res.body.toString()));
    } finally {
      server.close();
    }
  });
});
