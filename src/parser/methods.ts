// Request methods the parser accepts: the IANA HTTP Method Registry (RFC 9110 §16.1) plus the
// widely deployed PURGE. Any other token is answered 501 (RFC 9110 §9.1: "An origin server that
// receives a request method that is unrecognized or not implemented SHOULD respond with 501").
// PRI is excluded: it only appears in the HTTP/2 connection preface (RFC 9113 §3.4).

export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'ACL', 'BASELINE-CONTROL', 'BIND', 'CHECKIN', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET',
  'HEAD', 'LABEL', 'LINK', 'LOCK', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MKREDIRECTREF',
  'MKWORKSPACE', 'MOVE', 'OPTIONS', 'ORDERPATCH', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PUT',
  'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'TRACE', 'UNBIND', 'UNCHECKOUT', 'UNLINK', 'UNLOCK',
  'UPDATE', 'UPDATEREDIRECTREF', 'VERSION-CONTROL', 'PURGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE',
  'UNSUBSCRIBE', 'SOURCE',
]);

/** Longer than any known method: stop scanning a method early (UNKNOWN_METHOD). */
export const MAX_METHOD_LENGTH = 17;

/** Every prefix of a known method (and of PRI, which gets its own error), for early refusal. */
const METHOD_PREFIXES: ReadonlySet<string> = new Set(
  [...KNOWN_METHODS, 'PRI'].flatMap((m) => Array.from({ length: m.length }, (_, n) => m.slice(0, n + 1))),
);

/**
 * Could buf[start, end) still grow into a known method? Lets the parser answer 501 as soon as
 * the bytes rule every method out, like llhttp, instead of waiting for the space. Off the hot
 * path: only called when a method scan stops short of its SP.
 */
export function isMethodPrefix(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start > MAX_METHOD_LENGTH) return false;
  let s = '';
  for (let k = start; k < end; k++) s += String.fromCharCode(buf[k]);
  return METHOD_PREFIXES.has(s);
}
