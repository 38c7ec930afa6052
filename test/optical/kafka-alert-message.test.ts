/**
 * One optical Kafka message decoded with its failure reported (kafka-alert-message.ts), on real
 * ZTF sample containers and full-size Rubin records: the alerts equal the decoder's own; a
 * promise only when the schema must be fetched; empty and undecodable messages counted, logged
 * and passed on with their metadata; a retriable failure returned, not reported.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { KafkaAlertMessages, type AlertMessageOutcome } from '../../src/optical/kafka-alert-message.ts';
import type { AlertMessageMeta } from '../../src/optical/kafka-source.ts';
import { LocalSchemaRegistry, type SchemaRegistry } from '../../src/optical/schema-registry.ts';
import { encodeConfluentMessage } from '../../src/optical/wire-format.ts';
import { buildLsstRecords, LSST_SCHEMA_ID, ZTF_SAMPLE_FILES } from '../../scripts/optical/packets.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

const meta = (offset: number): AlertMessageMeta => ({
  topic: 'alerts',
  partition: 1,
  offset: String(offset),
  timestamp: '1700000000000',
});

function lsst(): { registry: LocalSchemaRegistry; message: Buffer; schemaJson: string; payload: Buffer } {
  const { writerType, records } = buildLsstRecords({ count: 1, seed: 5 });
  const payload = writerType.toBuffer(records[0]);
  return {
    registry: new LocalSchemaRegistry([[LSST_SCHEMA_ID, writerType.schema()]]),
    message: encodeConfluentMessage(LSST_SCHEMA_ID, payload),
    schemaJson: JSON.stringify(writerType.schema()),
    payload,
  };
}

function messages(registry?: SchemaRegistry, format?: 'fink') {
  const logger = createMemoryLogger();
  const errors: string[] = [];
  const decoder = new OpticalAlertDecoder(registry ? { registry } : {});
  const decoding = new KafkaAlertMessages({
    decoder,
    logger,
    ...(format ? { format } : {}),
    onDecodeError: (error, m) => errors.push(`${m.offset}:${error.code}`),
  });
  return { decoding, logger, errors };
}

const alertsOf = (outcome: AlertMessageOutcome) => {
  assert.ok('alerts' in outcome, 'alerts, not a retry');
  return outcome.alerts;
};

describe('one optical Kafka message decoded (kafka-alert-message)', { skip: skipUnlessShared() }, () => {
  it('decodes a ZTF container at once (no promise), as the decoder does', () => {
    const bytes = readFileSync(samplePath(ZTF_SAMPLE_FILES[0] as string));
    const { decoding, errors } = messages();
    const outcome = decoding.decode(null, bytes, meta(0));
    assert.ok(!(outcome instanceof Promise));
    assert.deepEqual(alertsOf(outcome), new OpticalAlertDecoder().decodeContainer(bytes));
    assert.deepEqual(errors, []);
    assert.equal(decoding.decodeErrors, 0);
  });

  it('fetches an unknown Confluent schema id once (a promise), then decodes at once', async () => {
    const { registry, message } = lsst();
    const { decoding } = messages(registry);
    const first = decoding.decode(null, message, meta(0));
    assert.ok(first instanceof Promise, 'the schema is fetched');
    const expected = await new OpticalAlertDecoder({ registry }).decodeConfluent(message);
    assert.deepEqual(alertsOf(await first), [expected]);
    const second = decoding.decode(null, message, meta(1));
    assert.ok(!(second instanceof Promise), 'the schema is compiled now');
    assert.deepEqual(alertsOf(second), [expected]);
  });

  it("reads the Fink format's schema from the key, as a Buffer or as a string", async () => {
    const { registry, message, schemaJson, payload } = lsst();
    const expected = await new OpticalAlertDecoder({ registry }).decodeConfluent(message);
    for (const key of [Buffer.from(schemaJson), schemaJson]) {
      const { decoding, errors } = messages(undefined, 'fink');
      const outcome = decoding.decode(key, payload, meta(3));
      assert.ok(!(outcome instanceof Promise));
      const [alert] = alertsOf(outcome);
      assert.equal(alert?.alertId, expected.alertId);
      assert.equal(alert?.raDeg, expected.raDeg);
      assert.deepEqual(errors, []);
    }
    const { decoding, errors } = messages(undefined, 'fink');
    assert.deepEqual(decoding.decode(null, payload, meta(4)), { alerts: [] });
    assert.deepEqual(errors, ['4:AVRO_UNKNOWN_SCHEMA']);
  });

  it('reports an empty or undecodable message with its metadata, counts and logs it, and gives no alerts', async () => {
    const { registry } = lsst();
    const { decoding, logger, errors } = messages(registry);
    assert.deepEqual(decoding.decode(null, null, meta(0)), { alerts: [] });
    assert.deepEqual(decoding.decode(null, Buffer.alloc(0), meta(1)), { alerts: [] });
    assert.deepEqual(decoding.decode(null, Buffer.from('not avro'), meta(2)), { alerts: [] });
    assert.deepEqual(await decoding.decode(null, encodeConfluentMessage(99, Buffer.from([2])), meta(3)), {
      alerts: [],
    });
    assert.deepEqual(errors, ['0:INPUT_EMPTY', '1:INPUT_EMPTY', '2:AVRO_MALFORMED', '3:AVRO_UNKNOWN_SCHEMA']);
    assert.equal(decoding.decodeErrors, 4);
    const warned = logger.records.filter((r) => r.msg === 'undecodable optical alert message skipped');
    assert.deepEqual(
      warned.map((r) => [r.topic, r.partition, r.offset, r.code]),
      [
        ['alerts', 1, '0', 'INPUT_EMPTY'],
        ['alerts', 1, '1', 'INPUT_EMPTY'],
        ['alerts', 1, '2', 'AVRO_MALFORMED'],
        ['alerts', 1, '3', 'AVRO_UNKNOWN_SCHEMA'],
      ],
    );
  });

  it('returns a retriable failure (registry down) without reporting it, and reports any other as AVRO_MALFORMED', async () => {
    const { message } = lsst();
    const down: SchemaRegistry = {
      getSchema: () =>
        Promise.reject(new CoincideError('FETCH_FAILED', 'registry down', { retriable: true })),
    };
    const retry = messages(down);
    const outcome = await retry.decoding.decode(null, message, meta(7));
    assert.ok('retry' in outcome);
    assert.equal(outcome.retry.code, 'FETCH_FAILED');
    assert.deepEqual(retry.errors, []);
    assert.equal(retry.decoding.decodeErrors, 0);

    // A registry that fails with something other than a CoincideError (a bug in it).
    const broken: SchemaRegistry = { getSchema: () => Promise.reject(new TypeError('no schema here')) };
    const other = messages(broken);
    assert.deepEqual(await other.decoding.decode(null, message, meta(8)), { alerts: [] });
    assert.deepEqual(other.errors, ['8:AVRO_MALFORMED']);
  });
});
