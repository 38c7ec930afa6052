/**
 * JSON.parse errors in the user's terms. V8 (Node 20) says "Unexpected token '}', "<the whole
 * text>" is not valid JSON" (no position), "... in JSON at position 97", or "Unexpected end of
 * JSON input"; a user needs the line and column (1-based) of the file they edit, without the
 * parser's wording or a copy of their text. The position comes from jsonc-parser (VS Code's
 * JSON scanner, strict options: no comments, no trailing commas), run only after JSON.parse
 * has failed.
 */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { lineColumnAt } from './line-column.ts';

/** jsonc-parser's error codes in words. */
const WORDS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'a property name (in double quotes) was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: '":" was expected',
  CommaExpected: '"," was expected',
  CloseBraceExpected: '"}" was expected',
  CloseBracketExpected: '"]" was expected',
  EndOfFileExpected: 'text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'invalid escape in a string',
  InvalidCharacter: 'control character in a string',
};

/** "line L, column C: <what>" for a JSON.parse failure on `text`. */
export function describeJsonError(error: unknown, text: string): string {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const code = printParseErrorCode(first.error);
    return `${lineColumnAt(text, first.offset)}: ${WORDS[code] ?? code}`;
  }
  // jsonc-parser accepts a few things JSON.parse does not (e.g. a lone surrogate escape): V8's words, without the text.
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/, '');
}
