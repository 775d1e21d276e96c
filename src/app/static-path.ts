// From a raw request path to a file name under the static root, or a refusal. Pure: no I/O
// (symlinks are checked by static.ts on the opened file descriptor).
//
// The rules, in order (each one closes a known hole in file servers):
//   1. The path must start with the configured prefix, on a segment boundary ("/static" does
//      not match "/staticx" nor "/static%2f..").
//   2. Percent-decode exactly once (malformed or non-UTF-8 sequences such as the overlong
//      "%c0%ae" → 400). "%252e" stays the literal three characters "%2e": never decoded twice.
//   3. After decoding, refuse NUL (C string truncation), backslash (a separator on Windows and
//      in some proxies) and any ".." segment (400). A %2F becomes a real "/" and is segmented
//      like one, so "..%2f" is caught by the same rule.
//   4. Dotfiles: any segment starting with "." is hidden (404), refused (403) or allowed.
//   5. Normalise with path.posix (collapses "//" and "."), join to the root, and check the
//      result is the root or below `root + sep`: the last line of defence, should 1–4 miss.
import path from 'node:path';

export type DotfilesPolicy = 'ignore' | 'allow' | 'deny';

export type PathResolution =
  | {
      readonly ok: true;
      /** Absolute file name under root. */
      readonly file: string;
      /** The decoded, normalised path below the prefix, starting with "/". */
      readonly relative: string;
      /** The request path ended with "/" (a directory was asked for). */
      readonly directoryRequest: boolean;
    }
  | { readonly ok: false; readonly status: 400 | 403 | 404 };

const BAD_REQUEST = { ok: false, status: 400 } as const;
const FORBIDDEN = { ok: false, status: 403 } as const;
const NOT_FOUND = { ok: false, status: 404 } as const;

/**
 * Resolve `rawPath` (req.path: no query, not decoded) below `root` (absolute, normalised).
 * `prefix` is "" or a path like "/static" without a trailing slash.
 */
export function resolveRequestPath(rawPath: string, prefix: string, root: string, dotfiles: DotfilesPolicy): PathResolution {
  // 1. prefix
  let rest = rawPath;
  let bareMount = false;
  if (prefix !== '') {
    if (!rawPath.startsWith(prefix)) return NOT_FOUND;
    rest = rawPath.slice(prefix.length);
    // "/static" is the root directory asked for without its slash (redirected like any directory).
    bareMount = rest === '';
    if (bareMount) rest = '/';
    else if (rest.charCodeAt(0) !== 0x2f) return NOT_FOUND;
  }
  if (rest.charCodeAt(0) !== 0x2f) return NOT_FOUND; // "*" or an authority: not a file path

  // 2. decode once
  let decoded: string;
  try {
    decoded = rest.indexOf('%') < 0 ? rest : decodeURIComponent(rest);
  } catch {
    return BAD_REQUEST;
  }

  // 3 and 4. characters and segments
  if (decoded.indexOf('\0') >= 0 || decoded.indexOf('\\') >= 0) return BAD_REQUEST;
  let hidden = false;
  let start = 1;
  while (start <= decoded.length) {
    let end = decoded.indexOf('/', start);
    if (end < 0) end = decoded.length;
    if (end > start && decoded.charCodeAt(start) === 0x2e) {
      const segment = decoded.slice(start, end);
      if (segment === '..') return BAD_REQUEST;
      if (segment !== '.') hidden = true;
    }
    start = end + 1;
  }
  if (hidden && dotfiles !== 'allow') return dotfiles === 'deny' ? FORBIDDEN : NOT_FOUND;

  // 5. normalise and contain
  const relative = path.posix.normalize(decoded);
  const file = path.join(root, relative);
  if (file !== root && !file.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return BAD_REQUEST;
  const directoryRequest = !bareMount && decoded.charCodeAt(decoded.length - 1) === 0x2f;
  return { ok: true, file: directoryRequest && file.endsWith(path.sep) && file !== root ? file.slice(0, -1) : file, relative, directoryRequest };
}

/** Percent-encode a decoded path for a Location field, segment by segment. */
export function encodePath(decodedPath: string): string {
  return decodedPath.split('/').map(encodeURIComponent).join('/');
}
