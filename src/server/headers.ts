// RequestHeaders over the parser's flat [name, value, ...] list: arrival order and original case
// kept, lookups case-insensitive. Nothing is copied or lower-cased until a lookup asks.
import type { RequestHeaders } from './types.js';

export class FieldList implements RequestHeaders {
  constructor(readonly raw: readonly string[]) {}

  get size(): number {
    return this.raw.length >> 1;
  }

  get(name: string): string | undefined {
    const raw = this.raw;
    let result: string | undefined;
    let separator = ', ';
    for (let i = 0; i < raw.length; i += 2) {
      if (sameName(raw[i], name)) {
        if (result === undefined) {
          result = raw[i + 1];
          // RFC 9110 §5.3: Cookie lines are joined with "; " (RFC 6265 §5.4), others with ", ".
          if (name.length === 6 && name.toLowerCase() === 'cookie') separator = '; ';
        } else {
          result += separator + raw[i + 1];
        }
      }
    }
    return result;
  }

  getAll(name: string): string[] {
    const raw = this.raw;
    const values: string[] = [];
    for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i], name)) values.push(raw[i + 1]);
    return values;
  }

  has(name: string): boolean {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i], name)) return true;
    return false;
  }

  *entries(): IterableIterator<[string, string]> {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) yield [raw[i], raw[i + 1]];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** ASCII case-insensitive equality without allocating. */
export function sameName(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}
