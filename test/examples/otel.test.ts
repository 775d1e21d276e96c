// examples/otel/tracing.ts against the OpenTelemetry SDK's in-memory exporter: the spans of a few
// real requests (routed, with a body, failing, not found, aborted, malformed) carry the HTTP
// semantic-convention attributes, the right status, the client's parent context and sane times.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Router, type BriskRequest } from '../../src/index.js';
import { instrumentBrisk, spanOf } from '../../examples/otel/tracing.js';
import { RawClient, request, withClient } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TEST_TIMEOUT = { timeout: 15_000 };
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN_ID = 'b7ad6b7169203331';

/** Just enough of W3C Trace Context (extract only) to see that the example passes the parent on. */
const traceparentOnly: TextMapPropagator = {
  inject() {},
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const value = getter.get(carrier, 'traceparent');
    const match = typeof value === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value) : null;
    if (match === null) return context;
    return trace.setSpanContext(context, { traceId: match[1], spanId: match[2], traceFlags: Number.parseInt(match[3], 16), isRemote: true });
  },
  fields: () => ['traceparent'],
};

describe('examples/otel: brisk requests as OpenTelemetry spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let stop: () => void;
  let s: TestServer;
  let begin: number;
  let childRequest: BriskRequest | undefined;

  before(async () => {
    propagation.setGlobalPropagator(traceparentOnly);
    const tracer = provider.getTracer('brisk-test');
    stop = instrumentBrisk({ tracer, requestHeaders: ['x-tenant'] });
    const router = new Router();
    router.get('/child', (req, res) => {
      childRequest = req;
      const server = spanOf(req);
      assert.ok(server, 'the request has a span while it is served');
      tracer.startSpan('db query', {}, trace.setSpan(ROOT_CONTEXT, server)).end();
      res.end('ok');
    });
    router.get('/users/:id', (req, res) => res.end(`user ${req.params.id}`));
    router.post('/echo', async (req, res) => res.end(await req.text()));
    router.get('/fail', () => {
      throw new Error('something broke');
    });
    router.get('/hang', async (req, res) => {
      await new Promise((resolve) => req.signal.addEventListener('abort', resolve));
      res.end();
    });
    s = await startServer(router.handle);
    begin = Date.now();
  });
  after(async () => {
    stop();
    propagation.disable();
    await s.close();
    await provider.shutdown();
  });

  async function spansAfter(count: number): Promise<ReadableSpan[]> {
    const end = performance.now() + 5_000;
    while (exporter.getFinishedSpans().length < count) {
      if (performance.now() > end) assert.fail(`expected ${count} spans, have ${exporter.getFinishedSpans().map((x) => x.name)}`);
      await sleep(5);
    }
    return exporter.getFinishedSpans();
  }

  it('spanOf(req): a handler\'s child span has the request\'s span as parent; none is left after the end', TEST_TIMEOUT, async () => {
    exporter.reset();
    assert.equal(await (await fetch(`${s.origin}/child`)).text(), 'ok');
    const [child, server] = await spansAfter(2);
    assert.equal(child.name, 'db query');
    assert.equal(server.name, 'GET /child');
    assert.equal(child.parentSpanContext?.spanId, server.spanContext().spanId);
    assert.equal(child.spanContext().traceId, server.spanContext().traceId);
    assert.ok(childRequest !== undefined && spanOf(childRequest) === undefined, 'the span is dropped once it ended');
    exporter.reset();
  });

  it('six requests, six spans with the conventions\' names and attributes', TEST_TIMEOUT, async () => {
    const ok = await fetch(`${s.origin}/users/42?x=1`, {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`, 'x-tenant': 'acme' },
    });
    assert.equal(await ok.text(), 'user 42');
    assert.equal(await (await fetch(`${s.origin}/echo`, { method: 'POST', body: 'hello' })).text(), 'hello');
    assert.equal((await fetch(`${s.origin}/fail`)).status, 500);
    assert.equal((await fetch(`${s.origin}/missing`)).status, 404);
    const hanging = await RawClient.connect(s.port);
    await hanging.write(request(['GET /hang HTTP/1.1', 'Host: localhost']));
    await sleep(30);
    hanging.reset();
    await withClient(s.port, async (client) => {
      await client.write(request(['GET / HTTP/1.1', 'Host: localhost', 'Bad Header: x']));
      assert.equal((await client.readResponse()).status, 400);
    });

    const spans = await spansAfter(6);
    const byName = (name: string): ReadableSpan => {
      const found = spans.find((x) => x.name === name);
      assert.ok(found, `a span named ${name} in ${spans.map((x) => x.name)}`);
      return found;
    };
    for (const span of spans) {
      assert.equal(span.kind, SpanKind.SERVER);
      const startMs = span.startTime[0] * 1000 + span.startTime[1] / 1e6;
      const endMs = span.endTime[0] * 1000 + span.endTime[1] / 1e6;
      assert.ok(startMs >= begin - 5 && startMs <= Date.now() + 5, `${span.name}: start ${startMs} within the test`);
      assert.ok(endMs >= startMs, `${span.name}: ends after it starts`);
    }

    const user = byName('GET /users/:id');
    const port = s.port;
    assert.deepEqual(
      { ...user.attributes, 'network.peer.port': typeof user.attributes['network.peer.port'] },
      {
        'http.request.method': 'GET',
        'url.path': '/users/42',
        'url.query': 'x=1',
        'url.scheme': 'http',
        'network.protocol.name': 'http',
        'network.protocol.version': '1.1',
        'network.peer.address': '127.0.0.1',
        'network.peer.port': 'number',
        'client.address': '127.0.0.1',
        'server.address': '127.0.0.1',
        'server.port': port,
        'user_agent.original': 'node',
        'http.request.header.x-tenant': ['acme'],
        'http.route': '/users/:id',
        'http.response.status_code': 200,
        'http.request.body.size': 0,
        'http.response.body.size': 7,
      },
    );
    assert.equal(user.status.code, SpanStatusCode.UNSET);
    assert.equal(user.spanContext().traceId, TRACE_ID, 'the client\'s trace continues');
    assert.equal(user.parentSpanContext?.spanId, PARENT_SPAN_ID);
    assert.equal(user.parentSpanContext?.traceFlags, TraceFlags.SAMPLED);

    const echo = byName('POST /echo');
    assert.equal(echo.attributes['http.request.body.size'], 5);
    assert.equal(echo.attributes['http.response.body.size'], 5);
    assert.equal(echo.parentSpanContext, undefined, 'no traceparent: a root span');

    const fail = byName('GET /fail');
    assert.equal(fail.status.code, SpanStatusCode.ERROR);
    assert.equal(fail.attributes['http.response.status_code'], 500);
    assert.equal(fail.attributes['error.type'], '500');
    const exception = fail.events.find((e) => e.name === 'exception');
    assert.equal(exception?.attributes?.['exception.message'], 'something broke');

    // The router's 404 has no route; the name is the method alone.
    const missing = spans.find((x) => x.attributes['url.path'] === '/missing');
    assert.ok(missing);
    assert.equal(missing.name, 'GET');
    assert.equal(missing.attributes['http.route'], undefined);
    assert.equal(missing.attributes['http.response.status_code'], 404);
    assert.equal(missing.status.code, SpanStatusCode.UNSET, '4xx is not a server error');

    const hang = byName('GET /hang');
    assert.equal(hang.status.code, SpanStatusCode.ERROR);
    assert.equal(hang.attributes['error.type'], 'RequestAbortedError');
    assert.equal(hang.attributes['http.response.status_code'], undefined, 'no head was sent');

    const rejected = byName('HTTP');
    assert.equal(rejected.attributes['http.response.status_code'], 400);
    assert.equal(rejected.attributes['error.type'], 'INVALID_HEADER_NAME');
    assert.equal(rejected.attributes['network.peer.address'], '127.0.0.1');
  });
});
