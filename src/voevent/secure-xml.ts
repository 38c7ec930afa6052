/**
 * The pre-parse guard: every XML document from the outside world passes here before any
 * parser or schema validator sees it.
 *
 * It rejects, with a coded CoincideError and in one linear pass over the text:
 *   INPUT_EMPTY        nothing but whitespace;
 *   INPUT_TOO_LARGE    more than `maxBytes` bytes (default 1 MiB);
 *   INPUT_BINARY       NUL or other C0 control characters, or bytes that are not valid UTF-8;
 *   XML_DTD_FORBIDDEN  any markup declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT, ...): DTDs are
 *                      never processed and entities never expanded, so a billion-laughs or
 *                      external-entity (XXE) document is refused before anything is expanded;
 *   XML_TOO_DEEP       elements nested deeper than `maxDepth` (default 64);
 *   XML_MALFORMED      not well-formed XML, including an unbound namespace prefix, a
 *                      reference to an entity that is not one of the five predefined ones,
 *                      a second root element, text outside the root, "]]>" in text and "--"
 *                      inside a comment (rules XMLValidator does not check).
 *
 * Well-formedness of tags and attributes is checked by fast-xml-parser's XMLValidator; the
 * checks it does not make (DTD, depth, namespace bindings, undeclared entities) are made by the
 * small scanner below, written by hand because no XML library here exposes them as a cheap,
 * non-expanding pass. The scanner also yields the root element (name, namespace, attributes),
 * which is all the VTP layer needs (`peekXmlRoot`).
 */
import { XMLValidator } from 'fast-xml-parser';
import { CoincideError } from '../errors.ts';
import { lineColumnAt } from '../text/line-column.ts';
import { utf16Encoding } from './utf16-bom.ts';

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

export interface XmlGuardOptions {
  /** Largest accepted document, in bytes (UTF-8). Default 1 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting (the root is depth 1). Default 64. */
  maxDepth?: number;
}

export interface XmlRoot {
  /** The qualified name as written, e.g. "voe:VOEvent". */
  name: string;
  localName: string;
  /** The namespace URI the root is in, or '' when it is in no namespace. */
  namespace: string;
  /** Attributes as written (qualified names), values with the predefined entities decoded. */
  attributes: Record<string, string>;
}

export interface GuardedXml {
  /** The document text (decoded, BOM removed). */
  text: string;
  root: XmlRoot;
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const DECLARATION_KEYWORDS = ['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION'];
/** C0 controls that XML 1.0 forbids (everything below U+0020 except TAB, LF, CR). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
/** An ampersand that does not start one of the five predefined entities or a character reference. */
const UNDECLARED_ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
const CHARACTER_REFERENCE = /&(#[0-9]+|#x[0-9a-fA-F]+);/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENCODING = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/**
 * Decodes the input to text and applies the size, emptiness and binary checks.
 * Bytes are decoded as UTF-8 (strictly) unless the XML declaration names ISO-8859-1/Latin-1
 * or US-ASCII; a UTF-8 byte-order mark is dropped.
 */
export function decodeXmlInput(input: string | Uint8Array, maxBytes: number = DEFAULT_MAX_BYTES): string {
  let text: string;
  if (typeof input === 'string') {
    // UTF-8 byte length is at most 3 bytes per UTF-16 code unit, so count only when it can matter.
    if (input.length > maxBytes / 3 && Buffer.byteLength(input, 'utf8') > maxBytes) throw tooLarge(maxBytes);
    text = input;
  } else {
    if (input.byteLength > maxBytes) throw tooLarge(maxBytes);
    text = decodeBytes(input);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) throw new CoincideError('INPUT_EMPTY', 'the document is empty');
  if (FORBIDDEN_CONTROL.test(text)) {
    throw new CoincideError(
      'INPUT_BINARY',
      'the document contains NUL or control bytes: binary, not XML text',
    );
  }
  return text;
}

function tooLarge(maxBytes: number): CoincideError {
  return new CoincideError('INPUT_TOO_LARGE', `the document is larger than the ${maxBytes}-byte limit`);
}

function decodeBytes(bytes: Uint8Array): string {
  // UTF-16 with its byte-order mark (as Comet accepts it); the BOM is dropped by the decoder.
  const utf16 = utf16Encoding(bytes);
  if (utf16) {
    try {
      return new TextDecoder(utf16, { fatal: true }).decode(bytes);
    } catch (error) {
      throw new CoincideError('INPUT_BINARY', `the document is not valid ${utf16} text`, { cause: error });
    }
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = ENCODING.exec(head.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, ''))?.[1]?.toLowerCase();
  if (declared === 'iso-8859-1' || declared === 'latin1' || declared === 'latin-1') {
    return new TextDecoder('latin1').decode(bytes);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new CoincideError('INPUT_BINARY', 'the document is not valid UTF-8 text', { cause: error });
  }
}

/**
 * The full guard: decode, then scan (DTD, depth, namespaces, entities), then check
 * well-formedness. Returns the text and its root element.
 */
export function guardXml(input: string | Uint8Array, options: XmlGuardOptions = {}): GuardedXml {
  return guardXmlText(decodeXmlInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES), options);
}

/** guardXml after the decoding: `text` comes from decodeXmlInput (its checks already made). */
export function guardXmlText(text: string, options: XmlGuardOptions = {}): GuardedXml {
  const root = scanXml(text, options.maxDepth ?? DEFAULT_MAX_DEPTH, false);
  // Deprecated in favour of the separate fast-xml-validator package, which is not installed;
  // this is the same validator, shipped with the fast-xml-parser already in use.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (verdict !== true) throw validatorError(text, verdict.err);
  if (root === undefined) throw new CoincideError('XML_MALFORMED', 'the document has no root element');
  return { text, root };
}

/**
 * The root element only, read with the same DTD refusal as the guard but stopping at the end
 * of the root's start tag: no depth, entity or well-formedness check of the rest. For callers
 * that need a VOEvent's ivorn and role cheaply and parse in full elsewhere.
 */
export function peekXmlRoot(input: string | Uint8Array, options: XmlGuardOptions = {}): XmlRoot {
  const text = decodeXmlInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const root = scanXml(text, options.maxDepth ?? DEFAULT_MAX_DEPTH, true);
  if (root === undefined) throw new CoincideError('XML_MALFORMED', 'the document has no root element');
  return root;
}

/**
 * XMLValidator's verdict in the user's terms. Its messages are plain words with a right line and
 * column, except for elements left open at the end, which it reports as "Invalid '[<JSON of its
 * tag stack>]' found." at line 1, column 1: those become the names and the end of the document.
 */
function validatorError(text: string, err: { msg: string; line: number; col: number }): CoincideError {
  const open = /^Invalid '(\[[\s\S]*\])' found\.?$/.exec(err.msg);
  if (open) {
    let names: string[] = [];
    try {
      names = (JSON.parse(open[1] ?? '[]') as unknown[]).map(String);
    } catch {
      // not the tag stack after all: said without the names
    }
    const list = names.map((name) => `<${name}>`).join(', ');
    return new CoincideError(
      'XML_MALFORMED',
      `not well-formed XML at ${lineColumnAt(text, text.trimEnd().length)}: the document ends with ${
        names.length === 1 ? 'an element' : 'elements'
      } still open${list === '' ? '' : ` (${list})`}`,
    );
  }
  return new CoincideError(
    'XML_MALFORMED',
    `not well-formed XML at line ${err.line}, column ${err.col}: ${err.msg}`,
  );
}

/**
 * A position-less XML_MALFORMED from the scanner, with the line and column of `offset` (the
 * construct being read); for an undeclared entity or stray text, of the character itself.
 */
function withPosition(error: unknown, text: string, offset: number): unknown {
  if (!(error instanceof CoincideError) || error.code !== 'XML_MALFORMED') return error;
  const prefix = 'not well-formed XML: ';
  if (!error.message.startsWith(prefix)) return error;
  const detail = error.message.slice(prefix.length);
  let at = offset;
  const rest = text.slice(offset);
  if (detail.includes('entity') || detail.includes('character reference')) {
    const k = rest.search(/&/);
    if (k >= 0) at = offset + k;
  } else if (detail.startsWith('text outside')) {
    const k = rest.search(/\S/);
    if (k >= 0) at = offset + k;
  }
  return new CoincideError('XML_MALFORMED', `not well-formed XML at ${lineColumnAt(text, at)}: ${detail}`, {
    cause: error,
  });
}

type Scope = Map<string, string> | undefined;

function lookupPrefix(scopes: Scope[], prefix: string): string | undefined {
  if (prefix === 'xml') return XML_NAMESPACE;
  for (let k = scopes.length - 1; k >= 0; k--) {
    const uri = scopes[k]?.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

function malformed(message: string): CoincideError {
  return new CoincideError('XML_MALFORMED', `not well-formed XML: ${message}`);
}

function checkEntities(segment: string): void {
  if (!segment.includes('&')) return;
  if (UNDECLARED_ENTITY.test(segment)) {
    throw malformed('reference to an undeclared entity (only the five predefined entities are allowed)');
  }
  for (const match of segment.matchAll(CHARACTER_REFERENCE)) characterOf(match[1] ?? '');
}

/**
 * The character of a reference's digits ("#NN" or "#xHH"); XML_MALFORMED unless it is an XML 1.0
 * Char (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]): "&#0;" and
 * "&#x110000;" are not well-formed (and the latter made String.fromCodePoint throw a RangeError).
 */
function characterOf(ref: string): string {
  const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
  const isChar =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  if (!isChar) throw malformed(`character reference &${ref}; is not an XML character`);
  return String.fromCodePoint(code);
}

/** Character data: no undeclared entity, no "]]>", and nothing but white space outside the root. */
function checkText(segment: string, outsideRoot: boolean): void {
  if (outsideRoot) {
    if (segment.trim().length > 0) throw malformed('text outside the root element');
    return;
  }
  checkEntities(segment);
  if (segment.includes(']]>')) throw malformed('"]]>" in character data');
}

/**
 * Decodes the five predefined entities and character references (&#NN; &#xHH;); XML_MALFORMED
 * for a reference to a code point that is not an XML character.
 */
export function decodeXmlReferences(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (_m, ref: string) => {
    switch (ref) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return characterOf(ref);
    }
  });
}

/**
 * One pass over the markup. Grammar handled (XML 1.0, without DTDs):
 *   comment  "<!--" ... "-->"      CDATA "<![CDATA[" ... "]]>"      PI "<?" ... "?>"
 *   end tag  "</" Name S? ">"      start/empty tag "<" Name (S Attribute)* S? "/"? ">"
 *   any other "<!" markup declaration is a DTD construct and is refused.
 */
function scanXml(text: string, maxDepth: number, rootOnly: boolean): XmlRoot | undefined {
  const first = text.search(/\S/);
  if (first >= 0 && text[first] !== '<') {
    const shown = JSON.stringify(text.slice(first, first + 1));
    throw new CoincideError(
      'XML_MALFORMED',
      `not XML: the document starts with ${shown} at ${lineColumnAt(text, first)}${text[first] === '{' ? ' (JSON?)' : ''}`,
    );
  }
  const at = { offset: 0 };
  try {
    return scanMarkup(text, maxDepth, rootOnly, at);
  } catch (error) {
    throw withPosition(error, text, at.offset);
  }
}

/** scanXml's pass; `at.offset` follows the construct being read, for the position of an error. */
function scanMarkup(
  text: string,
  maxDepth: number,
  rootOnly: boolean,
  at: { offset: number },
): XmlRoot | undefined {
  const n = text.length;
  const scopes: Scope[] = [];
  let root: XmlRoot | undefined;
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    at.offset = i;
    if (lt < 0) {
      checkText(text.slice(i), scopes.length === 0);
      break;
    }
    if (lt > i) checkText(text.slice(i, lt), scopes.length === 0);
    at.offset = lt;
    const next = text.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt + 4);
        if (end < 0) throw malformed('unterminated comment');
        if (text.slice(lt + 4, end).includes('--')) throw malformed('"--" inside a comment');
        i = end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        if (end < 0) throw malformed('unterminated CDATA section');
        i = end + 3;
        continue;
      }
      const keyword = text.slice(lt + 2, lt + 10).toUpperCase();
      if (DECLARATION_KEYWORDS.some((word) => keyword.startsWith(word))) {
        throw new CoincideError(
          'XML_DTD_FORBIDDEN',
          `the document contains <!${keyword.replace(/[^A-Z].*$/, '')}: DTDs and entity declarations are refused`,
        );
      }
      throw malformed('unexpected "<!"');
    }
    if (next === 0x3f /* ? */) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) throw malformed('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (next === 0x2f /* / */) {
      const end = text.indexOf('>', lt + 2);
      if (end < 0) throw malformed('unterminated end tag');
      scopes.pop();
      i = end + 1;
      continue;
    }
    // A start or empty-element tag: find its closing '>' outside quoted attribute values.
    let j = lt + 1;
    let quote = 0;
    for (; j < n; j++) {
      const ch = text.charCodeAt(j);
      if (quote !== 0) {
        if (ch === quote) quote = 0;
      } else if (ch === 0x22 || ch === 0x27) {
        quote = ch;
      } else if (ch === 0x3e /* > */ || ch === 0x3c /* < */) {
        break;
      }
    }
    if (j >= n || text.charCodeAt(j) !== 0x3e) throw malformed('unterminated start tag');
    const selfClosing = text.charCodeAt(j - 1) === 0x2f;
    const body = text.slice(lt + 1, selfClosing ? j - 1 : j);
    checkEntities(body);
    const nameEnd = body.search(/[\s/>]|$/);
    const name = body.slice(0, nameEnd);
    if (name.length === 0) throw malformed('empty tag name');
    if (!selfClosing && scopes.length + 1 > maxDepth) {
      throw new CoincideError('XML_TOO_DEEP', `elements are nested deeper than the limit of ${maxDepth}`);
    }
    const isRoot = root === undefined;
    if (!isRoot && scopes.length === 0) throw malformed(`a second root element <${name}>`);
    const hasPrefixedNames = body.includes(':');
    let scope: Scope;
    let attributes: Record<string, string> | undefined;
    if (isRoot || hasPrefixedNames || body.includes('xmlns')) {
      attributes = {};
      for (const match of body.slice(nameEnd).matchAll(ATTRIBUTE)) {
        const attrName = match[1] ?? '';
        const value = decodeXmlReferences(match[2] ?? match[3] ?? '');
        attributes[attrName] = value;
        if (attrName === 'xmlns') (scope ??= new Map()).set('', value);
        else if (attrName.startsWith('xmlns:')) (scope ??= new Map()).set(attrName.slice(6), value);
      }
    }
    scopes.push(scope);
    if (hasPrefixedNames) checkBindings(name, attributes ?? {}, scopes);
    if (isRoot) {
      const colon = name.indexOf(':');
      const prefix = colon < 0 ? '' : name.slice(0, colon);
      root = {
        name,
        localName: colon < 0 ? name : name.slice(colon + 1),
        namespace: lookupPrefix(scopes, prefix) ?? '',
        attributes: attributes ?? {},
      };
      if (rootOnly) return root;
    }
    if (selfClosing) scopes.pop();
    i = j + 1;
  }
  return root;
}

function checkBindings(name: string, attributes: Record<string, string>, scopes: Scope[]): void {
  const colon = name.indexOf(':');
  if (colon >= 0 && lookupPrefix(scopes, name.slice(0, colon)) === undefined) {
    throw malformed(`namespace prefix "${name.slice(0, colon)}" of element <${name}> is not bound`);
  }
  for (const attrName of Object.keys(attributes)) {
    const c = attrName.indexOf(':');
    if (c < 0 || attrName.startsWith('xmlns:')) continue;
    if (lookupPrefix(scopes, attrName.slice(0, c)) === undefined) {
      throw malformed(
        `namespace prefix "${attrName.slice(0, c)}" of attribute ${attrName} on <${name}> is not bound`,
      );
    }
  }
}
