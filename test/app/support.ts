// Shared by the static-file and compression tests: a brisk server on an ephemeral port and a
// one-request raw-socket exchange (exact request bytes out, the parsed response back), so no
// client normalises targets or decompresses bodies behind the test's back.
import { createServer, type Handler, type Server } from '../../src/core.js';
import { RawClient, request } from '../helpers/raw-client.js';
import type { ParsedResponse } from '../helpers/http-response.js';

export interface App {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function startApp(handler: Handler): Promise<App> {
  const server = createServer(handler, { port: 0, logLevel: 'silent' });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, close: () => server.close({ timeoutMs: 500 }) };
}

/** Send one request (target and fields verbatim) on a fresh connection and read its response. */
export async function exchange(
  port: number,
  target: string,
  fields: Record<string, string> = {},
  method = 'GET',
): Promise<ParsedResponse> {
  const client = await RawClient.connect(port);
  try {
    const lines = [`${method} ${target} HTTP/1.1`, 'Host: localhost'];
    for (const [name, value] of Object.entries(fields)) lines.push(`${name}: ${value}`);
    await client.write(request(lines));
    return await client.readResponse({ method, timeoutMs: 10_000 });
  } finally {
    client.destroy();
  }
}

