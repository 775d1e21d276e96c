// The operations options: TLS, trusted proxies, the PROXY protocol, health and metrics endpoints,
// the access log file and the shutdown's drain phases. Separate from ServerOptions (the
// per-connection limits every Session reads); validated once, at construction.
import type { SecureContextOptions } from 'node:tls';
import { TrustList, type TrustProxySpec } from './forwarded.js';
import { requestedTransport, type TransportChoice } from '../transport/select.js';

/** PEM certificate and key (strings or Buffers), and any other node:tls secure-context option. */
export interface TlsOptions extends SecureContextOptions {
  /** Ask clients for a certificate (mutual TLS); checked against `ca` when rejectUnauthorized. */
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

export interface OpsOptions {
  /** Serve HTTPS (ALPN "http/1.1"). `reloadTls()` swaps the certificate without a restart. */
  tls?: TlsOptions;
  /**
   * Proxies whose `Forwarded` / `X-Forwarded-*` fields are believed (req.ip, req.protocol,
   * req.host) and who may send a PROXY protocol header: addresses, CIDRs, and the shorthands
   * `loopback`, `private`, `linklocal`. Off (nobody) by default.
   */
  trustProxy?: TrustProxySpec;
  /** Every connection starts with a PROXY protocol v1 or v2 header, accepted only from `trustProxy` peers. */
  proxyProtocol?: boolean;
  /** GET/HEAD here answers 200 "ok", and 503 "draining" once close() has begun. */
  healthPath?: string;
  /** GET/HEAD here answers the Prometheus text format. */
  metricsPath?: string;
  /** Access log lines go to this file (appended; reopened by reopenLogs()) instead of stdout. */
  accessLogFile?: string;
  /**
   * close() first keeps accepting for this long while the health endpoint answers 503, so that
   * load balancers take the server out before its port closes. Default 0.
   */
  drainDelayMs?: number;
  /**
   * Once the port is closed, idle keep-alive connections get this long to send one more request
   * (answered with `Connection: close`) before they are closed: closing a connection a client
   * may be reusing at that very moment is the race that fails requests. Default 0 (close at once).
   */
  idleGraceMs?: number;
  /**
   * What connections run on (docs/transport.md): 'auto' (default) the libuv transport when its
   * startup self-test passes, else net; 'libuv' or refuse to listen; 'net' only documented APIs.
   * Without it, the BRISK_TRANSPORT environment variable. TLS always runs on net.
   */
  transport?: TransportChoice;
}

export const OPS_OPTION_KEYS = [
  'tls', 'trustProxy', 'proxyProtocol', 'healthPath', 'metricsPath', 'accessLogFile', 'drainDelayMs', 'idleGraceMs', 'transport',
] as const satisfies readonly (keyof OpsOptions)[];

export interface ResolvedOps {
  readonly tls: TlsOptions | null;
  readonly trust: TrustList | null;
  readonly proxyProtocol: boolean;
  readonly healthPath: string | null;
  readonly metricsPath: string | null;
  readonly accessLogFile: string | null;
  readonly drainDelayMs: number;
  readonly idleGraceMs: number;
  readonly transport: TransportChoice;
}

function endpointPath(name: string, value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(value)) {
    throw new RangeError(`option ${name} must be an origin-form path like /healthz, got "${value}"`);
  }
  return value;
}

function duration(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`option ${name} must be an integer >= 0, got ${value}`);
  return value;
}

export function resolveOpsOptions(options: OpsOptions): ResolvedOps {
  const trust = options.trustProxy === undefined ? null : TrustList.parse(options.trustProxy);
  if (options.proxyProtocol !== undefined && typeof options.proxyProtocol !== 'boolean') {
    throw new TypeError(`option proxyProtocol must be true or false, got ${JSON.stringify(options.proxyProtocol)}`);
  }
  const proxyProtocol = options.proxyProtocol === true;
  if (proxyProtocol && (trust === null || trust.isEmpty)) {
    throw new RangeError('option proxyProtocol needs trustProxy: the addresses of the proxies allowed to send the header');
  }
  const tls = options.tls ?? null;
  if (tls !== null && tls.pfx === undefined && (tls.cert === undefined || tls.key === undefined)) {
    throw new RangeError('option tls needs cert and key (or pfx)');
  }
  const healthPath = endpointPath('healthPath', options.healthPath);
  const metricsPath = endpointPath('metricsPath', options.metricsPath);
  if (healthPath !== null && healthPath === metricsPath) throw new RangeError('options healthPath and metricsPath must differ');
  return {
    tls,
    trust: trust === null || trust.isEmpty ? null : trust,
    proxyProtocol,
    healthPath,
    metricsPath,
    accessLogFile: options.accessLogFile === undefined || options.accessLogFile === '' ? null : options.accessLogFile,
    drainDelayMs: duration('drainDelayMs', options.drainDelayMs),
    idleGraceMs: duration('idleGraceMs', options.idleGraceMs),
    transport: requestedTransport(options.transport),
  };
}
