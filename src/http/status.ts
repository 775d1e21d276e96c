// Status codes: reason phrases (RFC 9110 §15 plus the IANA-registered extensions), which codes
// may carry content, and what counts as a status code at all. Pure data: no I/O, no state.
// Framing decisions live in plan.ts; this module only answers questions about one number.

/**
 * Reason phrases, as named in the IANA HTTP Status Code Registry.
 * 509 is left out on purpose: it is "Unassigned" in the registry ("Bandwidth Limit Exceeded"
 * is an Apache invention), so it answers "Unknown" like any other unregistered code.
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing', // RFC 2518
  103: 'Early Hints', // RFC 8297
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status', // RFC 4918
  208: 'Already Reported', // RFC 5842
  226: 'IM Used', // RFC 3229
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  306: '(Unused)', // RFC 9110 §15.4.7: reserved, must not be used
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  // RFC 9110 §15.5.19 reserves 418 "(Unused)"; we keep the phrase every other stack sends
  // (Go, Node), because a handler choosing 418 means the joke.
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked', // RFC 4918
  424: 'Failed Dependency', // RFC 4918
  425: 'Too Early', // RFC 8470
  426: 'Upgrade Required',
  428: 'Precondition Required', // RFC 6585
  429: 'Too Many Requests', // RFC 6585
  431: 'Request Header Fields Too Large', // RFC 6585
  451: 'Unavailable For Legal Reasons', // RFC 7725
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates', // RFC 2295
  507: 'Insufficient Storage', // RFC 4918
  508: 'Loop Detected', // RFC 5842
  510: 'Not Extended', // RFC 2774
  511: 'Network Authentication Required', // RFC 6585
});

/** Phrase for codes the registry does not name. */
export const UNKNOWN_REASON = 'Unknown';

/** Dense lookup by code (index 0..999), built once: an array read instead of a hash lookup. */
const REASON_BY_STATUS: readonly string[] = buildReasonTable();

function buildReasonTable(): string[] {
  const table = new Array<string>(1000).fill(UNKNOWN_REASON);
  for (const key of Object.keys(STATUS_TEXT)) table[Number(key)] = STATUS_TEXT[Number(key)]!;
  return table;
}

/** A three-digit status code (RFC 9110 §15: "a three-digit integer code"). */
export function isValidStatus(n: number): boolean {
  return Number.isInteger(n) && n >= 100 && n <= 999;
}

/** The registered reason phrase for `status`, or "Unknown". */
export function reasonPhrase(status: number): string {
  return isValidStatus(status) ? REASON_BY_STATUS[status]! : UNKNOWN_REASON;
}

/**
 * May a response with this status carry content? False for 1xx, 204 and 304
 * (RFC 9110 §15.2, §15.3.5, §15.4.5; RFC 9112 §6.3 rule 1). Method-dependent cases
 * (HEAD, 2xx to CONNECT) are decided in plan.ts.
 */
export function bodyAllowed(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}
