// Where the parser is in the grammar (RFC 9112). Names appear in the debug trace and in tests.

export const enum ParserState {
  // request head (also the trailer section, which reuses the field states)
  MessageStart = 0,
  LeadingLf = 1,
  Method = 2,
  Target = 3,
  Version = 4,
  RequestLineLf = 5,
  FieldStart = 6,
  FieldName = 7,
  FieldValueStart = 8,
  FieldValue = 9,
  FieldLineLf = 10,
  HeadEndLf = 11,
  // body
  BodyLength = 12,
  ChunkSizeStart = 13,
  ChunkSize = 14,
  ChunkExtNameStart = 15,
  ChunkExtName = 16,
  ChunkExtValueStart = 17,
  ChunkExtToken = 18,
  ChunkExtQuoted = 19,
  ChunkExtQuotedPair = 20,
  ChunkExtAfterQuoted = 21,
  ChunkSizeLf = 22,
  ChunkData = 23,
  ChunkDataCr = 24,
  ChunkDataLf = 25,
  // terminal until reset or resume
  Closed = 26,
  Upgraded = 27,
  Failed = 28,
}

const NAMES = [
  'MessageStart', 'LeadingLf', 'Method', 'Target', 'Version', 'RequestLineLf', 'FieldStart',
  'FieldName', 'FieldValueStart', 'FieldValue', 'FieldLineLf', 'HeadEndLf', 'BodyLength',
  'ChunkSizeStart', 'ChunkSize', 'ChunkExtNameStart', 'ChunkExtName', 'ChunkExtValueStart',
  'ChunkExtToken', 'ChunkExtQuoted', 'ChunkExtQuotedPair', 'ChunkExtAfterQuoted', 'ChunkSizeLf',
  'ChunkData', 'ChunkDataCr', 'ChunkDataLf', 'Closed', 'Upgraded', 'Failed',
] as const;

export function parserStateName(state: ParserState): string {
  return NAMES[state] ?? `ParserState(${state})`;
}

/** What execute() left behind: the caller's cue. */
export const enum ParserStatus {
  /** Consumed everything it was given; may be in the middle of a message. */
  Ok = 0,
  /** A callback called pause(); call resume() and execute() the rest. */
  Paused = 1,
  /** An upgrade message completed; the bytes after those consumed are the new protocol. */
  Upgraded = 2,
  /** A ParseError is in `error`; nothing more is parsed until reset(). */
  Error = 3,
}
