/**
 * Reading one VTP payload: bytes -> secure XML document -> classification (Comet 3.1.0 rules).
 *
 * Security: @xmldom/xmldom never loads a DTD or anything from the network and does not expand
 * entities declared in an internal subset, so `&foo;` from a DOCTYPE is "entity not found" and the
 * payload is unparsable, as with Comet's lxml settings; billion-laughs and quadratic-blowup
 * payloads therefore fail without expanding. Every parser warning is tolerated, every error is
 * fatal (unbound prefixes, mismatched tags, text before the declaration...).
 *
 * Classification (comet/protocol/base.py): a root whose `role` is one of VOEVENT_ROLES is a
 * VOEvent whatever its tag or namespace; a role in TRANSPORT_ROLES is a Transport message;
 * anything else (missing role included) is "incomprehensible".
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { TextDecoder } from 'node:util';
import { CoincideError } from '../errors.ts';
import { prescanXml, type XmlPrescan } from '../voevent/xml-prescan.ts';
import { utf16Encoding } from '../voevent/utf16-bom.ts';
import { DEFAULT_MAX_NESTING_DEPTH, nestingWithin } from './nesting-scan.ts';

export const VOEVENT_ROLES = ['observation', 'prediction', 'utility', 'test'] as const;
export const TRANSPORT_ROLES = ['iamalive', 'ack', 'nak', 'authenticate'] as const;
export type VoEventRole = (typeof VOEVENT_ROLES)[number];
export type TransportRole = (typeof TRANSPORT_ROLES)[number];

export type PayloadKind = 'voevent' | 'transport' | 'incomprehensible';

export interface ParsedPayload {
  /** The bytes exactly as received (never re-serialised). */
  bytes: Buffer;
  /**
   * The DOM. From `classifyPayload` it is built on first access (memoised) and the access throws
   * XML_MALFORMED when the document is not well-formed past its root start tag.
   */
  readonly document: Document;
  readonly root: Element;
  rootLocalName: string;
  /** Namespace URI of the root, '' when none. */
  rootNamespace: string;
  kind: PayloadKind;
  /** The root's role attribute, '' when absent. */
  role: string;
  /** The root's ivorn attribute (VOEvents), '' when absent. */
  ivorn: string;
  /** The pre-scan these fields come from (classifyPayload), for the schema validator to reuse. */
  prescan?: XmlPrescan;
}

const DECLARED_ENCODING = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/**
 * Decodes payload bytes to text using the encoding named in the XML declaration (UTF-8 when none),
 * dropping a UTF-8 BOM. Unknown encodings are XML_MALFORMED.
 */
export function decodePayloadText(bytes: Uint8Array): string {
  // UTF-16 with its byte-order mark (accepted by Comet, whose lxml reads the BOM).
  const utf16 = utf16Encoding(bytes);
  if (utf16) {
    try {
      return new TextDecoder(utf16, { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new CoincideError('XML_MALFORMED', `payload is not valid ${utf16}`, { cause });
    }
  }
  let body = bytes;
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  const head = Buffer.from(body.subarray(0, 200)).toString('latin1');
  const declared = DECLARED_ENCODING.exec(head)?.[1]?.toLowerCase() ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared, { fatal: true });
  } catch (cause) {
    throw new CoincideError('XML_MALFORMED', `unsupported encoding ${declared}`, { cause });
  }
  try {
    return decoder.decode(body);
  } catch (cause) {
    throw new CoincideError('XML_MALFORMED', `payload is not valid ${declared}`, { cause });
  }
}

function parseDocument(text: string): Document {
  let document: Document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'text/xml');
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    // xmldom wraps what the handler threw as `Reporting fatalError "<message>" caused Error: …`: the message alone.
    const inner = /^Reporting \w+ "([^\n]*)" caused /.exec(message)?.[1] ?? message.split('\n')[0] ?? '';
    throw new CoincideError('XML_MALFORMED', `not well-formed XML: ${inner}`, { cause });
  }
  if (!document.documentElement) throw new CoincideError('XML_MALFORMED', 'payload has no root element');
  return document;
}

function kindOf(role: string): PayloadKind {
  return (VOEVENT_ROLES as readonly string[]).includes(role)
    ? 'voevent'
    : (TRANSPORT_ROLES as readonly string[]).includes(role)
      ? 'transport'
      : 'incomprehensible';
}

/** Parses (full DOM, eagerly) and classifies one payload; throws CoincideError (INPUT_EMPTY, XML_MALFORMED). */
export function parsePayload(bytes: Buffer): ParsedPayload {
  if (bytes.length === 0) throw new CoincideError('INPUT_EMPTY', 'empty payload');
  const document = parseDocument(decodePayloadText(bytes));
  const root = document.documentElement as Element;
  const role = root.getAttribute('role') ?? '';
  const kind = kindOf(role);
  return {
    bytes,
    document,
    root,
    rootLocalName: root.localName ?? root.nodeName,
    rootNamespace: root.namespaceURI ?? '',
    kind,
    role,
    ivorn: root.getAttribute('ivorn') ?? '',
  };
}

/**
 * Classifies one payload from the pre-scan of its bytes (voevent/xml-prescan.ts: one linear pass,
 * nothing decoded to a string for UTF-8; DTDs refused, root prefix resolved, predefined entities
 * decoded in attribute values, nesting depth measured) and builds the DOM lazily, on the first
 * read of `document` or `root` (xpath filters, Transport messages, or a caller that must know the
 * whole document is well-formed). On the receive path libxml2 is then the only parser: the schema
 * validator parses the bytes, and xmldom never runs before the ack.
 *
 * Same classification as `parsePayload` for every well-formed document. When the pre-scan refuses
 * the document (DTD, bad root tag, control characters...) the full parser decides, so the errors
 * thrown here are exactly those of `parsePayload`, except for a document nested deeper than
 * `maxDepth`, refused with XML_TOO_DEEP before any parse. A document whose root start tag is fine but
 * whose body is not well-formed is classified here and throws XML_MALFORMED on DOM access.
 * `nestedTooDeep` is true when an element is nested deeper than `maxDepth`.
 */
export function classifyPayload(
  bytes: Buffer,
  options: { maxDepth?: number } = {},
): ParsedPayload & { nestedTooDeep: boolean } {
  if (bytes.length === 0) throw new CoincideError('INPUT_EMPTY', 'empty payload');
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_NESTING_DEPTH;
  let scan: XmlPrescan;
  try {
    scan = prescanXml(bytes, { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth });
  } catch {
    // Refused by the pre-scan: the full parser gives the error (or accepts what xmldom accepts),
    // but never on a document nested deeper than the limit: its depth is measured first, in one
    // linear pass, and such a document is refused without a parse (a parse of 20,000 nested
    // elements costs seconds of this thread).
    if (!nestingWithin(bytes, maxDepth)) {
      throw new CoincideError('XML_TOO_DEEP', `the document nests elements deeper than ${maxDepth} levels`);
    }
    return { ...parsePayload(bytes), nestedTooDeep: false };
  }
  const role = scan.root.attributes.role ?? '';
  let document: Document | undefined;
  const dom = (): Document => (document ??= parseDocument(decodePayloadText(bytes)));
  return {
    bytes,
    get document() {
      return dom();
    },
    get root() {
      return dom().documentElement as Element;
    },
    rootLocalName: scan.root.localName,
    rootNamespace: scan.root.namespace,
    kind: kindOf(role),
    role,
    ivorn: scan.root.attributes.ivorn ?? '',
    nestedTooDeep: scan.tooDeep,
    prescan: scan,
  };
}

/**
 * The payload's DOM, building it now if it was not built yet: throws XML_MALFORMED when the
 * document is not well-formed (callers use it as the well-formedness check of a classified payload).
 */
export function documentOf(payload: ParsedPayload): Document {
  return payload.document;
}
