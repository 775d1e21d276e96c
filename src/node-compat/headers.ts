// `message.headers` as node:http builds it, from brisk's flat [name, value, ...] list. Node's
// IncomingMessage computes it from private parser state (its rawHeaders count and
// `_addHeaderLines`), so it is replicated here from node's documented rules (docs of
// `message.headers`, Node 20–26):
//   - names are lower-cased;
//   - duplicates of the fields in FIRST_WINS are discarded (the first value stays);
//   - `set-cookie` is always an array;
//   - duplicate `cookie` lines are joined with "; ", every other duplicate with ", ".
// test/node-compat/headers.test.ts checks this table against node:http itself.

/** node:http keeps only the first of these (docs of message.headers). */
const FIRST_WINS = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

/**
 * The usual spellings of common names, lower-cased once: lower-casing every name was the
 * largest cost of building the object. Bounded like brisk's own name cache.
 */
const LOWER = new Map<string, string>();
const MAX_LOWER = 512;

function lower(name: string): string {
  let l = LOWER.get(name);
  if (l === undefined) {
    l = name.toLowerCase();
    if (LOWER.size < MAX_LOWER) LOWER.set(name, l);
  }
  return l;
}

export type NodeHeaders = Record<string, string | string[] | undefined>;

/** The headers object node:http would give for these raw field lines. */
export function nodeHeaders(raw: readonly string[]): NodeHeaders {
  // A plain object, as node's: apps test `'x' in req.headers` and spread it.
  const out: NodeHeaders = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = lower(raw[i]);
    const value = raw[i + 1];
    const prev = out[name];
    if (name === 'set-cookie') {
      if (prev === undefined) out[name] = [value];
      else (prev as string[]).push(value);
    } else if (typeof prev !== 'string') {
      // Also a name like "constructor": node only joins onto strings it stored.
      out[name] = value;
    } else if (!FIRST_WINS.has(name)) {
      out[name] = prev + (name === 'cookie' ? '; ' : ', ') + value;
    }
  }
  return out;
}
