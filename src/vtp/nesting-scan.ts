/**
 * The nesting depth of any XML document, measured in one linear pass over its bytes. The receive
 * path measures depth in the pre-scan (voevent/xml-prescan.ts); this one also runs past a DTD or
 * control characters, for the documents the pre-scan refuses (payload.ts).
 *
 * The nesting depth of an XML document, measured before any parse in one linear pass over its
 * bytes (issue 12: a deeply nested payload cost 0.55 s of parsing before its nak; this costs
 * microseconds). It counts start tags (`<name`), end tags (`</`) and empty-element tags (`/>`),
 * and skips what may contain `<` or `>` without being markup: comments, CDATA sections,
 * processing instructions, declarations and quoted attribute values. It is a bound, not a
 * validator: a document it passes is still parsed, validated and refused if malformed.
 *
 * UTF-8 and ASCII-compatible encodings are scanned as bytes (markup characters are single bytes
 * there); a UTF-16 document (with its byte-order mark) is decoded first.
 */

import { utf16Encoding } from '../voevent/utf16-bom.ts';
import { MARKUP_BYTES } from '../voevent/xml-prescan.ts';

/** The deepest nesting a VOEvent needs is about 8; the XML guard's limit (secure-xml.ts) is 64. */
export const DEFAULT_MAX_NESTING_DEPTH = 64;

const { LT, GT, SLASH, BANG, QUESTION, DQUOTE, SQUOTE } = MARKUP_BYTES;

interface CodeUnits {
  readonly length: number;
  at(i: number): number;
}

function startsWith(s: CodeUnits, i: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (s.at(i + k) !== text.charCodeAt(k)) return false;
  return true;
}

function indexOf(s: CodeUnits, from: number, text: string): number {
  for (let i = from; i + text.length <= s.length; i++) if (startsWith(s, i, text)) return i;
  return -1;
}

/** True when no element of the document is nested deeper than `maxDepth` (the root is depth 1). */
export function nestingWithin(bytes: Uint8Array, maxDepth: number = DEFAULT_MAX_NESTING_DEPTH): boolean {
  const utf16 = utf16Encoding(bytes);
  let s: CodeUnits;
  if (utf16) {
    const text = new TextDecoder(utf16).decode(bytes);
    s = { length: text.length, at: (i) => text.charCodeAt(i) };
  } else {
    s = { length: bytes.length, at: (i) => bytes[i] ?? -1 };
  }
  let depth = 0;
  let i = 0;
  while (i < s.length) {
    if (s.at(i) !== LT) {
      i++;
      continue;
    }
    const next = s.at(i + 1);
    if (next === BANG) {
      // Comment, CDATA section or declaration: skip to its end.
      const end = startsWith(s, i, '<!--')
        ? indexOf(s, i + 4, '-->')
        : startsWith(s, i, '<![CDATA[')
          ? indexOf(s, i + 9, ']]>')
          : indexOf(s, i + 2, '>');
      if (end < 0) return true; // unterminated: the parser refuses it
      i = end + 1;
      continue;
    }
    if (next === QUESTION) {
      const end = indexOf(s, i + 2, '?>');
      if (end < 0) return true;
      i = end + 2;
      continue;
    }
    if (next === SLASH) {
      depth -= 1;
      const end = indexOf(s, i + 2, '>');
      if (end < 0) return true;
      i = end + 1;
      continue;
    }
    // A start tag: to its '>', past quoted attribute values; '/>' closes it at once.
    depth += 1;
    if (depth > maxDepth) return false;
    let j = i + 1;
    let quote = 0;
    for (; j < s.length; j++) {
      const c = s.at(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === DQUOTE || c === SQUOTE) {
        quote = c;
      } else if (c === GT) {
        break;
      }
    }
    if (j >= s.length) return true;
    if (s.at(j - 1) === SLASH) depth -= 1;
    i = j + 1;
  }
  return true;
}
