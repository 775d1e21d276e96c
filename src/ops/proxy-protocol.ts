// The PROXY protocol header (HAProxy's spec, versions 1 and 2) that a load balancer sends before
// the client's bytes, naming the client's address. Pure: bytes in, a typed result out. Strict:
// anything the spec does not allow is an error, and a connection that starts with neither
// signature is refused at its first bytes rather than after a wait.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.js';

export interface ProxiedOrigin {
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export type ProxyHeaderResult =
  | { readonly status: 'needs-more' }
  | {
      readonly status: 'done';
      readonly version: 1 | 2;
      /** The client's address; null for v1 UNKNOWN, v2 LOCAL and v2 UNSPEC/UNIX: use the socket's own. */
      readonly origin: ProxiedOrigin | null;
      /** Header bytes; what follows is the client's stream. */
      readonly consumed: number;
    }
  | { readonly status: 'error'; readonly code: ProxyHeaderErrorCode; readonly reason: string };

export type ProxyHeaderErrorCode =
  | 'INVALID_SIGNATURE'
  | 'V1_LINE_TOO_LONG'
  | 'V1_INVALID_PROTOCOL'
  | 'V1_INVALID_ADDRESS'
  | 'V1_INVALID_PORT'
  | 'V1_MALFORMED'
  | 'V2_INVALID_VERSION'
  | 'V2_INVALID_COMMAND'
  | 'V2_UNSUPPORTED_TRANSPORT'
  | 'V2_ADDRESS_TOO_SHORT'
  | 'V2_HEADER_TOO_LONG'
  | 'V2_INVALID_TLV';

const REASONS: Readonly<Record<ProxyHeaderErrorCode, string>> = {
  INVALID_SIGNATURE: 'Not a PROXY protocol header',
  V1_LINE_TOO_LONG: 'PROXY v1 line longer than 107 bytes',
  V1_INVALID_PROTOCOL: 'PROXY v1 protocol is not TCP4, TCP6 or UNKNOWN',
  V1_INVALID_ADDRESS: 'PROXY v1 address is invalid for its protocol',
  V1_INVALID_PORT: 'PROXY v1 port is invalid',
  V1_MALFORMED: 'PROXY v1 line is malformed',
  V2_INVALID_VERSION: 'PROXY v2 version is not 2',
  V2_INVALID_COMMAND: 'PROXY v2 command is not LOCAL or PROXY',
  V2_UNSUPPORTED_TRANSPORT: 'PROXY v2 transport or family is not supported',
  V2_ADDRESS_TOO_SHORT: 'PROXY v2 address block is too short for its family',
  V2_HEADER_TOO_LONG: 'PROXY v2 header is longer than allowed',
  V2_INVALID_TLV: 'PROXY v2 TLV overruns the header',
};

const fail = (code: ProxyHeaderErrorCode): ProxyHeaderResult => ({ status: 'error', code, reason: REASONS[code] });
const NEEDS_MORE: ProxyHeaderResult = { status: 'needs-more' };

/** "PROXY TCP6 " + two full IPv6 + two ports + CRLF: the spec's bound for a v1 line. */
export const V1_MAX_LINE_BYTES = 107;
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED_BYTES = 16;
/**
 * Longest v2 header accepted (16 fixed bytes + addresses + TLVs). Arbitrary: the format allows
 * 64 KiB, HAProxy with every TLV enabled sends a few hundred bytes; this bounds what one
 * connection can make us buffer before it has said who it is.
 */
export const V2_MAX_HEADER_BYTES = 2048;

/** Whether `data` starts like `prefix` as far as it goes. */
function startsLike(data: Uint8Array, prefix: Uint8Array): boolean {
  const n = Math.min(data.length, prefix.length);
  for (let i = 0; i < n; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

export function parseProxyHeader(data: Uint8Array, maxV2Bytes = V2_MAX_HEADER_BYTES): ProxyHeaderResult {
  if (data.length === 0) return NEEDS_MORE;
  if (data[0] === 0x50) return startsLike(data, V1_PREFIX) ? parseV1(data) : fail('INVALID_SIGNATURE');
  if (data[0] === 0x0d) return startsLike(data, V2_SIGNATURE) ? parseV2(data, maxV2Bytes) : fail('INVALID_SIGNATURE');
  return fail('INVALID_SIGNATURE');
}

// --- version 1: "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n" ---

function parseV1(data: Uint8Array): ProxyHeaderResult {
  const limit = Math.min(data.length, V1_MAX_LINE_BYTES);
  let lf = -1;
  for (let i = 0; i < limit; i++) {
    if (data[i] === 0x0a) {
      lf = i;
      break;
    }
  }
  if (lf < 0) return data.length >= V1_MAX_LINE_BYTES ? fail('V1_LINE_TOO_LONG') : NEEDS_MORE;
  if (lf === 0 || data[lf - 1] !== 0x0d) return fail('V1_MALFORMED');
  const line = Buffer.from(data.buffer, data.byteOffset, lf - 1).toString('latin1');
  const fields = line.split(' ');
  const consumed = lf + 1;
  if (fields[1] === 'UNKNOWN') {
    // "the receiver must ignore anything presented before the CRLF is found"
    return { status: 'done', version: 1, origin: null, consumed };
  }
  if (fields[1] !== 'TCP4' && fields[1] !== 'TCP6') return fail('V1_INVALID_PROTOCOL');
  if (fields.length !== 6) return fail('V1_MALFORMED');
  const family = fields[1] === 'TCP4' ? 4 : 6;
  const source = parseV1Address(fields[2], family);
  const destination = parseV1Address(fields[3], family);
  if (source === null || destination === null) return fail('V1_INVALID_ADDRESS');
  const sourcePort = parseV1Port(fields[4]);
  if (sourcePort < 0 || parseV1Port(fields[5]) < 0) return fail('V1_INVALID_PORT');
  return { status: 'done', version: 1, origin: { remoteAddress: source, remotePort: sourcePort }, consumed };
}

function parseV1Address(text: string, family: 4 | 6): string | null {
  if (family === 4) {
    const bytes = parseIPv4(text);
    return bytes === null ? null : formatIPv4(bytes);
  }
  const bytes = text.includes('%') ? null : parseIPv6(text);
  return bytes === null ? null : formatIPv6(bytes);
}

/** 0-65535 in decimal, no sign, no leading zeros. -1 if not. */
function parseV1Port(text: string): number {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return -1;
  const port = Number(text);
  return port <= 65535 ? port : -1;
}

// --- version 2: signature, ver/cmd, family/transport, length, addresses, TLVs ---

const V2_COMMAND_LOCAL = 0x0;
const V2_COMMAND_PROXY = 0x1;
const V2_FAMILY_UNSPEC = 0x0;
const V2_FAMILY_INET = 0x1;
const V2_FAMILY_INET6 = 0x2;
const V2_FAMILY_UNIX = 0x3;
const V2_TRANSPORT_UNSPEC = 0x0;
const V2_TRANSPORT_STREAM = 0x1;
/** Address block sizes by family (spec §2.2). */
const V2_ADDRESS_BYTES: Readonly<Record<number, number>> = { [V2_FAMILY_INET]: 12, [V2_FAMILY_INET6]: 36, [V2_FAMILY_UNIX]: 216 };

function parseV2(data: Uint8Array, maxBytes: number): ProxyHeaderResult {
  if (data.length < V2_FIXED_BYTES) {
    // Fail early on what is already here.
    if (data.length > 12 && data[12] >> 4 !== 2) return fail('V2_INVALID_VERSION');
    return NEEDS_MORE;
  }
  const versionCommand = data[12];
  if (versionCommand >> 4 !== 2) return fail('V2_INVALID_VERSION');
  const command = versionCommand & 0x0f;
  if (command !== V2_COMMAND_LOCAL && command !== V2_COMMAND_PROXY) return fail('V2_INVALID_COMMAND');
  const family = data[13] >> 4;
  const transport = data[13] & 0x0f;
  const length = (data[14] << 8) | data[15];
  const total = V2_FIXED_BYTES + length;
  if (total > maxBytes) return fail('V2_HEADER_TOO_LONG');
  if (data.length < total) return NEEDS_MORE;
  // LOCAL: the proxy's own connection (a health check); "the receiver must ... ignore the address".
  if (command === V2_COMMAND_LOCAL) return { status: 'done', version: 2, origin: null, consumed: total };
  if (family > V2_FAMILY_UNIX || (transport !== V2_TRANSPORT_UNSPEC && transport !== V2_TRANSPORT_STREAM)) {
    return fail('V2_UNSUPPORTED_TRANSPORT');
  }
  if (transport === V2_TRANSPORT_UNSPEC && family !== V2_FAMILY_UNSPEC) return fail('V2_UNSUPPORTED_TRANSPORT');
  const addressBytes = V2_ADDRESS_BYTES[family] ?? 0;
  if (length < addressBytes) return fail('V2_ADDRESS_TOO_SHORT');
  if (!tlvsWellFormed(data, V2_FIXED_BYTES + addressBytes, total)) return fail('V2_INVALID_TLV');
  const at = V2_FIXED_BYTES;
  let origin: ProxiedOrigin | null = null;
  if (family === V2_FAMILY_INET) {
    origin = { remoteAddress: formatIPv4(data, at), remotePort: (data[at + 8] << 8) | data[at + 9] };
  } else if (family === V2_FAMILY_INET6) {
    origin = { remoteAddress: formatIPv6(data, at), remotePort: (data[at + 32] << 8) | data[at + 33] };
  }
  // UNSPEC and UNIX: no IP address to report; the socket's own stands.
  return { status: 'done', version: 2, origin, consumed: total };
}

/** Type (1 byte), length (2 bytes, big-endian), value: each TLV must end inside the header. */
function tlvsWellFormed(data: Uint8Array, from: number, end: number): boolean {
  let at = from;
  while (at < end) {
    if (at + 3 > end) return false;
    at += 3 + ((data[at + 1] << 8) | data[at + 2]);
  }
  return at === end;
}
