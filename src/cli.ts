#!/usr/bin/env node
// The `brisk` command: parse flags and HOST/PORT, import the app module, listen, and shut down
// gracefully on SIGTERM/SIGINT. Uses only the public API; every option's default comes from
// DEFAULT_SERVER_OPTIONS so that --help never drifts from the server. With --workers, this
// process becomes the cluster primary (src/cluster.ts) and each worker runs this same file.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer, fromNodeListener, toBriskHandler, type BriskApp, type BriskServerOptions, type FetchHandlerOptions, type Handler, type ServerOptions, type UpgradeHandler } from './index.js';
import { attachWorker, runPrimary } from './ops/cluster.js';
import { OpsUsageError, opsParseArgsOptions, opsUsageRows, parseOpsFlags, readTlsFiles, type OpsInvocation } from './ops/cli-options.js';
import { resolveOpsOptions } from './ops/ops-options.js';
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from './server/options.js';

/** Exit status for bad usage (a flag, a number, a module that is not an app). */
const EXIT_USAGE = 2;

type OptionKey = Exclude<keyof ServerOptions, 'log'>;

interface CliOption {
  readonly flag: string;
  readonly help: string;
  /** Allowed words for an enum option; absent for numbers and the host. */
  readonly choices?: readonly string[];
  /** Smallest number accepted (numbers only). */
  readonly min?: number;
  /** Largest number accepted (numbers only). */
  readonly max?: number;
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
}

/**
 * Every ServerOptions field and its flag, in --help order. Keyed by the field, so a new server
 * option does not compile until it has a flag here.
 */
const CLI_OPTIONS: { readonly [K in OptionKey]: CliOption } = {
  host: { flag: 'host', env: 'HOST', help: 'address to listen on' },
  port: { flag: 'port', env: 'PORT', min: 0, max: 65535, help: 'TCP port (0 = any free port)' },
  logLevel: { flag: 'log', choices: ['silent', 'error', 'info', 'debug'], help: 'log level' },
  accessLog: { flag: 'access-log', choices: ['off', 'common', 'combined', 'json'], help: 'access log format' },
  headersTimeoutMs: { flag: 'headers-timeout', min: 1, help: 'ms for a whole request head (then 408)' },
  bodyIdleTimeoutMs: { flag: 'body-idle-timeout', min: 1, help: 'ms between request body pieces (then 408)' },
  bodyMinBytesPerSecond: { flag: 'body-min-rate', min: 0, help: 'minimum request body bytes/s (0 = off)' },
  keepAliveTimeoutMs: { flag: 'keep-alive-timeout', min: 1, help: 'ms an idle keep-alive connection lives' },
  writeTimeoutMs: { flag: 'write-timeout', min: 1, help: 'ms a response write may make no progress' },
  shutdownTimeoutMs: { flag: 'shutdown-timeout', min: 1, help: 'ms in-flight requests get on SIGTERM/SIGINT' },
  maxBodyBytes: { flag: 'max-body-bytes', min: 1, help: 'body bytes for req.bytes/text/json (then 413)' },
  maxRequestBodyBytes: { flag: 'max-request-body-bytes', min: 1, help: 'request body bytes for any handler (then 413, before the handler for a Content-Length)' },
  maxDrainBytes: { flag: 'max-drain-bytes', min: 1, help: 'unread body bytes drained to keep a connection' },
  maxConnections: { flag: 'max-connections', min: 1, help: 'open connections' },
  maxPipelinedRequests: { flag: 'max-pipelined', min: 1, help: 'pipelined requests buffered per connection' },
  maxTargetBytes: { flag: 'max-target-bytes', min: 1, help: 'request-target bytes (then 414)' },
  maxHeadBytes: { flag: 'max-head-bytes', min: 1, help: 'request head bytes (then 431)' },
  maxHeaderCount: { flag: 'max-header-count', min: 1, help: 'header fields (then 431)' },
  maxChunkExtensionBytes: { flag: 'max-chunk-extension-bytes', min: 1, help: 'chunk extension bytes (then 400)' },
};

const CLI_ENTRIES = Object.entries(CLI_OPTIONS) as [OptionKey, CliOption][];

class UsageError extends Error {}

function usage(): string {
  const rows = CLI_ENTRIES.map(([key, option]) => {
    const value = option.choices ? option.choices.join('|') : option.min === undefined ? 'H' : 'n';
    const env = option.env ? `, env ${option.env}` : '';
    return [`  --${option.flag} ${value}`, `${option.help} (default: ${DEFAULT_SERVER_OPTIONS[key]}${env})`];
  });
  const opsRows = opsUsageRows();
  rows.push(['  --help', 'print this help and exit'], ['  --version', 'print the version and exit']);
  const width = Math.max(...rows.map(([left]) => left.length), ...opsRows.map(([left]) => left.length)) + 2;
  return [
    'Usage: brisk [app-module] [options]',
    '',
    'Serves the default export (a handler function, a Router, an object with a Web-standard',
    'fetch(request) method, e.g. a Hono app, or an Express / Connect / Koa app) of app-module,',
    'or its named export `listener` (a node:http (req, res) listener), a path relative to the',
    'current directory; without one, the built-in demo. A named export `upgrade` (e.g.',
    'webSocketUpgrade(...)) takes over the sockets of Upgrade requests. A .ts module runs',
    'as it is on Node 22.18+ (Node strips the types).',
    '',
    'Options:',
    ...rows.map(([left, right]) => left.padEnd(width) + right),
    '',
    'Operations (docs/deployment.md):',
    ...opsRows.map(([left, right]) => left.padEnd(width) + right),
    '',
    'Signals: SIGTERM and SIGINT drain and exit (a second one exits at once); SIGHUP rereads',
    'the certificate and reopens the access log file, and with --workers restarts the workers',
    'one at a time with fresh code.',
    '',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function parseValue(option: CliOption, text: string, source: string): string | number {
  if (option.choices) {
    if (!option.choices.includes(text)) {
      throw new UsageError(`${source} must be one of ${option.choices.join(', ')}, got "${text}"`);
    }
    return text;
  }
  if (option.min === undefined) {
    if (text === '') throw new UsageError(`${source} must not be empty`);
    return text;
  }
  const value = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  const max = option.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < option.min || value > max) {
    throw new UsageError(`${source} must be a whole number from ${option.min} to ${max}, got "${text}"`);
  }
  return value;
}

interface Invocation {
  readonly appModule: string | undefined;
  readonly options: Partial<ServerOptions>;
  readonly ops: OpsInvocation;
  readonly action: 'serve' | 'help' | 'version';
}

const NO_OPS: OpsInvocation = { workers: 0, ops: {}, certFile: undefined, keyFile: undefined, idleGraceGiven: false };

function parseInvocation(args: readonly string[], env: NodeJS.ProcessEnv): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(CLI_ENTRIES.map(([, option]) => [option.flag, { type: 'string' as const }])),
        ...opsParseArgsOptions(),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals } = parsed;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { appModule: undefined, options: {}, ops: NO_OPS, action: 'help' };
  if (values.version) return { appModule: undefined, options: {}, ops: NO_OPS, action: 'version' };
  if (positionals.length > 1) throw new UsageError(`expected at most one app module, got ${positionals.join(' ')}`);

  const options: Record<string, string | number> = {};
  for (const [key, option] of CLI_ENTRIES) {
    const flagValue = values[option.flag];
    const envValue = option.env === undefined ? undefined : env[option.env];
    if (typeof flagValue === 'string') {
      options[key] = parseValue(option, flagValue, `--${option.flag}`);
    } else if (envValue !== undefined && envValue !== '') {
      options[key] = parseValue(option, envValue, option.env as string);
    }
  }
  let ops: OpsInvocation;
  try {
    ops = parseOpsFlags(values);
  } catch (error) {
    if (error instanceof OpsUsageError) throw new UsageError(error.message);
    throw error;
  }
  return { appModule: positionals[0], options: options as Partial<ServerOptions>, ops, action: 'serve' };
}

/** An app module's optional `upgrade` export; webSocketUpgrade's also has close() for shutdown. */
type AppUpgrade = UpgradeHandler & { close?: (options?: { timeoutMs?: number }) => Promise<void> };

interface LoadedApp {
  readonly handler: Handler;
  readonly upgrade: AppUpgrade | undefined;
}

/**
 * A `.ts` / `.mts` / `.cts` app module is imported as it is where Node strips types by itself
 * (on by default from 22.18, 23.6; `process.features.typescript` is then 'strip' or 'transform',
 * and false when turned off or only behind a flag); elsewhere say what to do instead of failing
 * inside import() with ERR_UNKNOWN_FILE_EXTENSION.
 */
function checkTypeScriptSupport(appModule: string): void {
  if (!/\.[cm]?ts$/i.test(appModule)) return;
  const typescript = (process.features as { typescript?: string | false }).typescript;
  if (typeof typescript === 'string' && typescript !== '') return;
  throw new UsageError(`brisk ${appModule} needs Node 22.18+ (it strips TypeScript types; this is ${process.version}); compile it or run a newer Node`);
}

async function loadApp(appModule: string | undefined): Promise<LoadedApp> {
  if (appModule !== undefined) checkTypeScriptSupport(appModule);
  const url =
    appModule === undefined
      ? new URL('../examples/demo/app.js', import.meta.url).href
      : pathToFileURL(resolve(process.cwd(), appModule)).href;
  const module = (await import(url)) as { default?: unknown; upgrade?: unknown; listener?: unknown; fetchOptions?: FetchHandlerOptions };
  let handler: Handler;
  try {
    // A named `listener` export is a node:http (req, res) listener (docs/node-compat.md); else the
    // default export: a handler, a Router, a fetch app (Hono, ...), or an Express / Connect / Koa app.
    // A named export `fetchOptions` configures a fetch app (e.g. { fastResponse: false }).
    handler = module.listener !== undefined ? fromNodeListener(module.listener as never) : toBriskHandler(module.default as BriskApp, module.fetchOptions);
  } catch {
    throw new UsageError(`${appModule ?? url} has no default export that is a handler, a Router, an object with fetch() or an Express/Koa app, nor a "listener" export`);
  }
  if (module.upgrade !== undefined && typeof module.upgrade !== 'function') {
    throw new UsageError(`${appModule ?? url} exports an "upgrade" that is not an upgrade handler function`);
  }
  return { handler, upgrade: module.upgrade as AppUpgrade | undefined };
}

function formatOrigin(host: string, port: number, secure: boolean): string {
  const scheme = secure ? 'https' : 'http';
  return host.includes(':') ? `${scheme}://[${host}]:${port}` : `${scheme}://${host}:${port}`;
}

function createServerOrExplain(app: LoadedApp, options: BriskServerOptions): ReturnType<typeof createServer> {
  try {
    return createServer(app.handler, app.upgrade === undefined ? options : { ...options, onUpgrade: app.upgrade });
  } catch (error) {
    // The server validates what the flags alone cannot (its RangeError names the field).
    throw new UsageError((error as Error).message);
  }
}

/**
 * Idle keep-alive connections of a worker the primary retires get this long to send one more
 * request (answered with Connection: close) before they are closed, unless --idle-grace says
 * otherwise: closing a connection under a client that is reusing it fails that request, and a
 * busy client sends its next request well within a second. Arbitrary.
 */
const RETIRE_IDLE_GRACE_MS = 1_000;

/** How long the primary waits for a draining worker before killing it (its own deadlines plus a margin). */
function workerStopMs(options: ServerOptions, invocation: OpsInvocation): number {
  const { drainDelayMs = 0, idleGraceMs = RETIRE_IDLE_GRACE_MS } = invocation.ops;
  return drainDelayMs + idleGraceMs + options.shutdownTimeoutMs + 2_000;
}

function startPrimary(invocation: Invocation, options: ServerOptions): void {
  try {
    // Validate here what the workers would refuse, so a typo is one message, not a crash loop.
    resolveServerOptions(options);
    resolveOpsOptions(invocation.ops.ops);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const secure = invocation.ops.certFile !== undefined;
  runPrimary({
    workers: invocation.ops.workers,
    workerStopMs: workerStopMs(options, invocation.ops),
    onListening: (address, workers) =>
      process.stdout.write(`brisk listening on ${formatOrigin(address.host, address.port, secure)} (${workers} workers, primary pid ${process.pid})\n`),
    log: (line) => process.stderr.write(`brisk: ${line}\n`),
  });
}

async function main(): Promise<void> {
  const invocation = parseInvocation(process.argv.slice(2), process.env);
  if (invocation.action === 'help') return void process.stdout.write(usage());
  if (invocation.action === 'version') return void process.stdout.write(version() + '\n');

  const options = { ...DEFAULT_SERVER_OPTIONS, ...invocation.options };
  const ops = invocation.ops;
  if (ops.workers > 0 && cluster.isPrimary) return startPrimary(invocation, options);

  const app = await loadApp(invocation.appModule);
  const server = createServerOrExplain(app, { ...options, ...ops.ops });
  const tag = cluster.isWorker ? `brisk[worker ${cluster.worker?.id}]` : 'brisk';
  let stopping = false;
  const shutdown = (why: string, idleGraceMs?: number): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${tag}: ${why}, closing (up to ${options.shutdownTimeoutMs} ms)\n`);
    // Upgraded connections (WebSockets) left the server's books: their handler closes them.
    Promise.all([
      server.close({ timeoutMs: options.shutdownTimeoutMs, idleGraceMs }),
      app.upgrade?.close?.({ timeoutMs: options.shutdownTimeoutMs }),
    ]).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${tag}: error while closing: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // Installed before listening, so a signal that follows the "listening" line is always ours.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`${tag}: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => reloadFiles(server, ops, tag));
  if (cluster.isWorker) {
    attachWorker(server, { shutdown: () => shutdown('asked to drain', ops.idleGraceGiven ? undefined : RETIRE_IDLE_GRACE_MS) });
  }

  const address = await server.listen(options.port, options.host);
  process.stderr.write(`${tag}: transport: ${server.transport}\n`);
  // A worker's listening is reported by the primary, once for all.
  if (!cluster.isWorker) process.stdout.write(`brisk listening on ${formatOrigin(address.host, address.port, server.secure)}\n`);
}

/** SIGHUP in a serving process: reread the certificate and key, reopen the access log file. */
function reloadFiles(server: ReturnType<typeof createServer>, ops: OpsInvocation, tag: string): void {
  server.reopenLogs();
  if (ops.certFile === undefined || ops.keyFile === undefined) return;
  try {
    server.reloadTls(readTlsFiles(ops.certFile, ops.keyFile));
    process.stderr.write(`${tag}: SIGHUP, reloaded the certificate from ${ops.certFile}\n`);
  } catch (error) {
    process.stderr.write(`${tag}: SIGHUP, kept the old certificate: ${(error as Error).message}\n`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`brisk: ${error.message}\nRun "brisk --help" for the options.\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`brisk: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
