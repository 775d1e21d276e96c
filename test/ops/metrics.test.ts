// Observability: the Prometheus text format (checked line by line), merging snapshots across
// processes, the counters a real server fills (statuses, durations, parse errors, timeouts,
// connections, bytes), the health endpoint through a shutdown's phases (drain delay, idle
// grace), and the access log's combined format and file.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DURATION_BUCKETS_SECONDS, Metrics, mergeSnapshots, renderMetrics, type MetricsSnapshot } from '../../src/ops/metrics.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { eventually, get, startOpsServer, tempDir } from './support.js';

const TIMEOUT = { timeout: 15_000 };

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)\})? (-?[0-9.e+-]+|\+Inf|NaN)$/;

/** Check the exposition format: every sample's family was declared with HELP and TYPE first. */
function checkExposition(text: string): Map<string, number> {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const declared = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      assert.ok(!declared.has(type[1]), `${type[1]} declared twice`);
      declared.set(type[1], type[2]);
      continue;
    }
    const match = SAMPLE.exec(line);
    assert.ok(match, `not a sample line: ${JSON.stringify(line)}`);
    const family = match[1].replace(/_(bucket|sum|count)$/, (suffix) => (declared.get(match[1].slice(0, -suffix.length)) === 'histogram' ? '' : suffix));
    assert.ok(declared.has(family), `${match[1]} has no TYPE line before it`);
    samples.set(match[1] + (match[2] ?? ''), Number(match[4]));
  }
  return samples;
}

describe('the Prometheus text format', () => {
  it('renders every family with HELP and TYPE; the histogram is cumulative and ends at +Inf = count', () => {
    const metrics = new Metrics();
    metrics.requestDone(200, 0.4);
    metrics.requestDone(200, 30);
    metrics.requestDone(404, 12_000);
    metrics.parseError('INVALID_METHOD');
    metrics.timedOut('headers');
    metrics.proxyProtocolError('V1_MALFORMED');
    metrics.connectionClosed(100, 2_000);
    const text = renderMetrics(
      metrics.snapshot({ connectionsAccepted: 4, connectionsRejected: 1, openConnections: 2, liveBytesReceived: 10, liveBytesSent: 20, draining: false }),
    );
    const samples = checkExposition(text);
    assert.equal(samples.get('brisk_http_requests_total{code="200"}'), 2);
    assert.equal(samples.get('brisk_http_requests_total{code="404"}'), 1);
    assert.equal(samples.get('brisk_http_request_duration_seconds_bucket{le="0.001"}'), 1);
    assert.equal(samples.get('brisk_http_request_duration_seconds_bucket{le="0.05"}'), 2);
    assert.equal(samples.get('brisk_http_request_duration_seconds_bucket{le="10"}'), 2);
    assert.equal(samples.get('brisk_http_request_duration_seconds_bucket{le="+Inf"}'), 3);
    assert.equal(samples.get('brisk_http_request_duration_seconds_count'), 3);
    assert.ok(Math.abs((samples.get('brisk_http_request_duration_seconds_sum') as number) - 12.0304) < 1e-9);
    let previous = 0;
    for (const le of DURATION_BUCKETS_SECONDS) {
      const value = samples.get(`brisk_http_request_duration_seconds_bucket{le="${le}"}`) as number;
      assert.ok(value >= previous, 'buckets are cumulative');
      previous = value;
    }
    assert.equal(samples.get('brisk_parse_errors_total{code="INVALID_METHOD"}'), 1);
    assert.equal(samples.get('brisk_timeouts_total{kind="headers"}'), 1);
    assert.equal(samples.get('brisk_proxy_protocol_errors_total{code="V1_MALFORMED"}'), 1);
    assert.equal(samples.get('brisk_received_bytes_total'), 110);
    assert.equal(samples.get('brisk_sent_bytes_total'), 2_020);
    assert.equal(samples.get('brisk_open_connections'), 2);
    assert.equal(samples.get('brisk_connections_accepted_total'), 4);
    assert.equal(samples.get('brisk_draining'), 0);
  });

  it('escapes label values', () => {
    const metrics = new Metrics();
    metrics.parseError('A"B\\C\nD');
    const text = renderMetrics(metrics.snapshot({ connectionsAccepted: 0, connectionsRejected: 0, openConnections: 0, liveBytesReceived: 0, liveBytesSent: 0, draining: true }));
    assert.ok(text.includes('brisk_parse_errors_total{code="A\\"B\\\\C\\nD"} 1'), text);
    checkExposition(text);
  });

  it('merges snapshots from several processes', () => {
    const one = (status: number, ms: number, draining: boolean): MetricsSnapshot => {
      const m = new Metrics();
      m.requestDone(status, ms);
      m.timedOut('keep-alive');
      return m.snapshot({ connectionsAccepted: 1, connectionsRejected: 0, openConnections: 1, liveBytesReceived: 5, liveBytesSent: 7, draining });
    };
    const total = mergeSnapshots([one(200, 1, false), one(200, 100, true), one(500, 1, false)]);
    assert.deepEqual(total.requests, { 200: 2, 500: 1 });
    assert.equal(total.durationCount, 3);
    assert.equal(total.timeouts['keep-alive'], 3);
    assert.equal(total.openConnections, 3);
    assert.equal(total.bytesSent, 21);
    assert.equal(total.draining, 1);
    assert.equal(total.processes, 3);
    checkExposition(renderMetrics(total));
  });
});

describe('metrics of a running server', () => {
  it('counts statuses, durations, parse errors, timeouts, connections and bytes', TIMEOUT, async () => {
    const server = await startOpsServer(
      async (req, res) => {
        if (req.path === '/slow') await sleep(60);
        res.status = req.path === '/missing' ? 404 : 200;
        res.end('x');
      },
      { metricsPath: '/metrics', headersTimeoutMs: 200 },
    );
    try {
      for (const target of ['/a', '/b', '/slow', '/missing']) await get(server.port, target);
      // A parse error and a header timeout.
      const bad = await RawClient.connect(server.port);
      bad.socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n');
      await bad.readUntilClose();
      const slow = await RawClient.connect(server.port);
      slow.socket.write('GET / HTTP/1.1\r\n');
      await slow.readUntilClose();
      const scrape = await get(server.port, '/metrics');
      assert.equal(scrape.status, 200);
      assert.equal(scrape.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      const samples = checkExposition(scrape.body);
      assert.equal(samples.get('brisk_http_requests_total{code="200"}'), 3);
      assert.equal(samples.get('brisk_http_requests_total{code="404"}'), 1);
      assert.ok((samples.get('brisk_http_request_duration_seconds_sum') as number) >= 0.05, 'the slow request took 60 ms');
      assert.equal(samples.get('brisk_http_request_duration_seconds_bucket{le="0.05"}'), 3, 'measured precisely, not on the coarse clock');
      assert.equal([...samples.keys()].filter((k) => k.startsWith('brisk_parse_errors_total{')).length, 1, scrape.body);
      assert.equal(samples.get('brisk_timeouts_total{kind="headers"}'), 1);
      assert.equal(samples.get('brisk_open_connections'), 1, 'the scrape itself');
      assert.equal(samples.get('brisk_connections_accepted_total'), 7);
      assert.ok((samples.get('brisk_received_bytes_total') as number) > 100);
      assert.ok((samples.get('brisk_sent_bytes_total') as number) > 400);
      assert.equal((await get(server.port, '/metrics?format=text')).status, 200, 'a query string is allowed');
      const post = await RawClient.connect(server.port);
      post.socket.write(request(['POST /metrics HTTP/1.1', 'Host: x', 'Content-Length: 0', 'Connection: close']));
      assert.match((await post.readUntilClose()).toString(), /^HTTP\/1\.1 405 [^]*Allow: GET, HEAD/i);
    } finally {
      await server.close();
    }
  });

  it('without metricsPath the path is the application\'s', TIMEOUT, async () => {
    const server = await startOpsServer((req, res) => res.end(`app ${req.path}`));
    try {
      assert.equal((await get(server.port, '/metrics')).body, 'app /metrics');
      assert.equal(server.server.metricsSnapshot(), null);
    } finally {
      await server.close();
    }
  });
});

describe('health endpoint', () => {
  it('200 ok, HEAD without a body, the app behind it untouched', TIMEOUT, async () => {
    const server = await startOpsServer((req, res) => res.end(`app ${req.target}`), { healthPath: '/healthz' });
    try {
      const ok = await get(server.port, '/healthz');
      assert.deepEqual([ok.status, ok.body, ok.headers['cache-control']], [200, 'ok\n', 'no-store']);
      const head = await RawClient.connect(server.port);
      head.socket.write(request(['HEAD /healthz HTTP/1.1', 'Host: x', 'Connection: close']));
      const text = (await head.readUntilClose()).toString();
      assert.match(text, /^HTTP\/1\.1 200 /);
      assert.ok(text.endsWith('\r\n\r\n'), 'no body');
      assert.equal((await get(server.port, '/healthzz')).body, 'app /healthzz');
      assert.equal((await get(server.port, '/other')).body, 'app /other');
    } finally {
      await server.close();
    }
  });

  it('503 on a kept-alive connection once close() began, while idle connections get their grace', TIMEOUT, async () => {
    const server = await startOpsServer((_req, res) => res.end('app'), { healthPath: '/healthz', idleGraceMs: 1_000 });
    const client = await RawClient.connect(server.port);
    try {
      client.socket.write(request(['GET /healthz HTTP/1.1', 'Host: x']));
      assert.equal((await client.readResponse()).status, 200);
      const closed = server.server.close({ timeoutMs: 3_000 });
      assert.equal(server.server.draining, true);
      await sleep(100);
      client.socket.write(request(['GET /healthz HTTP/1.1', 'Host: x']));
      const response = await client.readResponse();
      assert.equal(response.status, 503);
      assert.ok(response.hasToken('connection', 'close'), response.headText);
      await client.closed;
      await closed;
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('drainDelayMs: new connections still accepted and told 503, then the port closes', TIMEOUT, async () => {
    const server = await startOpsServer((_req, res) => res.end('app'), { healthPath: '/healthz', drainDelayMs: 400 });
    const started = performance.now();
    const closed = server.server.close({ timeoutMs: 1_000 });
    const during = await get(server.port, '/healthz');
    assert.equal(during.status, 503);
    assert.equal(during.body, 'draining\n');
    assert.equal(during.headers.connection, 'close');
    assert.equal((await get(server.port, '/app')).status, 200, 'the app still answers during the delay');
    await closed;
    assert.ok(performance.now() - started >= 380, 'close() waited for the drain delay');
    await assert.rejects(() => get(server.port, '/healthz'), /ECONNREFUSED/);
  });

  it('idleGraceMs: an idle connection that stays silent is closed after the grace, not at once', TIMEOUT, async () => {
    const server = await startOpsServer((_req, res) => res.end('app'), { idleGraceMs: 300 });
    const client = await RawClient.connect(server.port);
    client.socket.write(request(['GET / HTTP/1.1', 'Host: x']));
    await client.readResponse();
    const started = performance.now();
    const closed = server.server.close({ timeoutMs: 3_000 });
    await client.closed;
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 2_000, `closed after ${Math.round(elapsed)} ms`);
    await closed;
  });
});

describe('access log', () => {
  it('combined: the common format plus quoted Referer and User-Agent', TIMEOUT, async () => {
    const server = await startOpsServer((_req, res) => res.end('hello'), { accessLog: 'combined', logLevel: 'info' });
    try {
      await get(server.port, '/page?x=1', { Referer: 'https://ref.example/', 'User-Agent': 'tester "quoted" \\ agent' });
      await get(server.port, '/bare', {});
      await eventually(() => server.logs.filter((l) => l.includes('HTTP/1.1"')).length === 2, 2_000, 'two access lines');
      const [first, second] = server.logs.filter((l) => l.includes('HTTP/1.1"'));
      assert.match(first, /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/page\?x=1 HTTP\/1\.1" 200 5 "https:\/\/ref\.example\/" "tester \\"quoted\\" \\\\ agent"$/);
      assert.match(second, /"GET \/bare HTTP\/1\.1" 200 5 "-" "-"$/);
    } finally {
      await server.close();
    }
  });

  it('accessLogFile: lines go to the file (combined by default); reopenLogs() follows a rotation', TIMEOUT, async () => {
    const temp = tempDir('brisk-access-');
    const file = path.join(temp.dir, 'access.log');
    const server = await startOpsServer((_req, res) => res.end('x'), { accessLogFile: file });
    try {
      await get(server.port, '/one', { 'User-Agent': 'ua1' });
      await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('/one'), 2_000, 'the line is in the file');
      assert.match(readFileSync(file, 'utf8'), /"GET \/one HTTP\/1\.1" 200 1 "-" "ua1"\n$/);
      assert.equal(server.logs.length, 0, 'nothing on the log sink');
      renameSync(file, file + '.1');
      server.server.reopenLogs();
      await get(server.port, '/two');
      await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('/two'), 2_000, 'the new file gets the next line');
      assert.ok(!readFileSync(file + '.1', 'utf8').includes('/two'));
    } finally {
      await server.close();
      temp.remove();
    }
  });
});
