// Drives Node's bundled llhttp (require('_http_common').HTTPParser) the way lib/_http_server.js
// does — initialize(REQUEST, resource, 0, kLenientNone), callbacks in the kOn* slots, execute(),
// finish() — and records the messages in the same shape as parser-harness.ts (message-record.ts).
// Test-only: this binding is internal to Node and may change between versions (written against Node 20).
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

const common = require('_http_common') as { HTTPParser: NativeParserClass };
export const NativeHTTPParser: NativeParserClass = common.HTTPParser;
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
