// ServerOptions: every limit and timeout with its strict default, validated once at construction.
// README.md documents each default and why.
import { DEFAULT_PARSER_LIMITS, type ParserLimits } from '../parser/options.js';

export type LogLevel = 'silent' | 'error' | 'info' | 'debug';
export type AccessLogFormat = 'off' | 'common' | 'combined' | 'json';

export interface ServerOptions extends ParserLimits {
  host: string;
  port: number;
  /** Body bytes the helpers (bytes/text/json) accept before 413. */
  maxBodyBytes: number;
  /**
   * One server-wide request-body limit for every handler style (Bun's maxRequestBodySize): a
   * larger Content-Length is answered 413 before the handler runs; a chunked body growing past
   * it fails the body stream with ServerError ERR_BODY_TOO_LARGE (413).
   */
  maxRequestBodyBytes: number;
  /** Unread request body drained after a response so the connection can be reused; past it, close. */
  maxDrainBytes: number;
  /** Open connections; past it new sockets are closed at once. */
  maxConnections: number;
  /** Requests answered per read before the socket is paused until responses flush. */
  maxPipelinedRequests: number;
  /** The whole request head must arrive within this (slowloris), else 408. */
  headersTimeoutMs: number;
  /** Longest pause between two pieces of a request body, else 408. */
  bodyIdleTimeoutMs: number;
  /** Minimum average request-body rate in bytes/s, checked after the first idle window. 0 disables. */
  bodyMinBytesPerSecond: number;
  /** Idle keep-alive connection lifetime; announced as `Keep-Alive: timeout=`. */
  keepAliveTimeoutMs: number;
  /** A response write that makes no progress for this long aborts the connection. */
  writeTimeoutMs: number;
  /** Grace period for close(): after it, remaining connections are destroyed. */
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  accessLog: AccessLogFormat;
  /** Where log lines go (default: errors to stderr, the rest to stdout). */
  log?: (line: string, level: 'error' | 'info' | 'debug') => void;
}

export const DEFAULT_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({
  ...DEFAULT_PARSER_LIMITS,
  host: '127.0.0.1',
  port: 5000,
  maxBodyBytes: 1024 * 1024,
  maxRequestBodyBytes: 128 * 1024 * 1024,
  maxDrainBytes: 256 * 1024,
  maxConnections: 10_000,
  maxPipelinedRequests: 64,
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 30_000,
  bodyMinBytesPerSecond: 1024,
  keepAliveTimeoutMs: 65_000,
  writeTimeoutMs: 30_000,
  shutdownTimeoutMs: 10_000,
  logLevel: 'error' as LogLevel,
  accessLog: 'off' as AccessLogFormat,
});

const NUMERIC_OPTIONS = [
  'port', 'maxTargetBytes', 'maxHeadBytes', 'maxHeaderCount', 'maxChunkExtensionBytes', 'maxBodyBytes',
  'maxRequestBodyBytes', 'maxDrainBytes', 'maxConnections', 'maxPipelinedRequests', 'headersTimeoutMs', 'bodyIdleTimeoutMs',
  'bodyMinBytesPerSecond', 'keepAliveTimeoutMs', 'writeTimeoutMs', 'shutdownTimeoutMs',
] as const;

/** Fill in defaults and refuse nonsense once, at construction. */
export function resolveServerOptions(partial: Partial<ServerOptions> = {}): ServerOptions {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of NUMERIC_OPTIONS) {
    const value = options[key];
    const min = key === 'port' || key === 'bodyMinBytesPerSecond' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`option ${key} must be an integer >= ${min}, got ${value}`);
  }
  if (options.port > 65535) throw new RangeError(`option port must be <= 65535, got ${options.port}`);
  if (!['silent', 'error', 'info', 'debug'].includes(options.logLevel)) throw new RangeError(`option logLevel: unknown level ${options.logLevel}`);
  if (!['off', 'common', 'combined', 'json'].includes(options.accessLog)) throw new RangeError(`option accessLog: unknown format ${options.accessLog}`);
  // Checked here, not found out on the first bad request (the error path logs).
  if (options.log !== undefined && typeof options.log !== 'function') {
    throw new TypeError(`option log must be a function (line, level), got ${typeof options.log}; logLevel: 'silent' turns logging off`);
  }
  if (typeof options.host !== 'string') throw new TypeError(`option host must be a string, got ${typeof options.host}`);
  return options;
}
