/**
 * Avro bytes -> OpticalAlert, for both surveys and both framings:
 *  - Avro container files (ZTF files and ZTF Kafka messages: one container per message, one
 *    or more records);
 *  - Confluent-framed records (Rubin/LSST Kafka messages), with the writer schema from a
 *    SchemaRegistry.
 *
 * Each writer schema is compiled once (avsc type with exact BigInt longs for full decoding;
 * in projected mode a ProjectedReader that skips cutouts and histories) and cached: by schema id
 * for Confluent messages, by the schema bytes for containers (each ZTF message repeats its
 * ~20 kB schema; a sampled hash plus a byte comparison finds it in about a microsecond).
 */
import avro from 'avsc';
import { CoincideError } from '../errors.ts';
import { exactLongOptions } from './avro-long.ts';
import { isAvroContainer, readAvroContainer } from './avro-container.ts';
import type { Projection } from './avro-projection.ts';
import { hasObjectSummary, isLsstSchema, lsstProjection, mapLsstAlert } from './lsst-alert.ts';
import type { OpticalAlert, Survey } from './optical-alert.ts';
import { ProjectedReader } from './projected-reader.ts';
import type { AvroRecord } from './record-fields.ts';
import type { SchemaJson, SchemaRegistry } from './schema-registry.ts';
import { isConfluentFramed, parseConfluentMessage } from './wire-format.ts';
import { ZTF_PROJECTION, isZtfSchema, mapZtfAlert, type ZtfMappingOptions } from './ztf-alert.ts';

export interface OpticalDecoderOptions {
  /** Skip cutouts and histories (default true); the OpticalAlert is the same either way. */
  projected?: boolean;
  /** Where Confluent schema ids are looked up (needed for LSST Kafka messages). */
  registry?: SchemaRegistry;
  ztf?: ZtfMappingOptions;
}

/** One writer schema, ready to decode. */
export interface CompiledSchema {
  survey: Survey;
  writerType: avro.Type;
  /** The fields the projected reader keeps for this writer schema. */
  projection: Projection;
  /** Set in projected mode: reads only the projection's fields. */
  projectedReader: ProjectedReader | undefined;
  map(record: AvroRecord): OpticalAlert;
}

const MAX_CACHED_SCHEMAS = 64;

function malformed(message: string, cause?: unknown): CoincideError {
  return new CoincideError('AVRO_MALFORMED', message, cause === undefined ? {} : { cause });
}

/**
 * A copy of a writer schema without field defaults. Defaults only matter to a reader, and
 * real ZTF schemas carry invalid ones (e.g. `"type": ["float", "null"], "default": null`,
 * where Avro requires the default to match the first branch), which avsc rejects.
 */
export function withoutDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDefaults);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  const isField = 'name' in schema && 'type' in schema && !('fields' in schema) && !('symbols' in schema);
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'default' && isField) continue;
    out[key] = withoutDefaults(value);
  }
  return out;
}

/** A cheap fingerprint of schema bytes: length and FNV-1a over at most 64 sampled bytes. */
function sampleHash(bytes: Buffer): number {
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.length / 64));
  for (let i = 0; i < bytes.length; i += step) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return (h ^ bytes.length) >>> 0;
}

export class OpticalAlertDecoder {
  readonly projected: boolean;
  private readonly byBytes = new Map<number, Array<{ bytes: Buffer; compiled: CompiledSchema }>>();
  private byBytesCount = 0;
  private readonly byId = new Map<number, CompiledSchema>();

  constructor(private readonly options: OpticalDecoderOptions = {}) {
    this.projected = options.projected ?? true;
  }

  /** Builds the types for one writer schema. Throws AVRO_UNKNOWN_SCHEMA for non-alert schemas. */
  compileSchema(schema: SchemaJson): CompiledSchema {
    let writerType: avro.Type;
    try {
      writerType = avro.Type.forSchema(withoutDefaults(schema) as avro.Schema, exactLongOptions());
    } catch (error) {
      throw new CoincideError('AVRO_UNKNOWN_SCHEMA', `writer schema does not parse: ${String(error)}`, {
        cause: error,
      });
    }
    const fields = (writerType as unknown as { fields?: Array<{ name: string }> }).fields;
    const names = new Set((fields ?? []).map((f) => f.name));
    let survey: Survey;
    let projection: Projection;
    let map: (record: AvroRecord) => OpticalAlert;
    if (isZtfSchema(names)) {
      survey = 'ZTF';
      projection = ZTF_PROJECTION;
      const ztfOptions = this.options.ztf ?? {};
      map = (record) => mapZtfAlert(record, ztfOptions);
    } else if (isLsstSchema(names)) {
      survey = 'LSST';
      const useObjectSummary = hasObjectSummary(writerType);
      projection = lsstProjection(useObjectSummary);
      map = (record) => mapLsstAlert(record, { useObjectSummary });
    } else {
      throw new CoincideError(
        'AVRO_UNKNOWN_SCHEMA',
        `schema ${String(writerType.name)} is not a ZTF or LSST alert`,
      );
    }
    const projectedReader = this.projected ? new ProjectedReader(writerType, projection) : undefined;
    return { survey, writerType, projection, projectedReader, map };
  }

  /** The compiled schema of a container's header, from the cache when seen before. */
  private compiledForBytes(schemaBytes: Buffer): CompiledSchema {
    // A container header's schema and a Fink message key are both a schema's JSON text.
    const key = sampleHash(schemaBytes);
    const bucket = this.byBytes.get(key);
    if (bucket) {
      for (const entry of bucket) if (entry.bytes.equals(schemaBytes)) return entry.compiled;
    }
    let json: unknown;
    try {
      json = JSON.parse(schemaBytes.toString('utf8'));
    } catch (error) {
      throw malformed('the writer schema is not valid JSON', error);
    }
    const compiled = this.compileSchema(json);
    if (this.byBytesCount >= MAX_CACHED_SCHEMAS) {
      this.byBytes.clear();
      this.byBytesCount = 0;
    }
    const entry = { bytes: Buffer.from(schemaBytes), compiled };
    if (bucket) bucket.push(entry);
    else this.byBytes.set(key, [entry]);
    this.byBytesCount += 1;
    return compiled;
  }

  /**
   * Reads one record at `pos`; returns it and the offset after it. A projected read with
   * `needEnd` false may stop after the last wanted field (offset -1).
   */
  private readRecord(
    compiled: CompiledSchema,
    buf: Buffer,
    pos: number,
    needEnd: boolean,
  ): { value: AvroRecord; offset: number } {
    let result: { value: unknown; offset: number };
    try {
      result = compiled.projectedReader
        ? compiled.projectedReader.read(buf, pos, needEnd)
        : compiled.writerType.decode(buf, pos);
    } catch (error) {
      if (error instanceof CoincideError) throw error;
      throw malformed(`record does not match its schema: ${String(error)}`, error);
    }
    if (result.offset < 0 && (needEnd || !compiled.projectedReader)) throw malformed('record is truncated');
    return { value: result.value as AvroRecord, offset: result.offset };
  }

  /** Every record of a container, as decoded objects (projected or full, per the options). */
  containerRecords(bytes: Uint8Array): { compiled: CompiledSchema; records: AvroRecord[] } {
    const container = readAvroContainer(bytes);
    const compiled = this.compiledForBytes(container.schemaBytes);
    const records: AvroRecord[] = [];
    for (const block of container.blocks) {
      let pos = 0;
      for (let i = 0; i < block.objectCount; i++) {
        // The last record of a block need not be read to its end.
        const { value, offset } = this.readRecord(compiled, block.data, pos, i < block.objectCount - 1);
        records.push(value);
        pos = offset;
      }
      if (pos >= 0 && pos !== block.data.length) throw malformed('block has bytes after its last record');
    }
    return { compiled, records };
  }

  /**
   * The alert of a one-record container from the start of its block's data only (replay's
   * full-size alert files, whose cutouts are never read: replay/decode-file.ts). `complete`: the
   * prefix is the whole block. Undefined when the prefix ends before the last field the
   * projection keeps, or anything is wrong: the caller then decodes the whole file, whose verdict
   * (alert or error) stands. A projected read never looks past the bytes it is given, so what it
   * reads from a prefix is what it reads from the whole file.
   */
  decodeSingleRecordPrefix(
    schemaBytes: Buffer,
    dataPrefix: Buffer,
    complete: boolean,
  ): OpticalAlert[] | undefined {
    if (!this.projected) return undefined;
    try {
      const compiled = this.compiledForBytes(schemaBytes);
      const { value, offset } = this.readRecord(compiled, dataPrefix, 0, false);
      // Read to its end: the block must end there too (as containerRecords checks).
      if (offset >= 0 && !(complete && offset === dataPrefix.length)) return undefined;
      return [this.mapRecord(compiled, value)];
    } catch {
      return undefined;
    }
  }

  /** Every alert of an Avro container (a ZTF file or Kafka message, an LSST file). */
  decodeContainer(bytes: Uint8Array): OpticalAlert[] {
    const { compiled, records } = this.containerRecords(bytes);
    return records.map((record) => this.mapRecord(compiled, record));
  }

  /**
   * One message of a Fink topic (Fink's framing, fink_utils write_to_kafka, as fink-client reads
   * it): the key is the writer schema's JSON text, the value one record in Avro binary with no
   * framing (fastavro's schemaless encoding). Fink's added values are kept (OpticalAlert.fink).
   */
  decodeSchemaKeyed(key: Uint8Array | null, value: Uint8Array): OpticalAlert[] {
    if (key === null || key.length === 0) {
      throw new CoincideError('AVRO_UNKNOWN_SCHEMA', 'a Fink-format message needs its schema as the key');
    }
    const compiled = this.compiledForBytes(Buffer.isBuffer(key) ? key : Buffer.from(key));
    const buf = Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const { value: record, offset } = this.readRecord(compiled, buf, 0, false);
    if (offset >= 0 && offset !== buf.length) throw malformed('Fink message has bytes after its record');
    return [this.mapRecord(compiled, record)];
  }

  /** The compiled schema for a Confluent schema id (fetched from the registry once). */
  async compiledForId(schemaId: number): Promise<CompiledSchema> {
    const cached = this.byId.get(schemaId);
    if (cached) return cached;
    if (!this.options.registry) {
      throw new CoincideError(
        'AVRO_UNKNOWN_SCHEMA',
        `schema id ${String(schemaId)}: no schema registry configured`,
      );
    }
    const compiled = this.compileSchema(await this.options.registry.getSchema(schemaId));
    this.byId.set(schemaId, compiled);
    return compiled;
  }

  /** One Confluent-framed record (an LSST Kafka message) as a decoded object. */
  async confluentRecord(bytes: Uint8Array): Promise<{ compiled: CompiledSchema; record: AvroRecord }> {
    const { schemaId, payload } = parseConfluentMessage(bytes);
    const compiled = this.byId.get(schemaId) ?? (await this.compiledForId(schemaId));
    return { compiled, record: this.confluentPayloadRecord(compiled, payload) };
  }

  private confluentPayloadRecord(compiled: CompiledSchema, payload: Buffer): AvroRecord {
    const { value, offset } = this.readRecord(compiled, payload, 0, false);
    if (offset >= 0 && offset !== payload.length)
      throw malformed('Confluent message has bytes after its record');
    return value;
  }

  /** One Confluent-framed alert (an LSST Kafka message). */
  async decodeConfluent(bytes: Uint8Array): Promise<OpticalAlert> {
    const { compiled, record } = await this.confluentRecord(bytes);
    return this.mapRecord(compiled, record);
  }

  /** A Kafka message of either framing: a container (ZTF) or Confluent-framed (LSST). */
  async decodeMessage(bytes: Uint8Array): Promise<OpticalAlert[]> {
    if (isAvroContainer(bytes)) return this.decodeContainer(bytes);
    if (isConfluentFramed(bytes)) return [await this.decodeConfluent(bytes)];
    throw malformed('message is neither an Avro container nor Confluent-framed Avro');
  }

  /**
   * `decodeMessage` without a promise when no schema has to be fetched: a container, or a
   * Confluent-framed record whose schema id is already compiled. Returns undefined when the
   * registry must be asked (then call `decodeMessage`). The Kafka hot path uses this: one
   * promise per message is measurable at tens of thousands of messages per second.
   */
  decodeMessageSync(bytes: Uint8Array): OpticalAlert[] | undefined {
    if (isAvroContainer(bytes)) return this.decodeContainer(bytes);
    if (!isConfluentFramed(bytes))
      throw malformed('message is neither an Avro container nor Confluent-framed Avro');
    const { schemaId, payload } = parseConfluentMessage(bytes);
    const compiled = this.byId.get(schemaId);
    if (!compiled) return undefined;
    return [this.mapRecord(compiled, this.confluentPayloadRecord(compiled, payload))];
  }

  private mapRecord(compiled: CompiledSchema, record: AvroRecord): OpticalAlert {
    try {
      return compiled.map(record);
    } catch (error) {
      if (error instanceof CoincideError) throw error;
      throw malformed(`alert fields are unusable: ${String(error)}`, error);
    }
  }
}
