/**
 * Nesting depth of a JSON document, checked before any parse: one linear pass over the bytes
 * that stops at the first level past the limit. JSON.parse and the normalisers recurse, so a
 * deeply nested document costs time (0.1–0.3 s for ~1 MB) and can exhaust the stack (a
 * RangeError, not a coded refusal); the check refuses it in time linear in its length, with a
 * stable code (JSON_TOO_DEEP), like the XML pre-scan's XML_TOO_DEEP.
 *
 * Structural characters are ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII, so
 * scanning bytes is exact without decoding. Inside a string, `\` escapes the next byte; an
 * unbalanced or otherwise malformed document is left to JSON.parse (JSON_MALFORMED).
 */
import { CoincideError } from '../errors.ts';

/** Real notices nest a few levels (LVK alerts: 4; GCN unified notices: 3); 64 as for XML. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Throws JSON_TOO_DEEP when objects and arrays nest deeper than `maxDepth`. */
export function checkJsonDepth(bytes: Uint8Array, maxDepth = DEFAULT_MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) {
        throw new CoincideError(
          'JSON_TOO_DEEP',
          `objects and arrays are nested deeper than the limit of ${maxDepth} (at byte ${i})`,
        );
      }
    } else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && depth > 0) depth--;
  }
}
