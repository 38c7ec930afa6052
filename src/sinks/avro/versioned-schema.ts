/**
 * The project's versioned Avro schemas for Kafka messages, and how a message carries them.
 *
 * A message value is either
 * - Avro binary of one record (no container, no per-message schema), with the headers
 *     content-type: application/avro
 *     coincide-schema: <full name>/<version>          e.g. coincide.v1.Notice/1
 *     coincide-schema-fingerprint: sha256:<hex>       SHA-256 of the schema's Parsing Canonical
 *                                                     Form (Avro spec §"Schema Fingerprints")
 *   The .avsc files beside this module are the schemas; a consumer in any language picks the
 *   schema by fingerprint and decodes with it;
 * - or JSON (the record as coincide's JSON contract: the Notice / Coincidence objects), with
 *     content-type: application/json and the same coincide-schema header.
 * A new incompatible record shape is a new version file (notice-v2.avsc); readers keep every
 * version they know, chosen by fingerprint.
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { CoincideError } from '../../errors.ts';
import { mixedLongOptions } from '../../optical/avro-long.ts';

export type WireFormat = 'avro' | 'json';

export const HEADER_CONTENT_TYPE = 'content-type';
export const HEADER_SCHEMA = 'coincide-schema';
export const HEADER_FINGERPRINT = 'coincide-schema-fingerprint';

export interface VersionedSchema<T> {
  /** Full name and version, e.g. "coincide.v1.Notice/1". */
  id: string;
  type: avro.Type;
  /** "sha256:" + hex SHA-256 of the Parsing Canonical Form. */
  fingerprint: string;
  /** The .avsc text, for publishing or a registry. */
  schemaJson: string;
  /** Our value → the Avro record (absent optional fields become null). */
  toRecord(value: T): unknown;
  /** The Avro record → our value (null optional fields become absent again). */
  fromRecord(record: unknown): T;
}

export function loadVersionedSchema<T>(
  url: URL,
  version: number,
  toRecord: (value: T) => unknown,
  fromRecord: (record: unknown) => T,
): VersionedSchema<T> {
  const schemaJson = readFileSync(url, 'utf8');
  // 64-bit ids (candid) as BigInt, counters as numbers: never through a double past 2^53.
  const type = avro.Type.forSchema(JSON.parse(schemaJson) as avro.Schema, mixedLongOptions());
  return {
    id: `${type.name ?? 'anonymous'}/${version}`,
    type,
    fingerprint: `sha256:${type.fingerprint('sha256').toString('hex')}`,
    schemaJson,
    toRecord,
    fromRecord,
  };
}

export interface EncodedValue {
  value: Buffer;
  headers: Record<string, string>;
}

/** JSON with BigInt as decimal strings (64-bit ids never pass through a double). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function encodeValue<T>(schema: VersionedSchema<T>, value: T, format: WireFormat): EncodedValue {
  if (format === 'json') {
    return {
      value: Buffer.from(toJsonText(value), 'utf8'),
      headers: { [HEADER_CONTENT_TYPE]: 'application/json', [HEADER_SCHEMA]: schema.id },
    };
  }
  let value_: Buffer;
  try {
    value_ = schema.type.toBuffer(schema.toRecord(value));
  } catch (error) {
    throw new CoincideError(
      'AVRO_MALFORMED',
      `the value does not fit ${schema.id}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return {
    value: value_,
    headers: {
      [HEADER_CONTENT_TYPE]: 'application/avro',
      [HEADER_SCHEMA]: schema.id,
      [HEADER_FINGERPRINT]: schema.fingerprint,
    },
  };
}

type HeaderValue = Buffer | string | Array<Buffer | string> | undefined;

function headerText(headers: Record<string, HeaderValue> | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

/** Decodes a message value written by encodeValue with any of the known schema versions. */
export function decodeValue<T>(
  schemas: ReadonlyArray<VersionedSchema<T>>,
  value: Buffer,
  headers: Record<string, HeaderValue> | undefined,
): T {
  const contentType = headerText(headers, HEADER_CONTENT_TYPE) ?? 'application/avro';
  if (contentType === 'application/json') {
    try {
      return JSON.parse(value.toString('utf8')) as T;
    } catch (error) {
      throw new CoincideError('JSON_MALFORMED', 'the message value is not valid JSON', { cause: error });
    }
  }
  const fingerprint = headerText(headers, HEADER_FINGERPRINT);
  const schema = schemas.find((s) => s.fingerprint === fingerprint);
  if (!schema) {
    throw new CoincideError(
      'AVRO_UNKNOWN_SCHEMA',
      `no known schema has fingerprint ${fingerprint ?? '(none)'}`,
    );
  }
  let record: unknown;
  try {
    record = schema.type.fromBuffer(value);
  } catch (error) {
    throw new CoincideError('AVRO_MALFORMED', `the message value is not a valid ${schema.id}`, {
      cause: error,
    });
  }
  return schema.fromRecord(record);
}
