// The Date field value (RFC 9110 §5.6.7 IMF-fixdate), rendered at most once per second.
// Owns the one process-wide cache brisk allows (STYLE.md): the last rendered second and its
// string. httpDate(now) checks the cache against the caller's clock; currentHttpDate(), for the
// response hot path, is a variable read kept fresh by one unref'd timer per process.
import { flatString } from './head.js';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTH_NAMES = [
  'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec',
] as const;
/** "00".."99", so each two-digit field is one array read. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, n) =>
  n < 10 ? `0${n}` : `${n}`,
);

let cachedSecond = Number.NaN; // NaN never equals a second, so the first call renders
let cachedDate = '';

/**
 * IMF-fixdate for `nowMs` (default: now), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
 * Recomputed only when the whole second differs from the previous call's; a clock that
 * steps backwards simply renders again.
 */
export function httpDate(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedSecond) {
    cachedDate = renderImfFixdate(second * 1000);
    cachedSecond = second;
  }
  return cachedDate;
}

/** IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT (RFC 9110 §5.6.7). */
function renderImfFixdate(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  // date1 = day SP month SP year, with year = 4DIGIT: pad years below 1000.
  const yyyy = year >= 1000 ? `${year}` : `${year}`.padStart(4, '0');
  return (
    `${DAY_NAMES[d.getUTCDay()]}, ${TWO_DIGITS[d.getUTCDate()]} ${MONTH_NAMES[d.getUTCMonth()]} ` +
    `${yyyy} ${TWO_DIGITS[d.getUTCHours()]}:${TWO_DIGITS[d.getUTCMinutes()]}:` +
    `${TWO_DIGITS[d.getUTCSeconds()]} GMT`
  );
}

let liveDate = '';
let liveDateLine = '';
let liveTimer: NodeJS.Timeout | null = null;

/**
 * The Date for a response being sent now. Measured: calling Date.now() per response cost ~7%
 * of the per-request CPU in a pipelined benchmark; this is a string read. Re-rendered just
 * after each second boundary by a timer that does not keep the process alive.
 */
export function currentHttpDate(): string {
  if (liveTimer === null) refresh();
  return liveDate;
}

/** `Date: <currentHttpDate()>\r\n`, one flat string for a response head. */
export function currentDateLine(): string {
  if (liveTimer === null) refresh();
  return liveDateLine;
}

function refresh(): void {
  liveDate = flatString(httpDate());
  liveDateLine = flatString('Date: ' + liveDate + '\r\n');
  liveTimer = setTimeout(refresh, 1001 - (Date.now() % 1000));
  liveTimer.unref();
}
