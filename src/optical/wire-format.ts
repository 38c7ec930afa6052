/**
 * The Confluent Schema Registry wire format, used for Rubin/LSST alerts on Kafka:
 *
 *   message := magic(1 byte = 0x00) schemaId(4 bytes, big-endian, unsigned) avroBinary
 *
 * `avroBinary` is one record in Avro binary encoding, with no container framing; the writer
 * schema comes from the registry under `schemaId` (Rubin registers version MAJOR.MINOR as
 * MAJOR * 100 + MINOR, e.g. 7.1 -> 701).
 */
import { CoincideError } from '../errors.ts';

export const WIRE_MAGIC = 0x00;
export const WIRE_HEADER_BYTES = 5;

export interface WireMessage {
  schemaId: number;
  /** The Avro binary record, a view over the input. */
  payload: Buffer;
}

/** True when the bytes look like a Confluent-framed message (magic 0, at least the header). */
export function isConfluentFramed(bytes: Uint8Array): boolean {
  return bytes.length > WIRE_HEADER_BYTES && bytes[0] === WIRE_MAGIC;
}

/** Splits a Confluent-framed message. Throws AVRO_MALFORMED when the header is wrong. */
export function parseConfluentMessage(input: Uint8Array): WireMessage {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < WIRE_HEADER_BYTES) {
    throw new CoincideError(
      'AVRO_MALFORMED',
      `Confluent message shorter than its ${WIRE_HEADER_BYTES}-byte header`,
    );
  }
  if (buf[0] !== WIRE_MAGIC) {
    throw new CoincideError('AVRO_MALFORMED', `Confluent magic byte is ${String(buf[0])}, expected 0`);
  }
  return { schemaId: buf.readUInt32BE(1), payload: buf.subarray(WIRE_HEADER_BYTES) };
}

/** Frames an Avro binary record with the Confluent header. */
export function encodeConfluentMessage(schemaId: number, payload: Uint8Array): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new CoincideError(
      'AVRO_UNKNOWN_SCHEMA',
      `schema id ${String(schemaId)} is not a 32-bit unsigned integer`,
    );
  }
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + payload.length);
  out[0] = WIRE_MAGIC;
  out.writeUInt32BE(schemaId, 1);
  out.set(payload, WIRE_HEADER_BYTES);
  return out;
}
