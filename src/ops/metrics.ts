// Server metrics for a Prometheus scrape: counters filled from the Server's callbacks
// (requestDone, parseError, serverError, timedOut, sessionClosed), a snapshot that can be merged across
// cluster workers, and the text exposition format 0.0.4. No I/O; created only when the
// metrics endpoint is enabled, so a server without it pays nothing.

/** Upper bounds of the request duration histogram, in seconds (Prometheus client defaults plus 1 ms). */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Everything a scrape reports, as plain data: mergeable and sendable over IPC. */
export interface MetricsSnapshot {
  requests: Record<string, number>;
  /** Per-bucket (not cumulative) counts; the last entry is +Inf. */
  durationBuckets: number[];
  durationSumSeconds: number;
  durationCount: number;
  parseErrors: Record<string, number>;
  /** Requests the core refused or gave up on, by ServerErrorCode (errors.ts). */
  serverErrors: Record<string, number>;
  timeouts: Record<string, number>;
  proxyProtocolErrors: Record<string, number>;
  tlsHandshakeErrors: number;
  connectionsAccepted: number;
  connectionsRejected: number;
  openConnections: number;
  bytesReceived: number;
  bytesSent: number;
  draining: number;
  /** Processes merged into this snapshot. */
  processes: number;
}

/** The live counts only the Server knows at scrape time. */
export interface ConnectionGauges {
  connectionsAccepted: number;
  connectionsRejected: number;
  openConnections: number;
  /** Bytes of connections still open (closed ones are already counted). */
  liveBytesReceived: number;
  liveBytesSent: number;
  draining: boolean;
}

function increment(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export class Metrics {
  private readonly requests: Record<string, number> = Object.create(null);
  private readonly durationBuckets = new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0);
  private durationSumSeconds = 0;
  private durationCount = 0;
  private readonly parseErrors: Record<string, number> = Object.create(null);
  private readonly serverErrors: Record<string, number> = Object.create(null);
  private readonly timeouts: Record<string, number> = Object.create(null);
  private readonly proxyProtocolErrors: Record<string, number> = Object.create(null);
  private tlsHandshakeErrors = 0;
  private closedBytesReceived = 0;
  private closedBytesSent = 0;

  requestDone(status: number, durationMs: number): void {
    increment(this.requests, String(status));
    const seconds = durationMs / 1000;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS_SECONDS.length && seconds > DURATION_BUCKETS_SECONDS[bucket]) bucket++;
    this.durationBuckets[bucket]++;
    this.durationSumSeconds += seconds;
    this.durationCount++;
  }

  parseError(code: string): void {
    increment(this.parseErrors, code);
  }

  serverError(code: string): void {
    increment(this.serverErrors, code);
  }

  timedOut(kind: string): void {
    increment(this.timeouts, kind);
  }

  proxyProtocolError(code: string): void {
    increment(this.proxyProtocolErrors, code);
  }

  tlsHandshakeError(): void {
    this.tlsHandshakeErrors++;
  }

  connectionClosed(bytesReceived: number, bytesSent: number): void {
    this.closedBytesReceived += bytesReceived;
    this.closedBytesSent += bytesSent;
  }

  snapshot(gauges: ConnectionGauges): MetricsSnapshot {
    return {
      requests: { ...this.requests },
      durationBuckets: [...this.durationBuckets],
      durationSumSeconds: this.durationSumSeconds,
      durationCount: this.durationCount,
      parseErrors: { ...this.parseErrors },
      serverErrors: { ...this.serverErrors },
      timeouts: { ...this.timeouts },
      proxyProtocolErrors: { ...this.proxyProtocolErrors },
      tlsHandshakeErrors: this.tlsHandshakeErrors,
      connectionsAccepted: gauges.connectionsAccepted,
      connectionsRejected: gauges.connectionsRejected,
      openConnections: gauges.openConnections,
      bytesReceived: this.closedBytesReceived + gauges.liveBytesReceived,
      bytesSent: this.closedBytesSent + gauges.liveBytesSent,
      draining: gauges.draining ? 1 : 0,
      processes: 1,
    };
  }
}

/** Sum of several processes' snapshots (cluster workers); `draining` is the number draining. */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const total = emptySnapshot();
  for (const s of snapshots) {
    for (const [k, v] of Object.entries(s.requests)) increment(total.requests, k, v);
    for (const [k, v] of Object.entries(s.parseErrors)) increment(total.parseErrors, k, v);
    for (const [k, v] of Object.entries(s.serverErrors ?? {})) increment(total.serverErrors, k, v);
    for (const [k, v] of Object.entries(s.timeouts)) increment(total.timeouts, k, v);
    for (const [k, v] of Object.entries(s.proxyProtocolErrors)) increment(total.proxyProtocolErrors, k, v);
    s.durationBuckets.forEach((v, i) => (total.durationBuckets[i] += v));
    total.durationSumSeconds += s.durationSumSeconds;
    total.durationCount += s.durationCount;
    total.tlsHandshakeErrors += s.tlsHandshakeErrors;
    total.connectionsAccepted += s.connectionsAccepted;
    total.connectionsRejected += s.connectionsRejected;
    total.openConnections += s.openConnections;
    total.bytesReceived += s.bytesReceived;
    total.bytesSent += s.bytesSent;
    total.draining += s.draining;
    total.processes += s.processes;
  }
  return total;
}

function emptySnapshot(): MetricsSnapshot {
  return {
    requests: {}, durationBuckets: new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0),
    durationSumSeconds: 0, durationCount: 0, parseErrors: {}, serverErrors: {}, timeouts: {}, proxyProtocolErrors: {},
    tlsHandshakeErrors: 0, connectionsAccepted: 0, connectionsRejected: 0, openConnections: 0,
    bytesReceived: 0, bytesSent: 0, draining: 0, processes: 0,
  };
}

/** A label value: backslash, double quote and line feed escaped (exposition format). */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

/** Prometheus text exposition format 0.0.4: HELP and TYPE lines, then samples. */
export function renderMetrics(s: MetricsSnapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const labelled = (name: string, label: string, values: Record<string, number>): void => {
    for (const key of Object.keys(values).sort()) out.push(`${name}{${label}="${labelValue(key)}"} ${formatNumber(values[key])}`);
  };

  metric('brisk_http_requests_total', 'counter', 'Requests answered, by status code.');
  labelled('brisk_http_requests_total', 'code', s.requests);

  metric('brisk_http_request_duration_seconds', 'histogram', 'Time from the request head to the end of the response.');
  let cumulative = 0;
  DURATION_BUCKETS_SECONDS.forEach((le, i) => {
    cumulative += s.durationBuckets[i];
    out.push(`brisk_http_request_duration_seconds_bucket{le="${le}"} ${cumulative}`);
  });
  cumulative += s.durationBuckets[DURATION_BUCKETS_SECONDS.length];
  out.push(`brisk_http_request_duration_seconds_bucket{le="+Inf"} ${cumulative}`);
  out.push(`brisk_http_request_duration_seconds_sum ${formatNumber(s.durationSumSeconds)}`);
  out.push(`brisk_http_request_duration_seconds_count ${s.durationCount}`);

  metric('brisk_open_connections', 'gauge', 'Client connections open now.');
  out.push(`brisk_open_connections ${s.openConnections}`);
  metric('brisk_connections_accepted_total', 'counter', 'Client connections accepted.');
  out.push(`brisk_connections_accepted_total ${s.connectionsAccepted}`);
  metric('brisk_connections_rejected_total', 'counter', 'Client connections closed at once (limit reached or shutting down).');
  out.push(`brisk_connections_rejected_total ${s.connectionsRejected}`);
  metric('brisk_received_bytes_total', 'counter', 'Bytes read from client connections.');
  out.push(`brisk_received_bytes_total ${s.bytesReceived}`);
  metric('brisk_sent_bytes_total', 'counter', 'Bytes written to client connections.');
  out.push(`brisk_sent_bytes_total ${s.bytesSent}`);

  metric('brisk_parse_errors_total', 'counter', 'Requests refused by the parser, by error code.');
  labelled('brisk_parse_errors_total', 'code', s.parseErrors);
  metric('brisk_server_errors_total', 'counter', 'Requests the server refused (413, 417, 501 before the handler) or gave up on (a failed handler, a misused response, ...), by error code.');
  labelled('brisk_server_errors_total', 'code', s.serverErrors ?? {});
  metric('brisk_timeouts_total', 'counter', 'Connections timed out, by kind.');
  labelled('brisk_timeouts_total', 'kind', s.timeouts);
  metric('brisk_proxy_protocol_errors_total', 'counter', 'Connections refused for their PROXY protocol header, by error code.');
  labelled('brisk_proxy_protocol_errors_total', 'code', s.proxyProtocolErrors);
  metric('brisk_tls_handshake_errors_total', 'counter', 'TLS handshakes that failed.');
  out.push(`brisk_tls_handshake_errors_total ${s.tlsHandshakeErrors}`);

  metric('brisk_draining', 'gauge', 'Processes shutting down (health checks answer 503).');
  out.push(`brisk_draining ${s.draining}`);
  metric('brisk_processes', 'gauge', 'Server processes whose counts are included.');
  out.push(`brisk_processes ${s.processes}`);
  return out.join('\n') + '\n';
}
