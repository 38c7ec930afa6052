/**
 * Typed reads of fields from decoded Avro records (plain objects produced by avsc), used by
 * the survey mappers. A missing or null optional field reads as undefined; a missing
 * required field throws AVRO_MALFORMED naming the field.
 */
import { CoincideError } from '../errors.ts';

export type AvroRecord = Readonly<Record<string, unknown>>;

function missing(field: string): CoincideError {
  return new CoincideError('AVRO_MALFORMED', `alert field "${field}" is missing or has the wrong type`);
}

export function optionalNumber(record: AvroRecord, field: string): number | undefined {
  const value = record[field];
  return typeof value === 'number' && !Number.isNaN(value) ? value : undefined;
}

export function requiredNumber(record: AvroRecord, field: string): number {
  const value = optionalNumber(record, field);
  if (value === undefined) throw missing(field);
  return value;
}

export function optionalString(record: AvroRecord, field: string): string | undefined {
  const value = record[field];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(record: AvroRecord, field: string): string {
  const value = optionalString(record, field);
  if (value === undefined) throw missing(field);
  return value;
}

/** A 64-bit id (decoded as BigInt by the exact long type) as its decimal string. */
export function optionalId(record: AvroRecord, field: string): string | undefined {
  const value = record[field];
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value); // an Avro int
  return undefined;
}

export function requiredId(record: AvroRecord, field: string): string {
  const value = optionalId(record, field);
  if (value === undefined) throw missing(field);
  return value;
}

export function optionalRecord(record: AvroRecord, field: string): AvroRecord | undefined {
  const value = record[field];
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)
    ? (value as AvroRecord)
    : undefined;
}

export function requiredRecord(record: AvroRecord, field: string): AvroRecord {
  const value = optionalRecord(record, field);
  if (value === undefined) throw missing(field);
  return value;
}

export function optionalArray(record: AvroRecord, field: string): readonly AvroRecord[] | undefined {
  const value = record[field];
  return Array.isArray(value) ? (value as AvroRecord[]) : undefined;
}
