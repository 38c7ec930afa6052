/**
 * LVK alerts as Avro (the igwn.gwalert record as published on SCiMMA/Hopskotch): one object
 * container file holding one `igwn.alerts.v1_0.Alert` record, written with its schema.
 * The container framing is read by optical/avro-container.ts; the record is decoded by avsc
 * with the writer schema the file carries. The result has the JSON alert's shape, except
 * that the sky maps are raw bytes.
 */
import avro from 'avsc';
import { CoincideError } from '../../errors.ts';
import { readAvroContainer } from '../../optical/avro-container.ts';
import { isObject, type JsonObject } from './json-values.ts';

export { isAvroContainer } from '../../optical/avro-container.ts';

/** Decodes the one igwn.gwalert record of an Avro container. */
export function decodeIgwnAvro(bytes: Uint8Array): JsonObject {
  const container = readAvroContainer(bytes);
  let schema: unknown;
  try {
    schema = JSON.parse(container.schemaBytes.toString('utf8'));
  } catch (error) {
    throw new CoincideError('AVRO_MALFORMED', 'the Avro container schema is not valid JSON', {
      cause: error,
    });
  }
  const name = isObject(schema) && typeof schema.name === 'string' ? schema.name : '';
  if (!/^igwn\.alerts\.v\d+_\d+\.Alert$/.test(name)) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      `an Avro container of "${name || 'unnamed'}" records, not an igwn.gwalert`,
    );
  }
  const records = container.blocks.reduce((n, b) => n + b.objectCount, 0);
  const first = container.blocks[0];
  if (records !== 1 || first === undefined) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      `an igwn.gwalert container holds ${records} records, not one`,
    );
  }
  let record: unknown;
  try {
    const type = avro.Type.forSchema(schema as avro.Schema);
    record = type.decode(first.data, 0).value;
  } catch (error) {
    throw new CoincideError('AVRO_MALFORMED', 'the igwn.gwalert record does not decode with its schema', {
      cause: error,
    });
  }
  if (!isObject(record)) throw new CoincideError('AVRO_MALFORMED', 'the igwn.gwalert record is not a record');
  return record;
}
