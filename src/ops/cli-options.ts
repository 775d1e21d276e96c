// The CLI's operations flags (cluster, TLS, proxies, health, metrics, log file, drain phases):
// their table for parseArgs and --help, and turning parsed values into OpsOptions. Reading the
// certificate files happens here too, so that SIGHUP can read them again.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { OpsOptions, TlsOptions } from './ops-options.js';
import { isTransportChoice } from '../transport/select.js';

export interface OpsFlag {
  readonly flag: string;
  /** Placeholder in --help; absent for a boolean flag. */
  readonly value?: string;
  readonly help: string;
}

/** In --help order. Not ServerOptions fields, so their help says what their absence means in words. */
export const OPS_FLAGS: readonly OpsFlag[] = [
  { flag: 'workers', value: 'n|auto', help: 'worker processes via node:cluster; auto = one per core (without it: this process serves)' },
  { flag: 'cert', value: 'FILE', help: 'PEM certificate chain: serve HTTPS (with --key); reread on SIGHUP' },
  { flag: 'key', value: 'FILE', help: 'PEM private key for --cert' },
  { flag: 'trust-proxy', value: 'LIST', help: 'proxies whose Forwarded/X-Forwarded-* and PROXY headers are believed: IPs, CIDRs, loopback, private, linklocal (none without it)' },
  { flag: 'proxy-protocol', help: 'every connection starts with a PROXY v1/v2 header, accepted from --trust-proxy peers only' },
  { flag: 'health-path', value: 'PATH', help: 'answer GET PATH with 200 ok, 503 draining once shutdown began (off without it)' },
  { flag: 'metrics-path', value: 'PATH', help: 'answer GET PATH with Prometheus metrics, all workers summed (off without it)' },
  { flag: 'access-log-file', value: 'FILE', help: 'access log to FILE instead of stdout (combined if --access-log is off); reopened on SIGHUP' },
  { flag: 'drain-delay', value: 'ms', help: 'on shutdown, keep accepting this long with health at 503 first (0 without it)' },
  { flag: 'transport', value: 'auto|libuv|net', help: 'what connections run on: libuv (the TCP handle beneath net.Socket, self-tested at startup), net, or auto = libuv when its self-test passes (auto without it, or env BRISK_TRANSPORT; TLS always net)' },
  { flag: 'idle-grace', value: 'ms', help: 'on shutdown, idle keep-alive connections get this long for a last request (0 without it; 1000 when a rolling restart retires a worker)' },
];

/** parseArgs option specs for the ops flags. */
export function opsParseArgsOptions(): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(OPS_FLAGS.map((f) => [f.flag, { type: f.value === undefined ? ('boolean' as const) : ('string' as const) }]));
}

/** [left, right] rows for --help. */
export function opsUsageRows(): [string, string][] {
  return OPS_FLAGS.map((f) => [`  --${f.flag}${f.value === undefined ? '' : ' ' + f.value}`, f.help]);
}

export class OpsUsageError extends Error {}

export interface OpsInvocation {
  /** 0: no cluster, this process serves. */
  readonly workers: number;
  readonly ops: OpsOptions;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  /** Whether --idle-grace was given (a rolling restart otherwise uses its own default). */
  readonly idleGraceGiven: boolean;
}

function wholeNumber(text: string, flag: string, min: number): number {
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min) throw new OpsUsageError(`--${flag} must be a whole number >= ${min}, got "${text}"`);
  return value;
}

/** Read the ops flags out of parseArgs values. Throws OpsUsageError for a bad value. */
export function parseOpsFlags(values: Record<string, string | boolean | undefined>): OpsInvocation {
  const text = (flag: string): string | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw new OpsUsageError(`--${flag} needs a value`);
    return v;
  };
  const workersText = text('workers');
  const workers = workersText === undefined ? 0 : workersText === 'auto' ? availableParallelism() : wholeNumber(workersText, 'workers', 1);
  const certFile = text('cert');
  const keyFile = text('key');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new OpsUsageError('--cert and --key go together');
  const ops: OpsOptions = {};
  if (certFile !== undefined && keyFile !== undefined) ops.tls = readTlsFiles(certFile, keyFile);
  const trust = text('trust-proxy');
  if (trust !== undefined) ops.trustProxy = trust;
  if (values['proxy-protocol'] === true) ops.proxyProtocol = true;
  const health = text('health-path');
  if (health !== undefined) ops.healthPath = health;
  const metrics = text('metrics-path');
  if (metrics !== undefined) ops.metricsPath = metrics;
  const logFile = text('access-log-file');
  if (logFile !== undefined && logFile !== '-') ops.accessLogFile = logFile;
  const drain = text('drain-delay');
  if (drain !== undefined) ops.drainDelayMs = wholeNumber(drain, 'drain-delay', 0);
  const grace = text('idle-grace');
  if (grace !== undefined) ops.idleGraceMs = wholeNumber(grace, 'idle-grace', 0);
  const transport = text('transport');
  if (transport !== undefined) {
    if (!isTransportChoice(transport)) throw new OpsUsageError(`--transport must be auto, libuv or net, got "${transport}"`);
    ops.transport = transport;
  }
  return { workers, ops, certFile, keyFile, idleGraceGiven: grace !== undefined };
}

/** The PEM files as TlsOptions (read now: a missing file is a usage error, not a crash later). */
export function readTlsFiles(certFile: string, keyFile: string): TlsOptions {
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (error) {
    throw new OpsUsageError(`cannot read the TLS certificate or key: ${(error as Error).message}`);
  }
}
