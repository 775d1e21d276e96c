// The same node:http app on node:http and on brisk, the same request bytes to both, and the two
// answers compared: that comparison is what the Express and Koa tests assert.
//
// Compared: status, framing (length / chunked / close), every header field except
// those in EXCLUDED (names lower-cased; order of different names ignored, since RFC 9110 §5.3
// makes it insignificant and brisk places its framing fields itself; order of repeated names is
// kept), and the body byte for byte.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, fromNodeListener, type Server } from '../../src/index.js';
import type { NodeRequestListener } from '../../src/node-compat/index.js';
import { RawClient } from '../helpers/raw-client.js';
import type { ParsedResponse } from '../helpers/http-response.js';

/**
 * Fields whose values legitimately differ between the two servers:
 *   date        the clock (each server stamps its own second);
 *   keep-alive  the announced idle timeout: node:http's 5 s against brisk's 65 s (a documented
 *               difference: brisk's outlives load balancers' 60 s).
 */
export const EXCLUDED = new Set(['date', 'keep-alive']);

export interface Pair {
  readonly nodePort: number;
  readonly briskPort: number;
  readonly brisk: Server;
  close(): Promise<void>;
}

export async function startBoth(listener: NodeRequestListener): Promise<Pair> {
  const nodeServer = http.createServer(listener as http.RequestListener);
  await new Promise<void>((resolve) => nodeServer.listen(0, '127.0.0.1', resolve));
  const brisk = createServer(fromNodeListener(listener), { logLevel: 'silent' });
  const { port: briskPort } = await brisk.listen(0, '127.0.0.1');
  return {
    nodePort: (nodeServer.address() as AddressInfo).port,
    briskPort,
    brisk,
    async close() {
      nodeServer.closeAllConnections();
      await new Promise<void>((resolve) => nodeServer.close(() => resolve()));
      await brisk.close({ timeoutMs: 500 });
    },
  };
}

export interface RawRequest {
  readonly method?: string;
  readonly target: string;
  readonly headers?: readonly [string, string][];
  readonly body?: string | Buffer;
}

export function requestBytes(r: RawRequest): Buffer {
  const method = r.method ?? 'GET';
  const lines = [`${method} ${r.target} HTTP/1.1`, 'Host: localhost'];
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  for (const [name, value] of r.headers ?? []) lines.push(`${name}: ${value}`);
  if (body !== undefined && !(r.headers ?? []).some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))) {
    lines.push(`Content-Length: ${body.length}`);
  }
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}

export async function send(port: number, r: RawRequest, timeoutMs = 10_000): Promise<ParsedResponse> {
  const client = await RawClient.connect(port);
  try {
    await client.write(requestBytes(r));
    return await client.readResponse({ method: r.method ?? 'GET', timeoutMs });
  } finally {
    client.destroy();
  }
}

export interface Comparable {
  status: number;
  framing: string;
  headers: [string, string][];
  body: string;
}

export function comparable(response: ParsedResponse): Comparable {
  const headers = response.headers
    .map(([name, value]) => [name.toLowerCase(), value] as [string, string])
    .filter(([name]) => !EXCLUDED.has(name));
  // Stable sort by name: repeated fields keep their order.
  headers.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const body = response.body;
  const printable = body.every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f));
  return {
    status: response.status,
    framing: response.framing,
    headers,
    body: printable && body.length < 4096 ? body.toString('latin1') : `${body.length} bytes, base64 ${body.toString('base64').slice(0, 64)}… sha ${sha(body)}`,
  };
}

import { createHash } from 'node:crypto';
function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export interface SameOptions {
  /**
   * The one framing difference: the app called writeHead() and then end(body). node:http has
   * serialised its head at writeHead and must stream (chunked); brisk sends nothing before
   * end(), so it knows the length and sends Content-Length. Everything else must still match.
   */
  readonly briskKnowsLength?: boolean;
  /**
   * HEAD answered with end(body): brisk announces the body's length, as the GET would have it;
   * node:http sends no Content-Length. Content-Length is then left out of the comparison.
   */
  readonly headAnnouncesLength?: boolean;
}

const FRAMING_FIELDS = new Set(['content-length', 'transfer-encoding']);

/** Send `r` to both servers; assert the answers match; return brisk's. */
export async function assertSame(pair: Pair, r: RawRequest, what = `${r.method ?? 'GET'} ${r.target}`, options: SameOptions = {}): Promise<ParsedResponse> {
  const fromNode = await send(pair.nodePort, r);
  const fromBrisk = await send(pair.briskPort, r);
  const a = comparable(fromBrisk);
  const b = comparable(fromNode);
  if (options.briskKnowsLength === true) {
    assert.equal(b.framing, 'chunked', `${what}: node:http streams it`);
    assert.equal(a.framing, 'length', `${what}: brisk sends Content-Length`);
    for (const c of [a, b]) {
      c.framing = '';
      c.headers = c.headers.filter(([name]) => !FRAMING_FIELDS.has(name));
    }
  }
  if (options.headAnnouncesLength === true) {
    for (const c of [a, b]) c.headers = c.headers.filter(([name]) => name !== 'content-length');
  }
  assert.deepEqual(a, b, `${what}: brisk's answer differs from node:http's`);
  assert.ok(fromBrisk.body.equals(fromNode.body), `${what}: bodies differ`);
  return fromBrisk;
}
