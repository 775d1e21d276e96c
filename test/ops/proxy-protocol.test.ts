// The PROXY protocol: the pure parser as a table of byte strings (each also fed one byte at a
// time: every prefix must be "needs-more" or the same early error), then over real sockets:
// the client's address reaches req.remoteAddress, bytes after the header are the request,
// untrusted peers, garbage and a silent peer are refused, and PROXY in front of TLS.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { parseProxyHeader, type ProxyHeaderResult } from '../../src/ops/proxy-protocol.js';
import { RawClient } from '../helpers/raw-client.js';
import { hasExecutable, makeCertificate, startOpsServer, tempDir, type OpsServer } from './support.js';

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

interface V2Fields {
  version?: number;
  command?: number;
  family?: number;
  transport?: number;
  addresses?: number[];
  tlvs?: number[];
  /** Override the length field. */
  length?: number;
}

function v2(fields: V2Fields): Buffer {
  const body = [...(fields.addresses ?? []), ...(fields.tlvs ?? [])];
  const length = fields.length ?? body.length;
  return Buffer.from([
    ...SIGNATURE,
    ((fields.version ?? 2) << 4) | (fields.command ?? 1),
    ((fields.family ?? 1) << 4) | (fields.transport ?? 1),
    length >> 8,
    length & 0xff,
    ...body,
  ]);
}

const port = (p: number) => [p >> 8, p & 0xff];
const INET = (src: number[], dst: number[], sport: number, dport: number) => [...src, ...dst, ...port(sport), ...port(dport)];
const INET6 = (src: number[], dst: number[], sport: number, dport: number) => [...src, ...dst, ...port(sport), ...port(dport)];
const V6_DOC = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07];
const V6_LOOP = [...new Array(15).fill(0), 1];

type Expect = { done: [version: 1 | 2, address: string | null, port: number, consumed: number] } | { error: string } | 'needs-more';

const TABLE: [name: string, bytes: Buffer, expect: Expect][] = [
  ['v1 TCP4', Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n'), { done: [1, '192.0.2.1', 56324, 45] }],
  ['v1 TCP6', Buffer.from('PROXY TCP6 2001:db8::7 2001:db8::1 4000 80\r\n'), { done: [1, '2001:db8::7', 4000, 44] }],
  ['v1 TCP6 written in full is normalised', Buffer.from('PROXY TCP6 2001:0db8:0000:0000:0000:0000:0000:0007 ::1 1 2\r\n'), { done: [1, '2001:db8::7', 1, 60] }],
  ['v1 UNKNOWN: use the socket', Buffer.from('PROXY UNKNOWN\r\n'), { done: [1, null, 0, 15] }],
  ['v1 UNKNOWN with addresses ignored', Buffer.from('PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n'), { done: [1, null, 0, 59] }],
  ['v1 followed by the request', Buffer.from('PROXY TCP4 10.1.2.3 10.0.0.1 1 2\r\nGET / HTTP/1.1\r\n'), { done: [1, '10.1.2.3', 1, 34] }],
  ['v1 port 0 and 65535', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 0 65535\r\n'), { done: [1, '1.2.3.4', 0, 36] }],
  ['v1 longest line (107 bytes)', Buffer.from('PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n'), { done: [1, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 65535, 104] }],
  ['v1 incomplete', Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.1 5'), 'needs-more'],
  ['v1 no CRLF within 107 bytes', Buffer.from('PROXY UNKNOWN ' + 'x'.repeat(100)), { error: 'V1_LINE_TOO_LONG' }],
  ['v1 LF without CR', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n'), { error: 'V1_MALFORMED' }],
  ['v1 protocol TCP5', Buffer.from('PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n'), { error: 'V1_INVALID_PROTOCOL' }],
  ['v1 lower-case protocol', Buffer.from('PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n'), { error: 'V1_INVALID_PROTOCOL' }],
  ['v1 IPv6 address in TCP4', Buffer.from('PROXY TCP4 ::1 5.6.7.8 1 2\r\n'), { error: 'V1_INVALID_ADDRESS' }],
  ['v1 IPv4 address in TCP6', Buffer.from('PROXY TCP6 1.2.3.4 ::1 1 2\r\n'), { error: 'V1_INVALID_ADDRESS' }],
  ['v1 address with a leading zero', Buffer.from('PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n'), { error: 'V1_INVALID_ADDRESS' }],
  ['v1 port 65536', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n'), { error: 'V1_INVALID_PORT' }],
  ['v1 port with a leading zero', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n'), { error: 'V1_INVALID_PORT' }],
  ['v1 two spaces', Buffer.from('PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n'), { error: 'V1_MALFORMED' }],
  ['v1 missing port', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'), { error: 'V1_MALFORMED' }],
  ['v1 trailing field', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n'), { error: 'V1_MALFORMED' }],
  ['not PROXY: an HTTP request', Buffer.from('GET / HTTP/1.1\r\n\r\n'), { error: 'INVALID_SIGNATURE' }],
  ['not PROXY: "PROXZ"', Buffer.from('PROXZ TCP4'), { error: 'INVALID_SIGNATURE' }],
  ['not PROXY: a TLS ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5]), { error: 'INVALID_SIGNATURE' }],
  ['v2 PROXY TCP4', v2({ addresses: INET([192, 0, 2, 1], [10, 0, 0, 1], 56324, 443) }), { done: [2, '192.0.2.1', 56324, 28] }],
  ['v2 PROXY TCP6', v2({ family: 2, addresses: INET6(V6_DOC, V6_LOOP, 4711, 80) }), { done: [2, '2001:db8::7', 4711, 52] }],
  ['v2 TCP4 with TLVs (skipped)', v2({ addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2), tlvs: [0x01, 0, 2, 0x68, 0x32, 0x04, 0, 0] }), { done: [2, '1.2.3.4', 1, 36] }],
  ['v2 LOCAL (health check): use the socket', v2({ command: 0, family: 0, transport: 0 }), { done: [2, null, 0, 16] }],
  ['v2 LOCAL with an address block, ignored', v2({ command: 0, addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }), { done: [2, null, 0, 28] }],
  ['v2 PROXY UNSPEC: use the socket', v2({ family: 0, transport: 0 }), { done: [2, null, 0, 16] }],
  ['v2 PROXY UNIX stream: use the socket', v2({ family: 3, addresses: new Array(216).fill(0) }), { done: [2, null, 0, 232] }],
  ['v2 incomplete fixed part', v2({ addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }).subarray(0, 14), 'needs-more'],
  ['v2 incomplete addresses', v2({ addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }).subarray(0, 20), 'needs-more'],
  ['v2 version 1', v2({ version: 1, addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }), { error: 'V2_INVALID_VERSION' }],
  ['v2 command 2', v2({ command: 2, addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }), { error: 'V2_INVALID_COMMAND' }],
  ['v2 UDP (DGRAM)', v2({ transport: 2, addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }), { error: 'V2_UNSUPPORTED_TRANSPORT' }],
  ['v2 family 4', v2({ family: 4, addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }), { error: 'V2_UNSUPPORTED_TRANSPORT' }],
  ['v2 TCP4 with a short address block', v2({ addresses: [1, 2, 3, 4, 5, 6, 7, 8, 0, 1] }), { error: 'V2_ADDRESS_TOO_SHORT' }],
  ['v2 TCP6 with a TCP4-sized block', v2({ family: 2, addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2) }), { error: 'V2_ADDRESS_TOO_SHORT' }],
  ['v2 TLV overrunning the header', v2({ addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2), tlvs: [0x01, 0, 9, 0x68] }), { error: 'V2_INVALID_TLV' }],
  ['v2 truncated TLV header', v2({ addresses: INET([1, 2, 3, 4], [5, 6, 7, 8], 1, 2), tlvs: [0x01, 0] }), { error: 'V2_INVALID_TLV' }],
  ['v2 longer than allowed', v2({ length: 4000 }), { error: 'V2_HEADER_TOO_LONG' }],
  ['v2 signature broken at byte 7', Buffer.from([...SIGNATURE.slice(0, 6), 0x0b, ...SIGNATURE.slice(7), 0x21, 0x11, 0, 0]), { error: 'INVALID_SIGNATURE' }],
];

function summarize(result: ProxyHeaderResult): Expect {
  if (result.status === 'needs-more') return 'needs-more';
  if (result.status === 'error') return { error: result.code };
  return { done: [result.version, result.origin?.remoteAddress ?? null, result.origin?.remotePort ?? 0, result.consumed] };
}

describe('parseProxyHeader', () => {
  for (const [name, bytes, expected] of TABLE) {
    it(name, () => {
      assert.deepEqual(summarize(parseProxyHeader(bytes)), expected);
    });
    it(`${name}: fed one byte at a time`, () => {
      // Every proper prefix is needs-more, or already the final error: never a different answer.
      for (let n = 1; n < bytes.length; n++) {
        const partial = summarize(parseProxyHeader(bytes.subarray(0, n)));
        if (partial === 'needs-more') continue;
        if ('done' in partial) {
          assert.ok('done' in (expected as object), `prefix of ${n} bytes finished early`);
          assert.deepEqual(partial, expected);
          return;
        }
        assert.deepEqual(partial, expected, `prefix of ${n} bytes`);
        return;
      }
    });
  }

  it('the empty buffer needs more', () => assert.deepEqual(parseProxyHeader(Buffer.alloc(0)), { status: 'needs-more' }));
});

/** Send `bytes` (in pieces), read until the server closes; returns the text and how the socket ended. */
async function exchange(port: number, pieces: (Buffer | string)[], gapMs = 0): Promise<{ text: string; closed: boolean }> {
  const client = await RawClient.connect(port);
  for (const piece of pieces) {
    client.socket.write(piece);
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  const bytes = await client.readUntilClose(5_000);
  return { text: bytes.toString('latin1'), closed: true };
}

describe('PROXY protocol over a socket', () => {
  let server: OpsServer;
  before(async () => {
    server = await startOpsServer(
      (req, res) => {
        res.setHeader('Content-Type', 'text/plain');
        res.end(`${req.remoteAddress} ${req.remotePort} ${req.ip} ${req.method} ${req.target}\n`);
      },
      { proxyProtocol: true, trustProxy: 'loopback', headersTimeoutMs: 400, metricsPath: '/metrics' },
    );
  });
  after(() => server.close());

  it('v1: the client address reaches the handler; the rest of the first read is the request', async () => {
    const { text } = await exchange(server.port, ['PROXY TCP4 198.51.100.7 10.0.0.1 40000 80\r\nGET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.match(text, /198\.51\.100\.7 40000 198\.51\.100\.7 GET \/a\n$/);
  });

  it('v1 split across reads, then two keep-alive requests', async () => {
    const { text } = await exchange(
      server.port,
      ['PROXY TCP6 2001:db8::7 ::1 ', '5555 443\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      30,
    );
    assert.match(text, /2001:db8::7 5555 2001:db8::7 GET \/1\n/);
    assert.match(text, /2001:db8::7 5555 2001:db8::7 GET \/2\n$/);
  });

  it('v2 TCP4 with TLVs', async () => {
    const header = v2({ addresses: INET([203, 0, 113, 9], [10, 0, 0, 1], 1234, 80), tlvs: [0x01, 0, 8, ...Buffer.from('http/1.1')] });
    const { text } = await exchange(server.port, [Buffer.concat([header, Buffer.from('GET /v2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')])]);
    assert.match(text, /203\.0\.113\.9 1234 203\.0\.113\.9 GET \/v2\n$/);
  });

  it('v2 LOCAL keeps the socket address', async () => {
    const header = v2({ command: 0, family: 0, transport: 0 });
    const { text } = await exchange(server.port, [header, 'GET /local HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 20);
    assert.match(text, /127\.0\.0\.1 \d+ 127\.0\.0\.1 GET \/local\n$/);
  });

  it('a connection without a header is refused (closed without an answer)', async () => {
    const { text } = await exchange(server.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.equal(text, '');
  });

  it('a malformed header is refused', async () => {
    const { text } = await exchange(server.port, ['PROXY TCP4 1.2.3.4 5.6.7.8 99999 80\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.equal(text, '');
  });

  it('a peer that sends nothing is closed at the header timeout', async () => {
    const started = performance.now();
    const client = await RawClient.connect(server.port);
    client.socket.write('PROXY TCP4 1.2.3.4');
    await client.readUntilClose(3_000);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 350 && elapsed < 2_000, `closed after ${Math.round(elapsed)} ms (timeout 400 ms)`);
  });

  it('the refusals are counted in the metrics', async () => {
    const { text } = await exchange(server.port, [`PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\nGET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    assert.match(text, /brisk_proxy_protocol_errors_total\{code="INVALID_SIGNATURE"\} [1-9]/);
    assert.match(text, /brisk_proxy_protocol_errors_total\{code="V1_INVALID_PORT"\} [1-9]/);
    assert.match(text, /brisk_timeouts_total\{kind="proxy-header"\} [1-9]/);
  });

  it('peers outside trustProxy are refused before they send anything', async () => {
    const strict = await startOpsServer(() => {}, { proxyProtocol: true, trustProxy: '10.0.0.0/8' });
    try {
      const { text } = await exchange(strict.port, ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n']);
      assert.equal(text, '');
      assert.ok(strict.logs.some((l) => l.includes('not in trustProxy')), strict.logs.join('\n'));
    } finally {
      await strict.close();
    }
  });

  it('proxyProtocol without trustProxy is refused at construction', async () => {
    await assert.rejects(() => startOpsServer(() => {}, { proxyProtocol: true }), /trustProxy/);
  });
});

describe('PROXY protocol in front of TLS', { skip: hasExecutable('openssl') ? undefined : 'openssl is not installed' }, () => {
  it('header first, then the TLS handshake; the client address reaches the handler', async () => {
    const temp = tempDir('brisk-pp-tls-');
    const cert = makeCertificate(temp.dir, 'pp');
    const server = await startOpsServer((req, res) => res.end(`${req.remoteAddress} ${req.protocol}\n`), {
      proxyProtocol: true,
      trustProxy: 'loopback',
      tls: { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) },
    });
    try {
      const raw = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
      raw.write('PROXY TCP4 198.51.100.20 10.0.0.1 777 443\r\n');
      const secure = tls.connect({ socket: raw, ca: readFileSync(cert.certFile), servername: 'localhost', ALPNProtocols: ['http/1.1'] });
      await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
      assert.equal(secure.alpnProtocol, 'http/1.1');
      secure.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      let text = '';
      secure.on('data', (d: Buffer) => (text += d.toString()));
      await new Promise<void>((resolve) => secure.once('close', () => resolve()));
      assert.match(text, /198\.51\.100\.20 https\n$/);
    } finally {
      await server.close();
      temp.remove();
    }
  });
});
