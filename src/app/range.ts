// Range requests (RFC 9110 §14): parse a `Range: bytes=...` field against a representation's
// length. Pure: no I/O. The caller answers 206, 416 or ignores the field (200) as told.
//
// brisk's choice for several ranges (`bytes=0-1,5-6`): ignore the field and send the whole
// representation with 200, which §14.2 allows ("A server MAY ignore the Range header field").
// It avoids multipart/byteranges and the amplification games many small or overlapping ranges
// allow; browsers and download managers ask for one range at a time.

export const enum RangeKind {
  /** No usable Range: send the whole representation with 200. */
  Ignore = 0,
  /** One satisfiable range: 206 with `Content-Range: bytes start-end/size`. */
  Single = 1,
  /** Nothing in the range-set overlaps the representation: 416 with `Content-Range: bytes * /size`. */
  Unsatisfiable = 2,
}

export type RangeResult =
  | { readonly kind: RangeKind.Ignore }
  | { readonly kind: RangeKind.Unsatisfiable }
  | { readonly kind: RangeKind.Single; readonly start: number; readonly end: number };

const IGNORE: RangeResult = { kind: RangeKind.Ignore };
const UNSATISFIABLE: RangeResult = { kind: RangeKind.Unsatisfiable };

/** 1*DIGIT; -1 when not. Values past 2^53 lose precision, which only matters beyond any file size. */
function parseDigits(text: string): number {
  if (text.length === 0) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * ranges-specifier = range-unit "=" range-set (§14.1.1), against a representation of `size` bytes.
 *   - another unit, bad syntax, or last-pos < first-pos        → Ignore (§14.2: MAY ignore)
 *   - more than one range-spec                                 → Ignore (see the module comment)
 *   - a zero-length representation                             → Ignore (there is no byte to select)
 *   - first-pos ≥ size, or a suffix-length of 0                → Unsatisfiable
 *   - otherwise the range, with last-pos clamped to size - 1   → Single
 */
export function parseRange(value: string, size: number): RangeResult {
  const eq = value.indexOf('=');
  if (eq < 0 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return IGNORE;
  const set = value.slice(eq + 1).trim();
  if (set.includes(',')) return IGNORE;
  const dash = set.indexOf('-');
  if (dash < 0) return IGNORE;
  const firstText = set.slice(0, dash).trim();
  const lastText = set.slice(dash + 1).trim();
  if (firstText === '') {
    // suffix-range = "-" suffix-length
    const suffix = parseDigits(lastText);
    if (suffix < 0) return IGNORE;
    if (size === 0) return IGNORE;
    if (suffix === 0) return UNSATISFIABLE;
    return { kind: RangeKind.Single, start: Math.max(0, size - suffix), end: size - 1 };
  }
  const first = parseDigits(firstText);
  if (first < 0) return IGNORE;
  let last = size - 1;
  if (lastText !== '') {
    last = parseDigits(lastText);
    if (last < 0 || last < first) return IGNORE;
  }
  if (size === 0) return IGNORE;
  if (first >= size) return UNSATISFIABLE;
  return { kind: RangeKind.Single, start: first, end: Math.min(last, size - 1) };
}
