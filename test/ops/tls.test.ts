// HTTPS: a self-signed certificate made with openssl in a temporary folder, checked by Node's
// https client (with `ca`), by curl --cacert, and by Node's fetch in a child process trusting it
// through NODE_EXTRA_CA_CERTS; ALPN http/1.1, keep-alive over TLS, req.protocol, failed
// handshakes counted, and certificate reload (API and the CLI's SIGHUP).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { connect } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { eventually, hasExecutable, makeCertificate, startCli, startOpsServer, tempDir, type Certificate, type OpsServer } from './support.js';

const run = promisify(execFile);
const SKIP = hasExecutable('openssl') ? undefined : 'openssl is not installed (apt-get install openssl)';
const TIMEOUT = { timeout: 30_000 };

let temp: ReturnType<typeof tempDir>;
let first: Certificate;
let second: Certificate;

/** The Organization the server's certificate names (the tests make one per certificate). */
function peerOrganization(port: number, ca: Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca, ALPNProtocols: ['http/1.1'] }, () => {
      const subject = socket.getPeerCertificate().subject as { O?: string };
      socket.destroy();
      resolve(subject.O ?? '');
    });
    socket.on('error', reject);
  });
}

function httpsGet(port: number, target: string, ca: Buffer, agent?: https.Agent): Promise<{ status: number; body: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', servername: 'localhost', port, path: target, ca, agent: agent ?? false }, (res) => {
      const alpn = (res.socket as tls.TLSSocket).alpnProtocol;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn }));
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('timed out')));
  });
}

describe('TLS', { skip: SKIP }, () => {
  let server: OpsServer;
  let ca: Buffer;
  before(async () => {
    temp = tempDir('brisk-tls-');
    first = makeCertificate(temp.dir, 'first');
    second = makeCertificate(temp.dir, 'second');
    ca = readFileSync(first.certFile);
    server = await startOpsServer(
      (req, res) => {
        res.setHeader('Content-Type', 'text/plain');
        res.end(`${req.protocol} ${req.host} ${req.method} ${req.target}\n`);
      },
      { tls: { cert: readFileSync(first.certFile), key: readFileSync(first.keyFile) }, metricsPath: '/metrics' },
    );
  });
  after(async () => {
    await server?.close();
    temp?.remove();
  });

  it('Node https with the certificate as CA: 200, req.protocol https', TIMEOUT, async () => {
    const res = await httpsGet(server.port, '/hello', ca);
    assert.equal(res.status, 200);
    assert.equal(res.alpn, false, 'node:https offers no ALPN; the next test offers it');
    assert.equal(res.body, `https 127.0.0.1:${server.port} GET /hello\n`);
  });

  it('ALPN: a client offering h2 and http/1.1 gets http/1.1', TIMEOUT, async () => {
    const socket = tls.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca, ALPNProtocols: ['h2', 'http/1.1'] });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    assert.equal(socket.alpnProtocol, 'http/1.1');
    socket.destroy();
  });

  it('keep-alive: several requests over one TLS connection', TIMEOUT, async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const before = server.server.stats.connectionsAccepted;
    for (let i = 0; i < 5; i++) assert.equal((await httpsGet(server.port, `/k${i}`, ca, agent)).status, 200);
    agent.destroy();
    assert.equal(server.server.stats.connectionsAccepted - before, 1);
  });

  it('curl --cacert', { ...TIMEOUT, skip: hasExecutable('curl') ? undefined : 'curl is not installed' }, async () => {
    const { stdout } = await run('curl', ['-sS', '--cacert', first.certFile, '-w', '\\n%{http_code} %{http_version}', `https://localhost:${server.port}/curl`], { timeout: 10_000 });
    assert.equal(stdout, `https localhost:${server.port} GET /curl\n\n200 1.1`);
  });

  it("Node's fetch, trusting the certificate through NODE_EXTRA_CA_CERTS", TIMEOUT, async () => {
    const script = `fetch(${JSON.stringify(`https://localhost:${server.port}/fetch`)}).then(async (r) => console.log(r.status, (await r.text()).trim()))`;
    const { stdout } = await run(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: first.certFile }, timeout: 15_000 });
    assert.equal(stdout.trim(), `200 https localhost:${server.port} GET /fetch`);
  });

  it('a client that does not trust the certificate fails the handshake; it is counted', TIMEOUT, async () => {
    await assert.rejects(() => httpsGet(server.port, '/', readFileSync(second.certFile)), /self[- ]signed|unable to verify|certificate/i);
    // Plain HTTP to the TLS port: a handshake error on the server's side.
    const plain = connect(server.port, '127.0.0.1');
    plain.on('error', () => {});
    plain.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => plain.once('close', () => resolve()));
    const metrics = await httpsGet(server.port, '/metrics', ca);
    assert.match(metrics.body, /brisk_tls_handshake_errors_total [1-9]/);
  });

  it('a client that hangs up mid-handshake is let go at once, not at the handshake timeout', TIMEOUT, async () => {
    const raw = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => raw.once('connect', resolve));
    raw.end(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01])); // the start of a ClientHello, then FIN
    await eventually(() => server.server.metricsSnapshot()?.openConnections === 0, 1_000, `no connection is left open (${server.server.connectionCount} sessions)`);
    raw.destroy();
  });

  it('half-close after the handshake: a client that ends its side after the request gets the response', TIMEOUT, async () => {
    const socket = tls.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    socket.allowHalfOpen = true;
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.end('GET /half HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    assert.match(text, /^HTTP\/1\.1 200 [^]*https localhost GET \/half\n$/);
  });

  it('reloadTls swaps the certificate for new connections', TIMEOUT, async () => {
    const both = [readFileSync(first.certFile), readFileSync(second.certFile)];
    assert.equal(await peerOrganization(server.port, both), 'first');
    server.server.reloadTls({ cert: readFileSync(second.certFile), key: readFileSync(second.keyFile) });
    assert.equal(await peerOrganization(server.port, both), 'second');
    server.server.reloadTls({ cert: readFileSync(first.certFile), key: readFileSync(first.keyFile) });
    assert.equal(await peerOrganization(server.port, both), 'first');
  });

  it('reloadTls on a plain server throws', async () => {
    const plain = await startOpsServer(() => {});
    try {
      assert.throws(() => plain.server.reloadTls({ cert: 'x', key: 'y' }), /tls/);
    } finally {
      await plain.close();
    }
  });

  it('tls without a key is refused at construction', async () => {
    await assert.rejects(() => startOpsServer(() => {}, { tls: { cert: readFileSync(first.certFile) } }), /cert and key/);
  });

  it('CLI: --cert/--key serve HTTPS; SIGHUP rereads the files', TIMEOUT, async () => {
    const certFile = path.join(temp.dir, 'live.crt');
    const keyFile = path.join(temp.dir, 'live.key');
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    const brisk = await startCli(['--port', '0', '--cert', certFile, '--key', keyFile]);
    try {
      assert.match(brisk.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
      const both = [readFileSync(first.certFile), readFileSync(second.certFile)];
      assert.equal(await peerOrganization(brisk.port, both), 'first');
      const page = await httpsGet(brisk.port, '/', ca);
      assert.equal(page.status, 200);
      assert.equal(page.body, '<html><body>Hello World</body></html>');
      copyFileSync(second.certFile, certFile);
      copyFileSync(second.keyFile, keyFile);
      brisk.signal('SIGHUP');
      await eventually(() => brisk.stderr().includes('reloaded the certificate'), 5_000, 'brisk reports the reload');
      assert.equal(await peerOrganization(brisk.port, both), 'second');
      brisk.signal('SIGTERM');
      assert.deepEqual(await brisk.exited, { code: 0, signal: null });
    } finally {
      await brisk.stop();
    }
  });

  it('CLI: --cert without --key is a usage error', TIMEOUT, async () => {
    const result = await run(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), '../../src/cli.js'), '--cert', first.certFile]).catch((e: { code: number; stderr: string }) => e);
    assert.equal((result as { code: number }).code, 2);
    assert.match((result as { stderr: string }).stderr, /--cert and --key/);
  });
});
