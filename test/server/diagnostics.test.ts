// The diagnostics channels (src/server/diagnostics.ts) over real sockets: a subscriber builds one
// span per request from the events — start → headers → finish, or an abort, with errors in
// between — and one reject per request refused before any handler. Every test checks the spans'
// grammar: each start has exactly one end, nothing follows the end, headers at most once.
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  DIAGNOSTICS_CHANNELS,
  HttpError,
  RequestAbortedError,
  Router,
  type Handler,
  type RejectEvent,
  type RequestEvent,
} from '../../src/index.js';
import { RawClient, chunked, request, withClient } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 15_000 };

type Phase = 'start' | 'headers' | 'error' | 'finish' | 'abort';

interface Span {
  readonly event: RequestEvent;
  readonly phases: Phase[];
  /** Values seen when each event arrived (the payload object itself keeps changing). */
  readonly seen: { phase: Phase; status: number; error: unknown; time: number }[];
}

/** Subscribes to every brisk channel and assembles spans, recording any violation of the grammar. */
class SpanRecorder {
  readonly spans: Span[] = [];
  readonly rejects: RejectEvent[] = [];
  /** Every event in arrival order, as "phase target". */
  readonly order: string[] = [];
  readonly violations: string[] = [];
  private readonly byEvent = new Map<RequestEvent, Span>();
  private readonly subscriptions: [string, (message: unknown) => void][] = [];

  subscribe(): this {
    const on = (name: string, fn: (message: unknown) => void): void => {
      dc.subscribe(name, fn);
      this.subscriptions.push([name, fn]);
    };
    on(DIAGNOSTICS_CHANNELS.requestStart, (m) => this.onStart(m as RequestEvent));
    on(DIAGNOSTICS_CHANNELS.responseHeaders, (m) => this.onPhase('headers', m as RequestEvent));
    on(DIAGNOSTICS_CHANNELS.requestError, (m) => this.onPhase('error', m as RequestEvent));
    on(DIAGNOSTICS_CHANNELS.requestFinish, (m) => this.onPhase('finish', m as RequestEvent));
    on(DIAGNOSTICS_CHANNELS.requestAbort, (m) => this.onPhase('abort', m as RequestEvent));
    on(DIAGNOSTICS_CHANNELS.requestReject, (m) => {
      this.rejects.push(m as RejectEvent);
      this.order.push(`reject ${(m as RejectEvent).status}`);
    });
    return this;
  }

  unsubscribe(): void {
    for (const [name, fn] of this.subscriptions.splice(0)) dc.unsubscribe(name, fn);
  }

  private onStart(event: RequestEvent): void {
    if (this.byEvent.has(event)) this.violations.push(`start twice: ${event.target}`);
    const span: Span = { event, phases: [], seen: [] };
    this.byEvent.set(event, span);
    this.spans.push(span);
    this.record(span, 'start');
  }

  private onPhase(phase: Phase, event: RequestEvent): void {
    const span = this.byEvent.get(event);
    if (span === undefined) return void this.violations.push(`${phase} without start: ${event.target}`);
    if (ended(span)) this.violations.push(`${phase} after the end: ${event.target} ${span.phases.join(',')}`);
    if (phase === 'headers' && span.phases.includes('headers')) this.violations.push(`headers twice: ${event.target}`);
    this.record(span, phase);
  }

  private record(span: Span, phase: Phase): void {
    span.phases.push(phase);
    const e = span.event;
    const time = phase === 'start' ? e.startTime : phase === 'headers' ? e.headersTime : phase === 'error' ? performance.now() : e.endTime;
    span.seen.push({ phase, status: e.status, error: e.error, time });
    this.order.push(`${phase} ${e.target}`);
  }

  /** Wait until `count` spans have ended and `rejects` rejects arrived. */
  async settled(count: number, rejects = 0, timeoutMs = 5_000): Promise<Span[]> {
    const end = performance.now() + timeoutMs;
    while (this.spans.filter(ended).length < count || this.rejects.length < rejects) {
      if (performance.now() > end) {
        assert.fail(`waited for ${count} ended spans and ${rejects} rejects; have ${this.order.join(' | ')}`);
      }
      await sleep(5);
    }
    return this.spans;
  }

  /** The grammar every span must follow, whatever the test. */
  assertWellFormed(): void {
    assert.deepEqual(this.violations, []);
    for (const span of this.spans) {
      const p = span.phases;
      assert.equal(p[0], 'start', `${span.event.target}: first event`);
      const ends = p.filter((x) => x === 'finish' || x === 'abort');
      assert.equal(ends.length, 1, `${span.event.target}: exactly one end in ${p.join(',')}`);
      assert.ok(p[p.length - 1] === 'finish' || p[p.length - 1] === 'abort', `${span.event.target}: ends last`);
      const e = span.event;
      assert.ok(e.startTime > 0 && e.endTime >= e.startTime, `${e.target}: start ${e.startTime} ≤ end ${e.endTime}`);
      if (p.includes('headers')) assert.ok(e.headersTime >= e.startTime && e.headersTime <= e.endTime, `${e.target}: headers time in the span`);
      else assert.equal(e.headersTime, 0);
    }
  }
}

function ended(span: Span): boolean {
  return span.phases.includes('finish') || span.phases.includes('abort');
}

function phases(spans: readonly Span[]): string[] {
  return spans.map((s) => s.phases.join(','));
}

describe('diagnostics channels', () => {
  let recorder: SpanRecorder;
  let servers: TestServer[] = [];
  const serve = async (handler: Handler, options: Parameters<typeof startServer>[1] = {}): Promise<TestServer> => {
    const s = await startServer(handler, options);
    servers.push(s);
    return s;
  };

  beforeEach(() => {
    recorder = new SpanRecorder().subscribe();
  });
  afterEach(async () => {
    recorder.unsubscribe();
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    recorder.assertWellFormed();
  });

  it('keep-alive: one span per request on one connection, with method, target, status, bytes and times', TEST_TIMEOUT, async () => {
    const s = await serve(async (req, res) => {
      const body = await req.text();
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${req.method} ${req.target} ${body}`);
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET /a?x=1 HTTP/1.1', 'Host: h']));
      await client.readResponse();
      await client.write(request(['POST /b HTTP/1.1', 'Host: h', 'Content-Length: 5'], 'hello'));
      await client.readResponse();
      await client.write(request(['GET /c HTTP/1.1', 'Host: h']));
      await client.readResponse();
    });
    const spans = await recorder.settled(3);
    assert.deepEqual(phases(spans), ['start,headers,finish', 'start,headers,finish', 'start,headers,finish']);
    const [a, b, c] = spans.map((x) => x.event);
    assert.deepEqual([a.method, a.target, a.httpVersion, a.status, a.bytesIn, a.bytesOut], ['GET', '/a?x=1', '1.1', 200, 0, 'GET /a?x=1 '.length]);
    assert.deepEqual([b.method, b.target, b.status, b.bytesIn, b.bytesOut], ['POST', '/b', 200, 5, 'POST /b hello'.length]);
    assert.equal(c.target, '/c');
    assert.equal(a.connectionId, b.connectionId);
    assert.equal(b.connectionId, c.connectionId);
    assert.equal(a.remoteAddress, '127.0.0.1');
    assert.ok(a.remotePort > 0);
    assert.equal(a.route, undefined);
    assert.equal(a.error, undefined);
    assert.equal(a.upgraded, false);
    assert.equal(a.request.headers.get('host'), 'h');
    assert.ok(a.endTime <= b.startTime && b.endTime <= c.startTime, 'sequential requests do not overlap');
    // The status was known at the headers event already.
    assert.equal(spans[0].seen[1].status, 200);
  });

  it('a new connection gets a new connection id; the Router sets the route pattern', TEST_TIMEOUT, async () => {
    const router = new Router();
    router.get('/users/:id', (req, res) => res.end(`user ${req.params.id}`));
    const s = await serve(router.handle);
    for (const path of ['/users/7', '/nope']) {
      await withClient(s.port, async (client) => {
        await client.write(request([`GET ${path} HTTP/1.1`, 'Host: h']));
        await client.readResponse();
      });
    }
    const [found, missing] = (await recorder.settled(2)).map((x) => x.event);
    assert.equal(found.route, '/users/:id');
    assert.equal(found.status, 200);
    assert.equal(missing.route, undefined);
    assert.equal(missing.status, 404);
    assert.notEqual(found.connectionId, missing.connectionId);
  });

  it('pipelined: spans in request order, each end paired with its own start, never overlapping', TEST_TIMEOUT, async () => {
    // Later requests finish faster: order must still be the request order.
    const s = await serve(async (req, res) => {
      const n = Number(req.path.slice(1));
      await sleep(25 - n * 5);
      res.end(`r${n}`);
    });
    await withClient(s.port, async (client) => {
      const all = [0, 1, 2, 3, 4].map((n) => request([`GET /${n} HTTP/1.1`, 'Host: h']));
      await client.write(Buffer.concat(all));
      const responses = await client.readResponses(5);
      assert.deepEqual(responses.map((r) => r.body.toString()), ['r0', 'r1', 'r2', 'r3', 'r4']);
    });
    const spans = await recorder.settled(5);
    assert.deepEqual(spans.map((x) => x.event.target), ['/0', '/1', '/2', '/3', '/4']);
    const expected = ['/0', '/1', '/2', '/3', '/4'].flatMap((t) => [`start ${t}`, `headers ${t}`, `finish ${t}`]);
    assert.deepEqual(recorder.order, expected);
    for (const span of spans) assert.equal(span.event.bytesOut, 2);
    assert.equal(new Set(spans.map((x) => x.event.connectionId)).size, 1);
  });

  it('streamed both ways: chunked request body in, chunked response out, headers well before the end', TEST_TIMEOUT, async () => {
    const s = await serve(async (req, res) => {
      let received = 0;
      for await (const piece of req) received += piece.length;
      res.setHeader('Content-Type', 'text/plain');
      for (let i = 0; i < 5; i++) {
        res.write(`piece ${i} of ${received}\n`);
        await sleep(10);
      }
      res.end();
    });
    await withClient(s.port, async (client) => {
      const body = chunked(Buffer.alloc(3000, 0x61), 700);
      await client.write(request(['POST /stream HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked'], body));
      const response = await client.readResponse();
      assert.equal(response.framing, 'chunked');
    });
    const [span] = await recorder.settled(1);
    const e = span.event;
    assert.deepEqual(span.phases, ['start', 'headers', 'finish']);
    assert.equal(e.bytesIn, 3000);
    assert.equal(e.bytesOut, 5 * 'piece 0 of 3000\n'.length);
    assert.ok(e.endTime - e.headersTime >= 30, `the body streamed for ${e.endTime - e.headersTime} ms after the head`);
  });

  it('aborted mid-stream: the client resets, the span ends with abort (RequestAbortedError), later writes publish nothing', TEST_TIMEOUT, async () => {
    let handlerDone!: () => void;
    const done = new Promise<void>((resolve) => (handlerDone = resolve));
    const s = await serve(async (req, res) => {
      res.write('first\n');
      await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
      res.write('late\n');
      res.end();
      handlerDone();
    });
    const client = await RawClient.connect(s.port);
    await client.write(request(['GET /reset HTTP/1.1', 'Host: h']));
    await client.waitFor('first');
    client.reset();
    const [span] = await recorder.settled(1);
    await done;
    await sleep(20);
    assert.deepEqual(span.phases, ['start', 'headers', 'abort']);
    assert.equal(span.event.status, 200);
    assert.ok(span.event.error instanceof RequestAbortedError);
    assert.equal(span.event.bytesOut, 'first\n'.length);
  });

  it('aborted before the head: status stays 0', TEST_TIMEOUT, async () => {
    const s = await serve(async (req, res) => {
      await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
      res.end('never seen');
    });
    const client = await RawClient.connect(s.port);
    await client.write(request(['GET /slow HTTP/1.1', 'Host: h']));
    await sleep(30);
    client.reset();
    const [span] = await recorder.settled(1);
    assert.deepEqual(span.phases, ['start', 'abort']);
    assert.equal(span.event.status, 0);
    assert.ok(span.event.error instanceof RequestAbortedError);
  });

  it('a handler that throws before the head: error, then the 500 finishes the span', TEST_TIMEOUT, async () => {
    const boom = new Error('boom');
    const s = await serve(() => {
      throw boom;
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET /throw HTTP/1.1', 'Host: h']));
      assert.equal((await client.readResponse()).status, 500);
    });
    const [span] = await recorder.settled(1);
    assert.deepEqual(span.phases, ['start', 'error', 'headers', 'finish']);
    assert.equal(span.seen[1].error, boom);
    assert.equal(span.event.status, 500);
  });

  it('a handler that fails after the head: error, then abort carrying that error', TEST_TIMEOUT, async () => {
    const boom = new Error('late boom');
    const s = await serve(async (_req, res) => {
      res.write('partial');
      await sleep(5);
      throw boom;
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET /late HTTP/1.1', 'Host: h']));
      await client.readUntilClose();
    });
    const [span] = await recorder.settled(1);
    assert.deepEqual(span.phases, ['start', 'headers', 'error', 'abort']);
    assert.equal(span.event.error, boom);
  });

  it('a malformed body: error (HttpError 400) and the 400 answer finishes the span', TEST_TIMEOUT, async () => {
    const s = await serve(async (req, res) => {
      res.end(await req.text());
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['POST /bad-body HTTP/1.1', 'Host: h', 'Transfer-Encoding: chunked'], '5\r\nhello\r\nzz\r\n'));
      assert.equal((await client.readResponse()).status, 400);
    });
    const [span] = await recorder.settled(1);
    assert.deepEqual(span.phases, ['start', 'error', 'headers', 'finish']);
    assert.ok(span.seen[1].error instanceof HttpError);
    assert.equal(span.event.status, 400);
    assert.equal(span.event.bytesIn, 5);
  });

  it('a body that stalls past bodyIdleTimeoutMs: error (HttpError 408), the 408 answer finishes the span', TEST_TIMEOUT, async () => {
    const s = await serve(async (req, res) => res.end(await req.text()), { bodyIdleTimeoutMs: 200 });
    await withClient(s.port, async (client) => {
      await client.write(request(['POST /stall HTTP/1.1', 'Host: h', 'Content-Length: 10'], 'abc'));
      assert.equal((await client.readResponse({ timeoutMs: 3_000 })).status, 408);
    });
    const [span] = await recorder.settled(1);
    assert.deepEqual(span.phases, ['start', 'error', 'headers', 'finish']);
    assert.ok(span.seen[1].error instanceof HttpError);
    assert.equal((span.seen[1].error as HttpError).status, 408);
    assert.equal(span.event.bytesIn, 3);
  });

  it('a client FIN while the handler runs: an error event (RequestAbortedError), then exactly one end', TEST_TIMEOUT, async () => {
    const s = await serve(async (req, res) => {
      await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
      res.end('after the FIN');
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET /fin HTTP/1.1', 'Host: h']));
      await sleep(20);
      client.end();
      await client.readUntilClose(3_000);
    });
    const [span] = await recorder.settled(1);
    // Whether the late answer still goes out on the half-open connection is the core's policy;
    // either way the span records why and ends once.
    assert.equal(span.phases[1], 'error');
    assert.ok(span.seen[1].error instanceof RequestAbortedError);
    assert.ok(['start,error,headers,finish', 'start,error,abort', 'start,error,headers,abort'].includes(span.phases.join(',')), span.phases.join(','));
  });

  it('rejected: a malformed head after a good pipelined request is one reject on the same connection, no span', TEST_TIMEOUT, async () => {
    const s = await serve((_req, res) => res.end('ok'));
    await withClient(s.port, async (client) => {
      await client.write(Buffer.concat([request(['GET /good HTTP/1.1', 'Host: h']), request(['GET /bad HTTP/1.1', 'Host: h', 'Bad Header: x'])]));
      await client.readResponse();
      assert.equal((await client.readResponse()).status, 400);
    });
    const spans = await recorder.settled(1, 1);
    assert.equal(spans.length, 1);
    const [reject] = recorder.rejects;
    assert.equal(reject.status, 400);
    assert.equal(reject.code, 'INVALID_HEADER_NAME');
    assert.ok(reject.reason.length > 0);
    assert.equal(reject.connectionId, spans[0].event.connectionId);
    assert.equal(reject.remoteAddress, '127.0.0.1');
    assert.ok(reject.time >= spans[0].event.endTime);
    assert.deepEqual(recorder.order, ['start /good', 'headers /good', 'finish /good', 'reject 400']);
  });

  it('rejected: a head that does not arrive within headersTimeoutMs is a 408 reject', TEST_TIMEOUT, async () => {
    const s = await serve((_req, res) => res.end('ok'), { headersTimeoutMs: 200 });
    await withClient(s.port, async (client) => {
      await client.write('GET /slow HTTP/1.1\r\nHost: h\r\n');
      const rest = await client.readUntilClose(3_000);
      assert.match(rest.toString('latin1'), /^HTTP\/1\.1 408 /);
    });
    await recorder.settled(0, 1);
    assert.deepEqual(recorder.rejects.map((r) => [r.status, r.code]), [[408, 'HEADERS_TIMEOUT']]);
    assert.equal(recorder.spans.length, 0);
  });

  it('an upgrade ends the span at the hand-over (status 101, upgraded)', TEST_TIMEOUT, async () => {
    const upgrade = (_req: unknown, socket: import('node:net').Socket): void => {
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    };
    const s = await serve((_req, res) => res.end('plain'), { onUpgrade: upgrade } as never);
    await withClient(s.port, async (client) => {
      await client.write(request(['GET /up HTTP/1.1', 'Host: h', 'Connection: Upgrade', 'Upgrade: test']));
      await client.readUntilClose();
    });
    const [span] = await recorder.settled(1);
    assert.deepEqual(span.phases, ['start', 'finish']);
    assert.equal(span.event.upgraded, true);
    assert.equal(span.event.status, 101);
  });

  it('property: random pipelines of handler behaviours, client resets and malformed heads — every start ends exactly once', { timeout: 60_000 }, async () => {
    // What each request asks the handler to do; the path carries it.
    const behaviours = ['sync', 'async', 'stream', 'body', 'throw', 'throw-late', 'hang'] as const;
    const s = await serve(async (req, res) => {
      const kind = req.path.slice(1);
      if (kind === 'sync') return res.end('s');
      if (kind === 'throw') throw new HttpError(418, 'teapot');
      if (kind === 'body') return res.end(String((await req.bytes()).length));
      await sleep(1);
      if (kind === 'async') return res.end('a');
      res.write('x');
      if (kind === 'throw-late') throw new Error('late');
      if (kind === 'hang') {
        await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
        return res.end();
      }
      await sleep(1);
      res.end('y');
    });
    const scenario = fc.record({
      requests: fc.array(fc.constantFrom(...behaviours), { minLength: 1, maxLength: 5 }),
      malformedLast: fc.boolean(),
      pipelined: fc.boolean(),
      resetAfterMs: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ requests, malformedLast, pipelined, resetAfterMs }) => {
        const stopper = requests.findIndex((k) => k === 'throw-late' || k === 'hang');
        const before = recorder.spans.length;
        const rejectsBefore = recorder.rejects.length;
        const heads = requests.map((kind) =>
          kind === 'body' ? request([`POST /${kind} HTTP/1.1`, 'Host: h', 'Content-Length: 3'], 'abc') : request([`GET /${kind} HTTP/1.1`, 'Host: h']),
        );
        if (malformedLast) heads.push(request(['GET /bad HTTP/1.1', 'Host: h', 'Bad Header: x']));
        const client = await RawClient.connect(s.port);
        if (pipelined) await client.write(Buffer.concat(heads));
        else for (const head of heads) await client.write(head);
        if (resetAfterMs !== undefined) {
          await sleep(resetAfterMs);
          client.reset();
        } else if (stopper < 0) {
          await client.readResponses(heads.length, { timeoutMs: 3_000 });
        } else {
          // A hanging request holds the connection until the client goes; a late throw drops it.
          await sleep(10);
        }
        client.destroy();
        const end = performance.now() + 3_000;
        while (s.server.connectionCount > 0 && performance.now() < end) await sleep(2);
        assert.equal(s.server.connectionCount, 0, 'the connection closed');
        const spans = recorder.spans.slice(before);
        // Nothing may still be open once the connection is gone.
        for (const span of spans) assert.ok(ended(span), `${span.event.target} ended: ${span.phases.join(',')}`);
        assert.deepEqual(recorder.violations, []);
        // Requests start in order and only the ones sent.
        assert.deepEqual(spans.map((x) => x.event.target), requests.slice(0, spans.length).map((k) => `/${k}`));
        const rejects = recorder.rejects.length - rejectsBefore;
        assert.ok(rejects <= (malformedLast ? 1 : 0));
        if (rejects === 1) assert.equal(spans.length, requests.length, 'a reject only after every request before it');
        // Undisturbed, the outcome is decided by the behaviours alone.
        if (resetAfterMs === undefined) {
          const served = stopper < 0 ? requests : requests.slice(0, stopper);
          const expected: string[] = served.map((k) => (k === 'throw' ? 'start,error,headers,finish' : 'start,headers,finish'));
          if (stopper >= 0) expected.push(requests[stopper] === 'hang' ? 'start,headers,abort' : 'start,headers,error,abort');
          assert.deepEqual(phases(spans), expected);
          assert.equal(rejects, malformedLast && stopper < 0 ? 1 : 0);
        }
      }),
      { numRuns: 40, seed: 20261201, endOnFailure: true },
    );
  });

  it('with nobody subscribed nothing is traced: no payload is made', TEST_TIMEOUT, async () => {
    recorder.unsubscribe();
    const traces: unknown[] = [];
    const s = await serve((_req, res) => {
      traces.push((res as unknown as { trace: unknown }).trace);
      res.end('ok');
    });
    await withClient(s.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: h']));
      await client.readResponse();
    });
    assert.deepEqual(traces, [null]);
    assert.equal(recorder.spans.length, 0);
  });
});
