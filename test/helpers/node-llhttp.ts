// Drives Node's bundled llhttp (require('_http_common').HTTPParser) the way lib/_http_server.js
// does — initialize(REQUEST, resource, 0, kLenientNone), callbacks in the kOn* slots, execute(),
// finish() — and records the messages in the same shape as parser-harness.ts (message-record.ts).
// Test-only: this binding is internal to Node and may change between versions; it is checked at load
// (`nativeUnavailable`) and the tests that need it skip with that reason when it is missing.
import { createRequire } from 'node:module';
import { emptyMessage, type MessageRecord } from './message-record.js';

const require = createRequire(import.meta.url);

type HeadersCompleteCallback = (
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number,
  url: string | undefined,
  statusCode: number | undefined,
  statusMessage: string | undefined,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number | void;

/** The slice of the internal binding we use. */
export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | NativeError;
  finish(): NativeError | undefined;
  close(): void;
  [slot: number]: unknown;
}

export interface NativeError extends Error {
  code: string;
  bytesParsed: number;
  reason: string;
}

export interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
}

/**
 * The binding is internal, so it is checked once at load: `nativeUnavailable` is null when every
 * member this file uses exists, else the reason the tests that need it print when they skip.
 * Checked on Node 20 (llhttp 9.3.1), 22.23 and 24.22 (9.4.4) and 26.12 (9.4.3).
 */
function loadBinding(): { parser: NativeParserClass | null; reason: string | null } {
  let parser: NativeParserClass | undefined;
  try {
    parser = (require('_http_common') as { HTTPParser?: NativeParserClass }).HTTPParser;
  } catch (e) {
    return { parser: null, reason: `require('_http_common') failed on Node ${process.version}: ${(e as Error).message}` };
  }
  if (typeof parser !== 'function') return { parser: null, reason: `_http_common has no HTTPParser on Node ${process.version}` };
  const slots = ['REQUEST', 'kOnMessageBegin', 'kOnHeaders', 'kOnHeadersComplete', 'kOnBody', 'kOnMessageComplete', 'kLenientNone'] as const;
  const missing = slots.filter((k) => typeof parser[k] !== 'number');
  if (missing.length > 0) return { parser: null, reason: `_http_common.HTTPParser lacks ${missing.join(', ')} on Node ${process.version}` };
  const proto = parser.prototype as unknown as Record<string, unknown>;
  const methods = ['initialize', 'execute', 'finish', 'close'].filter((m) => typeof proto[m] !== 'function');
  if (methods.length > 0) return { parser: null, reason: `_http_common.HTTPParser lacks ${methods.join(', ')}() on Node ${process.version}` };
  return { parser, reason: null };
}

const binding = loadBinding();
/** Why Node's llhttp cannot be driven on this Node (tests skip with it), or null. */
export const nativeUnavailable: string | null = binding.reason;
export const NativeHTTPParser: NativeParserClass = binding.parser ?? (null as unknown as NativeParserClass);
/**
 * llhttp method ids → names (llhttp's public `llhttp_method` values). `_http_common.methods` is
 * a name list, not indexed by id (QUERY is id 46), so the ids are spelled out here.
 */
export const NATIVE_METHODS: readonly string[] = [
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH', 'PURGE', 'MKCALENDAR',
  'LINK', 'UNLINK', 'SOURCE', 'PRI', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN',
  'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH', 'QUERY',
];

export interface NativeMessage extends MessageRecord {
  versionMajor: number | null;
}

export interface NativeRun {
  outcome: 'accept' | 'reject' | 'upgrade';
  messages: NativeMessage[];
  /** llhttp error name (HPE_...), for `reject`. HPE_PAUSED_H2_UPGRADE is reported as a reject. */
  errorCode: string | null;
  errorOffset: number | null;
  errorReason: string | null;
  upgradeOffset: number | null;
  /** finish() error name when the input ended inside a message, else null (not called after errors). */
  finish: string | null;
}

/** Parses `input` (one execute call; Node's llhttp gives the same result at every split). */
export function runNative(input: Buffer): NativeRun {
  const p = new NativeHTTPParser();
  p.initialize(NativeHTTPParser.REQUEST, {}, 0, NativeHTTPParser.kLenientNone);
  const messages: NativeMessage[] = [];
  let headerAcc: string[] = [];
  let urlAcc = '';
  const current = (): NativeMessage | undefined => messages[messages.length - 1];
  let bodyParts: Buffer[] = [];

  p[NativeHTTPParser.kOnMessageBegin] = (): void => {
    headerAcc = [];
    urlAcc = '';
    bodyParts = [];
    messages.push({ ...emptyMessage(), versionMajor: null });
  };
  // Headers that do not fit the binding's batch, and trailers, arrive here (as in _http_common.js).
  p[NativeHTTPParser.kOnHeaders] = (headers: string[], url: string): void => {
    const m = current();
    if (m?.headersComplete === true) {
      m.trailers = [...(m.trailers ?? []), ...headers];
    } else {
      headerAcc.push(...headers);
      urlAcc += url;
    }
  };
  const onHeadersComplete: HeadersCompleteCallback = (major, minor, headers, method, url, _s, _m, upgrade, keepAlive) => {
    const m = current();
    if (m === undefined) return 0;
    m.versionMajor = major;
    m.versionMinor = minor;
    m.headers = headers ?? headerAcc;
    m.method = NATIVE_METHODS[method] ?? `#${method}`;
    m.target = url ?? urlAcc;
    m.upgrade = upgrade;
    m.keepAlive = keepAlive;
    m.headersComplete = true;
    headerAcc = [];
    return 0;
  };
  p[NativeHTTPParser.kOnHeadersComplete] = onHeadersComplete;
  p[NativeHTTPParser.kOnBody] = (b: Buffer): void => {
    bodyParts.push(Buffer.from(b));
  };
  p[NativeHTTPParser.kOnMessageComplete] = (): void => {
    const m = current();
    if (m === undefined) return;
    m.body = Buffer.concat(bodyParts);
    bodyParts = [];
    m.complete = true;
  };

  const result: NativeRun = {
    outcome: 'accept',
    messages,
    errorCode: null,
    errorOffset: null,
    errorReason: null,
    upgradeOffset: null,
    finish: null,
  };
  const ret = p.execute(input);
  const last = current();
  if (last !== undefined && !last.complete && bodyParts.length > 0) last.body = Buffer.concat(bodyParts);
  if (ret instanceof Error) {
    result.outcome = 'reject';
    result.errorCode = ret.code;
    result.errorOffset = ret.bytesParsed;
    result.errorReason = ret.reason;
  } else if (last?.complete === true && last.upgrade === true) {
    result.outcome = 'upgrade';
    result.upgradeOffset = ret;
  } else {
    const err = p.finish();
    if (err instanceof Error) result.finish = err.code;
  }
  p.close();
  return result;
}

/**
 * llhttp 9.4 (#810, #866) allows a tab after a Content-Length value and sees `close<HTAB>`; 9.3.1
 * (Node 20) does not. Probed on the binding itself, not guessed from process.versions.llhttp.
 */
export function nativeHasTrailingTabFixes(): boolean {
  if (nativeUnavailable !== null) return false;
  const r = runNative(Buffer.from('POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\t1\t\r\nConnection: close\t\r\n\r\nx', 'latin1'));
  return r.outcome === 'accept' && r.messages[0]?.complete === true && r.messages[0].keepAlive === false;
}
