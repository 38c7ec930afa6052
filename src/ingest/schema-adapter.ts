/**
 * Adapts the project's schema validator (voevent/schema-validator.ts) to the ingest path's
 * EventValidator. Author submissions are accepted only in the kinds listed (default VOEvent 2.0
 * only, as Comet's receiver, which checks VOEvent-v2.0.xsd: 1.1, 2.1-draft and no-namespace
 * events are nak'd); pass ['voevent-2.0', 'voevent-1.1'] to accept 1.1 as well.
 */
import type { XmlPrescan } from '../voevent/xml-prescan.ts';
import type { EventValidator } from './ingest-event.ts';

/** The part of voevent/schema-validator.ts SchemaValidator used here. */
export interface SchemaValidatorLike {
  validate(
    xml: string | Uint8Array,
    prescan?: XmlPrescan,
  ): Promise<{ valid: boolean; kind: string; errors: string[]; code?: string }>;
}

/** Verdict codes of documents that are not XML at all, or not well-formed. */
const MALFORMED_CODES = new Set(['XML_MALFORMED', 'INPUT_BINARY', 'INPUT_EMPTY']);

export function eventValidatorFromSchema(
  schema: SchemaValidatorLike,
  acceptedKinds: readonly string[] = ['voevent-2.0'],
): EventValidator {
  return async (bytes, prescan) => {
    const verdict = await schema.validate(bytes, prescan);
    if (!verdict.valid)
      return {
        valid: false,
        errors: verdict.errors.length > 0 ? verdict.errors : ['schema validation failed'],
        // libxml2 parsed it (not well-formed, or well-formed and refused by the schema), or the
        // pre-scan refused it before any parse.
        // Binary or empty input is not XML (closed unanswered, as Comet); a DTD, too deep a
        // nesting or too large a document is refused with a nak, without any parse.
        malformed: MALFORMED_CODES.has(verdict.code ?? ''),
      };
    if (!acceptedKinds.includes(verdict.kind)) {
      return {
        valid: false,
        errors: [`${verdict.kind} documents are not accepted here (accepted: ${acceptedKinds.join(', ')})`],
      };
    }
    return { valid: true, errors: [] };
  };
}
