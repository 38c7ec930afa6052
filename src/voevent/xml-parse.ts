/**
 * libxml2 (libxml2-wasm) as the one XML parser of the ingest path: the schema validator parses
 * with it, and a document that is not schema-checked is proven well-formed with it (issue 14:
 * the ack path used to parse with fast-xml-parser's validator, then libxml2, and build an
 * xmldom DOM on some paths). Bytes go to libxml2 as they are: it reads the byte-order mark and
 * the declared encoding itself, so nothing is decoded to a JavaScript string on the way.
 *
 * Security: no network access and no external entity (NONET, NO_XXE); DTDs never get here,
 * xml-prescan.ts refuses them first. Any diagnostic at error level or above (libxml2's
 * namespace errors included: an unbound prefix) fails the parse (libxml2-wasm's rule).
 */
import { ParseOption, XmlDocument, XmlLibError } from 'libxml2-wasm';

/** Documents are parsed without network access and without loading any external DTD or entity. */
export const DOCUMENT_PARSE_OPTIONS = (ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE) as ParseOption;
/** For text input: already decoded, so the declared encoding is ignored. */
export const TEXT_PARSE_OPTIONS = (DOCUMENT_PARSE_OPTIONS | ParseOption.XML_PARSE_IGNORE_ENC) as ParseOption;

/** libxml2's diagnostics as "line N: message" strings. */
export function formatLibxmlDetails(error: XmlLibError): string[] {
  const lines = error.details.map((d) => {
    const message = d.message.trim();
    return d.line > 0 ? `line ${d.line}: ${message}` : message;
  });
  return lines.length > 0 ? lines : [error.message.trim()];
}

/** Parses one document (bytes as received, or an already decoded string); throws XmlLibError. */
export function parseXmlDocument(xml: string | Uint8Array): XmlDocument {
  return typeof xml === 'string'
    ? // A string is already decoded: libxml2 gets it as UTF-8 and ignores the declared encoding.
      XmlDocument.fromString(xml, { encoding: 'utf-8', option: TEXT_PARSE_OPTIONS })
    : XmlDocument.fromBuffer(xml, { option: DOCUMENT_PARSE_OPTIONS });
}

/** Undefined when libxml2 parses the document, else its first diagnostic ("line N: ..."). */
export function wellFormednessError(xml: string | Uint8Array): string | undefined {
  try {
    parseXmlDocument(xml).dispose();
    return undefined;
  } catch (error) {
    if (error instanceof XmlLibError) return formatLibxmlDetails(error)[0] ?? 'not well-formed XML';
    throw error;
  }
}
