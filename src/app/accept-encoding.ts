// Content-coding negotiation from Accept-Encoding (RFC 9110 §12.5.3) and the compressible-type
// rule, shared by static.ts (precompressed siblings) and compress.ts. Pure: no I/O.
//
// Rules, in the RFC's words where it has them:
//   - codings are case-insensitive; "x-gzip" is gzip (§8.4.1.3);
//   - q=0 means "not acceptable"; "*" matches any coding not listed; identity is acceptable
//     unless excluded by "identity;q=0" or by "*;q=0" with identity unlisted;
//   - no Accept-Encoding field: RFC 9110 lets us pick any coding, but like nginx and the
//     `compression` package we answer identity (curl and many tools send none and expect plain);
//   - an empty field value means identity only.

/** The content codings brisk can produce (zstd only where node:zlib has it: compress-body.ts). */
export type ContentCoding = 'zstd' | 'br' | 'gzip' | 'deflate';

/** Every coding brisk knows, in the server's default order of preference (compress.ts explains it). */
export const DEFAULT_CODINGS: readonly ContentCoding[] = ['zstd', 'br', 'gzip', 'deflate'];

/** One member of the Accept-Encoding list: a lower-cased coding and its weight (0..1). */
interface Weighted {
  readonly coding: string;
  readonly q: number;
}

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

/**
 * qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 9110 §12.4.2).
 * Returns -1 when the text is not a qvalue.
 */
export function parseQValue(text: string): number {
  const length = text.length;
  if (length === 0 || length > 5) return -1;
  const first = text.charCodeAt(0);
  if (first !== 0x30 && first !== 0x31) return -1;
  if (length === 1) return first - 0x30;
  if (text.charCodeAt(1) !== 0x2e) return -1;
  let thousandths = 0;
  let scale = 100;
  for (let i = 2; i < length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    if (first === 0x31 && digit !== 0) return -1;
    thousandths += digit * scale;
    scale /= 10;
  }
  return (first - 0x30) + thousandths / 1000;
}

/**
 * Parse an Accept-Encoding value into weighted codings. Members that do not parse (a bad
 * qvalue, an empty coding) are dropped rather than failing the whole field.
 */
export function parseAcceptEncoding(value: string): Weighted[] {
  const result: Weighted[] = [];
  const length = value.length;
  let i = 0;
  while (i < length) {
    // One member: OWS coding OWS *( ";" OWS name OWS "=" OWS value OWS ) then "," or end.
    while (i < length && (isOws(value.charCodeAt(i)) || value.charCodeAt(i) === COMMA)) i++;
    const codingStart = i;
    while (i < length) {
      const c = value.charCodeAt(i);
      if (c === COMMA || c === SEMICOLON || isOws(c)) break;
      i++;
    }
    const coding = value.slice(codingStart, i).toLowerCase();
    let q = 1;
    let valid = coding.length > 0;
    while (i < length && value.charCodeAt(i) !== COMMA) {
      const c = value.charCodeAt(i);
      if (isOws(c)) {
        i++;
        continue;
      }
      if (c !== SEMICOLON) {
        valid = false;
        i++;
        continue;
      }
      i++;
      const paramStart = i;
      while (i < length && value.charCodeAt(i) !== COMMA && value.charCodeAt(i) !== SEMICOLON) i++;
      const param = value.slice(paramStart, i);
      const eq = param.indexOf('=');
      if (eq < 0) {
        valid = false;
        continue;
      }
      const name = param.slice(0, eq).trim().toLowerCase();
      if (name === 'q') {
        q = parseQValue(param.slice(eq + 1).trim());
        if (q < 0) valid = false;
      }
    }
    if (valid) result.push({ coding: coding === 'x-gzip' ? 'gzip' : coding, q });
  }
  return result;
}

/** Tie-breaker for identity: acceptable but below any coding the client listed with q>0. */
const IDENTITY_IMPLICIT_Q = 0.0001;

/**
 * The codings from `supported` the client accepts, best first: by q, then by the order of
 * `supported`. A coding is included only if the client does not prefer identity over it.
 * An empty result means: send identity.
 */
export function preferredCodings<T extends string>(value: string | undefined, supported: readonly T[]): T[] {
  if (value === undefined) return [];
  const members = parseAcceptEncoding(value);
  if (members.length === 0) return [];
  let starQ = -1;
  let identityQ = -1;
  for (const m of members) {
    if (m.coding === '*') starQ = Math.max(starQ, m.q);
    else if (m.coding === 'identity') identityQ = Math.max(identityQ, m.q);
  }
  if (identityQ < 0) identityQ = starQ >= 0 ? starQ : IDENTITY_IMPLICIT_Q;
  const ranked: { coding: T; q: number; order: number }[] = [];
  for (let order = 0; order < supported.length; order++) {
    const coding = supported[order];
    let q = -1;
    for (const m of members) if (m.coding === coding) q = Math.max(q, m.q);
    if (q < 0) q = starQ;
    // Equal weights: the coding wins over identity (browsers never list identity; "*" alone means "anything").
    if (q > 0 && q >= identityQ) ranked.push({ coding, q, order });
  }
  ranked.sort((a, b) => b.q - a.q || a.order - b.order);
  return ranked.map((r) => r.coding);
}

/**
 * Is a response of this Content-Type worth compressing? text/*, JSON, JavaScript, XML, SVG,
 * any +json / +xml suffix, and WebAssembly. Parameters (charset) are ignored.
 */
export function isCompressibleType(contentType: string): boolean {
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (type.startsWith('text/')) return true;
  if (type.endsWith('+json') || type.endsWith('+xml')) return true;
  return COMPRESSIBLE_TYPES.has(type);
}

const COMPRESSIBLE_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/xml',
  'application/wasm',
  'application/x-ndjson',
  'application/graphql',
  'image/svg+xml',
  'image/x-icon',
  'image/bmp',
  'font/ttf',
  'font/otf',
]);
