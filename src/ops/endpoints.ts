// The operations endpoints (health check, metrics) and the request timing that metrics need,
// put in front of the application's handler once, at construction. With neither enabled the
// application's handler is used as it is: no wrapper, no per-request work.
import type { Request } from '../server/request.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import type { BriskRequest, BriskResponse, Handler } from '../server/types.js';

export interface EndpointHost {
  readonly healthPath: string | null;
  readonly metricsPath: string | null;
  /** True once close() has begun: health answers 503. */
  readonly draining: boolean;
  /** Whether requests are timed for the duration histogram. */
  readonly timingRequests: boolean;
  /** The metrics text (may ask other processes, hence a promise). */
  metricsText(): Promise<string>;
}

/** `target` is `path` or `path?query`. Compared on the raw target: no URL parsing per request. */
function targets(target: string, path: string): boolean {
  return target.length === path.length ? target === path : target.startsWith(path) && target.charCodeAt(path.length) === 0x3f;
}

function refuseMethod(req: BriskRequest, res: BriskResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Method Not Allowed\n');
  return true;
}

function answerHealth(host: EndpointHost, req: BriskRequest, res: BriskResponse): void {
  if (refuseMethod(req, res)) return;
  const draining = host.draining;
  res.writeHead(draining ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(draining ? 'draining\n' : 'ok\n');
}

async function answerMetrics(host: EndpointHost, req: BriskRequest, res: BriskResponse): Promise<void> {
  if (refuseMethod(req, res)) return;
  const text = await host.metricsText();
  res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
  res.end(text);
}

export function withEndpoints(handler: Handler, host: EndpointHost): Handler {
  const { healthPath, metricsPath, timingRequests } = host;
  if (healthPath === null && metricsPath === null && !timingRequests) return handler;
  return (req, res) => {
    const target = req.target;
    if (healthPath !== null && targets(target, healthPath)) return answerHealth(host, req, res);
    if (metricsPath !== null && targets(target, metricsPath)) return answerMetrics(host, req, res);
    if (timingRequests) (req as Request).handlerStartMs = performance.now();
    return handler(req, res);
  };
}
