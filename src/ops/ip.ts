// IP addresses as bytes: parsing IPv4 and IPv6 text, printing IPv6 the way Node prints a peer
// address (RFC 5952), and CIDR ranges. Pure: no I/O, no sockets; shared by the trusted-proxy
// rules (forwarded.ts) and the PROXY protocol parser (proxy-protocol.ts).

/** Four bytes for IPv4, sixteen for IPv6. */
export type IpBytes = Uint8Array;

/**
 * Dotted-quad IPv4, strict: four decimal octets 0-255 without leading zeros (as glibc's
 * inet_pton, so "010.0.0.1" is not silently read as octal by one component and decimal by another).
 */
export function parseIPv4(text: string): IpBytes | null {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return null; // leading zero
      value = value * 10 + (c - 0x30);
      if (value > 255 || ++digits > 3) return null;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return null;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  return part === 4 ? out : null;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** RFC 4291 §2.2 text forms: full, "::"-compressed, and with a trailing dotted IPv4. No zone id. */
export function parseIPv6(text: string): IpBytes | null {
  if (text.length < 2 || text.length > 45) return null;
  const groups: number[] = [];
  let compressAt = -1;
  let i = 0;
  if (text.startsWith('::')) {
    compressAt = 0;
    i = 2;
    if (i === text.length) return new Uint8Array(16);
  } else if (text.charCodeAt(0) === 0x3a) {
    return null;
  }
  while (i < text.length) {
    let j = i;
    let value = 0;
    while (j < text.length && j - i < 5) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      j++;
    }
    if (j < text.length && text.charCodeAt(j) === 0x2e) {
      // Trailing IPv4 ("::ffff:192.0.2.1"): the last 32 bits.
      const v4 = parseIPv4(text.slice(i));
      if (v4 === null || groups.length > 6) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      i = text.length;
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(value);
    if (j === text.length) {
      i = j;
      break;
    }
    if (text.charCodeAt(j) !== 0x3a) return null;
    if (text.charCodeAt(j + 1) === 0x3a) {
      if (compressAt >= 0) return null; // "::" at most once
      compressAt = groups.length;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === text.length) return null; // trailing single ":"
    }
  }
  if (groups.length > 8 || (compressAt < 0 && groups.length !== 8) || (compressAt >= 0 && groups.length > 7)) return null;
  const out = new Uint8Array(16);
  const tail = compressAt < 0 ? 0 : groups.length - compressAt;
  for (let g = 0; g < groups.length; g++) {
    const slot = compressAt >= 0 && g >= compressAt ? 8 - tail + (g - compressAt) : g;
    out[slot * 2] = groups[g] >> 8;
    out[slot * 2 + 1] = groups[g] & 0xff;
  }
  return out;
}

/** IPv4 or IPv6 (without brackets; a "%zone" suffix is ignored). */
export function parseIp(text: string): IpBytes | null {
  if (text.includes(':')) {
    const zone = text.indexOf('%');
    return parseIPv6(zone < 0 ? text : text.slice(0, zone));
  }
  return parseIPv4(text);
}

/** ::ffff:a.b.c.d (IPv4-mapped, RFC 4291 §2.5.5.2) as the four IPv4 bytes; anything else unchanged. */
export function unmapIPv4(bytes: IpBytes): IpBytes {
  if (bytes.length !== 16) return bytes;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return bytes;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return bytes;
  return bytes.subarray(12);
}

export function formatIPv4(bytes: IpBytes, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::", mapped IPv4 dotted. */
export function formatIPv6(bytes: IpBytes, offset = 0): string {
  const groups: number[] = [];
  for (let g = 0; g < 8; g++) groups.push((bytes[offset + g * 2] << 8) | bytes[offset + g * 2 + 1]);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return '::ffff:' + formatIPv4(bytes, offset + 12);
  let bestStart = -1;
  let bestLength = 1;
  for (let g = 0; g < 8; ) {
    if (groups[g] !== 0) {
      g++;
      continue;
    }
    let end = g;
    while (end < 8 && groups[end] === 0) end++;
    if (end - g > bestLength) {
      bestStart = g;
      bestLength = end - g;
    }
    g = end;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return hex(0, bestStart) + '::' + hex(bestStart + bestLength, 8);
}

/** A network: address bytes and prefix length. An IPv4 range also matches IPv4-mapped IPv6 peers. */
export interface IpRange {
  readonly bytes: IpBytes;
  readonly prefixBits: number;
}

/** "192.0.2.0/24", "2001:db8::/32", or a single address (full-length prefix). */
export function parseCidr(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(address);
  if (bytes === null) return null;
  const maxBits = bytes.length * 8;
  if (slash < 0) return { bytes, prefixBits: maxBits };
  const bitsText = text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText)) return null;
  const prefixBits = Number(bitsText);
  if (prefixBits > maxBits) return null;
  return { bytes, prefixBits };
}

export function rangeContains(range: IpRange, address: IpBytes): boolean {
  const a = address.length === range.bytes.length ? address : unmapIPv4(address);
  if (a.length !== range.bytes.length) return false;
  let bits = range.prefixBits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) !== (range.bytes[i] & mask)) return false;
  }
  return true;
}
