// The parser's error rules as a table of raw requests: one row (at least) per ParseErrorCode.
// Data only: parser.test.ts feeds each row whole and byte by byte.
import type { ParseErrorCode } from '../../src/parser/errors.js';
import type { ParserLimits } from '../../src/parser/options.js';

export const H = 'Host: x\r\n';
export const GET = `GET / HTTP/1.1\r\n${H}`;
export const CHUNKED = `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`;

export interface ErrorRow {
  name: string;
  input: string;
  code: ParseErrorCode;
  /** Expected error offset, when the row pins it. */
  offset?: number;
  limits?: Partial<ParserLimits>;
  /** The error comes from finish() (EOF), not from execute(). */
  atEof?: boolean;
}

export const ERROR_ROWS: ErrorRow[] = [
  // request line
  { name: 'method with a non-token byte', input: `G(T / HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_METHOD', offset: 1 },
  { name: 'method followed by HTAB', input: `GET\t/ HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_METHOD', offset: 3 },
  { name: 'unregistered method', input: `FOO / HTTP/1.1\r\n${H}\r\n`, code: 'UNKNOWN_METHOD', offset: 0 },
  { name: 'methods are case-sensitive', input: `get / HTTP/1.1\r\n${H}\r\n`, code: 'UNKNOWN_METHOD', offset: 0 },
  { name: 'unknown method refused before its SP arrives', input: 'XYZZY', code: 'UNKNOWN_METHOD', offset: 0 },
  { name: 'method longer than any known one', input: `${'A'.repeat(40)} / HTTP/1.1\r\n`, code: 'UNKNOWN_METHOD', offset: 0 },
  { name: 'fragment in target', input: `GET /a#b HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET', offset: 6 },
  { name: 'asterisk-form with GET', input: `GET * HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'authority-form without CONNECT', input: `GET example.com:80 HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'CONNECT with origin-form', input: `CONNECT /x HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'CONNECT without port', input: `CONNECT example.com HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'absolute-form with another scheme', input: `GET ftp://a/ HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'absolute-form without authority', input: `GET http:///x HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'absolute-form with two @', input: `GET http://a@b@c/ HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'absolute-form with a backslash in the authority', input: `GET http://a\\b/ HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET' },
  { name: 'DEL in target', input: `GET /\x7f HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET', offset: 5 },
  { name: 'non-ASCII byte in target', input: `GET /\xe9 HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET', offset: 5 },
  { name: 'two spaces before the target', input: `GET  / HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_TARGET', offset: 4 },
  { name: 'target longer than maxTargetBytes', input: `GET /123456789 HTTP/1.1\r\n${H}\r\n`, code: 'TARGET_TOO_LONG', limits: { maxTargetBytes: 8 } },
  { name: 'version with a letter', input: `GET / HTTP/1.x\r\n${H}\r\n`, code: 'INVALID_VERSION', offset: 13 },
  { name: 'lower-case protocol name', input: `GET / http/1.1\r\n${H}\r\n`, code: 'INVALID_VERSION', offset: 6 },
  { name: 'two spaces before the version', input: `GET /  HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_VERSION', offset: 6 },
  { name: 'space after the version', input: `GET / HTTP/1.1 \r\n${H}\r\n`, code: 'INVALID_VERSION', offset: 14 },
  { name: 'RTSP', input: `OPTIONS * RTSP/1.0\r\n${H}\r\n`, code: 'INVALID_VERSION' },
  { name: 'HTTP/2.0', input: `GET / HTTP/2.0\r\n${H}\r\n`, code: 'UNSUPPORTED_VERSION', offset: 6 },
  { name: 'HTTP/1.2, refused at the minor digit', input: 'GET / HTTP/1.2', code: 'UNSUPPORTED_VERSION', offset: 6 },
  { name: 'HTTP/0.9 request with a version', input: `GET / HTTP/0.9\r\n\r\n`, code: 'UNSUPPORTED_VERSION' },
  { name: 'HTTP/0.9 request line', input: 'GET /\r\n\r\n', code: 'INVALID_REQUEST_LINE', offset: 5 },
  { name: 'method and CRLF only', input: 'GET\r\n', code: 'INVALID_REQUEST_LINE', offset: 3 },
  { name: 'HTTP/2 connection preface', input: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', code: 'HTTP2_PREFACE', offset: 0 },
  // line endings
  { name: 'bare LF after the request line', input: `GET / HTTP/1.1\nHost: x\r\n\r\n`, code: 'INVALID_LINE_ENDING', offset: 14 },
  { name: 'bare LF after a field line', input: `GET / HTTP/1.1\r\nHost: x\n\r\n`, code: 'INVALID_LINE_ENDING', offset: 23 },
  { name: 'bare LF ending the head', input: `${GET}\n`, code: 'INVALID_LINE_ENDING' },
  { name: 'bare CR inside a field value', input: `${GET}X: a\rb\r\n\r\n`, code: 'INVALID_LINE_ENDING' },
  { name: 'CR not followed by LF ending the head', input: `${GET}\rX`, code: 'INVALID_LINE_ENDING' },
  { name: 'bare LF before the request line', input: `\n${GET}\r\n`, code: 'INVALID_LINE_ENDING', offset: 0 },
  { name: 'bare CR before the request line', input: `\rGET / HTTP/1.1\r\n${H}\r\n`, code: 'INVALID_LINE_ENDING', offset: 1 },
  // fields
  { name: 'space inside a field name', input: `${GET}Fo o: x\r\n\r\n`, code: 'INVALID_HEADER_NAME' },
  { name: 'space before the colon', input: `${GET}Foo : x\r\n\r\n`, code: 'INVALID_HEADER_NAME' },
  { name: 'empty field name', input: `${GET}: x\r\n\r\n`, code: 'INVALID_HEADER_NAME' },
  { name: 'field line without colon', input: `${GET}Foo\r\n\r\n`, code: 'INVALID_HEADER_NAME' },
  { name: 'whitespace before the first field line', input: `GET / HTTP/1.1\r\n ${H}\r\n`, code: 'INVALID_HEADER_NAME', offset: 16 },
  { name: 'NUL in a field value', input: `${GET}X: a\x00b\r\n\r\n`, code: 'INVALID_HEADER_VALUE' },
  { name: 'DEL in a field value', input: `${GET}X: a\x7fb\r\n\r\n`, code: 'INVALID_HEADER_VALUE' },
  { name: 'form feed in a field value', input: `${GET}X: a\x0cb\r\n\r\n`, code: 'INVALID_HEADER_VALUE' },
  { name: 'obs-fold', input: `${GET}X: a\r\n b\r\n\r\n`, code: 'OBS_FOLD' },
  { name: 'head larger than maxHeadBytes', input: `${GET}X: ${'a'.repeat(100)}\r\n\r\n`, code: 'HEADERS_TOO_LARGE', limits: { maxHeadBytes: 64 } },
  { name: 'more fields than maxHeaderCount', input: `${GET}A: 1\r\nB: 2\r\n\r\n`, code: 'TOO_MANY_HEADERS', limits: { maxHeaderCount: 2 } },
  // Host
  { name: 'HTTP/1.1 without Host', input: 'GET / HTTP/1.1\r\n\r\n', code: 'MISSING_HOST' },
  { name: 'two Host fields', input: `${GET}Host: y\r\n\r\n`, code: 'DUPLICATE_HOST' },
  { name: 'Host with a space', input: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', code: 'INVALID_HOST' },
  { name: 'Host with a path', input: 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', code: 'INVALID_HOST' },
  // framing
  { name: 'Content-Length not a number', input: `${GET}Content-Length: abc\r\n\r\n`, code: 'INVALID_CONTENT_LENGTH' },
  { name: 'Content-Length list of differing values', input: `${GET}Content-Length: 1, 2\r\n\r\n`, code: 'INVALID_CONTENT_LENGTH' },
  { name: 'Content-Length list with an empty element', input: `${GET}Content-Length: 1,\r\n\r\n`, code: 'INVALID_CONTENT_LENGTH' },
  { name: 'Content-Length with a sign', input: `${GET}Content-Length: +1\r\n\r\n`, code: 'INVALID_CONTENT_LENGTH' },
  { name: 'empty Content-Length', input: `${GET}Content-Length:\r\n\r\n`, code: 'INVALID_CONTENT_LENGTH' },
  { name: 'Content-Length past 2^53-1', input: `${GET}Content-Length: 9007199254740992\r\n\r\n`, code: 'INVALID_CONTENT_LENGTH' },
  { name: 'two different Content-Length fields', input: `${GET}Content-Length: 1\r\nContent-Length: 2\r\n\r\n`, code: 'CONFLICTING_CONTENT_LENGTH' },
  { name: 'Content-Length then Transfer-Encoding', input: `${GET}Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n`, code: 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING' },
  { name: 'Transfer-Encoding then Content-Length', input: `${GET}Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n`, code: 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING' },
  { name: 'chunked not last', input: `${GET}Transfer-Encoding: chunked, gzip\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'chunked twice', input: `${GET}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'identity only', input: `${GET}Transfer-Encoding: identity\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'empty Transfer-Encoding', input: `${GET}Transfer-Encoding:\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'empty list element before chunked', input: `${GET}Transfer-Encoding: ,chunked\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'empty list element after chunked', input: `${GET}Transfer-Encoding: chunked,\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'chunked with a parameter', input: `${GET}Transfer-Encoding: chunked;q=1\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'HTAB after chunked (llhttp does not take it as chunked)', input: `${GET}Transfer-Encoding: chunked\t\r\n\r\n`, code: 'INVALID_TRANSFER_ENCODING' },
  { name: 'a coding before chunked', input: `${GET}Transfer-Encoding: gzip, chunked\r\n\r\n`, code: 'UNSUPPORTED_TRANSFER_CODING' },
  { name: 'Transfer-Encoding in HTTP/1.0', input: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', code: 'TRANSFER_ENCODING_IN_HTTP_1_0' },
  // chunked body
  { name: 'chunk size not hex', input: `${CHUNKED}x\r\n`, code: 'INVALID_CHUNK_SIZE' },
  { name: 'negative chunk size', input: `${CHUNKED}-1\r\n`, code: 'INVALID_CHUNK_SIZE' },
  { name: 'space after chunk size', input: `${CHUNKED}5 \r\nhello\r\n0\r\n\r\n`, code: 'INVALID_CHUNK_SIZE' },
  { name: 'missing last chunk', input: `${CHUNKED}3\r\nfoo\r\n\r\n`, code: 'INVALID_CHUNK_SIZE' },
  { name: 'chunk size past 2^53', input: `${CHUNKED}20000000000000\r\n`, code: 'CHUNK_SIZE_OVERFLOW' },
  { name: 'chunk size of 64 bits', input: `${CHUNKED}ffffffffffffffff\r\n`, code: 'CHUNK_SIZE_OVERFLOW' },
  { name: 'semicolon without extension', input: `${CHUNKED}5;\r\nhello\r\n0\r\n\r\n`, code: 'INVALID_CHUNK_EXTENSION' },
  { name: 'extension with empty value', input: `${CHUNKED}5;a=\r\nhello\r\n0\r\n\r\n`, code: 'INVALID_CHUNK_EXTENSION' },
  { name: 'unterminated quoted extension', input: `${CHUNKED}5;a="b\r\nhello\r\n`, code: 'INVALID_CHUNK_EXTENSION' },
  { name: 'extensions longer than maxChunkExtensionBytes', input: `${CHUNKED}5;abcdefgh\r\nhello\r\n0\r\n\r\n`, code: 'CHUNK_EXTENSION_TOO_LONG', limits: { maxChunkExtensionBytes: 4 } },
  { name: 'chunk data not followed by CRLF', input: `${CHUNKED}5\r\nhelloX\r\n0\r\n\r\n`, code: 'INVALID_CHUNK_DATA_END' },
  { name: 'chunk data followed by bare LF', input: `${CHUNKED}5\r\nhello\n0\r\n\r\n`, code: 'INVALID_CHUNK_DATA_END' },
  { name: 'Content-Length in trailers', input: `${CHUNKED}0\r\nContent-Length: 5\r\n\r\n`, code: 'INVALID_TRAILER_FIELD' },
  { name: 'Connection in trailers', input: `${CHUNKED}0\r\nConnection: close\r\n\r\n`, code: 'INVALID_TRAILER_FIELD' },
  // connection
  { name: 'request after Connection: close', input: `${GET}Connection: close\r\n\r\n${GET}\r\n`, code: 'DATA_AFTER_CLOSE' },
  { name: 'request after an HTTP/1.0 request', input: `GET / HTTP/1.0\r\n\r\n${GET}\r\n`, code: 'DATA_AFTER_CLOSE', offset: 18 },
  { name: 'CRLF after Connection: close', input: `${GET}Connection: close\r\n\r\n\r\n`, code: 'DATA_AFTER_CLOSE' },
  // EOF
  { name: 'EOF inside the head', input: GET, code: 'INCOMPLETE_MESSAGE', atEof: true },
  { name: 'EOF inside a Content-Length body', input: `${GET}Content-Length: 5\r\n\r\nabc`, code: 'INCOMPLETE_MESSAGE', atEof: true },
  { name: 'EOF inside a chunked body', input: `${CHUNKED}5\r\nhel`, code: 'INCOMPLETE_MESSAGE', atEof: true },
  { name: 'EOF inside the trailers', input: `${CHUNKED}0\r\nX: 1\r\n`, code: 'INCOMPLETE_MESSAGE', atEof: true },
];
