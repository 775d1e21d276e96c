// Limits the parser enforces. Every default is documented in README.md; none is a lenience.

export interface ParserLimits {
  /** Request-target bytes before 414. */
  maxTargetBytes: number;
  /** Bytes of the whole head (request line + fields + final CRLF) before 431; also bounds a trailer section. */
  maxHeadBytes: number;
  /** Field lines in a header (or trailer) section before 431. */
  maxHeaderCount: number;
  /** Bytes of chunk extensions on one chunk-size line before 400. */
  maxChunkExtensionBytes: number;
}

export const DEFAULT_PARSER_LIMITS: Readonly<ParserLimits> = Object.freeze({
  maxTargetBytes: 8 * 1024,
  maxHeadBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxChunkExtensionBytes: 1024,
});

export function resolveParserLimits(partial: Partial<ParserLimits> = {}): ParserLimits {
  const limits: ParserLimits = { ...DEFAULT_PARSER_LIMITS };
  for (const name of Object.keys(DEFAULT_PARSER_LIMITS) as (keyof ParserLimits)[]) {
    const value = partial[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`parser limit ${name} must be a positive integer, got ${value}`);
    }
    limits[name] = value;
  }
  return limits;
}
