/**
 * `coincide archive import --topic T --from TIME` on the real test broker: messages before TIME
 * are left out, those after are stored with their Kafka log time as first-receipt time, and
 * the service's outbox stays empty (nothing streamed or joined live). Messages the broker
 * deletes between the offset lookup and the read are reported, not waited for.
 *
 * Log times are recent (hours before now): the test broker keeps Kafka's default retention of
 * 7 days by log time, and its retention check, every 5 minutes, deleted messages stamped a month
 * back while the import ran (CI runs imported wrong documents or hung).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { importKafkaRanges, kafkaImportRanges } from '../../src/archive/kafka-import.ts';
import type { DeletedOffsets } from '../../src/archive/kafka-import.ts';
import { runImport } from '../../src/cli/archive.ts';
import { openDatabase } from '../../src/store/database.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-kafka-import-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const template = readFileSync(
  join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml'),
  'utf8',
);
const notice = (trigId: number): string => template.replaceAll('524666471', String(trigId));

describe('coincide archive import from a Kafka topic', { skip: skipUnlessKafka() }, () => {
  it('imports the messages from a time on, with their log times', async () => {
    const kafka = testKafka();
    const topic = uniqueName('archive-import');
    await createTopics(kafka, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 3 * 3_600_000;
    const message = (trigId: number, ms: number) => ({ value: notice(trigId), timestamp: String(ms) });
    await producer.send({
      topic,
      messages: [
        message(700000101, base - 7_200_000),
        message(700000102, base - 3_600_000 * 1.5),
        message(700000103, base + 60_000),
        message(700000104, base + 120_000),
        message(700000105, base + 180_000),
      ],
    });
    await producer.disconnect();
    const db = join(dir, 'k.db');
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => {
      stderr.push(chunk);
      return true;
    };
    let code: number;
    try {
      code = await runImport({
        db,
        topic: [topic],
        from: new Date(base - 3_600_000).toISOString(),
        kafkaBrokers: testBrokers(),
      });
    } finally {
      process.stderr.write = write;
    }
    assert.equal(code, 0, stderr.join(''));
    assert.match(stderr.join(''), /3 documents, 3 notices stored/);
    const check = openDatabase({ path: db });
    const rows = check
      .prepare('SELECT trigger_id, received_at_ms FROM archive_notices ORDER BY received_at_ms')
      .all() as Array<{ trigger_id: string; received_at_ms: number }>;
    assert.deepEqual(
      rows.map((r) => [r.trigger_id, r.received_at_ms]),
      [
        ['Fermi:700000103', base + 60_000],
        ['Fermi:700000104', base + 120_000],
        ['Fermi:700000105', base + 180_000],
      ],
    );
    assert.equal(check.prepare('SELECT count(*) FROM serve_outbox').pluck().get(), 0);
    check.close();
  });

  it('reports offsets deleted by retention after the lookup, and reads what is left', async () => {
    const kafka = testKafka();
    const topic = uniqueName('archive-import-deleted');
    await createTopics(kafka, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 3_600_000;
    await producer.send({
      topic,
      messages: [0, 1, 2, 3, 4].map((i) => ({
        value: notice(700000201 + i),
        timestamp: String(base + i * 1_000),
      })),
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const docs: string[] = [];
    const deleted: DeletedOffsets[] = [];
    try {
      const ranges = await kafkaImportRanges(admin, [topic], base);
      assert.deepEqual(
        ranges.map((r) => [r.partition, r.start, r.end]),
        [[0, 0n, 5n]],
      );
      // What the broker's retention does to the oldest messages: offsets 0-2 are gone.
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] });
      const count = await importKafkaRanges(
        {
          kafka,
          fromMs: base,
          idleCheckMs: 500,
          onDeleted: (d) => deleted.push(d),
          add: async (doc) => {
            docs.push(doc.name);
          },
        },
        admin,
        ranges,
      );
      assert.equal(count, 2);
    } finally {
      await admin.disconnect();
    }
    assert.deepEqual(docs, [`${topic}/0/3`, `${topic}/0/4`]);
    assert.deepEqual(deleted, [{ topic, partition: 0, fromOffset: 0n, toOffset: 3n }]);
  });

  it('finishes when every message of a range was deleted before it was read', async () => {
    const kafka = testKafka();
    const topic = uniqueName('archive-import-gone');
    await createTopics(kafka, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 3_600_000;
    await producer.send({ topic, messages: [{ value: notice(700000301), timestamp: String(base) }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const deleted: DeletedOffsets[] = [];
    try {
      const ranges = await kafkaImportRanges(admin, [topic], base);
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '1' }] });
      const count = await importKafkaRanges(
        { kafka, fromMs: base, idleCheckMs: 500, onDeleted: (d) => deleted.push(d), add: async () => {} },
        admin,
        ranges,
      );
      assert.equal(count, 0);
    } finally {
      await admin.disconnect();
    }
    assert.deepEqual(deleted, [{ topic, partition: 0, fromOffset: 0n, toOffset: 1n }]);
  });
});
