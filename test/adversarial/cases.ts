// The adversarial table: raw request bytes a hostile or broken client might send, how they are
// fed (whole, split at a few offsets, or one byte at a time), and what a strict server must do.
// Every row names the rule it comes from (RFC 9112 / RFC 9110 section, CVE or advisory). Rows
// marked `smuggle` hide a second complete request (SMUGGLED) where a lenient reading of the
// ambiguous framing would find it; the runner proves by counting handler invocations that it
// never runs. Where the RFC allows several answers, `note` says which one brisk gives and why.
// Data only: adversarial.test.ts runs it.
// The rows live in cases/, one file per concern; this file is the table's single entry point.
import { CL_TE, CONTENT_LENGTH } from './cases/content-length.js';
import { EXPECT, LIMITS, PIPELINE, TIMEOUTS } from './cases/connection.js';
import { CONTROL_CHARS, FIELD_SYNTAX, HOST, LINE_ENDINGS, REQUEST_LINE, TARGET } from './cases/syntax.js';
import type { AdversarialCase } from './cases/support.js';
import { CHUNKED, TRANSFER_ENCODING } from './cases/transfer-encoding.js';
import { DESYNC, EXPECT_OBFUSCATED } from './cases/desync.js';

export { SMUGGLED, SMUGGLED_TARGET, type AdversarialCase, type Category, type Expectation, type Feed } from './cases/support.js';

export const CASES: readonly AdversarialCase[] = [
  ...CONTENT_LENGTH,
  ...TRANSFER_ENCODING,
  ...CL_TE,
  ...CHUNKED,
  ...LINE_ENDINGS,
  ...CONTROL_CHARS,
  ...REQUEST_LINE,
  ...TARGET,
  ...HOST,
  ...FIELD_SYNTAX,
  ...LIMITS,
  ...PIPELINE,
  ...EXPECT,
  ...EXPECT_OBFUSCATED,
  ...TIMEOUTS,
  ...DESYNC,
];

