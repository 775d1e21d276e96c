// The parser's public surface.
export { RequestParser } from './parser.js';
export { ParserState, ParserStatus, parserStateName } from './state.js';
export { BodyKind, type HeadInfo, type ParserHandler } from './types.js';
export { ParseError, PARSE_ERRORS, type ParseErrorCode } from './errors.js';
export { DEFAULT_PARSER_LIMITS, resolveParserLimits, type ParserLimits } from './options.js';
export { KNOWN_METHODS } from './methods.js';
