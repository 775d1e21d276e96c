// Loads the llhttp request corpus (test/conformance/corpus/llhttp-requests.json, vendored, format
// "llhttp-request-corpus/1") and gives its records types. Read-only: the corpus is data we
// compare against, never something a test edits. See corpus/README.md, sections 2 and 3.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_FORMAT = 'llhttp-request-corpus/1';
export const CORPUS_FILE = 'llhttp-requests.json';

export type Outcome = 'accept' | 'reject' | 'upgrade' | 'h2-preface';
export type FinishExpectation = 'safe' | 'safe_with_cb' | 'unsafe';
/** A field as [name, value], both latin1 strings (one char per byte). */
export type FieldPair = [string, string];

export interface ExpectedMessage {
  method: string | null;
  url: string | null;
  protocol: string | null;
  versionMajor: number | null;
  versionMinor: number | null;
  headers: FieldPair[];
  trailers?: FieldPair[];
  body_base64: string;
  headersComplete: boolean;
  complete: boolean;
  upgrade?: boolean;
  shouldKeepAlive?: boolean;
  /** Byte at which the message began (its request line, after any leading CRLF). */
  offset: number;
}

export interface ExpectedError {
  code: number;
  name: string;
  reason: string;
  offset: number;
}

export interface ExpectedUpgrade {
  kind: 'upgrade' | 'h2-preface';
  offset: number;
  code: number;
  name: string;
  reason: string;
}

export interface Expectation {
  outcome: Outcome;
  incompleteAtEnd: boolean;
  messages: ExpectedMessage[];
  error: ExpectedError | null;
  upgrade: ExpectedUpgrade | null;
  finish: FinishExpectation | null;
}

export interface Harness {
  noScan?: boolean;
  pause?: string;
  skipBody?: boolean;
  checkFinish?: boolean;
}

export interface CorpusCase {
  id: string;
  file: string;
  line: number;
  section: string[];
  title: string;
  type: string;
  mode: 'strict' | 'lenient';
  lenientFlags: string[];
  harness: Harness;
  tags: string[];
  notes: string[];
  input_base64: string;
  input_text: string;
  strictTwins?: string[];
  lenientTwins?: string[];
  expect: Expectation;
  expectLog: string[];
}

export interface Corpus {
  format: string;
  source: { repository: string; commit: string; version: string };
  counts: { total: number; byMode: { strict: number; lenient: number } };
  cases: CorpusCase[];
}

/**
 * Where the corpus lives: $BRISK_CONFORMANCE_DIR if set (to try a regenerated corpus), else the
 * vendored copy in test/conformance/corpus/ (provenance and llhttp's MIT licence beside it), so a
 * fresh clone needs nothing outside itself. This file runs from dist/test/conformance/, three
 * levels below the root; the JSON is read from the source tree, not copied into dist/.
 */
export function corpusDir(): string {
  const fromEnv = process.env.BRISK_CONFORMANCE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return resolve(repoRoot, 'test', 'conformance', 'corpus');
}

let cached: Corpus | undefined;

/** Reads and checks the corpus once per process. Throws with the path when it is missing or of another format. */
export function loadCorpus(): Corpus {
  if (cached !== undefined) return cached;
  const path = join(corpusDir(), CORPUS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new Error(`conformance corpus not found at ${path} (set BRISK_CONFORMANCE_DIR)`, { cause });
  }
  const corpus = JSON.parse(text) as Corpus;
  if (corpus.format !== CORPUS_FORMAT) {
    throw new Error(`${path}: format "${corpus.format}", expected "${CORPUS_FORMAT}"`);
  }
  if (corpus.cases.length !== corpus.counts.total) {
    throw new Error(`${path}: ${corpus.cases.length} cases but counts.total is ${corpus.counts.total}`);
  }
  cached = corpus;
  return corpus;
}

export function caseBytes(c: CorpusCase): Buffer {
  return Buffer.from(c.input_base64, 'base64');
}

/** The file name without its folder and extension: "test/request/uri.md" → "uri". */
export function caseFile(c: CorpusCase): string {
  const base = c.file.slice(c.file.lastIndexOf('/') + 1);
  return base.endsWith('.md') ? base.slice(0, -3) : base;
}
