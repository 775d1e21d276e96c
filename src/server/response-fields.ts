// Validation of the fields a handler sets on a Response (no response splitting), with caches of
// what was already checked: handlers set the same few names and values on every response.
import { validateFieldName, validateFieldValue } from '../http/fields.js';

/**
 * Field names already validated, with their lower-case form. Handlers set the same few names
 * on every response; measured: validating and lower-casing them was the largest single cost
 * (15%) of a pipelined hello-world request. Bounded, so hostile or generated names cannot grow it.
 */
const CHECKED_NAMES = new Map<string, string>();
const MAX_CHECKED_NAMES = 512;

/**
 * Short field values already validated (Content-Type values and the like repeat on every
 * response): a Set lookup is ~5 ns where checking 24 characters is ~30 ns (pipelined ×16: ~2%).
 * Bounded in count and length like CHECKED_NAMES.
 */
const CHECKED_VALUES = new Set<string>();
const MAX_CHECKED_VALUE_LENGTH = 128;

/** `name` validated (throws if it is not a token), lower-cased. */
export function checkedFieldName(name: string): string {
  let lower = CHECKED_NAMES.get(name);
  if (lower === undefined) {
    validateFieldName(name);
    lower = name.toLowerCase();
    if (CHECKED_NAMES.size < MAX_CHECKED_NAMES) CHECKED_NAMES.set(name, lower);
  }
  return lower;
}

/** Throws if `text` is not a valid value for the field `name`. */
export function checkFieldValue(text: string, name: string): void {
  if (CHECKED_VALUES.has(text)) return;
  validateFieldValue(text, name);
  if (text.length <= MAX_CHECKED_VALUE_LENGTH && CHECKED_VALUES.size < MAX_CHECKED_NAMES) CHECKED_VALUES.add(text);
}
