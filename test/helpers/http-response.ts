// A small, strict HTTP/1.x response parser for tests (RFC 9112 §4, §6, §7.1). It reads what a
// server sent, byte for byte, so tests can assert framing as well as content. Test code only:
// it throws on anything malformed, which is what a test wants.

export type ResponseFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ParsedResponse {
  readonly httpVersion: string;
  readonly status: number;
  readonly reason: string;
  /** [name, value] in arrival order, names as sent. */
  readonly headers: readonly [string, string][];
  readonly framing: ResponseFraming;
  readonly body: Buffer;
  readonly trailers: readonly [string, string][];
  /** 1xx responses that came before this final one. */
  readonly interim: readonly ParsedResponse[];
  /** The head as text (status line and fields), for failure messages. */
  readonly headText: string;
  /** Joined values of a field (case-insensitive), or undefined. */
  header(name: string): string | undefined;
  /** Whether a comma-separated field (Connection, Transfer-Encoding) lists a token. */
  hasToken(name: string, token: string): boolean;
}

export interface ParseOptions {
  /** Method of the request this answers: HEAD responses have no body. */
  readonly method?: string;
  /** The connection has ended: a close-delimited body is whatever is left. */
  readonly eof?: boolean;
}

/** A complete response and how many bytes of the input it used, or undefined if more are needed. */
export interface ParseResult {
  readonly response: ParsedResponse;
  readonly consumed: number;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/(\d\.\d) (\d{3}) ([\t !-~\x80-\xff]*)$/;
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;

function makeResponse(
  fields: Omit<ParsedResponse, 'header' | 'hasToken'>,
): ParsedResponse {
  return {
    ...fields,
    header(name) {
      const values = fields.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
      return values.length === 0 ? undefined : values.join(', ');
    },
    hasToken(name, token) {
      const value = this.header(name);
      return value !== undefined && value.split(',').some((t) => t.trim().toLowerCase() === token.toLowerCase());
    },
  };
}

function parseFields(lines: string[], what: string): [string, string][] {
  return lines.map((line) => {
    const match = FIELD_LINE.exec(line);
    if (!match) throw new Error(`malformed ${what} field line: ${JSON.stringify(line)}`);
    return [match[1], match[2]];
  });
}

interface Head {
  httpVersion: string;
  status: number;
  reason: string;
  headers: [string, string][];
  headText: string;
  bodyStart: number;
}

function parseHead(buf: Buffer, start: number): Head | undefined {
  const end = buf.indexOf(HEAD_END, start);
  if (end < 0) return undefined;
  const headText = buf.toString('latin1', start, end);
  const [statusLine, ...fieldLines] = headText.split('\r\n');
  const match = STATUS_LINE.exec(statusLine);
  if (!match) throw new Error(`malformed status line: ${JSON.stringify(statusLine)}`);
  if (fieldLines.some((l) => l.includes('\n') || l.includes('\r'))) {
    throw new Error(`bare CR or LF in response head: ${JSON.stringify(headText)}`);
  }
  return {
    httpVersion: match[1],
    status: Number(match[2]),
    reason: match[3],
    headers: parseFields(fieldLines, 'header'),
    headText,
    bodyStart: end + HEAD_END.length,
  };
}

interface Body {
  body: Buffer;
  trailers: [string, string][];
  end: number;
}

/** RFC 9112 §7.1: chunk-size [ext] CRLF data CRLF ... 0 CRLF trailers CRLF. */
function parseChunked(buf: Buffer, start: number): Body | undefined {
  const pieces: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, pos);
    if (lineEnd < 0) return undefined;
    const sizeText = buf.toString('latin1', pos, lineEnd).split(';')[0];
    if (!/^[0-9A-Fa-f]{1,12}$/.test(sizeText)) throw new Error(`bad chunk size line ${JSON.stringify(sizeText)}`);
    const size = parseInt(sizeText, 16);
    pos = lineEnd + 2;
    if (size === 0) break;
    if (buf.length < pos + size + 2) return undefined;
    pieces.push(buf.subarray(pos, pos + size));
    if (buf[pos + size] !== 0x0d || buf[pos + size + 1] !== 0x0a) throw new Error('chunk data not followed by CRLF');
    pos += size + 2;
  }
  const trailerLines: string[] = [];
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, pos);
    if (lineEnd < 0) return undefined;
    const line = buf.toString('latin1', pos, lineEnd);
    pos = lineEnd + 2;
    if (line === '') break;
    trailerLines.push(line);
  }
  return { body: Buffer.concat(pieces), trailers: parseFields(trailerLines, 'trailer'), end: pos };
}

function hasBody(method: string, status: number): boolean {
  return method !== 'HEAD' && !(status >= 100 && status < 200) && status !== 204 && status !== 304;
}

/**
 * Parse one final response (with any 1xx before it) from buf at offset. Returns undefined when
 * more bytes are needed; throws when the bytes are not a valid response.
 */
export function parseResponse(buf: Buffer, options: ParseOptions = {}, offset = 0): ParseResult | undefined {
  const method = options.method ?? 'GET';
  const interim: ParsedResponse[] = [];
  let pos = offset;
  for (;;) {
    const head = parseHead(buf, pos);
    if (head === undefined) return undefined;
    const common = {
      httpVersion: head.httpVersion,
      status: head.status,
      reason: head.reason,
      headers: head.headers,
      headText: head.headText,
    };
    if (head.status >= 100 && head.status < 200) {
      interim.push(makeResponse({ ...common, framing: 'none', body: Buffer.alloc(0), trailers: [], interim: [] }));
      pos = head.bodyStart;
      continue;
    }
    const body = readBody(buf, head, method, options.eof ?? false);
    if (body === undefined) return undefined;
    const response = makeResponse({ ...common, ...body, interim });
    return { response, consumed: body.end - offset };
  }
}

function readBody(
  buf: Buffer,
  head: Head,
  method: string,
  eof: boolean,
): (Body & { framing: ResponseFraming }) | undefined {
  const find = (name: string): string[] =>
    head.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  if (!hasBody(method, head.status)) {
    return { framing: 'none', body: Buffer.alloc(0), trailers: [], end: head.bodyStart };
  }
  const transferEncoding = find('transfer-encoding');
  const contentLength = find('content-length');
  if (transferEncoding.length > 0 && contentLength.length > 0) {
    throw new Error(`response has both Transfer-Encoding and Content-Length:\n${head.headText}`);
  }
  if (transferEncoding.length > 0) {
    const codings = transferEncoding.join(',').split(',').map((t) => t.trim().toLowerCase());
    if (codings.at(-1) !== 'chunked') throw new Error(`unexpected Transfer-Encoding ${transferEncoding.join(', ')}`);
    const chunked = parseChunked(buf, head.bodyStart);
    return chunked && { framing: 'chunked', ...chunked };
  }
  if (contentLength.length > 0) {
    if (contentLength.length > 1 || !/^\d+$/.test(contentLength[0])) {
      throw new Error(`bad Content-Length ${contentLength.join(', ')}`);
    }
    const length = Number(contentLength[0]);
    if (buf.length < head.bodyStart + length) return undefined;
    const end = head.bodyStart + length;
    return { framing: 'length', body: buf.subarray(head.bodyStart, end), trailers: [], end };
  }
  if (!eof) return undefined;
  return { framing: 'close', body: buf.subarray(head.bodyStart), trailers: [], end: buf.length };
}

/** Parse every response in a complete capture (the connection has closed). */
export function parseAllResponses(buf: Buffer, methods: readonly string[] = []): ParsedResponse[] {
  const responses: ParsedResponse[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const result = parseResponse(buf, { method: methods[responses.length] ?? 'GET', eof: true }, offset);
    if (result === undefined) {
      throw new Error(`incomplete response after ${responses.length}: ${JSON.stringify(buf.toString('latin1', offset, offset + 200))}`);
    }
    responses.push(result.response);
    offset += result.consumed;
  }
  return responses;
}
