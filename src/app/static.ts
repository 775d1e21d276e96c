// serveStatic: files under a root directory, with validators, conditional requests (RFC 9110
// §13), single byte ranges (§14), precompressed .br/.gz siblings and traversal-safe paths.
// Built on the core's public handler API only; never reads a whole file into memory.
//
// The life of a static request:
//   1. Method: GET or HEAD, else 405 with Allow.
//   2. Path: prefix stripped, decoded once, checked and contained (static-path.ts).
//   3. Open: the file is opened once (O_NONBLOCK, so a FIFO cannot hang a worker thread) and
//      everything after works on that descriptor: fstat, and the symlink check, which reads
//      the descriptor's real path from /proc/self/fd (falling back to realpath) — no window
//      between "checked" and "opened".
//   4. Directories: no trailing slash → 301 to the slash form; else the index file, else 404.
//   5. Representation: a .br or .gz sibling when the client accepts it, else the file itself.
//   6. Preconditions (conditional.ts) → 412 or 304; then Range (range.ts) → 206 or 416.
//   7. Body: HEAD ends after the head; GET streams the (part of the) file through res.send()
//      with 64 KiB reads, so the socket's backpressure paces the disk.
import type { ReadStream, Stats } from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import mime from 'mime-types';
import type { BriskRequest, BriskResponse, Handler } from '../core.js';
import { isCompressibleType, preferredCodings } from './accept-encoding.js';
import { evaluatePreconditions, formatHttpDate, ifRangeHolds, Precondition, type Validators } from './conditional.js';
import { parseRange, RangeKind } from './range.js';
import { encodePath, resolveRequestPath, type DotfilesPolicy } from './static-path.js';

export interface StaticOptions {
  /** A path prefix to strip from req.path before mapping it to a file, e.g. "/static". Default "". */
  prefix?: string;
  /** File served for a directory request ("/dir/"); false for none. Default "index.html". */
  index?: string | false;
  /** Files or directories whose name starts with ".": 404 ("ignore"), 403 ("deny") or served ("allow"). Default "ignore". */
  dotfiles?: DotfilesPolicy;
  /** Follow symlinks that lead outside root. Links that stay inside root always work. Default false. */
  followSymlinks?: boolean;
  /** ETag kind, or false for none. Default "weak": W/"<size hex>-<mtime ms hex>". */
  etag?: 'weak' | 'strong' | false;
  /** Send Last-Modified (and honour If-Modified-Since / If-Unmodified-Since / date If-Range). Default true. */
  lastModified?: boolean;
  /** Cache-Control max-age in seconds, or false for no Cache-Control field. Default 0 ("public, max-age=0": revalidate). */
  maxAge?: number | false;
  /** Add "immutable" to Cache-Control (for fingerprinted file names). Default false. */
  immutable?: boolean;
  /** Serve "x.br" / "x.gz" in place of "x" when the client accepts br / gzip. Default true. */
  precompressed?: boolean;
}

interface StaticConfig {
  readonly root: string;
  readonly prefix: string;
  readonly index: string | false;
  readonly dotfiles: DotfilesPolicy;
  readonly followSymlinks: boolean;
  readonly etag: 'weak' | 'strong' | false;
  readonly lastModified: boolean;
  readonly cacheControl: string | undefined;
  readonly precompressed: boolean;
  /** The root with symlinks resolved, computed on first use. */
  realRoot: Promise<string> | null;
}

/** Read size: 64 KiB, four times fs.ReadStream's default; fewer syscalls, still a small buffer per response. */
const READ_CHUNK_BYTES = 64 * 1024;
/** O_NONBLOCK: opening a FIFO returns at once (and fstat then refuses it) instead of blocking a libuv thread. */
const OPEN_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;
const ALLOW = 'GET, HEAD';

/** A precompressed sibling: the file name suffix and the Content-Encoding it carries. */
const SIBLINGS = { br: '.br', gzip: '.gz' } as const;
const SIBLING_CODINGS: readonly ('br' | 'gzip')[] = ['br', 'gzip'];

export function serveStatic(root: string, options: StaticOptions = {}): Handler {
  const config = resolveStaticOptions(root, options);
  return (req, res) => serveFile(config, req, res);
}

function resolveStaticOptions(root: string, options: StaticOptions): StaticConfig {
  const prefix = options.prefix ?? '';
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw new TypeError(`serveStatic: prefix must start with "/" and not end with one: ${JSON.stringify(prefix)}`);
  }
  const index = options.index ?? 'index.html';
  if (index !== false && (index === '' || index.includes('/') || index.includes('\\'))) {
    throw new TypeError(`serveStatic: index must be a plain file name: ${JSON.stringify(index)}`);
  }
  const maxAge = options.maxAge ?? 0;
  if (maxAge !== false && !(Number.isInteger(maxAge) && maxAge >= 0)) {
    throw new TypeError(`serveStatic: maxAge must be a whole number of seconds or false: ${String(maxAge)}`);
  }
  return {
    root: path.resolve(root),
    prefix,
    index,
    dotfiles: options.dotfiles ?? 'ignore',
    followSymlinks: options.followSymlinks ?? false,
    etag: options.etag ?? 'weak',
    lastModified: options.lastModified ?? true,
    cacheControl: maxAge === false ? undefined : `public, max-age=${maxAge}${options.immutable === true ? ', immutable' : ''}`,
    precompressed: options.precompressed ?? true,
    realRoot: null,
  };
}

// --- the handler ---

async function serveFile(config: StaticConfig, req: BriskRequest, res: BriskResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', ALLOW);
    return sendStatus(res, 405, 'Method Not Allowed');
  }
  const resolved = resolveRequestPath(req.path, config.prefix, config.root, config.dotfiles);
  if (!resolved.ok) return sendStatus(res, resolved.status, STATUS_MESSAGES[resolved.status]);

  let opened = await openInsideRoot(config, resolved.file);
  if (typeof opened === 'number') return sendStatus(res, opened, STATUS_MESSAGES[opened]);
  let fileName = resolved.file;
  if (opened.stat.isDirectory()) {
    await opened.handle.close();
    if (!resolved.directoryRequest) return redirectToDirectory(config, req, res, resolved.relative);
    if (config.index === false) return sendStatus(res, 404, STATUS_MESSAGES[404]);
    fileName = path.join(resolved.file, config.index);
    opened = await openInsideRoot(config, fileName);
    if (typeof opened === 'number') return sendStatus(res, opened, STATUS_MESSAGES[opened]);
  }
  // "file.txt/" names a directory that is not one; anything but a regular file (FIFO, socket, device) is not served.
  if (!opened.stat.isFile() || (resolved.directoryRequest && fileName === resolved.file)) {
    await opened.handle.close();
    return sendStatus(res, 404, STATUS_MESSAGES[404]);
  }
  let representation: Representation;
  try {
    representation = await selectRepresentation(config, req, fileName, opened);
  } catch (error) {
    await opened.handle.close(); // e.g. EMFILE opening a sibling
    throw error;
  }
  let body: ReadStream | null = null;
  try {
    body = respond(config, req, res, representation);
  } finally {
    // From here on the read stream owns the descriptor (autoClose), also when send() fails.
    if (body === null) await representation.handle.close();
  }
  if (body !== null) await res.send(body);
}

/** What is sent: the file or a precompressed sibling, with its validators. */
interface Representation {
  readonly handle: FileHandle;
  readonly stat: Stats;
  readonly contentType: string;
  /** "br" or "gzip" for a sibling, undefined for the file itself. */
  readonly contentEncoding: 'br' | 'gzip' | undefined;
  /** Whether responses must carry Vary: Accept-Encoding. */
  readonly varies: boolean;
}

interface Opened {
  readonly handle: FileHandle;
  readonly stat: Stats;
}

/** Open a path, fstat it, and check it stays inside the real root; a status code when not usable. */
async function openInsideRoot(config: StaticConfig, file: string): Promise<Opened | 400 | 403 | 404> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    return statusForOpenError(error);
  }
  try {
    const stat = await handle.stat();
    if (!config.followSymlinks && !(await isInsideRealRoot(config, handle, file))) {
      await handle.close();
      return 404;
    }
    return { handle, stat };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function statusForOpenError(error: unknown): 403 | 404 {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 403;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP' || code === 'EISDIR') return 404;
  throw error;
}

/** Where the opened descriptor really points (no race with the open), compared with the real root. */
async function isInsideRealRoot(config: StaticConfig, handle: FileHandle, file: string): Promise<boolean> {
  const realRoot = await (config.realRoot ??= realpath(config.root).catch(() => {
    config.realRoot = null; // the root may appear later: do not remember the failure
    return config.root;
  }));
  let real: string;
  try {
    real = await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    real = await realpath(file); // no /proc (macOS, BSD): resolve by name instead
  }
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

/** Step 5: a precompressed sibling the client accepts, else the file itself. */
async function selectRepresentation(config: StaticConfig, req: BriskRequest, file: string, opened: Opened): Promise<Representation> {
  const contentType = mime.contentType(path.basename(file)) || 'application/octet-stream';
  const varies = config.precompressed && isCompressibleType(contentType);
  if (varies) {
    for (const coding of preferredCodings(req.headers.get('accept-encoding'), SIBLING_CODINGS)) {
      const sibling = await openInsideRoot(config, file + SIBLINGS[coding]);
      if (typeof sibling === 'number') continue;
      if (!sibling.stat.isFile()) {
        await sibling.handle.close();
        continue;
      }
      await opened.handle.close();
      return { handle: sibling.handle, stat: sibling.stat, contentType, contentEncoding: coding, varies };
    }
  }
  return { handle: opened.handle, stat: opened.stat, contentType, contentEncoding: undefined, varies };
}

/**
 * Steps 6 and 7: set the fields and either finish the response (returns null: the caller
 * closes the file) or return the read stream for the body.
 */
function respond(config: StaticConfig, req: BriskRequest, res: BriskResponse, rep: Representation): ReadStream | null {
  const validators = validatorsFor(config, rep);
  setValidatorFields(config, res, rep, validators);
  const headers = req.headers;
  const precondition = evaluatePreconditions(
    {
      ifMatch: headers.get('if-match'),
      ifNoneMatch: headers.get('if-none-match'),
      ifModifiedSince: headers.get('if-modified-since'),
      ifUnmodifiedSince: headers.get('if-unmodified-since'),
    },
    validators,
  );
  if (precondition === Precondition.NotModified) {
    // RFC 9110 §15.4.5: the validators, Cache-Control and Vary a 200 would carry; no body.
    // Content-Length is the 200's length (§8.6 allows exactly that value): without a declared
    // length the core would announce "Content-Length: 0" for end() (see .server-bugs.md).
    res.status = 304;
    res.setHeader('Content-Length', rep.stat.size);
    res.end();
    return null;
  }
  if (precondition === Precondition.Failed) {
    sendStatus(res, 412, 'Precondition Failed');
    return null;
  }

  const size = rep.stat.size;
  res.setHeader('Content-Type', rep.contentType);
  if (rep.contentEncoding !== undefined) res.setHeader('Content-Encoding', rep.contentEncoding);
  let start = 0;
  let end = size - 1;
  const rangeField = req.method === 'GET' ? headers.get('range') : undefined;
  const ifRange = headers.get('if-range');
  if (rangeField !== undefined && (ifRange === undefined || ifRangeHolds(ifRange, validators))) {
    const range = parseRange(rangeField, size);
    if (range.kind === RangeKind.Unsatisfiable) {
      res.setHeader('Content-Range', `bytes */${size}`);
      res.removeHeader('Content-Encoding');
      sendStatus(res, 416, 'Range Not Satisfiable');
      return null;
    }
    if (range.kind === RangeKind.Single) {
      start = range.start;
      end = range.end;
      res.status = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
  }
  const length = end - start + 1;
  res.setHeader('Content-Length', length);
  if (req.method === 'HEAD' || length === 0) {
    res.end(); // HEAD: the core keeps the declared Content-Length and sends no body
    return null;
  }
  return rep.handle.createReadStream({ start, end, highWaterMark: READ_CHUNK_BYTES, autoClose: true });
}

function validatorsFor(config: StaticConfig, rep: Representation): Validators {
  const stat = rep.stat;
  let etag: string | undefined;
  if (config.etag !== false) {
    // The coding is part of the tag: a .br and a .gz of one file are different representations.
    const suffix = rep.contentEncoding === undefined ? '' : '-' + rep.contentEncoding;
    const opaque = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}${suffix}"`;
    etag = config.etag === 'weak' ? 'W/' + opaque : opaque;
  }
  const lastModifiedSeconds = config.lastModified ? Math.floor(stat.mtimeMs / 1000) : undefined;
  return { etag, lastModifiedSeconds };
}

/** The fields shared by 200, 206 and 304. */
function setValidatorFields(config: StaticConfig, res: BriskResponse, rep: Representation, validators: Validators): void {
  if (validators.etag !== undefined) res.setHeader('ETag', validators.etag);
  if (validators.lastModifiedSeconds !== undefined) res.setHeader('Last-Modified', formatHttpDate(validators.lastModifiedSeconds));
  if (config.cacheControl !== undefined) res.setHeader('Cache-Control', config.cacheControl);
  if (rep.varies) res.appendHeader('Vary', 'Accept-Encoding');
  res.setHeader('Accept-Ranges', 'bytes');
}

/** 301 to the directory's slash form, built from the normalised path (never the raw one: "//host" would be an open redirect). */
function redirectToDirectory(config: StaticConfig, req: BriskRequest, res: BriskResponse, relative: string): void {
  let location = config.prefix + encodePath(relative.endsWith('/') ? relative : relative + '/');
  if (req.search !== '') location += '?' + req.search;
  res.setHeader('Location', location);
  sendStatus(res, 301, 'Moved Permanently');
}

const STATUS_MESSAGES = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' } as const;

function sendStatus(res: BriskResponse, status: number, message: string): void {
  res.status = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(message + '\n');
}
