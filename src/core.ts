// The core's public API (parser, server, handler types). The app layer (src/app) imports only this
// file; the core never imports src/app.
export { Server, createServer, serve, type BriskServerOptions, type ServerStats, type CloseOptions } from './server/server.js';
export type { OpsOptions, TlsOptions } from './ops/ops-options.js';
export type { TrustProxySpec } from './ops/forwarded.js';
export type { MetricsSnapshot } from './ops/metrics.js';
export type { UpgradeHandler } from './server/context.js';
export { HttpError, RequestAbortedError, ServerError, SERVER_ERRORS, type ServerErrorCode, type ServerErrorKind } from './server/errors.js';
export { bodySourceIterable } from './server/response.js';
export { DEFAULT_SERVER_OPTIONS, resolveServerOptions, type ServerOptions, type LogLevel, type AccessLogFormat } from './server/options.js';
export type { Handler, BriskRequest, BriskResponse, RequestHeaders, BodyChunk } from './server/types.js';
export { RequestParser, ParseError, ParserStatus, BodyKind, DEFAULT_PARSER_LIMITS, type ParserHandler, type HeadInfo, type ParserLimits, type ParseErrorCode } from './parser/index.js';
export { DIAGNOSTICS_CHANNELS, type RequestEvent, type RejectEvent } from './server/diagnostics.js';
