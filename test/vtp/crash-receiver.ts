/**
 * A receiver process for the crash test: the real receiver, ingest path and SQLite event store
 * over the file named on the command line. Prints {"port":N} on stdout once listening.
 *
 *   node --import tsx test/vtp/crash-receiver.ts /path/to/db.sqlite
 */
import { systemClock } from '../../src/clock.ts';
import { createEventIngestor } from '../../src/ingest/ingest-event.ts';
import { silentLogger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { createReceiver } from '../../src/vtp/receiver.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: crash-receiver.ts DB\n');
  process.exit(2);
}
const db = openDatabase({ path });
const store = new EventStore({ db });
const ingestor = createEventIngestor({ store, logger: silentLogger, clock: systemClock });
const receiver = createReceiver({
  ingestor,
  localIvo: 'ivo://test.coincide/crash',
  logger: silentLogger,
  clock: systemClock,
  port: 0,
  host: '127.0.0.1',
});
const { port } = await receiver.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
