/**
 * How a Kafka output message carries its schema and its trigger (the key modes of the Kafka sinks).
 *
 * - 'trigger-id' (coincide's original framing): key = the trigger id, so Kafka's default
 *   partitioner keeps every message of one trigger on one partition, in order; the schema is
 *   named only in headers (coincide-schema, coincide-schema-fingerprint).
 * - 'schema' (Fink's framing, fink_utils write_to_kafka): key = the writer schema's JSON text,
 *   value = schemaless Avro, which is what fink-client's AlertConsumer decodes with no schema file
 *   (it json-parses the key and reads the value with fastavro.schemaless_reader). The trigger id
 *   moves to the header coincide-trigger-id, and the partition is chosen from the header
 *   coincide-partition-key (the trigger id unless the sink is told otherwise) by the producer's
 *   partitioner (kafka-partitioner.ts): murmur2 of that key modulo the partition count, the
 *   partition a Java producer keyed by the trigger id would pick. Per-trigger order is kept.
 *   The fingerprint headers stay, for readers that pick schemas by fingerprint.
 *   Trade-off: the key no longer names the trigger, so log compaction by key, or a consumer that
 *   groups by key, sees one key for every message; each message also carries its schema
 *   (a few kB: our schemas minified are 3 to 7 kB).
 * JSON values are always framed the 'trigger-id' way (JSON output is unchanged by the key mode).
 */
import type { EncodedValue, VersionedSchema } from './avro/versioned-schema.ts';

export type KeyMode = 'trigger-id' | 'schema';
export const KEY_MODES: readonly KeyMode[] = ['trigger-id', 'schema'];

/** The trigger id of a message whose key is its schema. */
export const HEADER_TRIGGER_ID = 'coincide-trigger-id';
/** What the producer's partitioner hashes when the key is the schema (kafka-partitioner.ts). */
export const HEADER_PARTITION_KEY = 'coincide-partition-key';

export interface OutputMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

const minified = new WeakMap<object, string>();

/** The schema's JSON text without whitespace (the key of a 'schema'-framed message). */
export function schemaKeyText(schema: Pick<VersionedSchema<unknown>, 'schemaJson'>): string {
  let text = minified.get(schema);
  if (text === undefined) {
    text = JSON.stringify(JSON.parse(schema.schemaJson));
    minified.set(schema, text);
  }
  return text;
}

export interface FrameOptions {
  keyMode: KeyMode;
  triggerId: string;
  /** The key in 'trigger-id' mode when it is not the trigger id (cluster mode: the coincidence id). */
  key?: string;
  /** What the partitioner hashes in 'schema' mode (default: the trigger id). */
  partitionKey?: string;
  headers?: Record<string, string>;
}

/** The Kafka message of an encoded value, framed per the key mode. */
export function frameMessage(
  schema: Pick<VersionedSchema<unknown>, 'schemaJson'>,
  encoded: EncodedValue,
  options: FrameOptions,
): OutputMessage {
  const headers = { ...options.headers, ...encoded.headers };
  const isJson = encoded.headers['content-type'] === 'application/json';
  if (options.keyMode === 'trigger-id' || isJson) {
    return { key: options.key ?? options.triggerId, value: encoded.value, headers };
  }
  return {
    key: schemaKeyText(schema),
    value: encoded.value,
    headers: {
      ...headers,
      [HEADER_TRIGGER_ID]: options.triggerId,
      [HEADER_PARTITION_KEY]: options.partitionKey ?? options.triggerId,
    },
  };
}
