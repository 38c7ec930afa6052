/**
 * A receiver in its own process, for the crash test and the benchmark: the real receiver,
 * ingest path and SQLite event store over the file named on the command line. Prints
 * {"port":N} on stdout once listening.
 *
 *   node --import tsx test/vtp/receiver-process.ts DB [--validate [--validator=thread]]
 *        [--normalise [--normaliser=writer|via-main|inline]]
 *        [--writer=thread|inline] [--synchronous=NORMAL]
 *
 * --validate: check submissions against the VOEvent 2.0 schema with the project's validator
 * (src/voevent/schema-validator.ts), in the main thread as in src/app.ts, or in a thread of its
 * own with --validator=thread (src/ingest/validation-thread.ts, the design before issue 14).
 * --normalise: normalise accepted events after their ack with the app's normaliser
 * (notices/parse-notice.ts), notices stored; events a previous run left pending are resumed first.
 * It runs in a thread of its own as in src/app.ts, to which the writer thread hands each event
 * after its commit (store/event-normalisation.ts; --normaliser=writer, the default); with
 * --normaliser=via-main, the main thread relays instead (the ingest path's completeNormalisation,
 * as with an inline writer); --normaliser=inline: in the main thread.
 * --writer: where commits run (src/store/event-writer.ts); default 'thread', as in src/app.ts.
 * --stages=FILE (bench/vtp-latency.ts): each submission's times through the ingest path,
 * written to FILE as JSON lines at SIGTERM: when its connection was accepted, the ingest was
 * called, the schema validation began and ended, the store was asked and answered (the commit),
 * and the ingest resolved (the ack is written right after), in ms of performance.timeOrigin +
 * performance.now(); the main thread's garbage collections, in FILE.gc (stage-trace.ts); the
 * writer thread's transactions and the WAL checkpoints (store/span-trace.ts), in FILE.writer.
 * --checkpoint-every=OPS, --writer-autocheckpoint=PAGES (bench/vtp-latency.ts): the WAL
 * checkpoints' settings (store/event-writer.ts ThreadWriterOptions), to measure their share.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { systemClock } from '../../src/clock.ts';
import {
  createEventIngestor,
  type EventNormaliser,
  type EventValidator,
} from '../../src/ingest/ingest-event.ts';
import { eventValidatorFromSchema } from '../../src/ingest/schema-adapter.ts';
import { silentLogger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { createThreadWriter } from '../../src/store/event-writer.ts';
import { createSpanTrace, readSpans } from '../../src/store/span-trace.ts';
import { peerName } from '../../src/vtp/connection.ts';
import { createReceiver } from '../../src/vtp/receiver.ts';
import { nowMs, recordGcPauses, writeStageTrace } from './stage-trace.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: receiver-process.ts DB [--validate]\n');
  process.exit(2);
}
let validator: EventValidator | undefined;
/** The ingest threads' start-up, awaited before listening (as src/app.ts does). */
const started: Array<Promise<void>> = [];
if (process.argv.includes('--validate')) {
  if (process.argv.includes('--validator=thread')) {
    const { createThreadedSchemaValidator } = await import('../../src/ingest/validation-thread.ts');
    const threaded = createThreadedSchemaValidator();
    started.push(threaded.ready());
    validator = eventValidatorFromSchema(threaded);
  } else {
    const { createSchemaValidator } = await import('../../src/voevent/schema-validator.ts');
    validator = eventValidatorFromSchema(createSchemaValidator());
  }
}
let normalise: EventNormaliser | undefined;
let normaliserThread: { close(): Promise<void> } | undefined;
const writer = process.argv.includes('--writer=inline') ? 'inline' : 'thread';
/** The port the writer thread hands events to the normalisation thread by (as src/app.ts). */
let writerPort: MessagePort | undefined;
if (process.argv.includes('--normalise')) {
  if (process.argv.includes('--normaliser=inline')) {
    const { parseNoticeDocument } = await import('../../src/notices/parse-notice.ts');
    normalise = (bytes) => parseNoticeDocument(bytes);
  } else {
    const { createThreadedNormaliser } = await import('../../src/ingest/normalisation-thread.ts');
    const channel =
      writer === 'thread' && !process.argv.includes('--normaliser=via-main')
        ? new MessageChannel()
        : undefined;
    writerPort = channel?.port1;
    const threaded = createThreadedNormaliser(channel ? { writerPort: channel.port2 } : {});
    started.push(threaded.ready());
    normaliserThread = threaded;
    normalise = (bytes) => threaded.normalise(bytes);
  }
}
/** --stages: the times of each submission (see the header), by the order the ingest saw them. */
const stagesFile = process.argv.find((a) => a.startsWith('--stages='))?.slice('--stages='.length);
/** One submission's stage times (Unix ms, performance clock); bench/vtp-latency.ts reads them. */
export interface Stages {
  ivorn: string;
  /** The connection accepted (the server's 'connection' event in this process's main thread). */
  accepted?: number;
  ingest: number;
  validate?: number;
  validated?: number;
  put?: number;
  committed?: number;
  resolved?: number;
}
const stages: Stages[] = [];
/** The same, by ivorn, for the store (asked after the validation's await). */
const stagesByIvorn = new Map<string, Stages>();
/** When each open connection was accepted, by its peer name (the ingest's `peer`). */
const acceptedByPeer = new Map<string, number>();
const gcPauses = stagesFile === undefined ? [] : recordGcPauses();
if (stagesFile !== undefined) {
  subscribe('net.server.socket', (message) => {
    const { socket } = message as { socket: Socket };
    const peer = peerName(socket);
    acceptedByPeer.set(peer, nowMs());
    socket.once('close', () => acceptedByPeer.delete(peer));
  });
}
/** The submission being ingested, for the validator (called before the ingest's first await). */
let current: Stages | undefined;
if (stagesFile !== undefined && validator) {
  const check = validator;
  validator = async (bytes, prescan) => {
    const at = current;
    if (at) at.validate = nowMs();
    const result = await check(bytes, prescan);
    if (at) at.validated = nowMs();
    return result;
  };
}
const db = openDatabase({ path });
// Bench only: --synchronous=NORMAL measures what fsync-per-commit costs (WAL + NORMAL survives a
// process crash but not a power cut); the default is the project's FULL.
const synchronous = process.argv.find((a) => a.startsWith('--synchronous='))?.split('=')[1];
if (synchronous === 'NORMAL') db.pragma('synchronous = NORMAL');
const numberFlag = (name: string): number | undefined => {
  const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? undefined : Number(value);
};
const checkpointEveryOps = numberFlag('checkpoint-every');
const autocheckpointPages = numberFlag('writer-autocheckpoint');
/** --stages: the writer thread's transactions and the WAL checkpoints, for FILE.writer. */
const trace =
  stagesFile === undefined
    ? undefined
    : { transactions: createSpanTrace(65_536), checkpoints: createSpanTrace(4096) };
const store = new EventStore({
  db,
  writer:
    writer === 'thread'
      ? createThreadWriter(db, {
          ...(writerPort ? { normaliser: writerPort } : {}),
          ...(trace ? { trace } : {}),
          ...(checkpointEveryOps === undefined ? {} : { checkpointEveryOps }),
          ...(autocheckpointPages === undefined ? {} : { autocheckpointPages }),
        })
      : writer,
});
if (stagesFile !== undefined) {
  const put = store.putEvent.bind(store);
  store.putEvent = (event) => {
    const at = stagesByIvorn.get(event.ivorn);
    if (at) at.put = nowMs();
    const answer = put(event);
    void answer.then(
      () => {
        if (at) at.committed = nowMs();
      },
      () => undefined,
    );
    return answer;
  };
}
const ingestor = createEventIngestor({
  store,
  logger: silentLogger,
  clock: systemClock,
  ...(validator ? { validator } : {}),
  ...(normalise ? { normalise } : {}),
});
if (stagesFile !== undefined) {
  const ingest = ingestor.ingest.bind(ingestor);
  ingestor.ingest = (bytes, options) => {
    const accepted = acceptedByPeer.get(options.peer);
    const at: Stages = {
      ivorn: options.payload?.ivorn ?? '',
      ...(accepted === undefined ? {} : { accepted }),
      ingest: nowMs(),
    };
    stages.push(at);
    stagesByIvorn.set(at.ivorn, at);
    current = at;
    const outcome = ingest(bytes, options);
    current = undefined; // what follows the first await belongs to the submission, not to others
    return outcome.then((o) => {
      at.resolved = nowMs();
      return o;
    });
  };
}
await Promise.all([store.ready(), ...started]);
await ingestor.resumePending();
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
process.once('SIGTERM', () => {
  void receiver
    .stop()
    .then(() => ingestor.idle())
    .then(() => store.drain())
    .then(() => normaliserThread?.close())
    .then(() => {
      if (stagesFile !== undefined) {
        writeStageTrace(stagesFile, stages, gcPauses);
        if (trace) {
          const spans = {
            transactions: readSpans(trace.transactions),
            checkpoints: readSpans(trace.checkpoints),
          };
          writeFileSync(`${stagesFile}.writer`, JSON.stringify(spans));
        }
      }
      db.close();
      process.exit(0);
    });
});
