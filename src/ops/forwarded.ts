// Trusted proxies: which peers may tell us who the client is, and reading what they say from
// `Forwarded` (RFC 7239) or `X-Forwarded-For/-Proto/-Host`. Pure: strings in, strings out.
//
// The rule (the one Express's proxy-addr and nginx's real_ip_recursive follow): start at the
// direct peer; while the address in hand is trusted, step one hop to the left in the forwarding
// chain. The first untrusted address is the client. A value that a trusted hop did not vouch
// for is never used.
import { parseCidr, parseIp, rangeContains, type IpRange } from './ip.js';

/** Named groups of ranges accepted in a trust list. */
const SHORTHANDS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** A trust list as given: addresses, CIDRs or shorthands, as an array or one comma-separated string. */
export type TrustProxySpec = string | readonly string[];

export class TrustList {
  private constructor(
    private readonly ranges: readonly IpRange[],
    /** The list as written, for logs. */
    readonly source: readonly string[],
  ) {}

  /** Throws RangeError naming the entry that is neither an address, a CIDR nor a shorthand. */
  static parse(spec: TrustProxySpec): TrustList {
    const entries = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((e) => e.trim()).filter((e) => e !== '');
    const ranges: IpRange[] = [];
    for (const entry of entries) {
      for (const text of SHORTHANDS[entry.toLowerCase()] ?? [entry]) {
        const range = parseCidr(text);
        if (range === null) throw new RangeError(`trustProxy: "${entry}" is not an IP address, a CIDR or one of ${Object.keys(SHORTHANDS).join(', ')}`);
        ranges.push(range);
      }
    }
    return new TrustList(ranges, entries);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Whether a textual address (as a socket or a proxy reports it) is in the list. */
  contains(address: string): boolean {
    const bytes = parseIp(address);
    if (bytes === null) return false;
    for (const range of this.ranges) if (rangeContains(range, bytes)) return true;
    return false;
  }
}

/** What the request looks like from the client's side. */
export interface ClientView {
  /** The client's address (no port, IPv6 without brackets). */
  readonly ip: string;
  readonly protocol: 'http' | 'https';
  /** host[:port] as the client addressed it, or "" if unknown. */
  readonly host: string;
}

/** The connection as brisk sees it, and the header fields a proxy may have set. */
export interface ConnectionView {
  readonly peerAddress: string;
  readonly encrypted: boolean;
  /** The Host field (or the authority of an absolute-form target). */
  readonly host: string;
  readonly forwarded: string | undefined;
  readonly xForwardedFor: string | undefined;
  readonly xForwardedProto: string | undefined;
  readonly xForwardedHost: string | undefined;
}

/** One forwarded-element of RFC 7239 §4, values unquoted. Absent parameters are undefined. */
export interface ForwardedElement {
  for?: string;
  by?: string;
  proto?: string;
  host?: string;
}

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;
const isTchar = (c: number) => c < 128 && TCHAR[c] === 1;
const isOws = (c: number) => c === 0x20 || c === 0x09;

/**
 * Forwarded = 1#forwarded-element; forwarded-element = [ pair ] *( ";" [ pair ] );
 * pair = token "=" value; value = token / quoted-string (RFC 7239 §4). Returns null when the
 * field does not follow the grammar, or repeats a parameter inside one element (§4: "MUST NOT
 * occur more than once"): a field we cannot read is not half-believed.
 */
export function parseForwarded(field: string): ForwardedElement[] | null {
  const elements: ForwardedElement[] = [];
  let element: ForwardedElement = {};
  let pairs = 0;
  let i = 0;
  const n = field.length;
  for (;;) {
    while (i < n && isOws(field.charCodeAt(i))) i++;
    if (i < n && field.charCodeAt(i) !== 0x2c && field.charCodeAt(i) !== 0x3b) {
      // pair
      const nameStart = i;
      while (i < n && isTchar(field.charCodeAt(i))) i++;
      if (i === nameStart || field.charCodeAt(i) !== 0x3d) return null;
      const name = field.slice(nameStart, i).toLowerCase();
      i++;
      let value: string;
      if (field.charCodeAt(i) === 0x22) {
        let out = '';
        i++;
        for (;;) {
          if (i >= n) return null;
          const c = field.charCodeAt(i);
          if (c === 0x22) break;
          if (c === 0x5c) {
            if (i + 1 >= n) return null;
            out += field[i + 1];
            i += 2;
            continue;
          }
          if (c < 0x20 && c !== 0x09) return null;
          out += field[i++];
        }
        i++;
        value = out;
      } else {
        const valueStart = i;
        while (i < n && isTchar(field.charCodeAt(i))) i++;
        if (i === valueStart) return null;
        value = field.slice(valueStart, i);
      }
      pairs++;
      if (name === 'for' || name === 'by' || name === 'proto' || name === 'host') {
        if (element[name] !== undefined) return null;
        element[name] = value;
      }
      while (i < n && isOws(field.charCodeAt(i))) i++;
    }
    // Empty list elements (", ,") are allowed and ignored (RFC 9110 §5.6.1).
    if (i >= n) {
      if (pairs > 0) elements.push(element);
      return elements;
    }
    const c = field.charCodeAt(i++);
    if (c === 0x2c) {
      if (pairs > 0) elements.push(element);
      element = {};
      pairs = 0;
    } else if (c !== 0x3b) {
      return null;
    }
  }
}

/**
 * A node (RFC 7239 §6) or an X-Forwarded-For entry as a bare IP address: "192.0.2.1",
 * "192.0.2.1:8080", "[2001:db8::1]", "[2001:db8::1]:8080", "2001:db8::1". Null for "unknown",
 * obfuscated identifiers ("_hidden") and anything else that is not an address.
 */
export function nodeAddress(node: string): string | null {
  let text = node.trim();
  if (text.charCodeAt(0) === 0x5b) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const port = text.slice(close + 1);
    if (port !== '' && !isNodePort(port.slice(1), port.charCodeAt(0))) return null;
    text = text.slice(1, close);
    return text.includes(':') && parseIp(text) !== null ? text.toLowerCase() : null;
  }
  const colon = text.indexOf(':');
  if (colon >= 0 && text.indexOf(':', colon + 1) < 0) {
    // IPv4 with a port.
    if (!isNodePort(text.slice(colon + 1), 0x3a)) return null;
    text = text.slice(0, colon);
  }
  return parseIp(text) !== null && !text.includes('%') ? text.toLowerCase() : null;
}

function isNodePort(port: string, separator: number): boolean {
  return separator === 0x3a && /^(\d{1,5}|_[A-Za-z0-9._-]+)$/.test(port);
}

/** uri-host [ ":" port ] with a reg-name, IPv4 or bracketed IPv6 host (RFC 9110 §7.2). */
export function isValidHost(host: string): boolean {
  return /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(:\d{0,5})?$/.test(host);
}

function normalizeProto(value: string | undefined): 'http' | 'https' | null {
  if (value === undefined) return null;
  const v = value.trim().toLowerCase();
  return v === 'http' || v === 'https' ? v : null;
}

function commaList(field: string | undefined): string[] {
  return field === undefined ? [] : field.split(',').map((s) => s.trim());
}

/**
 * How brisk sees the client. Without a trust list, or when the direct peer is not in it, that
 * is the connection itself. Otherwise `Forwarded` is read if present (preferred, RFC 7239),
 * else `X-Forwarded-For` with `-Proto` and `-Host`; the chain is walked right to left over
 * trusted hops, and proto/host come from the same hop as the address.
 */
export function resolveClient(view: ConnectionView, trust: TrustList | null): ClientView {
  const direct: ClientView = { ip: view.peerAddress, protocol: view.encrypted ? 'https' : 'http', host: view.host };
  if (trust === null || !trust.contains(view.peerAddress)) return direct;
  if (view.forwarded !== undefined) return fromForwarded(view.forwarded, direct, trust);
  if (view.xForwardedFor !== undefined || view.xForwardedProto !== undefined || view.xForwardedHost !== undefined) {
    return fromXForwarded(view, direct, trust);
  }
  return direct;
}

/**
 * Walk right to left. Returns the index of the entry where the walk stopped (-1 for an empty
 * chain) and the client's address: that entry's, or when it names no address ("unknown", an
 * obfuscated or a malformed node), the last one a trusted hop gave us.
 */
function walk(addresses: readonly (string | null)[], peer: string, trust: TrustList): { index: number; ip: string } {
  let ip = peer;
  for (let i = addresses.length - 1; i >= 0; i--) {
    const address = addresses[i];
    if (address === null) return { index: i, ip };
    ip = address;
    if (!trust.contains(address)) return { index: i, ip };
  }
  return { index: addresses.length === 0 ? -1 : 0, ip };
}

function fromForwarded(field: string, direct: ClientView, trust: TrustList): ClientView {
  const elements = parseForwarded(field);
  if (elements === null) return direct;
  const { index, ip } = walk(
    elements.map((e) => (e.for === undefined ? null : nodeAddress(e.for))),
    direct.ip,
    trust,
  );
  if (index < 0) return direct;
  // The element was written by a trusted hop about the connection it received: its proto and host.
  const element = elements[index];
  const protocol = normalizeProto(element.proto) ?? direct.protocol;
  const host = element.host !== undefined && isValidHost(element.host) ? element.host : direct.host;
  return { ip, protocol, host };
}

function fromXForwarded(view: ConnectionView, direct: ClientView, trust: TrustList): ClientView {
  const forwardedFor = commaList(view.xForwardedFor);
  const { index, ip } = walk(forwardedFor.map(nodeAddress), direct.ip, trust);
  // -Proto and -Host usually hold one value set by the nearest proxy; when they are lists, the
  // entry as far from the right as the chosen address is used (clamped to the leftmost).
  const hopsFromRight = index < 0 ? 0 : forwardedFor.length - 1 - index;
  const pick = (list: string[]): string | undefined =>
    list.length === 0 ? undefined : list[Math.max(0, list.length - 1 - hopsFromRight)];
  const protocol = normalizeProto(pick(commaList(view.xForwardedProto))) ?? direct.protocol;
  const forwardedHost = pick(commaList(view.xForwardedHost));
  const host = forwardedHost !== undefined && isValidHost(forwardedHost) ? forwardedHost : direct.host;
  return { ip, protocol, host };
}
