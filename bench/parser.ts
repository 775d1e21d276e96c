// `npm run bench:parser [-- --quick]`: brisk's RequestParser against Node's native llhttp
// (driven as lib/_http_server.js drives it) and http-parser-js, in one process, on four
// workloads. Every consumer does the same work: method, target and header fields as strings,
// body bytes counted. Each (workload, parser) pair is warmed up, then measured for a fixed time,
// in interleaved rounds; the table shows medians and the targets next to them.
//
// How a measurement runs:
//   1. a fresh parser and sink are made for the pair;
//   2. the workload's pieces are executed in a loop (keep-alive: one parser, request after request)
//      until the time is up, checking between batches that nothing failed;
//   3. requests per second and input MB/s are computed, and the sink's counts checked.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { RequestParser, ParserStatus, type HeadInfo, type ParserHandler } from '../src/parser/index.js';

const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const MEASURE_MS = quick ? 250 : 1000;
const WARMUP_MS = quick ? 100 : 300;
const ROUNDS = quick ? 3 : 5;

// ---- workloads -------------------------------------------------------------------------------

const MINIMAL = 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n';

const BROWSER =
  'GET /products/shoes?color=blue&size=42 HTTP/1.1\r\n' +
  'Host: shop.example.com\r\n' +
  'Connection: keep-alive\r\n' +
  'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124"\r\n' +
  'sec-ch-ua-mobile: ?0\r\n' +
  'Upgrade-Insecure-Requests: 1\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n' +
  'Sec-Fetch-Site: same-origin\r\n' +
  'Sec-Fetch-Mode: navigate\r\n' +
  'Sec-Fetch-Dest: document\r\n' +
  'Accept-Encoding: gzip, deflate, br\r\n' +
  'Accept-Language: en-US,en;q=0.9\r\n' +
  'Cookie: session=4f9a1c2e8b7d; theme=dark\r\n' +
  '\r\n';

function chunkedPost(): string {
  const chunk = 'x'.repeat(256);
  let body = '';
  for (let k = 0; k < 4; k++) body += `100\r\n${chunk}\r\n`;
  return 'POST /upload HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/octet-stream\r\n' +
    `Transfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`;
}

interface Workload {
  id: string;
  title: string;
  /** The pieces of one request, executed in order. */
  pieces: Buffer[];
  bytes: number;
  bodyBytes: number;
  /** brisk ÷ llhttp req/s target. */
  targetVsLlhttp: number;
}

function pieces(text: string, size: number): Buffer[] {
  const all = Buffer.from(text, 'latin1');
  const out: Buffer[] = [];
  for (let at = 0; at < all.length; at += size) out.push(all.subarray(at, at + size));
  return out;
}

const WORKLOADS: Workload[] = [
  { id: 'a', title: 'minimal GET', pieces: pieces(MINIMAL, Infinity), bytes: MINIMAL.length, bodyBytes: 0, targetVsLlhttp: 2.0 },
  { id: 'b', title: `browser GET (${BROWSER.length} B, 13 fields)`, pieces: pieces(BROWSER, Infinity), bytes: BROWSER.length, bodyBytes: 0, targetVsLlhttp: 1.2 },
  { id: 'c', title: 'POST, 1 KiB chunked body', pieces: pieces(chunkedPost(), Infinity), bytes: chunkedPost().length, bodyBytes: 1024, targetVsLlhttp: 2.0 },
  { id: 'd', title: 'browser GET, 7 bytes per read', pieces: pieces(BROWSER, 7), bytes: BROWSER.length, bodyBytes: 0, targetVsLlhttp: 1.0 },
];
const TARGET_VS_HTTP_PARSER_JS = 2.0;

// ---- the same work for every parser ----------------------------------------------------------

/** What every consumer does with a request: touch each string, count body bytes. */
class Sink {
  messages = 0;
  chars = 0;
  bodyBytes = 0;
  head(method: string, url: string, headers: readonly string[]): void {
    let n = method.length + url.length;
    for (let k = 0; k < headers.length; k++) n += headers[k]!.length;
    this.chars += n;
  }
  body(b: Buffer): void {
    this.bodyBytes += b.length;
  }
  complete(): void {
    this.messages++;
  }
}

interface Session {
  sink: Sink;
  /** Parses one piece; throws if the parser reports an error. */
  execute(piece: Buffer): void;
}

type ParserName = 'brisk' | 'llhttp' | 'http-parser-js';
const PARSERS: ParserName[] = ['brisk', 'llhttp', 'http-parser-js'];

function briskSession(): Session {
  const sink = new Sink();
  const handler: ParserHandler = {
    onMessageBegin() {},
    onUrl() {},
    onHeadersComplete(info: HeadInfo) {
      sink.head(info.method, info.target, info.headers);
    },
    onBody(view: Buffer) {
      sink.body(view);
    },
    onTrailers() {},
    onMessageComplete() {
      sink.complete();
    },
  };
  const parser = new RequestParser(handler);
  return {
    sink,
    execute(piece) {
      parser.execute(piece);
      if (parser.status !== ParserStatus.Ok) throw new Error(`brisk: status ${parser.status} ${parser.error}`);
    },
  };
}

// Node's binding, as lib/_http_common.js and lib/_http_server.js use it.
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  [slot: number]: unknown;
}
const { HTTPParser: NativeHTTPParser } = require('_http_common') as {
  HTTPParser: {
    new (): NativeParser;
    REQUEST: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kLenientNone: number;
  };
};
/** llhttp method ids (its public llhttp_method values) → names, like _http_common's allMethods. */
const LLHTTP_METHODS = [
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH', 'PURGE', 'MKCALENDAR',
  'LINK', 'UNLINK', 'SOURCE', 'PRI', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN',
  'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH', 'QUERY',
];

function llhttpSession(): Session {
  const sink = new Sink();
  const parser = new NativeHTTPParser();
  parser.initialize(NativeHTTPParser.REQUEST, {}, 0, NativeHTTPParser.kLenientNone);
  // Headers the binding flushes early (more than 32, or across reads) arrive in kOnHeaders.
  let pendingHeaders: string[] = [];
  let pendingUrl = '';
  parser[NativeHTTPParser.kOnHeaders] = (headers: string[], url: string): void => {
    for (let k = 0; k < headers.length; k++) pendingHeaders.push(headers[k]!);
    pendingUrl += url;
  };
  parser[NativeHTTPParser.kOnHeadersComplete] = (
    _major: number,
    _minor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
  ): number => {
    if (headers === undefined) {
      headers = pendingHeaders;
      pendingHeaders = [];
    }
    if (url === undefined) {
      url = pendingUrl;
      pendingUrl = '';
    }
    sink.head(LLHTTP_METHODS[method]!, url, headers);
    return 0;
  };
  parser[NativeHTTPParser.kOnBody] = (b: Buffer): void => sink.body(b);
  parser[NativeHTTPParser.kOnMessageComplete] = (): void => sink.complete();
  return {
    sink,
    execute(piece) {
      const r = parser.execute(piece);
      if (r instanceof Error) throw r;
    },
  };
}

interface JsParser {
  execute(data: Buffer): number | Error;
  [slot: number]: unknown;
}
const httpParserJs = require('http-parser-js') as {
  HTTPParser: {
    new (type: string): JsParser;
    REQUEST: string;
    methods: string[];
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
  };
};

function httpParserJsSession(): Session {
  const { HTTPParser } = httpParserJs;
  const sink = new Sink();
  const parser = new HTTPParser(HTTPParser.REQUEST);
  parser[HTTPParser.kOnHeadersComplete] = (info: { method: number; url: string; headers: string[] }): number => {
    sink.head(HTTPParser.methods[info.method]!, info.url, info.headers);
    return 0;
  };
  parser[HTTPParser.kOnBody] = (b: Buffer): void => sink.body(b);
  parser[HTTPParser.kOnMessageComplete] = (): void => sink.complete();
  return {
    sink,
    execute(piece) {
      const r = parser.execute(piece);
      if (r instanceof Error) throw r;
    },
  };
}

const SESSIONS: Record<ParserName, () => Session> = {
  brisk: briskSession,
  llhttp: llhttpSession,
  'http-parser-js': httpParserJsSession,
};

// ---- measuring -------------------------------------------------------------------------------

interface Sample {
  reqPerSec: number;
  mbPerSec: number;
}

/** Requests per batch: enough that the clock is read rarely, few enough to stop on time. */
function batchSize(w: Workload): number {
  return w.pieces.length > 1 ? 50 : w.bodyBytes > 0 ? 100 : 400;
}

function measure(name: ParserName, w: Workload, ms: number): Sample {
  const session = SESSIONS[name]();
  const batch = batchSize(w);
  const ps = w.pieces;
  let requests = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let r = 0; r < batch; r++) for (let k = 0; k < ps.length; k++) session.execute(ps[k]!);
    requests += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  const { sink } = session;
  if (sink.messages !== requests || sink.bodyBytes !== requests * w.bodyBytes) {
    throw new Error(`${name} on ${w.id}: ${sink.messages}/${requests} messages, ${sink.bodyBytes} body bytes`);
  }
  const seconds = elapsed / 1000;
  return { reqPerSec: requests / seconds, mbPerSec: (requests * w.bytes) / seconds / 1e6 };
}

/** One request through each parser: the same strings and body bytes, or the comparison is void. */
function checkEquivalentWork(w: Workload): void {
  const seen = PARSERS.map((name) => {
    const s = SESSIONS[name]();
    for (const p of w.pieces) s.execute(p);
    return `${s.sink.messages}/${s.sink.chars}/${s.sink.bodyBytes}`;
  });
  if (new Set(seen).size !== 1) throw new Error(`workload ${w.id}: consumers differ: ${PARSERS.map((n, k) => `${n} ${seen[k]}`).join(', ')}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function main(): void {
  console.log(`brisk parser benchmark — node ${process.version}, llhttp ${process.versions.llhttp}, ${cpus()[0]?.model ?? 'cpu?'}`);
  console.log(`${ROUNDS} interleaved rounds of ${MEASURE_MS} ms per (workload, parser), warm-up ${WARMUP_MS} ms${quick ? ' (--quick)' : ''}; medians\n`);
  for (const w of WORKLOADS) checkEquivalentWork(w);
  for (const w of WORKLOADS) for (const name of PARSERS) measure(name, w, WARMUP_MS);

  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const w of WORKLOADS) {
      // Rotate the order each round so no parser always runs first after a workload switch.
      for (let k = 0; k < PARSERS.length; k++) {
        const name = PARSERS[(k + round) % PARSERS.length]!;
        const key = `${w.id}/${name}`;
        const list = samples.get(key) ?? [];
        list.push(measure(name, w, MEASURE_MS));
        samples.set(key, list);
      }
    }
  }

  const rows: string[][] = [['workload', 'parser', 'req/s', 'MB/s', 'vs llhttp', 'vs http-parser-js']];
  const verdicts: string[] = [];
  for (const w of WORKLOADS) {
    const med = (name: ParserName): Sample => {
      const list = samples.get(`${w.id}/${name}`)!;
      return { reqPerSec: median(list.map((s) => s.reqPerSec)), mbPerSec: median(list.map((s) => s.mbPerSec)) };
    };
    const llhttp = med('llhttp');
    const js = med('http-parser-js');
    for (const name of PARSERS) {
      const m = med(name);
      rows.push([
        `(${w.id}) ${w.title}`,
        name,
        fmt(m.reqPerSec),
        fmt(m.mbPerSec, 1),
        `${(m.reqPerSec / llhttp.reqPerSec).toFixed(2)}×`,
        `${(m.reqPerSec / js.reqPerSec).toFixed(2)}×`,
      ]);
    }
    const brisk = med('brisk');
    const vsLlhttp = brisk.reqPerSec / llhttp.reqPerSec;
    const vsJs = brisk.reqPerSec / js.reqPerSec;
    const ok = (value: number, target: number): string => (value >= target ? 'met' : 'MISSED');
    verdicts.push(
      `(${w.id}) brisk ${vsLlhttp.toFixed(2)}× llhttp (target ≥${w.targetVsLlhttp.toFixed(1)}×: ${ok(vsLlhttp, w.targetVsLlhttp)}), ` +
        `${vsJs.toFixed(2)}× http-parser-js (target ≥${TARGET_VS_HTTP_PARSER_JS.toFixed(1)}×: ${ok(vsJs, TARGET_VS_HTTP_PARSER_JS)})`,
    );
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const [k, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    if (k === 0) console.log(widths.map((wd) => '-'.repeat(wd)).join('  '));
  }
  console.log('\ntargets:');
  for (const v of verdicts) console.log(`  ${v}`);
}

main();
