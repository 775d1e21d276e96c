// OpenTelemetry server spans for brisk, built from its diagnostics channels.
//
// OpenTelemetry's HTTP instrumentation (@opentelemetry/instrumentation-http) works by patching
// node:http; brisk does not use node:http, so that instrumentation sees none of its requests.
// This module subscribes to brisk's channels instead (README: "Observability: diagnostics
// channels") and makes one SERVER span per request with the stable HTTP semantic-convention
// attribute names. It needs only @opentelemetry/api: spans go to whatever SDK the application
// registered (or to the tracer passed in).
//
//   import { instrumentBrisk } from './tracing.js';
//   const stop = instrumentBrisk();          // before serve(); stop() unsubscribes
//
// A handler that wants child spans under the request's span: `spanOf(req)`, then
// `context.with(trace.setSpan(context.active(), span), ...)`.
import dc from 'node:diagnostics_channel';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  type Attributes,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { DIAGNOSTICS_CHANNELS, type BriskRequest, type RejectEvent, type RequestEvent } from '../../src/index.js';

export interface InstrumentOptions {
  /** Default: `trace.getTracer('brisk')` from the global tracer provider. */
  tracer?: Tracer;
  /** Request header fields recorded as `http.request.header.<name>` (lower-case names). */
  requestHeaders?: readonly string[];
}

/** The span of a request that is being served (undefined once it ended, or when not traced). */
export function spanOf(req: BriskRequest): Span | undefined {
  return spans.get(req);
}

const spans = new WeakMap<BriskRequest, Span>();

/** Reads W3C `traceparent` / `tracestate` (or whatever the registered propagator wants) from the request. */
const headerGetter: TextMapGetter<BriskRequest> = {
  keys: (req) => [...req.headers].map(([name]) => name.toLowerCase()),
  get: (req, key) => req.headers.get(key),
};

/** performance.now() milliseconds to epoch milliseconds, which every OpenTelemetry SDK takes. */
function epoch(ms: number): number {
  return performance.timeOrigin + ms;
}

/** Subscribe to brisk's channels; returns the function that unsubscribes. */
export function instrumentBrisk(options: InstrumentOptions = {}): () => void {
  const tracer = options.tracer ?? trace.getTracer('brisk');
  const recorded = options.requestHeaders ?? [];

  const onStart = (message: unknown): void => {
    const event = message as RequestEvent;
    const req = event.request;
    const parent = propagation.extract(ROOT_CONTEXT, req, headerGetter);
    const attributes: Attributes = {
      'http.request.method': event.method,
      'url.path': req.path,
      'url.scheme': req.protocol,
      'network.protocol.name': 'http',
      'network.protocol.version': event.httpVersion,
      'network.peer.address': event.remoteAddress,
      'network.peer.port': event.remotePort,
      'client.address': req.ip,
    };
    if (req.search !== '') attributes['url.query'] = req.search;
    const { address, port } = splitHost(req.host);
    if (address !== '') attributes['server.address'] = address;
    if (port !== undefined) attributes['server.port'] = port;
    const userAgent = req.headers.get('user-agent');
    if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
    for (const name of recorded) {
      const values = req.headers.getAll(name);
      if (values.length > 0) attributes[`http.request.header.${name}`] = values;
    }
    // The route is not known yet (the router runs after this event): the name is refined at the end.
    const span = tracer.startSpan(event.method, { kind: SpanKind.SERVER, startTime: epoch(event.startTime), attributes }, parent);
    spans.set(req, span);
  };

  const onHeaders = (message: unknown): void => {
    const event = message as RequestEvent;
    spans.get(event.request)?.setAttribute('http.response.status_code', event.status);
  };

  const onError = (message: unknown): void => {
    const event = message as RequestEvent;
    const span = spans.get(event.request);
    if (span === undefined) return;
    const error = event.error;
    span.recordException(error instanceof Error ? error : String(error));
    span.setAttribute('error.type', errorType(error));
  };

  const onEnd = (aborted: boolean) => (message: unknown): void => {
    const event = message as RequestEvent;
    const span = spans.get(event.request);
    if (span === undefined) return;
    spans.delete(event.request);
    if (event.route !== undefined) {
      span.setAttribute('http.route', event.route);
      span.updateName(`${event.method} ${event.route}`);
    }
    if (event.status !== 0) span.setAttribute('http.response.status_code', event.status);
    span.setAttribute('http.request.body.size', event.bytesIn);
    span.setAttribute('http.response.body.size', event.bytesOut);
    if (aborted) {
      // The client went away (or brisk dropped the connection): an error whatever the status.
      span.setAttribute('error.type', errorType(event.error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(event.error) });
    } else if (event.status >= 500) {
      // Semantic conventions: a server span is an error for 5xx only; error.type is the status.
      span.setAttribute('error.type', String(event.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(epoch(event.endTime));
  };

  const onReject = (message: unknown): void => {
    const event = message as RejectEvent;
    // No method or route is known for a request the parser refused: the conventions' name is "HTTP".
    const span = tracer.startSpan('HTTP', {
      kind: SpanKind.SERVER,
      startTime: epoch(event.time),
      attributes: {
        'http.response.status_code': event.status,
        'error.type': event.code,
        'network.peer.address': event.remoteAddress,
        'network.peer.port': event.remotePort,
      },
    }, ROOT_CONTEXT);
    span.end(epoch(event.time));
  };

  const subscriptions: [string, (message: unknown) => void][] = [
    [DIAGNOSTICS_CHANNELS.requestStart, onStart],
    [DIAGNOSTICS_CHANNELS.responseHeaders, onHeaders],
    [DIAGNOSTICS_CHANNELS.requestError, onError],
    [DIAGNOSTICS_CHANNELS.requestFinish, onEnd(false)],
    [DIAGNOSTICS_CHANNELS.requestAbort, onEnd(true)],
    [DIAGNOSTICS_CHANNELS.requestReject, onReject],
  ];
  for (const [name, fn] of subscriptions) dc.subscribe(name, fn);
  return () => {
    for (const [name, fn] of subscriptions) dc.unsubscribe(name, fn);
  };
}

function errorType(error: unknown): string {
  if (error instanceof Error) return error.name !== 'Error' ? error.name : error.constructor.name;
  return '_OTHER';
}

function errorMessage(error: unknown): string | undefined {
  return error instanceof Error ? error.message : undefined;
}

/** "host:port", "[v6]:port" or "host" → address and port. */
function splitHost(host: string): { address: string; port: number | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (match === null) return { address: host, port: undefined };
  return { address: match[1].replace(/^\[|\]$/g, ''), port: match[2] === undefined ? undefined : Number(match[2]) };
}
