// Outgoing field validation and comma-separated token lists (Connection, Transfer-Encoding).
// Owns the rule that no CR, LF, NUL or other CTL reaches the wire from a handler's field
// (RFC 9110 §5.5: response splitting). Pure: 256-entry tables built once, no regex, no I/O.

const HTAB = 0x09;
const SP = 0x20;
const DQUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const LATIN1_MAX = 0xff;

/** tchar (RFC 9110 §5.6.2): "!#$%&'*+-.^_`|~", DIGIT, ALPHA. */
const TCHAR = new Uint8Array(256);
/** field-vchar, SP and HTAB (RFC 9110 §5.5): everything but CTLs (0x00-0x1F, 0x7F), HTAB excepted. */
const FIELD_VALUE_CHAR = new Uint8Array(256);
/** ASCII lowercase fold; other bytes map to themselves. */
const LOWER = new Uint8Array(256);

for (let c = 0; c < 256; c++) {
  const isAlpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const isDigit = c >= 0x30 && c <= 0x39;
  TCHAR[c] = isAlpha || isDigit || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)) ? 1 : 0;
  FIELD_VALUE_CHAR[c] = c === HTAB || (c >= SP && c !== 0x7f) ? 1 : 0;
  LOWER[c] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** The closed set of reasons a field is refused. */
export type FieldErrorKind = 'INVALID_FIELD_NAME' | 'INVALID_FIELD_VALUE';

export const FIELD_ERROR_REASONS: { readonly [kind in FieldErrorKind]: string } = {
  INVALID_FIELD_NAME: 'Field name is not a token',
  INVALID_FIELD_VALUE: 'Invalid character in field value',
};

/**
 * Thrown by validateFieldName / validateFieldValue. `code` is Node's ERR_INVALID_HEADER for
 * both; `kind` says which rule. The message names the field (JSON-escaped, so CR/LF stay
 * visible) but never repeats the value, which may be a credential.
 */
export class InvalidFieldError extends TypeError {
  readonly code = 'ERR_INVALID_HEADER' as const;
  readonly reason: string;
  constructor(
    readonly kind: FieldErrorKind,
    readonly fieldName: string,
    /** Index of the first offending character (0 for an empty name). */
    readonly offset: number,
  ) {
    const reason = FIELD_ERROR_REASONS[kind];
    super(`${reason}: ${JSON.stringify(fieldName)}`);
    this.name = 'InvalidFieldError';
    this.reason = reason;
  }
}

/** Index of the first character of `s` not in `table` (or above latin1), or -1. */
function firstOutside(table: Uint8Array, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > LATIN1_MAX || table[c] === 0) return i;
  }
  return -1;
}

/** token = 1*tchar (RFC 9110 §5.6.2). The empty string is not a token. */
export function isToken(s: string): boolean {
  return s.length > 0 && firstOutside(TCHAR, s) === -1;
}

/**
 * field-value characters only: HTAB, SP, VCHAR, obs-text. Characters above U+00FF are
 * refused too: the head is written as latin1, which would truncate U+010A to LF.
 * Leading/trailing whitespace is allowed (written as given; harmless on the wire).
 */
export function isFieldValue(s: string): boolean {
  return firstOutside(FIELD_VALUE_CHAR, s) === -1;
}

/** Throws InvalidFieldError (INVALID_FIELD_NAME) unless `name` is a token. */
export function validateFieldName(name: string): void {
  if (name.length === 0) throw new InvalidFieldError('INVALID_FIELD_NAME', name, 0);
  const at = firstOutside(TCHAR, name);
  if (at !== -1) throw new InvalidFieldError('INVALID_FIELD_NAME', name, at);
}

/** Throws InvalidFieldError (INVALID_FIELD_VALUE) if `value` holds a CTL other than HTAB. */
export function validateFieldValue(value: string, fieldName = ''): void {
  const at = firstOutside(FIELD_VALUE_CHAR, value);
  if (at !== -1) throw new InvalidFieldError('INVALID_FIELD_VALUE', fieldName, at);
}

/**
 * Is `tokenLowercase` one of the elements of the comma-separated list `listValue`?
 * Case-insensitive (ASCII), OWS around elements and empty elements ("a, ,b") are ignored
 * (RFC 9110 §5.6.1). An element matches only when it is exactly the token: "chunked;x=1"
 * does not contain "chunked". Commas inside quoted strings do not split elements.
 * `tokenLowercase` must be a lowercase token. One pass: each element is compared while it
 * is scanned.
 */
export function hasToken(listValue: string, tokenLowercase: string): boolean {
  const length = listValue.length;
  let i = 0;
  while (i < length) {
    const c = listValue.charCodeAt(i);
    if (c === COMMA || c === SP || c === HTAB) {
      i++;
      continue;
    }
    i = matchPrefix(listValue, i, tokenLowercase);
    if (i < 0) return true;
    i = nextComma(listValue, i);
  }
  return false;
}

/**
 * Compare the element starting at `start` with `token`. Returns -1 if the element is exactly
 * the token (followed only by OWS up to a comma or the end), else where the comparison stopped.
 */
function matchPrefix(list: string, start: number, token: string): number {
  const length = list.length;
  const tokenLength = token.length;
  let i = start;
  for (let j = 0; j < tokenLength; j++, i++) {
    if (i === length) return i;
    const c = list.charCodeAt(i);
    if (c > LATIN1_MAX || LOWER[c] !== token.charCodeAt(j)) return i;
  }
  for (; i < length; i++) {
    const c = list.charCodeAt(i);
    if (c === COMMA) return -1;
    if (c !== SP && c !== HTAB) return i;
  }
  return -1;
}

/** Index of the next comma outside a quoted string at or after `from`, or the end. */
function nextComma(list: string, from: number): number {
  const length = list.length;
  let inQuotes = false;
  for (let i = from; i < length; i++) {
    const c = list.charCodeAt(i);
    if (inQuotes) {
      if (c === BACKSLASH) i++; // quoted-pair: the next character is literal
      else if (c === DQUOTE) inQuotes = false;
    } else if (c === COMMA) {
      return i;
    } else if (c === DQUOTE) {
      inQuotes = true;
    }
  }
  return length;
}
