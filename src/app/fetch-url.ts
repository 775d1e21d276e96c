// The URL a fetch app sees as request.url (RFC 9112 §3.3): always a real authority and exactly
// the request-target's path and query, with the connection's scheme. A string concatenation in
// the common case; the URL parser only once the authority can be read as nothing else.
import type { BriskRequest } from '../core.js';
import { HttpError } from '../core.js';

/** Characters `new URL` keeps as they are in a path or query (conservative: others take the slow path). */
const URL_SAFE = new Uint8Array(128);
/** Characters of a lower-case reg-name host `new URL` keeps as they are. */
const HOST_SAFE = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&()*+,;=:@/?%[]") URL_SAFE[c.charCodeAt(0)] = 1;
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789-._') HOST_SAFE[c.charCodeAt(0)] = 1;

/** Never part of a Host field value: they would move the path or smuggle a userinfo. */
const HOST_FORBIDDEN = ['/', '?', '#', '@', '\\', ' ', '\t'];

/**
 * The last Host of each scheme that passed isCanonicalHost: a connection (and usually a whole
 * server) sees the same one on every request, so the check runs once rather than per request
 * (fetch bench: 1.3%). One memo per fetch handler; it only remembers a pure predicate's answer, so
 * nothing about one request can change another's URL. null: nothing remembered yet.
 */
export class HostMemo {
  http: string | null = null;
  https: string | null = null;
}

/**
 * The request's absolute URL (RFC 9112 §3.3), as `new URL(...).href` would spell it:
 * - origin-form: req.protocol (TLS, or a trusted proxy's proto) + "://" + authority + target, the
 *   authority being req.host (Host, or a trusted proxy's host) or, when that is empty or absent,
 *   `defaultHost`. The authority is never empty, so the target's first segment can never become it.
 * - absolute-form: the target itself (its own scheme and authority; Host is ignored, §3.2.2), with
 *   "/" for an empty path; a userinfo is refused.
 * - asterisk-form and authority-form have no path a URL could carry: HttpError (toHandler answers
 *   `OPTIONS *` itself, and the core never gives a handler CONNECT).
 * The common case is a string concatenation after two table scans; anything a URL parser would
 * rewrite (upper case, default port, dot segments, characters it percent-encodes) goes through
 * `new URL`. Throws HttpError(400).
 */
export function requestUrl(req: BriskRequest, defaultHost: string, memo?: HostMemo): string {
  const target = req.target;
  if (target.charCodeAt(0) !== 0x2f) return otherFormUrl(req.method, target);
  const https = req.protocol === 'https';
  let host = req.host;
  if (host === '') host = defaultHost;
  if (isCanonicalTarget(target)) {
    if (memo !== undefined && host === (https ? memo.https : memo.http)) return (https ? 'https://' : 'http://') + host + target;
    if (isCanonicalHost(host, https)) {
      if (memo !== undefined) {
        if (https) memo.https = host;
        else memo.http = host;
      }
      return (https ? 'https://' : 'http://') + host + target;
    }
  }
  return parsedUrl(https ? 'https://' : 'http://', host, target);
}

/** Refuse a default host that could not be a URL's authority (at setup, not per request). */
export function checkDefaultHost(host: string): string {
  if (host === '' || hasForbiddenHostChar(host)) throw new TypeError(`defaultHost must be a host[:port], got "${host}"`);
  try {
    if (new URL('http://' + host + '/').host === '') throw new Error('empty');
  } catch {
    throw new TypeError(`defaultHost must be a host[:port], got "${host}"`);
  }
  return host;
}

function hasForbiddenHostChar(host: string): boolean {
  for (const c of HOST_FORBIDDEN) if (host.includes(c)) return true;
  return false;
}

/**
 * scheme + authority + target through the URL parser, once the authority can only be read as one:
 * not empty, and none of the characters that end an authority or start a userinfo.
 */
function parsedUrl(scheme: string, authority: string, rest: string): string {
  if (authority === '' || hasForbiddenHostChar(authority)) throw new HttpError(400, 'Invalid Host header');
  // The URL parser reads "\\" as "/" and cuts at "#": the app would see another path than brisk did.
  if (rest.includes('\\') || rest.includes('#')) throw new HttpError(400, 'Invalid request target for a fetch handler');
  let url: URL;
  try {
    url = new URL(scheme + authority + rest);
  } catch {
    throw new HttpError(400, 'Invalid Host header or request target');
  }
  if (url.host === '' || url.username !== '' || url.password !== '') throw new HttpError(400, 'Invalid Host header');
  return url.href;
}

/** absolute-form (the target is the URL), or a form a fetch Request cannot carry. */
function otherFormUrl(method: string, target: string): string {
  if (method === 'CONNECT') throw new HttpError(501, 'CONNECT is not supported by a fetch handler');
  if (target === '*') throw new HttpError(400, 'A fetch handler cannot take an asterisk-form target');
  const colon = target.indexOf('://');
  const scheme = colon < 0 ? '' : target.slice(0, colon).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') throw new HttpError(400, 'A fetch handler needs an origin-form or absolute-form http(s) request target');
  const start = colon + 3;
  let end = start;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 0x2f || c === 0x3f) break; // "/" or "?" ends the authority
    end++;
  }
  const authority = target.slice(start, end);
  // RFC 9110 §4.2.4: a userinfo in an http(s) URI is to be treated as an error.
  if (authority.includes('@')) throw new HttpError(400, 'A userinfo in the request target is not allowed');
  let rest = target.slice(end);
  if (rest.charCodeAt(0) !== 0x2f) rest = '/' + rest; // RFC 9110 §4.2.3: an empty path is "/"
  return parsedUrl(scheme + '://', authority, rest);
}

/** A path and query `new URL` would not rewrite: safe characters, no "/." and no "%2e". */
function isCanonicalTarget(target: string): boolean {
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c >= 128 || URL_SAFE[c] === 0) return false;
    if (c === 0x2f && target.charCodeAt(i + 1) === 0x2e) return false; // "/." (dot segment, maybe)
    if (c === 0x25 && target.charCodeAt(i + 1) === 0x32 && (target.charCodeAt(i + 2) | 0x20) === 0x65) return false; // %2e
  }
  return true;
}

/**
 * A lower-case name with an optional port that is not the scheme's default (80, or 443 over
 * https) and a last label that is not a number (IPv4 is rewritten).
 */
function isCanonicalHost(host: string, https: boolean): boolean {
  const colon = host.indexOf(':');
  const nameEnd = colon < 0 ? host.length : colon;
  if (nameEnd === 0) return false;
  let labelStart = 0;
  for (let i = 0; i < nameEnd; i++) {
    const c = host.charCodeAt(i);
    if (c >= 128 || HOST_SAFE[c] === 0) return false;
    if (c === 0x2e) labelStart = i + 1;
  }
  if (host.startsWith('xn--') || host.includes('.xn--')) return false; // IDNA validation
  // "127.0.0.1" stays; "127.1", "0x7f.1" and "a.1" are rewritten or refused by the URL parser.
  if (labelStart < nameEnd && isDigit(host.charCodeAt(labelStart)) && !isDottedQuad(host, nameEnd)) return false;
  if (colon < 0) return true;
  const port = host.slice(colon + 1);
  if (port.length === 0 || port.length > 5 || port.charCodeAt(0) === 0x30 || port === (https ? '443' : '80')) return false;
  for (let i = 0; i < port.length; i++) if (!isDigit(port.charCodeAt(i))) return false;
  return Number(port) <= 65535;
}

/** Four decimal parts 0-255 without leading zeros: the form the URL parser leaves as it is. */
function isDottedQuad(host: string, end: number): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= end; i++) {
    const c = i === end ? 0x2e : host.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (isDigit(c)) {
      if (digits === 1 && value === 0) return false; // leading zero
      value = value * 10 + (c - 0x30);
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
