/**
 * The pre-scan: one linear pass over a document's bytes before libxml2 parses it (issue 14).
 * It decides, without decoding the document to a string and without building anything:
 *   INPUT_TOO_LARGE    more than `maxBytes` bytes;
 *   INPUT_EMPTY        nothing but white space (and a byte-order mark);
 *   INPUT_BINARY       C0 control bytes other than TAB, LF and CR, or bytes that are not UTF-8
 *                      in a document that is not declared ISO-8859-1 / US-ASCII;
 *   XML_DTD_FORBIDDEN  any markup declaration (<!DOCTYPE, <!ENTITY, ...): no DTD is ever seen
 *                      by a parser, so no entity is ever expanded (billion laughs, XXE);
 *   nesting depth      deeper than `maxDepth` (reported, not thrown: the VTP receiver naks it
 *                      with the root's ivorn, the schema validator refuses it as XML_TOO_DEEP);
 *   the root element   name, namespace (declared on the root itself, since it is the first
 *                      element) and attributes with the predefined entities decoded: all the VTP
 *                      layer needs to classify a submission (role, ivorn);
 *   XML_MALFORMED      only what stops the scan: no root, unterminated markup, a bad root tag.
 * Everything else about well-formedness (mismatched tags, unbound prefixes, undeclared entities,
 * text outside the root, "--" in comments...) is libxml2's job, the one parser of the ack path
 * (xml-parse.ts): the former guard checked it twice, with a second parser and a hand-written
 * scanner, and decoded the document twice.
 *
 * UTF-8, US-ASCII and ISO-8859-1 are scanned as bytes (markup characters are single bytes
 * there; the bytes of a multi-byte UTF-8 character are all >= 0x80). A UTF-16 document (with
 * its byte-order mark) is re-encoded as UTF-8 first: rare, and the scan stays one code path.
 */
import { isUtf8 } from 'node:buffer';
import { CoincideError } from '../errors.ts';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, decodeXmlReferences, type XmlRoot } from './secure-xml.ts';
import { utf16Encoding } from './utf16-bom.ts';

export interface XmlPrescanOptions {
  /** Largest accepted document, bytes. Default 1 MiB (secure-xml.ts DEFAULT_MAX_BYTES). */
  maxBytes?: number;
  /** Deepest nesting accepted (the root is depth 1). Default 64. */
  maxDepth?: number;
  /**
   * The bytes are a JavaScript string encoded as UTF-8 (already decoded once): the encoding
   * named in the XML declaration no longer applies.
   */
  decoded?: boolean;
}

export interface XmlPrescan {
  root: XmlRoot;
  /** True when an element is nested deeper than `maxDepth` (the scan stopped there). */
  tooDeep: boolean;
  /** The encoding libxml2 will read ('utf-16le'/'utf-16be' from a BOM, else from the declaration). */
  encoding: string;
  /** The depth limit `tooDeep` was measured against. */
  maxDepth: number;
}

/** The bytes of XML markup (one byte each in UTF-8, US-ASCII and ISO-8859-1). */
export const MARKUP_BYTES = {
  LT: 0x3c,
  GT: 0x3e,
  SLASH: 0x2f,
  BANG: 0x21,
  QUESTION: 0x3f,
  DQUOTE: 0x22,
  SQUOTE: 0x27,
} as const;
const { LT, GT, SLASH, BANG, QUESTION, DQUOTE, SQUOTE } = MARKUP_BYTES;
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const DECLARATION_KEYWORDS = ['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION'];
const ENCODING = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ONLY_WHITE_SPACE = /^\s*$/;
const SINGLE_BYTE_ENCODINGS = new Set(['iso-8859-1', 'latin1', 'latin-1', 'us-ascii', 'ascii']);

function malformed(message: string): CoincideError {
  return new CoincideError('XML_MALFORMED', `not well-formed XML: ${message}`);
}

function startsWith(bytes: Uint8Array, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Index of `text` (ASCII) in `bytes` from `from`, or -1 (Buffer.indexOf: native). */
function find(bytes: Buffer, from: number, text: string): number {
  return bytes.indexOf(text, from, 'latin1');
}

function isWhiteSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** The root start tag `<...>` (without the brackets) as attributes and a namespace. */
function readRoot(tag: string): XmlRoot {
  const nameEnd = tag.search(/[\s/]|$/);
  const name = tag.slice(0, nameEnd);
  if (name.length === 0) throw malformed('empty root tag name');
  const attributes: Record<string, string> = {};
  const scope = new Map<string, string>();
  const rest = tag.slice(nameEnd);
  let end = 0;
  for (const match of rest.matchAll(ATTRIBUTE)) {
    // Only white space between attributes: anything else (an unquoted value) is not well-formed.
    if (!ONLY_WHITE_SPACE.test(rest.slice(end, match.index)))
      throw malformed(`<${name}> has an unquoted or stray attribute`);
    end = match.index + match[0].length;
    const attrName = match[1] ?? '';
    // Attribute-value normalisation (XML 1.0 §2.11, §3.3.3): a literal line end or tab is a
    // space; characters written as references are kept.
    const value = decodeXmlReferences(
      (match[2] ?? match[3] ?? '').replace(/\r\n?/g, '\n').replace(/[\t\n]/g, ' '),
    );
    attributes[attrName] = value;
    if (attrName === 'xmlns') scope.set('', value);
    else if (attrName.startsWith('xmlns:')) scope.set(attrName.slice(6), value);
  }
  if (!/^\s*\/?\s*$/.test(rest.slice(end))) throw malformed(`<${name}> has an unquoted or stray attribute`);
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const namespace = prefix === 'xml' ? XML_NAMESPACE : scope.get(prefix);
  if (namespace === undefined && prefix !== '') {
    throw malformed(`namespace prefix "${prefix}" of element <${name}> is not bound`);
  }
  for (const attrName of Object.keys(attributes)) {
    const c = attrName.indexOf(':');
    if (c < 0 || attrName.startsWith('xmlns:')) continue;
    const attrPrefix = attrName.slice(0, c);
    if (attrPrefix !== 'xml' && !scope.has(attrPrefix)) {
      throw malformed(`namespace prefix "${attrPrefix}" of attribute ${attrName} on <${name}> is not bound`);
    }
  }
  return {
    name,
    localName: colon < 0 ? name : name.slice(colon + 1),
    namespace: namespace ?? '',
    attributes,
  };
}

/** The pre-scan of one document (see the file header); throws a coded CoincideError. */
export function prescanXml(input: Uint8Array, options: XmlPrescanOptions = {}): XmlPrescan {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (input.byteLength > maxBytes) {
    throw new CoincideError('INPUT_TOO_LARGE', `the document is larger than the ${maxBytes}-byte limit`);
  }
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const utf16 = utf16Encoding(bytes);
  let encoding: string;
  if (utf16) {
    let text: string;
    try {
      text = new TextDecoder(utf16, { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new CoincideError('INPUT_BINARY', `the document is not valid ${utf16} text`, { cause });
    }
    bytes = Buffer.from(text, 'utf8');
    encoding = utf16;
  } else {
    let start = 0;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
    const declared = ENCODING.exec(bytes.toString('latin1', start, start + 200))?.[1]?.toLowerCase();
    encoding = options.decoded === true ? 'utf-8' : (declared ?? 'utf-8');
    if (!SINGLE_BYTE_ENCODINGS.has(encoding) && !isUtf8(bytes)) {
      throw new CoincideError('INPUT_BINARY', 'the document is not valid UTF-8 text');
    }
    bytes = bytes.subarray(start);
  }
  const n = bytes.length;
  let content = -1;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b < 0x20) {
      if (b !== 0x09 && b !== 0x0a && b !== 0x0d) {
        throw new CoincideError(
          'INPUT_BINARY',
          'the document contains NUL or control bytes: binary, not XML text',
        );
      }
    } else if (content < 0 && b !== 0x20) {
      content = i;
    }
  }
  if (content < 0) throw new CoincideError('INPUT_EMPTY', 'the document is empty');
  const decodeTag = SINGLE_BYTE_ENCODINGS.has(encoding) ? 'latin1' : 'utf8';

  let root: XmlRoot | undefined;
  let depth = 0;
  let i = content;
  for (;;) {
    const lt = bytes.indexOf(LT, i);
    if (lt < 0) break;
    const next = bytes[lt + 1];
    if (next === BANG) {
      if (startsWith(bytes, lt, '<!--')) {
        const end = find(bytes, lt + 4, '-->');
        if (end < 0) throw malformed('unterminated comment');
        i = end + 3;
        continue;
      }
      if (startsWith(bytes, lt, '<![CDATA[')) {
        const end = find(bytes, lt + 9, ']]>');
        if (end < 0) throw malformed('unterminated CDATA section');
        i = end + 3;
        continue;
      }
      const keyword = bytes.toString('latin1', lt + 2, lt + 10).toUpperCase();
      if (DECLARATION_KEYWORDS.some((word) => keyword.startsWith(word))) {
        throw new CoincideError(
          'XML_DTD_FORBIDDEN',
          `the document contains <!${keyword.replace(/[^A-Z].*$/, '')}: DTDs and entity declarations are refused`,
        );
      }
      throw malformed(`unexpected "<!" at offset ${lt}`);
    }
    if (next === QUESTION) {
      const end = find(bytes, lt + 2, '?>');
      if (end < 0) throw malformed('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (next === SLASH) {
      const end = bytes.indexOf(GT, lt + 2);
      if (end < 0) throw malformed('unterminated end tag');
      depth -= 1;
      i = end + 1;
      continue;
    }
    // A start or empty-element tag: to its '>', past quoted attribute values.
    let j = lt + 1;
    let quote = 0;
    for (; j < n; j++) {
      const c = bytes[j];
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === DQUOTE || c === SQUOTE) {
        quote = c;
      } else if (c === GT || c === LT) {
        break;
      }
    }
    if (j >= n || bytes[j] !== GT) throw malformed(`unterminated start tag at offset ${lt}`);
    const selfClosing = bytes[j - 1] === SLASH;
    if (root === undefined) {
      if (isWhiteSpace(next) || next === undefined) throw malformed(`empty tag name at offset ${lt}`);
      root = readRoot(bytes.toString(decodeTag, lt + 1, selfClosing ? j - 1 : j));
    }
    // An empty-element tag is an element at depth + 1 as well.
    if (depth + 1 > maxDepth) return { root, tooDeep: true, encoding, maxDepth };
    if (!selfClosing) depth += 1;
    i = j + 1;
  }
  if (root === undefined) throw malformed('no root element');
  return { root, tooDeep: false, encoding, maxDepth };
}
