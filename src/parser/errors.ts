// The closed set of reasons a request can be refused by the parser.
// Each kind has a stable code (callers switch on it), a fixed reason sentence and the HTTP
// status a server answers with. Pure: no I/O, no imports from outside parser/.

export type ParseErrorCode =
  | 'INVALID_METHOD'
  | 'UNKNOWN_METHOD'
  | 'INVALID_TARGET'
  | 'TARGET_TOO_LONG'
  | 'INVALID_VERSION'
  | 'UNSUPPORTED_VERSION'
  | 'INVALID_REQUEST_LINE'
  | 'INVALID_LINE_ENDING'
  | 'INVALID_HEADER_NAME'
  | 'INVALID_HEADER_VALUE'
  | 'OBS_FOLD'
  | 'HEADERS_TOO_LARGE'
  | 'TOO_MANY_HEADERS'
  | 'INVALID_CONTENT_LENGTH'
  | 'CONFLICTING_CONTENT_LENGTH'
  | 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING'
  | 'INVALID_TRANSFER_ENCODING'
  | 'UNSUPPORTED_TRANSFER_CODING'
  | 'TRANSFER_ENCODING_IN_HTTP_1_0'
  | 'MISSING_HOST'
  | 'DUPLICATE_HOST'
  | 'INVALID_HOST'
  | 'INVALID_CHUNK_SIZE'
  | 'CHUNK_SIZE_OVERFLOW'
  | 'INVALID_CHUNK_EXTENSION'
  | 'CHUNK_EXTENSION_TOO_LONG'
  | 'INVALID_CHUNK_DATA_END'
  | 'INVALID_TRAILER_FIELD'
  | 'HTTP2_PREFACE'
  | 'DATA_AFTER_CLOSE'
  | 'INCOMPLETE_MESSAGE';

interface ErrorKind {
  readonly status: 400 | 414 | 431 | 501 | 505;
  readonly reason: string;
}

export const PARSE_ERRORS: { readonly [code in ParseErrorCode]: ErrorKind } = {
  INVALID_METHOD: { status: 400, reason: 'Method is not a token' },
  UNKNOWN_METHOD: { status: 501, reason: 'Method is not implemented' },
  INVALID_TARGET: { status: 400, reason: 'Invalid request-target' },
  TARGET_TOO_LONG: { status: 414, reason: 'Request-target is too long' },
  INVALID_VERSION: { status: 400, reason: 'Invalid HTTP version' },
  UNSUPPORTED_VERSION: { status: 505, reason: 'HTTP version not supported' },
  INVALID_REQUEST_LINE: { status: 400, reason: 'Invalid request line' },
  INVALID_LINE_ENDING: { status: 400, reason: 'Line does not end in CRLF' },
  INVALID_HEADER_NAME: { status: 400, reason: 'Invalid character in field name' },
  INVALID_HEADER_VALUE: { status: 400, reason: 'Invalid character in field value' },
  OBS_FOLD: { status: 400, reason: 'Obsolete line folding is not accepted' },
  HEADERS_TOO_LARGE: { status: 431, reason: 'Header section is too large' },
  TOO_MANY_HEADERS: { status: 431, reason: 'Too many header fields' },
  INVALID_CONTENT_LENGTH: { status: 400, reason: 'Invalid Content-Length' },
  CONFLICTING_CONTENT_LENGTH: { status: 400, reason: 'Conflicting Content-Length values' },
  CONTENT_LENGTH_WITH_TRANSFER_ENCODING: {
    status: 400,
    reason: 'Content-Length together with Transfer-Encoding',
  },
  INVALID_TRANSFER_ENCODING: { status: 400, reason: 'Transfer-Encoding does not end in chunked' },
  UNSUPPORTED_TRANSFER_CODING: { status: 501, reason: 'Transfer coding is not implemented' },
  TRANSFER_ENCODING_IN_HTTP_1_0: { status: 400, reason: 'Transfer-Encoding in an HTTP/1.0 request' },
  MISSING_HOST: { status: 400, reason: 'HTTP/1.1 request without Host' },
  DUPLICATE_HOST: { status: 400, reason: 'More than one Host field' },
  INVALID_HOST: { status: 400, reason: 'Invalid Host' },
  INVALID_CHUNK_SIZE: { status: 400, reason: 'Invalid chunk size' },
  CHUNK_SIZE_OVERFLOW: { status: 400, reason: 'Chunk size is too large' },
  INVALID_CHUNK_EXTENSION: { status: 400, reason: 'Invalid chunk extension' },
  CHUNK_EXTENSION_TOO_LONG: { status: 400, reason: 'Chunk extensions are too long' },
  INVALID_CHUNK_DATA_END: { status: 400, reason: 'Chunk data is not followed by CRLF' },
  INVALID_TRAILER_FIELD: { status: 400, reason: 'Field not allowed in a trailer section' },
  HTTP2_PREFACE: { status: 505, reason: 'HTTP/2 connection preface on an HTTP/1.1 connection' },
  DATA_AFTER_CLOSE: { status: 400, reason: 'Data after a message that closes the connection' },
  INCOMPLETE_MESSAGE: { status: 400, reason: 'Connection ended inside a message' },
};

/** A parse failure: which rule was broken, and where (bytes since the parser's last reset). */
export class ParseError {
  readonly status: 400 | 414 | 431 | 501 | 505;
  readonly reason: string;
  constructor(
    readonly code: ParseErrorCode,
    readonly offset: number,
  ) {
    const kind = PARSE_ERRORS[code];
    this.status = kind.status;
    this.reason = kind.reason;
  }
  toString(): string {
    return `${this.code} at byte ${this.offset}: ${this.reason}`;
  }
}
