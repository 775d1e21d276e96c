// Start a brisk server (or the demo app) in this process on 127.0.0.1 and an ephemeral port, for
// tests; and the shape of the demo's /echo answer.
import { createServer, type Handler, type ServerOptions } from '../../src/index.js';
import demoApp from '../../examples/demo/app.js';

export interface LogLine {
  readonly line: string;
  readonly level: 'error' | 'info' | 'debug';
}

export interface TestServer {
  readonly server: ReturnType<typeof createServer>;
  readonly port: number;
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  /** Log lines the server emitted (the server is built with a capturing `log` sink). */
  readonly logs: LogLine[];
  /** Graceful close (default grace period 1 s); safe to call again, later calls share the first. */
  close(timeoutMs?: number): Promise<void>;
}

export async function startServer(handler: Handler, options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const logs: LogLine[] = [];
  const server = createServer(handler, {
    logLevel: 'error',
    log: (line, level) => logs.push({ line, level }),
    ...options,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    logs,
    close: (timeoutMs = 1_000) => (closing ??= server.close({ timeoutMs })),
  };
}

/** The demo app (examples/demo/app.ts) on an ephemeral port. */
export function startDemo(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  return startServer(demoApp, options);
}

/** The demo's /echo answer: the request as brisk parsed it, and a digest of its body. */
export interface DemoEcho {
  method: string;
  target: string;
  headers: [string, string][];
  bodyLength: number;
  bodySha256: string;
}

/** Reject after ms: race a promise against it to bound a wait. */
export function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
