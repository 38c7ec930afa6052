/**
 * The XML tree the VOEvent readers (parse.ts) walk, built in one of two ways:
 *
 *  - `readStrictXmlTree`: one linear pass over the decoded text that checks well-formedness
 *    and builds the tree at once. It accepts only a strict subset of XML 1.0: ASCII names with
 *    at most one prefix, every prefix bound, attributes separated by white space with quoted
 *    values free of "<", unique attribute names, the five predefined entities and character
 *    references of XML characters only, comments without "--", CDATA inside the root only, an
 *    XML declaration only at the very start and no other processing instruction, no markup
 *    declaration at all, nothing but XML white space and comments outside the single root, and
 *    no element deeper than the depth limit. Every real VOEvent sample is in that subset.
 *  - `buildGeneralTree`: fast-xml-parser, for the documents outside the subset, after the full
 *    guard (secure-xml.ts `guardXml`: scanner plus fast-xml-parser's validator) has accepted them.
 *
 * The strict pass returns undefined for anything outside the subset, malformed or not; the
 * caller then runs the full guard, which refuses a malformed document with the error (code and
 * message) it always gave, and builds the general tree for the rest. So an accepted document
 * is read from the same tree either way, and a refused one gets the same error, while the common
 * case pays for one pass instead of three (scanner, validator, tree builder). Written by hand
 * because no XML library here builds a tree with these checks in one pass; the contract it must
 * keep (whatever it accepts, the guard accepts with the same root, and fast-xml-parser builds
 * the same tree) is checked on every sample, on generated documents and on mutated samples in
 * test/voevent/xml-tree.test.ts.
 *
 * The tree has fast-xml-parser's shape with the options below: an element is an object with
 * its child elements by local name (always arrays, in document order), its attributes as
 * "@_" + local name (xmlns declarations dropped, values trimmed, line ends normalised), its
 * text as "#text" (each run of text between tags trimmed, the runs concatenated; comments do
 * not split a run) and its CDATA sections as "#cdata"; an element with neither attributes nor
 * children is its text, or '' when it has none.
 */
import { XMLParser } from 'fast-xml-parser';
import { CoincideError, describeError } from '../errors.ts';
import { decodeXmlReferences, type XmlRoot } from './secure-xml.ts';

export type XmlNode = Record<string, unknown>;

export interface XmlTree {
  /** The document's root element, as the guard reports it. */
  root: XmlRoot;
  /** The tree: { [root local name]: [root element] }. */
  tree: XmlNode;
}

const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const generalParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 10_000, // depth is enforced by the guard, with its own error code
  // fast-xml-parser refuses element names such as __proto__ or constructor (prototype
  // pollution). They are not VOEvent elements: renamed here, they are ignored like any other
  // unknown element instead of making a valid document unreadable.
  transformTagName: (tagName: string) => (RESERVED_NAMES.has(tagName) ? `reserved-${tagName}` : tagName),
  isArray: (_name: string, _path: unknown, _isLeaf: boolean, isAttribute: boolean) => !isAttribute,
});

/** fast-xml-parser's tree of a document the full guard has accepted. */
export function buildGeneralTree(text: string): XmlNode {
  try {
    return generalParser.parse(text) as XmlNode;
  } catch (error) {
    // Not expected after the guard; kept coded so that no bare Error escapes this module.
    throw new CoincideError('XML_MALFORMED', `the XML tree could not be built: ${describeError(error)}`, {
      cause: error,
    });
  }
}

// ---------------------------------------------------------------- the strict pass

/**
 * Names fast-xml-parser renames or refuses (prototype pollution guards): such documents take
 * the general path, which renames them as it always did.
 */
const SPECIAL_NAMES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);
/** The XML declaration, exactly at the start: version, then optional encoding and standalone. */
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/;
/** A reference at the start of the string: one of the five predefined entities or a character reference. */
const REFERENCE = /^&(?:lt|gt|amp|quot|apos|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/;

const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** ASCII name characters: letters, digits, '_', '-', '.' (the colon is handled by the caller). */
function isNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2d ||
    c === 0x2e
  );
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

/** Whether a code point is an XML 1.0 Char (what a character reference may name). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Thrown inside the pass when the document leaves the strict subset; never escapes it. */
class OutsideSubset extends Error {}
const OUTSIDE = new OutsideSubset('outside the strict XML subset');

/** fast-xml-parser reads the text with every CR LF and lone CR turned into LF. */
function normaliseLineEnds(value: string): string {
  return value.includes('\r') ? value.replace(/\r\n?/g, '\n') : value;
}

/** A name as written, with what the pass needs of it. */
interface Name {
  qname: string;
  /** The prefix ('' when none) and the local name. */
  prefix: string;
  local: string;
  /** fast-xml-parser's key for an attribute of this name: "@_" + local name. */
  attributeKey: string;
  /** A name fast-xml-parser renames or refuses (SPECIAL_NAMES). */
  special: boolean;
  /** For a namespace declaration (xmlns, xmlns:p): the prefix it binds ('' for the default). */
  declares: string | undefined;
}

function makeName(qname: string, colon: number): Name {
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  return {
    qname,
    prefix,
    local,
    attributeKey: `@_${local}`,
    special: SPECIAL_NAMES.has(local),
    declares: qname === 'xmlns' ? '' : prefix === 'xmlns' ? local : undefined,
  };
}

/**
 * Names already seen, by a hash of their characters: a name is then read without copying it
 * out of the text, and its strings are the same (internalised) ones every time, which makes the
 * tree's property writes and reads fast. A memo of names only, never of content; bounded (it
 * starts again when full, so documents full of unusual names cost only the copies).
 */
const NAME_CACHE = new Map<number, Name>();
const MAX_CACHED_NAMES = 4096;

interface Frame {
  name: Name;
  /** The element's object: child elements by local name, attributes, text, CDATA. */
  children: XmlNode;
  hasChildren: boolean;
  hasAttributes: boolean;
  /** The trimmed runs of text, concatenated. */
  text: string;
  cdata: string[] | undefined;
  /** Namespace declarations of this element (prefix -> URI; '' for the default namespace). */
  scope: Map<string, string> | undefined;
}

class StrictPass {
  private readonly text: string;
  private readonly maxDepth: number;
  private readonly stack: Frame[] = [];
  private readonly top: XmlNode = {};
  private root: XmlRoot | undefined;
  private rootClosed = false;
  /** Cached positions of the next '&' and "]]>" (-1: none left), so that each search is linear overall. */
  private nextAmp = -2;
  private nextCdataEnd = -2;
  /** Text since the last tag, CDATA section or start: [start, end) ranges (comments cut it). */
  private pendingStart = -1;
  private pendingEnd = -1;
  private pendingExtra: string | undefined;
  /** End of the name `readName` read last. */
  private afterName = 0;
  /** The attributes of the tag being read (reused from tag to tag). */
  private readonly attributeNames: Name[] = [];
  private readonly attributeValues: string[] = [];

  constructor(text: string, maxDepth: number) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  run(): XmlTree {
    const text = this.text;
    const n = text.length;
    let i = 0;
    if (text.startsWith('<?')) {
      const declaration = XML_DECLARATION.exec(text.slice(0, 200));
      if (declaration === null) throw OUTSIDE;
      i = declaration[0].length;
    }
    for (;;) {
      const lt = text.indexOf('<', i);
      const end = lt < 0 ? n : lt;
      if (end > i) this.characters(i, end);
      if (lt < 0) break;
      const next = text.charCodeAt(lt + 1);
      if (next === BANG) i = this.bang(lt);
      else if (next === QUESTION) throw OUTSIDE;
      else if (next === SLASH) i = this.endTag(lt);
      else i = this.startTag(lt);
    }
    if (this.root === undefined || !this.rootClosed) throw OUTSIDE;
    return { root: this.root, tree: this.top };
  }

  /** Character data in [from, to). */
  private characters(from: number, to: number): void {
    const text = this.text;
    if (this.stack.length === 0) {
      for (let k = from; k < to; k++) if (!isXmlSpace(text.charCodeAt(k))) throw OUTSIDE;
      return;
    }
    this.checkReferences(from, to);
    if (this.nextCdataEnd !== -1 && this.nextCdataEnd < from) this.nextCdataEnd = text.indexOf(']]>', from);
    if (this.nextCdataEnd !== -1 && this.nextCdataEnd + 3 <= to) throw OUTSIDE;
    if (this.pendingStart < 0) {
      this.pendingStart = from;
      this.pendingEnd = to;
    } else {
      // Text on both sides of a comment: one run for fast-xml-parser, whose line ends were
      // normalised in the whole document first (so a CR before the comment is a line end of
      // its own, never the start of a CR LF with a LF after the comment).
      this.pendingExtra =
        (this.pendingExtra ?? normaliseLineEnds(text.slice(this.pendingStart, this.pendingEnd))) +
        normaliseLineEnds(text.slice(from, to));
    }
  }

  /** Every '&' in [from, to) starts a predefined entity or a reference to an XML character. */
  private checkReferences(from: number, to: number): void {
    const text = this.text;
    for (;;) {
      if (this.nextAmp !== -1 && this.nextAmp < from) this.nextAmp = text.indexOf('&', from);
      const amp = this.nextAmp;
      if (amp === -1 || amp >= to) return;
      const match = REFERENCE.exec(text.slice(amp, Math.min(to, amp + 12)));
      if (match === null) throw OUTSIDE;
      if (match[1] !== undefined || match[2] !== undefined) {
        const code = match[1] !== undefined ? parseInt(match[1], 10) : parseInt(match[2] ?? '', 16);
        if (!isXmlChar(code)) throw OUTSIDE;
      }
      from = amp + match[0].length;
    }
  }

  /** Ends the current run of text: trimmed, and kept when not empty (fast-xml-parser's rule). */
  private flushText(frame: Frame | undefined): void {
    if (this.pendingStart < 0) return;
    const start = this.pendingStart;
    const end = this.pendingEnd;
    const extra = this.pendingExtra;
    this.pendingStart = -1;
    this.pendingExtra = undefined;
    if (frame === undefined) return;
    if (extra === undefined) {
      // Most runs are the indentation between tags: seen to be blank without copying them.
      let k = start;
      while (k < end && isXmlSpace(this.text.charCodeAt(k))) k++;
      if (k === end) return;
    }
    const raw = extra ?? this.text.slice(start, end);
    const run = normaliseLineEnds(raw).trim();
    if (run.length > 0) frame.text += run;
  }

  /** "<!--" comment or "<![CDATA[" section; anything else (DOCTYPE, ENTITY...) is not in the subset. */
  private bang(lt: number): number {
    const text = this.text;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) throw OUTSIDE;
      const dashes = text.indexOf('--', lt + 4);
      if (dashes !== end || text.charCodeAt(end - 1) === 0x2d) throw OUTSIDE;
      return end + 3;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const frame = this.stack[this.stack.length - 1];
      if (frame === undefined) throw OUTSIDE;
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) throw OUTSIDE;
      this.flushText(frame);
      (frame.cdata ??= []).push(normaliseLineEnds(text.slice(lt + 9, end)));
      return end + 3;
    }
    throw OUTSIDE;
  }

  /**
   * A name (ASCII, at most one colon, neither first nor last) from `at`; its end is left in
   * `afterName`.
   */
  private readName(at: number): Name {
    const text = this.text;
    let c = text.charCodeAt(at);
    if (!isNameStart(c)) throw OUTSIDE;
    let hash = c;
    let colon = -1;
    let k = at + 1;
    for (;;) {
      c = text.charCodeAt(k);
      if (isNameChar(c) || (c === COLON && colon < 0 && isNameStart(text.charCodeAt(k + 1)))) {
        if (c === COLON) colon = k - at;
        hash = (Math.imul(hash, 31) + c) | 0;
        k++;
      } else break;
    }
    this.afterName = k;
    const length = k - at;
    hash = (Math.imul(hash, 31) + length) | 0;
    const cached = NAME_CACHE.get(hash);
    if (cached !== undefined && cached.qname.length === length && text.startsWith(cached.qname, at))
      return cached;
    const name = makeName(text.slice(at, k), colon);
    if (cached === undefined) {
      if (NAME_CACHE.size >= MAX_CACHED_NAMES) NAME_CACHE.clear();
      NAME_CACHE.set(hash, name);
    }
    return name;
  }

  private endTag(lt: number): number {
    const text = this.text;
    const frame = this.stack.pop();
    if (frame === undefined) throw OUTSIDE;
    const name = this.readName(lt + 2);
    if (name !== frame.name && name.qname !== frame.name.qname) throw OUTSIDE;
    let k = this.afterName;
    while (isXmlSpace(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) !== GT) throw OUTSIDE;
    // The text before the end tag belongs to the element being closed.
    this.flushText(frame);
    this.close(frame);
    return k + 1;
  }

  private startTag(lt: number): number {
    const text = this.text;
    if (this.rootClosed) throw OUTSIDE;
    if (this.stack.length + 1 > this.maxDepth) throw OUTSIDE;
    const name = this.readName(lt + 1);
    if (name.special) throw OUTSIDE;
    // Attributes: (S Name S? '=' S? quoted value)*, then S? and '>' or '/>'.
    const names = this.attributeNames;
    const values = this.attributeValues;
    let count = 0;
    let declarations = false;
    let prefixed = false;
    let k = this.afterName;
    let selfClosing = false;
    for (;;) {
      const spaceStart = k;
      while (isXmlSpace(text.charCodeAt(k))) k++;
      const c = text.charCodeAt(k);
      if (c === GT) break;
      if (c === SLASH) {
        if (text.charCodeAt(k + 1) !== GT) throw OUTSIDE;
        selfClosing = true;
        k += 1;
        break;
      }
      if (k === spaceStart) throw OUTSIDE;
      const attribute = this.readName(k);
      k = this.afterName;
      while (isXmlSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) !== EQUALS) throw OUTSIDE;
      k++;
      while (isXmlSpace(text.charCodeAt(k))) k++;
      const quote = text.charCodeAt(k);
      if (quote !== DQUOTE && quote !== SQUOTE) throw OUTSIDE;
      const close = text.indexOf(quote === DQUOTE ? '"' : "'", k + 1);
      if (close < 0) throw OUTSIDE;
      const value = text.slice(k + 1, close);
      if (value.includes('<')) throw OUTSIDE;
      if (value.includes('&')) this.checkReferences(k + 1, close);
      for (let a = 0; a < count; a++) if ((names[a] as Name).qname === attribute.qname) throw OUTSIDE;
      if (attribute.declares !== undefined) declarations = true;
      else if (attribute.prefix !== '') prefixed = true;
      if (attribute.special) throw OUTSIDE;
      names[count] = attribute;
      values[count] = value;
      count++;
      k = close + 1;
    }
    const tagEnd = k; // the '>'

    // Namespaces: this element's declarations, then every prefix bound.
    let scope: Map<string, string> | undefined;
    if (declarations) {
      for (let a = 0; a < count; a++) {
        const declared = (names[a] as Name).declares;
        if (declared === undefined) continue;
        const uri = values[a] as string;
        if (declared !== '' && (declared === 'xml' || declared === 'xmlns' || uri === '')) throw OUTSIDE;
        (scope ??= new Map()).set(declared, uri);
      }
    }
    const prefix = name.prefix;
    if (
      prefix !== '' &&
      (prefix === 'xmlns' || prefix === 'xml' || this.lookup(prefix, scope) === undefined)
    ) {
      throw OUTSIDE;
    }

    // Attributes as fast-xml-parser keys them: by local name, xmlns declarations dropped.
    const node: XmlNode = {};
    let hasAttributes = false;
    for (let a = 0; a < count; a++) {
      const attribute = names[a] as Name;
      if (attribute.declares !== undefined) continue;
      if (prefixed) {
        if (
          attribute.prefix !== '' &&
          attribute.prefix !== 'xml' &&
          this.lookup(attribute.prefix, scope) === undefined
        ) {
          throw OUTSIDE;
        }
        if (Object.hasOwn(node, attribute.attributeKey)) throw OUTSIDE; // e.g. name and x:name
      }
      node[attribute.attributeKey] = normaliseLineEnds(values[a] as string).trim();
      hasAttributes = true;
    }

    if (this.root === undefined) {
      const rootAttributes: Record<string, string> = {};
      for (let a = 0; a < count; a++) {
        rootAttributes[(names[a] as Name).qname] = decodeXmlReferences(values[a] as string);
      }
      this.root = {
        name: name.qname,
        localName: name.local,
        namespace: scope?.get(prefix) ?? '',
        attributes: rootAttributes,
      };
    }

    // Text before a child element belongs to the parent (not to the document level).
    this.flushText(this.stack[this.stack.length - 1]);
    const frame: Frame = {
      name,
      children: node,
      hasChildren: false,
      hasAttributes,
      text: '',
      cdata: undefined,
      scope,
    };
    if (selfClosing) this.close(frame);
    else this.stack.push(frame);
    return tagEnd + 1;
  }

  private lookup(prefix: string, own: Map<string, string> | undefined): string | undefined {
    const uri = own?.get(prefix);
    if (uri !== undefined) return uri;
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const bound = this.stack[k]?.scope?.get(prefix);
      if (bound !== undefined) return bound;
    }
    return undefined;
  }

  /** The element's value (fast-xml-parser's compress), added to its parent. */
  private close(frame: Frame): void {
    const node = frame.children;
    let keys = frame.hasChildren ? 2 : 0; // only "one key or none" matters below
    if (frame.text.length > 0) {
      node['#text'] = frame.text;
      keys += 1;
    }
    if (frame.cdata !== undefined) {
      node['#cdata'] = frame.cdata;
      keys += 2;
    }
    // With attributes, the object (attributes included); else its text alone, or ''.
    let value: unknown = node;
    if (!frame.hasAttributes && keys === 1) value = frame.text;
    else if (!frame.hasAttributes && keys === 0) value = '';
    const parent = this.stack[this.stack.length - 1];
    const container = parent === undefined ? this.top : parent.children;
    if (parent !== undefined) parent.hasChildren = true;
    // Own properties only: an element may be named like an Object.prototype member (isPrototypeOf).
    const local = frame.name.local;
    const existing = Object.hasOwn(container, local) ? (container[local] as unknown[]) : undefined;
    if (existing !== undefined) existing.push(value);
    else container[local] = [value];
    if (parent === undefined) this.rootClosed = true;
  }
}

/**
 * The strict pass (see the file header): the root and the tree of a document in the strict
 * subset, or undefined when the document is outside it (malformed or merely unusual); the caller
 * then runs the full guard and `buildGeneralTree`. `text` is the decoded document (secure-xml.ts
 * `decodeXmlInput`: size, emptiness and binary already checked).
 */
export function readStrictXmlTree(text: string, maxDepth: number): XmlTree | undefined {
  try {
    return new StrictPass(text, maxDepth).run();
  } catch (error) {
    if (error instanceof OutsideSubset) return undefined;
    throw error;
  }
}
