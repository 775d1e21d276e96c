// Trusted proxies: IP and CIDR parsing, the trust list, RFC 7239 `Forwarded` parsing, and who the
// client is (req.ip / req.protocol / req.host) for a table of chains — then the same over a real
// socket, where the peer is 127.0.0.1 and either trusted or not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrustList, isValidHost, nodeAddress, parseForwarded, resolveClient, type ConnectionView } from '../../src/ops/forwarded.js';
import { formatIPv6, parseCidr, parseIPv4, parseIPv6, parseIp, rangeContains } from '../../src/ops/ip.js';
import { startOpsServer } from './support.js';

describe('IP addresses', () => {
  const v4: [string, number[] | null][] = [
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['256.0.0.1', null],
    ['01.2.3.4', null], // leading zero: octal to some parsers
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['1..3.4', null],
    ['1.2.3.4 ', null],
    ['', null],
  ];
  for (const [text, bytes] of v4) {
    it(`IPv4 ${JSON.stringify(text)} → ${bytes === null ? 'invalid' : bytes.join('.')}`, () => {
      const parsed = parseIPv4(text);
      assert.deepEqual(parsed === null ? null : [...parsed], bytes);
    });
  }

  const v6: [string, string | null][] = [
    ['::1', '::1'],
    ['::', '::'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest zero run is compressed
    ['1:0:0:2:3:4:5:6', '1::2:3:4:5:6'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'], // a single zero group is not compressed (RFC 5952 §4.2.2)
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['fe80::1', 'fe80::1'],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null],
    [':1', null],
    ['1:', null],
    ['12345::', null],
    ['g::1', null],
    ['1:2:3:4:5:6:7', null],
  ];
  for (const [text, formatted] of v6) {
    it(`IPv6 ${JSON.stringify(text)} → ${formatted ?? 'invalid'}`, () => {
      const parsed = parseIPv6(text);
      assert.equal(parsed === null ? null : formatIPv6(parsed), formatted);
    });
  }

  const ranges: [cidr: string, address: string, inside: boolean][] = [
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['192.0.2.7', '192.0.2.7', true],
    ['192.0.2.7', '192.0.2.8', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['127.0.0.0/8', '::ffff:127.0.0.1', true], // IPv4-mapped peers on a dual-stack socket
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::1/128', '::1', true],
    ['::1/128', '127.0.0.1', false],
    ['fe80::/10', 'febf::1', true],
    ['fe80::/10', 'fec0::1', false],
  ];
  for (const [cidr, address, inside] of ranges) {
    it(`${address} ${inside ? 'is' : 'is not'} in ${cidr}`, () => {
      const range = parseCidr(cidr);
      assert.ok(range);
      assert.equal(rangeContains(range, parseIp(address) as Uint8Array), inside);
    });
  }

  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/08', 'example.com', '10.0.0.0/8/8']) {
    it(`CIDR ${JSON.stringify(bad)} is refused`, () => assert.equal(parseCidr(bad), null));
  }
});

describe('TrustList', () => {
  it('accepts addresses, CIDRs and shorthands, as an array or a comma-separated string', () => {
    const list = TrustList.parse('loopback, 10.0.0.0/8,2001:db8::/32');
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '10.1.2.3', '2001:db8::5']) assert.ok(list.contains(a), a);
    for (const a of ['192.168.1.1', '::2', '11.0.0.1', 'not an ip', '']) assert.ok(!list.contains(a), a);
    const priv = TrustList.parse(['private']);
    for (const a of ['10.0.0.1', '172.16.0.1', '192.168.0.1', 'fd00::1']) assert.ok(priv.contains(a), a);
    assert.ok(!priv.contains('8.8.8.8'));
    assert.ok(TrustList.parse(['linklocal']).contains('169.254.1.1'));
  });

  it('refuses an entry that is neither, naming it', () => {
    assert.throws(() => TrustList.parse('loopback,proxy.example'), /proxy\.example/);
    assert.throws(() => TrustList.parse(['10.0.0.0/40']), /10\.0\.0\.0\/40/);
  });
});

describe('parseForwarded (RFC 7239 §4)', () => {
  const table: [string, ReturnType<typeof parseForwarded>][] = [
    ['for=192.0.2.60;proto=http;by=203.0.113.43', [{ for: '192.0.2.60', proto: 'http', by: '203.0.113.43' }]],
    ['for="_gazonk"', [{ for: '_gazonk' }]],
    ['For="[2001:db8:cafe::17]:4711"', [{ for: '[2001:db8:cafe::17]:4711' }]],
    ['for=192.0.2.43, for=198.51.100.17', [{ for: '192.0.2.43' }, { for: '198.51.100.17' }]],
    ['for=192.0.2.43,for="[2001:db8:cafe::17]";proto=https', [{ for: '192.0.2.43' }, { for: '[2001:db8:cafe::17]', proto: 'https' }]],
    ['for=unknown;host="example.com:8080"', [{ for: 'unknown', host: 'example.com:8080' }]],
    ['for="a\\"b"', [{ for: 'a"b' }]], // quoted-pair
    ['for=1.2.3.4 ; proto=https', [{ for: '1.2.3.4', proto: 'https' }]],
    ['for=1.2.3.4, , for=5.6.7.8', [{ for: '1.2.3.4' }, { for: '5.6.7.8' }]], // empty list elements
    ['secret=x;for=1.2.3.4', [{ for: '1.2.3.4' }]], // extensions are ignored
    ['for=1.2.3.4;for=5.6.7.8', null], // a parameter twice in one element
    ['for=[2001:db8::1]', null], // an IPv6 node must be quoted: "[" is not a tchar
    ['for="1.2.3.4', null], // unterminated quoted-string
    ['for', null],
    ['=1.2.3.4', null],
    ['for=1.2.3.4 proto=http', null],
    ['for=', null],
  ];
  for (const [field, expected] of table) {
    it(JSON.stringify(field), () => assert.deepEqual(parseForwarded(field), expected));
  }
});

describe('nodeAddress and isValidHost', () => {
  const nodes: [string, string | null][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['192.0.2.1:8080', '192.0.2.1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:DB8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'], // X-Forwarded-For writes IPv6 bare
    ['unknown', null],
    ['_hidden', null],
    ['[192.0.2.1]', null],
    ['192.0.2.1:port', null],
    ['example.com', null],
    ['', null],
  ];
  for (const [node, address] of nodes) it(`node ${JSON.stringify(node)} → ${address}`, () => assert.equal(nodeAddress(node), address));

  for (const [host, ok] of [['example.com', true], ['example.com:8443', true], ['[::1]:80', true], ['10.0.0.1', true], ['a b', false], ['x/y', false], ['', false], ['host:port', false]] as const) {
    it(`host ${JSON.stringify(host)} is ${ok ? 'valid' : 'invalid'}`, () => assert.equal(isValidHost(host), ok));
  }
});

describe('resolveClient: the chain walked right to left over trusted hops', () => {
  const base: ConnectionView = {
    peerAddress: '10.0.0.1',
    encrypted: false,
    host: 'origin.internal',
    forwarded: undefined,
    xForwardedFor: undefined,
    xForwardedProto: undefined,
    xForwardedHost: undefined,
  };
  const trust = TrustList.parse(['10.0.0.0/8', 'loopback']);
  type Row = [name: string, view: Partial<ConnectionView>, trust: TrustList | null, ip: string, protocol: 'http' | 'https', host: string];
  const rows: Row[] = [
    ['no trust list: the peer, whatever the headers say', { xForwardedFor: '1.1.1.1', xForwardedProto: 'https' }, null, '10.0.0.1', 'http', 'origin.internal'],
    ['untrusted peer: headers ignored', { peerAddress: '203.0.113.5', forwarded: 'for=1.1.1.1;proto=https' }, trust, '203.0.113.5', 'http', 'origin.internal'],
    ['TLS connection without proxies', { encrypted: true }, trust, '10.0.0.1', 'https', 'origin.internal'],
    ['X-Forwarded-For: one hop', { xForwardedFor: '198.51.100.7' }, trust, '198.51.100.7', 'http', 'origin.internal'],
    ['X-Forwarded-For: trusted hops skipped', { xForwardedFor: '198.51.100.7, 10.0.0.9, 10.0.0.8' }, trust, '198.51.100.7', 'http', 'origin.internal'],
    ['X-Forwarded-For: a spoofed entry left of the client is not believed', { xForwardedFor: '6.6.6.6, 198.51.100.7, 10.0.0.9' }, trust, '198.51.100.7', 'http', 'origin.internal'],
    ['X-Forwarded-For: every hop trusted → the leftmost', { xForwardedFor: '10.0.0.3, 10.0.0.2' }, trust, '10.0.0.3', 'http', 'origin.internal'],
    ['X-Forwarded-For: garbage stops the walk at the last vouched address', { xForwardedFor: 'evil, 10.0.0.2' }, trust, '10.0.0.2', 'http', 'origin.internal'],
    ['X-Forwarded-For with ports and IPv6', { xForwardedFor: '[2001:db8::7]:5555, 10.0.0.2:80' }, trust, '2001:db8::7', 'http', 'origin.internal'],
    ['X-Forwarded-Proto and -Host from the nearest proxy', { xForwardedFor: '198.51.100.7', xForwardedProto: 'https', xForwardedHost: 'www.example.com' }, trust, '198.51.100.7', 'https', 'www.example.com'],
    ['X-Forwarded-Proto list aligned with the chain', { xForwardedFor: '198.51.100.7, 10.0.0.9', xForwardedProto: 'https, http' }, trust, '198.51.100.7', 'https', 'origin.internal'],
    ['X-Forwarded-Proto alone', { xForwardedProto: 'HTTPS' }, trust, '10.0.0.1', 'https', 'origin.internal'],
    ['a bogus proto or host is ignored', { xForwardedFor: '198.51.100.7', xForwardedProto: 'gopher', xForwardedHost: 'bad host' }, trust, '198.51.100.7', 'http', 'origin.internal'],
    ['Forwarded: one element', { forwarded: 'for=198.51.100.7;proto=https;host=www.example.com' }, trust, '198.51.100.7', 'https', 'www.example.com'],
    ['Forwarded is preferred to X-Forwarded-*', { forwarded: 'for=198.51.100.7', xForwardedFor: '6.6.6.6', xForwardedProto: 'https' }, trust, '198.51.100.7', 'http', 'origin.internal'],
    ['Forwarded: proto and host come from the client\'s own element', { forwarded: 'for=198.51.100.7;proto=https;host=a.example, for=10.0.0.5;proto=http;host=b.internal' }, trust, '198.51.100.7', 'https', 'a.example'],
    ['Forwarded: a spoofed element left of the client is not believed', { forwarded: 'for=6.6.6.6;proto=https, for=198.51.100.7' }, trust, '198.51.100.7', 'http', 'origin.internal'],
    ['Forwarded: quoted IPv6 with port', { forwarded: 'for="[2001:db8:cafe::17]:4711"' }, trust, '2001:db8:cafe::17', 'http', 'origin.internal'],
    ['Forwarded: for=unknown → the proxy that said so', { forwarded: 'for=unknown;proto=https' }, trust, '10.0.0.1', 'https', 'origin.internal'],
    ['Forwarded: obfuscated behind a trusted hop', { forwarded: 'for=_abc, for=10.0.0.4' }, trust, '10.0.0.4', 'http', 'origin.internal'],
    ['Forwarded that does not parse is ignored whole (X-Forwarded-* too)', { forwarded: 'for=1.2.3.4;for=5.6.7.8', xForwardedFor: '6.6.6.6' }, trust, '10.0.0.1', 'http', 'origin.internal'],
    ['Forwarded without for: proto and host of the trusted peer', { forwarded: 'proto=https;host=www.example.com' }, trust, '10.0.0.1', 'https', 'www.example.com'],
    ['IPv4-mapped trusted peer', { peerAddress: '::ffff:127.0.0.1', xForwardedFor: '198.51.100.7' }, trust, '198.51.100.7', 'http', 'origin.internal'],
  ];
  for (const [name, view, list, ip, protocol, host] of rows) {
    it(name, () => assert.deepEqual(resolveClient({ ...base, ...view }, list), { ip, protocol, host }));
  }
});

describe('req.ip, req.protocol and req.host over a socket', () => {
  const echo = async (options: { trustProxy?: string }, headers: Record<string, string>, target = '/x'): Promise<Record<string, string>> => {
    const server = await startOpsServer(
      (req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ip: req.ip, protocol: req.protocol, host: req.host, remoteAddress: req.remoteAddress }));
      },
      options,
    );
    try {
      const res = await fetch(server.origin + target, { headers });
      return (await res.json()) as Record<string, string>;
    } finally {
      await server.close();
    }
  };

  it('off by default: the peer, and the Host field', async () => {
    const seen = await echo({}, { 'X-Forwarded-For': '198.51.100.7', 'X-Forwarded-Proto': 'https', Forwarded: 'for=1.1.1.1' });
    assert.equal(seen.ip, '127.0.0.1');
    assert.equal(seen.protocol, 'http');
    assert.match(seen.host, /^127\.0\.0\.1:\d+$/);
  });

  it('trustProxy loopback: from X-Forwarded-*, remoteAddress unchanged', async () => {
    const seen = await echo({ trustProxy: 'loopback' }, { 'X-Forwarded-For': '198.51.100.7', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'www.example.com' });
    assert.deepEqual(seen, { ip: '198.51.100.7', protocol: 'https', host: 'www.example.com', remoteAddress: '127.0.0.1' });
  });

  it('trustProxy loopback: from Forwarded', async () => {
    const seen = await echo({ trustProxy: 'loopback' }, { Forwarded: 'for="[2001:db8::9]";proto=https;host=api.example' });
    assert.deepEqual(seen, { ip: '2001:db8::9', protocol: 'https', host: 'api.example', remoteAddress: '127.0.0.1' });
  });

  it('a trust list without the peer: headers ignored', async () => {
    const seen = await echo({ trustProxy: '10.0.0.0/8' }, { 'X-Forwarded-For': '198.51.100.7' });
    assert.equal(seen.ip, '127.0.0.1');
  });

  it('the access log shows the client behind a trusted proxy', async () => {
    const server = await startOpsServer((_req, res) => res.end('x'), { trustProxy: 'loopback', accessLog: 'common', logLevel: 'info' });
    try {
      await fetch(server.origin + '/logged', { headers: { 'X-Forwarded-For': '198.51.100.7' } });
      await server.close();
      assert.ok(server.logs.some((l) => l.startsWith('198.51.100.7 - - [') && l.includes('"GET /logged HTTP/1.1" 200 1')), server.logs.join('\n'));
    } finally {
      await server.close();
    }
  });

  it('an invalid trust list is refused at construction', async () => {
    await assert.rejects(() => startOpsServer(() => {}, { trustProxy: 'nonsense' }), /nonsense/);
  });
});
