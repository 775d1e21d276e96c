// Every strict corpus case where brisk deliberately differs from llhttp, with the rule behind it.
// Policy: a deviation may only make brisk stricter than llhttp (reject what llhttp accepts), or
// decide keep-alive/upgrade differently where an RFC says so. brisk never accepts what llhttp
// rejects. The conformance test fails on a difference missing from this list and on an entry
// that no longer differs (stale). The runner checks that brisk does exactly what `brisk` says.
import type { ParseErrorCode } from '../../src/parser/errors.js';

/** What brisk does with a case's bytes. */
export interface BriskBehaviour {
  outcome: 'reject' | 'accept' | 'upgrade';
  /** For `reject`: the error code brisk must give. */
  code?: ParseErrorCode;
  /** For `reject`: messages delivered complete before the error (default 0). */
  completeMessages?: number;
  /** For `accept`/`upgrade`: the compared fields that differ ("shouldKeepAlive", "headers", ...). */
  fields?: string[];
}

export interface Deviation {
  /** Corpus case id, e.g. "uri/fragment-in-uri". */
  id: string;
  brisk: BriskBehaviour;
  /**
   * What brisk does once "Host: x" is added to each HTTP/1.1 head that lacks one (see runner.ts).
   * Default: 'agree' when the deviation is MISSING_HOST, else the same as `brisk`.
   */
  withHost?: BriskBehaviour | 'agree';
  /** What llhttp does with the same bytes. */
  llhttp: string;
  /** The rule brisk follows. */
  rfc: string;
  reason: string;
}

const HOST_RULE = 'RFC 9112 §3.2';
const HOST_REASON =
  'HTTP/1.1 request without Host. "A server MUST respond with a 400 (Bad Request) status code to any ' +
  'HTTP/1.1 request message that lacks a Host header field". llhttp leaves Host to the application.';

/** The most common deviation: an HTTP/1.1 test request written without Host. */
function noHost(id: string, llhttpOutcome: 'accept' | 'upgrade', completeMessages = 0): Deviation {
  return {
    id,
    brisk: { outcome: 'reject', code: 'MISSING_HOST', completeMessages },
    llhttp: llhttpOutcome === 'accept' ? 'accepts (does not check Host)' : 'upgrades (does not check Host)',
    rfc: HOST_RULE,
    reason: HOST_REASON,
  };
}

const FRAGMENT_RULE = 'RFC 9112 §3.2, RFC 9110 §4.2.5';
const FRAGMENT_REASON =
  'The request-target grammar (origin-form = absolute-path [ "?" query ]) has no fragment, and clients ' +
  'strip it before sending. A "#" in a target is a broken or hostile client; llhttp reports it as a fragment span.';

export const DEVIATIONS: readonly Deviation[] = [
  // ---- connection.md
  noHost('connection/setting-flag', 'accept'),
  noHost('connection/restarting-when-keep-alive-is-explicitly', 'accept'),
  noHost('connection/setting-flag-on-close', 'accept'),
  noHost('connection/setting-flag-on-close-followed-by-tab', 'accept'),
  noHost('connection/sample', 'accept'),
  noHost('connection/multiple-tokens-with-folding-and-lws', 'upgrade'),
  noHost('connection/setting-a-flag-and-pausing', 'upgrade'),
  noHost('connection/emitting-part-of-body-and-pausing', 'upgrade'),
  // ---- content-length.md
  noHost('content-length/content-length-with-zeroes', 'accept'),
  noHost('content-length/content-length-with-follow-up-headers', 'accept'),
  noHost('content-length/spaces-in-content-length-surrounding', 'accept'),
  noHost('content-length/tabs-in-content-length-surrounding', 'accept'),
  {
    ...noHost('content-length/content-length-reset-when-no-body-is-received', 'accept'),
    reason:
      HOST_REASON +
      ' Also harness-only: llhttp skips the body because its test returns "skip body" from headers-complete; ' +
      'brisk has no such switch (README §3), so this case is not compared with Host added.',
  },
  // ---- finish.md
  noHost('finish/it-should-be-safe-to-finish-after-get-request', 'accept'),
  // ---- method.md
  noHost('method/report-request', 'accept'),
  {
    id: 'method/m-search-request',
    brisk: { outcome: 'reject', code: 'INVALID_TARGET' },
    llhttp: 'accepts "M-SEARCH * HTTP/1.1" (SSDP)',
    rfc: 'RFC 9112 §3.2.4',
    reason:
      'asterisk-form "is only used for a server-wide OPTIONS request". SSDP (UPnP) is HTTP over UDP multicast, ' +
      'not something an HTTP/1.1 server on TCP serves.',
  },
  {
    id: 'method/source-request-with-ice',
    brisk: { outcome: 'reject', code: 'INVALID_VERSION' },
    llhttp: 'accepts the ICE/1.0 protocol (SHOUTcast), an llhttp policy',
    rfc: 'RFC 9112 §2.3',
    reason: 'HTTP-version = HTTP-name "/" DIGIT "." DIGIT with HTTP-name = %s"HTTP"; ICE is another protocol.',
  },
  {
    id: 'method/options-request-with-rtsp',
    brisk: { outcome: 'reject', code: 'INVALID_VERSION' },
    llhttp: 'accepts the RTSP/1.0 protocol, an llhttp policy',
    rfc: 'RFC 9112 §2.3',
    reason: 'HTTP-name is %s"HTTP"; RTSP (RFC 7826) is another protocol with its own server.',
  },
  {
    id: 'method/announce-request-with-rtsp',
    brisk: { outcome: 'reject', code: 'UNKNOWN_METHOD' },
    llhttp: 'accepts ANNOUNCE over RTSP/1.0, an llhttp policy',
    rfc: 'RFC 9110 §9.1; RFC 9112 §2.3',
    reason:
      'ANNOUNCE is an RTSP method, not in the HTTP method registry: "An origin server that receives a request ' +
      'method that is unrecognized or not implemented SHOULD respond with the 501 (Not Implemented) status code". ' +
      'RTSP/1.0 would be refused next anyway.',
  },
  // ---- pausing.md (the harness pauses; the requests themselves lack Host)
  noHost('pausing/on-message-begin', 'accept'),
  noHost('pausing/on-message-complete', 'accept'),
  noHost('pausing/on-protocol-complete', 'accept'),
  noHost('pausing/on-method-complete', 'accept'),
  noHost('pausing/on-url-complete', 'accept'),
  noHost('pausing/on-version-complete', 'accept'),
  noHost('pausing/on-header-field-complete', 'accept'),
  noHost('pausing/on-header-value-complete', 'accept'),
  noHost('pausing/on-headers-complete', 'accept'),
  noHost('pausing/on-chunk-header', 'accept'),
  noHost('pausing/on-chunk-extension-name', 'accept'),
  noHost('pausing/on-chunk-extension-value', 'accept'),
  noHost('pausing/on-chunk-complete', 'accept'),
  // ---- pipelining.md
  noHost('pipelining/should-parse-multiple-events', 'accept'),
  // ---- sample.md
  noHost('sample/simple-request', 'accept'),
  noHost('sample/request-with-method-starting-with-h', 'accept'),
  noHost('sample/dumbpack', 'accept'),
  noHost('sample/no-headers-and-no-body', 'accept'),
  noHost('sample/one-header-and-no-body', 'accept'),
  noHost('sample/prefix-newline', 'accept'),
  {
    id: 'sample/no-http-version',
    brisk: { outcome: 'reject', code: 'INVALID_REQUEST_LINE' },
    llhttp: 'accepts "GET /" as an HTTP/0.9 request, an llhttp policy',
    rfc: 'RFC 9112 §3, Appendix C.1',
    reason:
      'request-line = method SP request-target SP HTTP-version; HTTP/0.9 simple requests have no version, ' +
      'no headers and cannot be framed or kept alive. No client in use sends them.',
  },
  noHost('sample/request-starting-with-crlf', 'accept'),
  noHost('sample/extended-characters', 'accept'),
  noHost('sample/255-ascii-in-header-value', 'accept'),
  // ---- transfer-encoding.md
  noHost('transfer-encoding/parsing-and-setting-flag', 'accept'),
  noHost('transfer-encoding/parse-chunks-with-lowercase-size', 'accept'),
  noHost('transfer-encoding/parse-chunks-with-uppercase-size', 'accept'),
  noHost('transfer-encoding/post-with-transfer-encoding-chunked', 'accept'),
  noHost('transfer-encoding/two-chunks-and-triple-zero-prefixed-end-chunk', 'accept'),
  noHost('transfer-encoding/trailing-headers', 'accept'),
  noHost('transfer-encoding/chunk-extensions', 'accept'),
  noHost('transfer-encoding/chunk-extensions-quoting', 'accept'),
  {
    id: 'transfer-encoding/post-with-chunked-as-last-transfer-encoding',
    brisk: { outcome: 'reject', code: 'INVALID_TARGET' },
    llhttp: 'accepts: a fragment span, then "Transfer-Encoding: deflate, chunked"',
    rfc: FRAGMENT_RULE,
    reason:
      FRAGMENT_REASON +
      ' Past the target brisk would also answer 501 for the deflate coding (RFC 9112 §6.1: a server that receives ' +
      'a transfer coding it does not understand SHOULD respond with 501), and 400 for the missing Host.',
  },
  {
    id: 'transfer-encoding/post-with-chunked-as-last-transfer-encoding-multiple-headers',
    brisk: { outcome: 'reject', code: 'INVALID_TARGET' },
    llhttp: 'accepts: a fragment span, then "Transfer-Encoding: deflate" + "Transfer-Encoding: chunked"',
    rfc: FRAGMENT_RULE,
    reason: FRAGMENT_REASON + ' Past the target: 501 for deflate (RFC 9112 §6.1) and 400 for the missing Host.',
  },
  // ---- uri.md
  noHost('uri/quotes-in-uri', 'accept'),
  noHost('uri/query-url-with-question-mark', 'accept'),
  noHost('uri/host-terminated-by-a-query-string', 'accept'),
  noHost('uri/host-port-terminated-by-a-query-string', 'accept'),
  noHost('uri/query-url-with-vertical-bar-character', 'accept'),
  noHost('uri/host-port-terminated-by-a-space', 'accept'),
  {
    id: 'uri/fragment-in-uri',
    brisk: { outcome: 'reject', code: 'INVALID_TARGET' },
    llhttp: 'accepts, reporting "#posts-17408" as a fragment',
    rfc: FRAGMENT_RULE,
    reason: FRAGMENT_REASON,
  },
  noHost('uri/host-port-and-basic-auth', 'accept'),
];
