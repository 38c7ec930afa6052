/**
 * A GCN consumer in its own process, for the kill-and-restart test (gcn-restart.test.ts).
 *
 *   node --import tsx gcn-consumer-child.ts <brokers> <groupId> <topic> <dbPath> <killAfter>
 *
 * It ingests into the SQLite file at dbPath and prints one JSON line per handled message
 * ({offset, outcome}). With killAfter > 0 it SIGKILLs itself right after the killAfter-th
 * message was durably ingested and BEFORE its offset is committed: the worst moment to die.
 * On SIGTERM it stops cleanly.
 */
import { Kafka, logLevel } from 'kafkajs';
import { systemClock } from '../../src/clock.ts';
import { createEventIngestor } from '../../src/ingest/ingest-event.ts';
import { createGcnConsumer } from '../../src/gcn/gcn-consumer.ts';
import { silentLogger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { normaliseLikeTheApp } from './gcn-helpers.ts';

const [brokers = '', groupId = '', topic = '', dbPath = '', killAfterText = '0'] = process.argv.slice(2);
const killAfter = Number(killAfterText);
const db = openDatabase({ path: dbPath });
const store = new EventStore({ db });
const ingestor = createEventIngestor({
  store,
  normalise: normaliseLikeTheApp,
  logger: silentLogger,
  clock: systemClock,
});
let handled = 0;
const consumer = createGcnConsumer({
  kafka: new Kafka({ clientId: 'gcn-child', brokers: brokers.split(','), logLevel: logLevel.NOTHING }),
  groupId,
  topics: [topic.replace(/\./g, '\\.')],
  ingest: (bytes, options) => ingestor.ingest(bytes, options),
  clock: systemClock,
  logger: silentLogger,
  onProcessed: (record) => {
    handled += 1;
    process.stdout.write(
      `${JSON.stringify({ offset: Number(record.offset), outcome: record.outcome.outcome })}\n`,
    );
    if (killAfter > 0 && handled === killAfter) process.kill(process.pid, 'SIGKILL');
  },
});
process.once('SIGTERM', () => {
  void consumer.stop().then(() => {
    store.close();
    db.close();
    process.exit(0);
  });
});
await consumer.start();
process.stdout.write('{"started":true}\n');
