/**
 * What `coincide validate` checks, in order, for one document:
 *  1. the guard (secure-xml.ts): not empty, not binary, at most 1 MiB, no DTD or entity
 *     declaration, nesting at most 64 deep, well-formed XML with bound namespace prefixes;
 *  2. XML Schema validity against this project's schema for its root namespace (VOEvent 2.0,
 *     VOEvent 1.1 or VTP Transport; anything else is invalid);
 *  3. for a VOEvent, unless `schemaOnly`: the checks parseVoEvent makes beyond the schema
 *     (role one of the four, ivorn starting ivo://, finite coordinates with RA in [0, 360] and
 *     Dec in [-90, 90] when in degrees, a real ISOTime, probabilities in [0, 1], known cite
 *     values), and the presence of WhereWhen with an ISOTime, which a notice needs although
 *     the schema does not require it (requireWhereWhen).
 */
import { describeError, isCoincideError } from '../errors.ts';
import { requireWhereWhen } from './checks.ts';
import { parseVoEvent } from './parse.ts';
import type { SchemaValidator, SchemaVerdict } from './schema-validator.ts';

export interface DocumentCheckOptions {
  /** Only steps 1 and 2 (the guard and the XML Schema). */
  schemaOnly?: boolean;
}

export async function checkDocument(
  validator: SchemaValidator,
  input: string | Uint8Array,
  options: DocumentCheckOptions = {},
): Promise<SchemaVerdict> {
  const verdict = await validator.validate(input);
  if (!verdict.valid || options.schemaOnly === true || verdict.kind === 'transport') return verdict;
  try {
    requireWhereWhen(parseVoEvent(input));
    return verdict;
  } catch (error) {
    if (!isCoincideError(error)) throw error;
    return { valid: false, kind: verdict.kind, errors: [describeError(error)], code: error.code };
  }
}
