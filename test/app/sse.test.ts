// sse(res) over real sockets: the head (type, cache, framing), event serialisation read back
// by a small event-stream parser (HTML Living Standard §9.2.6), comments and retry, close(),
// backpressure (a client that stops reading stops the sender), and a client that goes away.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Handler, type Server } from '../../src/core.js';
import { sse, type EventStream } from '../../src/app/sse.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { deadline } from '../helpers/server.js';

interface ParsedEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** The event-stream interpretation from the spec: fields per line, dispatch on a blank line. */
function parseEventStream(text: string): { events: ParsedEvent[]; comments: string[]; retry: number | undefined } {
  const events: ParsedEvent[] = [];
  const comments: string[] = [];
  let retry: number | undefined;
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length > 0) events.push({ event: event || 'message', data: data.join('\n'), id });
      data = [];
      event = '';
      continue;
    }
    if (line.startsWith(':')) {
      comments.push(line.slice(1).replace(/^ /, ''));
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'retry') retry = Number(value);
  }
  return { events, comments, retry };
}

let server: Server;
let base: string;
const sendLog: { sent: number; closedSeen: boolean; done: boolean } = { sent: 0, closedSeen: false, done: false };

const handler: Handler = async (req, res) => {
  if (req.path === '/basic') {
    const stream = sse(res, { retry: 1500, req });
    await stream.send('first');
    await stream.send('line one\nline two\r\nline three', { event: 'multi', id: '7' });
    await stream.comment('keep-alive');
    await stream.send('', { event: 'empty' });
    stream.close();
    stream.close(); // idempotent
    assert.equal(stream.closed, true);
    return;
  }
  if (req.path === '/ticks') {
    const stream = sse(res, { req });
    for (let i = 0; i < 5; i++) {
      await stream.send(`tick ${i}`, { id: String(i) });
      await sleep(50);
    }
    return stream.close();
  }
  if (req.path === '/flood') {
    // 64 KiB events as fast as the client takes them; counts how many went out.
    const stream: EventStream = sse(res, { req });
    const payload = 'x'.repeat(64 * 1024);
    sendLog.sent = 0;
    sendLog.done = false;
    for (let i = 0; i < 400 && !stream.closed; i++) {
      await stream.send(payload);
      sendLog.sent++;
    }
    sendLog.closedSeen = stream.closed;
    stream.close();
    sendLog.done = true;
    return;
  }
  if (req.path === '/bad') {
    const stream = sse(res, { req });
    const errors: string[] = [];
    for (const fields of [{ event: 'a\nb' }, { id: 'x\ry' }, { id: 'nul\0' }]) {
      try {
        await stream.send('d', fields);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    await stream.send(errors.join(' | '));
    return stream.close();
  }
  res.status = 404;
  res.end();
};

describe('sse', () => {
  before(async () => {
    server = createServer(handler, { logLevel: 'silent' });
    const { port } = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  after(() => server.close({ timeoutMs: 500 }));

  it('sends the event-stream head and well-formed events', async () => {
    const res = await fetch(`${base}/basic`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    const text = await res.text();
    assert.ok(text.startsWith('retry: 1500\n\n'), JSON.stringify(text));
    const parsed = parseEventStream(text);
    assert.equal(parsed.retry, 1500);
    assert.deepEqual(parsed.comments, ['keep-alive']);
    assert.deepEqual(parsed.events, [
      { event: 'message', data: 'first', id: undefined },
      { event: 'multi', data: 'line one\nline two\nline three', id: '7' },
      { event: 'empty', data: '', id: '7' },
    ]);
  });

  it('delivers events as they are sent, not at the end', async () => {
    const res = await fetch(`${base}/ticks`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const arrivals: number[] = [];
    let text = '';
    const start = performance.now();
    for (;;) {
      const { value, done } = await deadline(reader.read(), 5_000, 'an event');
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (value.length > 0) arrivals.push(performance.now() - start);
    }
    const { events } = parseEventStream(text);
    assert.deepEqual(events.map((e) => e.data), ['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4']);
    assert.deepEqual(events.map((e) => e.id), ['0', '1', '2', '3', '4']);
    assert.ok(arrivals.length >= 4, `events arrived in ${arrivals.length} reads`);
  });

  it('refuses field values that would break the framing', async () => {
    const { events } = parseEventStream(await (await fetch(`${base}/bad`)).text());
    assert.equal(events.length, 1);
    assert.match(events[0].data, /event must be a single line \| sse: id must be a single line \| sse: id must not contain NUL/);
  });

  it('waits for a client that stops reading (backpressure), then finishes when it reads', async () => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.on('error', () => {});
    try {
      socket.pause();
      socket.write('GET /flood HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await sleep(400);
      const stalledAt = sendLog.sent;
      assert.ok(stalledAt < 400, `sender stopped at ${stalledAt} of 400 events`);
      await sleep(200);
      assert.equal(sendLog.sent, stalledAt, 'no progress while the client does not read');
      socket.resume();
      const until = performance.now() + 10_000;
      while (!sendLog.done && performance.now() < until) await sleep(20);
      assert.equal(sendLog.sent, 400);
      assert.equal(sendLog.closedSeen, false);
      while (received < 400 * 64 * 1024 && performance.now() < until) await sleep(20);
      assert.ok(received > 400 * 64 * 1024, `client received ${received} bytes`);
    } finally {
      socket.destroy();
    }
  });

  it('counts as closed once the client goes away', async () => {
    const client = await RawClient.connect(new URL(base).port as unknown as number);
    client.socket.pause();
    await client.write(request(['GET /flood HTTP/1.1', 'Host: localhost']));
    await sleep(200);
    client.reset();
    const until = performance.now() + 5_000;
    while (!sendLog.done && performance.now() < until) await sleep(20);
    assert.equal(sendLog.done, true);
    assert.equal(sendLog.closedSeen, true);
    assert.ok(sendLog.sent < 400);
  });
});
