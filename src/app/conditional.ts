// Conditional requests (RFC 9110 §13): entity-tag lists, HTTP-dates, and the precondition
// evaluation order of §13.2.2. Pure: no I/O; callers pass the validators of the selected
// representation and act on the Precondition they get back.

/** What the preconditions say about a GET/HEAD (RFC 9110 §13.2.2). */
export const enum Precondition {
  /** No condition stops us: continue with Range, then the normal response. */
  Proceed = 0,
  /** 304: the client's copy is current (If-None-Match or If-Modified-Since). */
  NotModified = 1,
  /** 412: If-Match or If-Unmodified-Since failed. */
  Failed = 2,
}

/** The validators of the selected representation. */
export interface Validators {
  /** The full entity-tag as sent (`"abc"` or `W/"abc"`), or undefined when ETags are off. */
  readonly etag: string | undefined;
  /** Last-Modified in whole seconds since the epoch, or undefined when not sent. */
  readonly lastModifiedSeconds: number | undefined;
}

/** The request fields preconditions read; undefined when absent. */
export interface ConditionalFields {
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
  readonly ifModifiedSince: string | undefined;
  readonly ifUnmodifiedSince: string | undefined;
}

// --- entity tags (RFC 9110 §8.8.3) ---

interface EntityTag {
  readonly weak: boolean;
  /** The opaque-tag including its quotes. */
  readonly opaque: string;
}

/** `*`, or a list of entity-tags; null when the value does not parse (treated as "no match"). */
type EntityTagList = '*' | EntityTag[] | null;

const DQUOTE = 0x22;

/** entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text. */
export function parseEntityTagList(value: string): EntityTagList {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  const tags: EntityTag[] = [];
  const length = value.length;
  let i = 0;
  for (;;) {
    while (i < length && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
    if (i >= length) break;
    let weak = false;
    if (value[i] === 'W' && value[i + 1] === '/') {
      weak = true;
      i += 2;
    }
    if (value.charCodeAt(i) !== DQUOTE) return null;
    const close = value.indexOf('"', i + 1);
    if (close < 0) return null;
    for (let j = i + 1; j < close; j++) {
      const c = value.charCodeAt(j);
      if (c < 0x21 || c === 0x7f) return null;
    }
    tags.push({ weak, opaque: value.slice(i, close + 1) });
    i = close + 1;
    while (i < length && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i < length && value[i] !== ',') return null;
  }
  return tags.length > 0 ? tags : null;
}

function parseOne(etag: string): EntityTag {
  return etag.startsWith('W/') ? { weak: true, opaque: etag.slice(2) } : { weak: false, opaque: etag };
}

/** Strong comparison (§8.8.3.2): both strong and the same opaque-tag. */
function strongMatch(list: EntityTagList, current: string | undefined): boolean {
  if (list === '*') return true; // "*": a current representation exists (callers only ask for existing ones)
  if (list === null || current === undefined) return false;
  const tag = parseOne(current);
  if (tag.weak) return false;
  return list.some((t) => !t.weak && t.opaque === tag.opaque);
}

/** Weak comparison (§8.8.3.2): the opaque-tags match, whatever the W/ prefixes. */
function weakMatch(list: EntityTagList, current: string | undefined): boolean {
  if (list === '*') return true;
  if (list === null || current === undefined) return false;
  const opaque = parseOne(current).opaque;
  return list.some((t) => t.opaque === opaque);
}

// --- HTTP-date (RFC 9110 §5.6.7) ---

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// Setup-time regular expressions; dates are parsed only when a conditional field is present.
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parse an HTTP-date: IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient must
 * accept. Returns whole seconds since the epoch, or undefined when it is not a valid date.
 */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m !== null) return toSeconds(+m[3], m[2], +m[1], +m[4], +m[5], +m[6]);
  m = RFC850_DATE.exec(text);
  if (m !== null) {
    // §5.6.7: a two-digit year more than 50 years in the future is in the past century.
    const nowYear = new Date().getUTCFullYear();
    let year = 2000 + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    return toSeconds(year, m[2], +m[1], +m[4], +m[5], +m[6]);
  }
  m = ASCTIME_DATE.exec(text);
  if (m !== null) return toSeconds(+m[6], m[1], +m[2].trim(), +m[3], +m[4], +m[5]);
  return undefined;
}

function toSeconds(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number | undefined {
  const month = MONTHS.indexOf(monthName);
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // Reject dates that rolled over (Feb 30 becomes Mar 2).
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms / 1000;
}

/** IMF-fixdate for whole seconds since the epoch (Date#toUTCString produces exactly that form). */
export function formatHttpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

// --- evaluation (RFC 9110 §13.2.2) ---

/**
 * The §13.2.2 order for a GET or HEAD on an existing representation:
 *   1. If-Match present: false → 412.
 *   2. else If-Unmodified-Since present (valid date, Last-Modified known): modified since → 412.
 *   3. If-None-Match present: matches (weak comparison) → 304.
 *   4. else If-Modified-Since present (valid date, Last-Modified known): not modified → 304.
 * Range and If-Range (step 5) are the caller's, after Proceed.
 */
export function evaluatePreconditions(fields: ConditionalFields, validators: Validators): Precondition {
  const lastModified = validators.lastModifiedSeconds;
  if (fields.ifMatch !== undefined) {
    if (!strongMatch(parseEntityTagList(fields.ifMatch), validators.etag)) return Precondition.Failed;
  } else if (fields.ifUnmodifiedSince !== undefined && lastModified !== undefined) {
    const date = parseHttpDate(fields.ifUnmodifiedSince);
    if (date !== undefined && lastModified > date) return Precondition.Failed;
  }
  if (fields.ifNoneMatch !== undefined) {
    // A list that does not parse matches nothing: the condition holds and we proceed.
    if (weakMatch(parseEntityTagList(fields.ifNoneMatch), validators.etag)) return Precondition.NotModified;
  } else if (fields.ifModifiedSince !== undefined && lastModified !== undefined) {
    const date = parseHttpDate(fields.ifModifiedSince);
    if (date !== undefined && lastModified <= date) return Precondition.NotModified;
  }
  return Precondition.Proceed;
}

/**
 * If-Range (§13.1.5): true when the Range may be honoured. An entity-tag must match strongly;
 * a date must be exactly the Last-Modified (a weak tag or any other value means "send it all").
 */
export function ifRangeHolds(value: string, validators: Validators): boolean {
  const text = value.trim();
  if (text.startsWith('"') || text.startsWith('W/')) {
    const list = parseEntityTagList(text);
    return list !== '*' && list !== null && list.length === 1 && strongMatch(list, validators.etag);
  }
  const date = parseHttpDate(text);
  return date !== undefined && validators.lastModifiedSeconds !== undefined && date === validators.lastModifiedSeconds;
}
