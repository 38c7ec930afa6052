/**
 * `coincide subscribe --remote host:port [--remote ...] [--save-dir DIR] [--print] [--filter XPATH]`:
 * a standalone VTP subscriber. It answers iamalive/authenticate, acks every event once it is
 * stored (SQLite: --db PATH, default in memory), de-duplicates by bytes, and for each new event
 * writes its raw bytes to DIR/<name> (Comet's save-event naming) and/or to stdout (--print).
 * Runs until SIGINT/SIGTERM.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { systemClock } from '../clock.ts';
import { describeError } from '../errors.ts';
import { createEventIngestor, type IngestedEvent } from '../ingest/ingest-event.ts';
import { createJsonLogger, type Logger } from '../logger.ts';
import { openDatabase } from '../store/database.ts';
import { EventStore } from '../store/event-store.ts';
import { createSubscriber } from '../vtp/subscriber.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface SubscribeArgs {
  remote: string[];
  saveDir?: string;
  print: boolean;
  filter: string[];
  localIvo?: string;
  db: string;
}

/**
 * Comet's save-event file name: `/` and `\` become `_`, characters outside [A-Za-z0-9_.] are
 * dropped, one leading `.` is stripped; `_` is appended until the name is unused.
 */
export function saveEventFileName(ivorn: string, exists: (name: string) => boolean): string {
  let name = ivorn.replace(/[/\\]/g, '_').replace(/[^A-Za-z0-9_.]/g, '');
  if (name.startsWith('.')) name = name.slice(1);
  if (name === '') name = 'event';
  while (exists(name)) name += '_';
  return name;
}

export interface SubscribeRun {
  stop(): Promise<void>;
}

export async function runSubscribe(
  args: SubscribeArgs,
  io: { out: (bytes: Buffer) => void; logger: Logger },
): Promise<SubscribeRun> {
  if (args.saveDir) mkdirSync(args.saveDir, { recursive: true });
  const db = openDatabase({ path: args.db });
  const store = new EventStore({ db });
  const onEvent = (event: IngestedEvent): void => {
    if (args.saveDir) {
      const dir = args.saveDir;
      const name = saveEventFileName(event.ivorn, (n) => existsSync(join(dir, n)));
      writeFileSync(join(dir, name), event.bytes);
      io.logger.info('event saved', { ivorn: event.ivorn, file: join(dir, name) });
    }
    if (args.print) io.out(Buffer.concat([event.bytes, Buffer.from('\n')]));
  };
  const ingestor = createEventIngestor({ store, logger: io.logger, clock: systemClock, onEvent });
  const subscriber = createSubscriber({
    remotes: args.remote,
    ingestor,
    logger: io.logger,
    clock: systemClock,
    filters: args.filter,
    ...(args.localIvo ? { localIvo: args.localIvo } : {}),
  });
  await subscriber.start();
  return {
    async stop() {
      await subscriber.stop();
      store.close();
      db.close();
    },
  };
}

export const subscribeCommand: CommandModule<object, SubscribeArgs> = {
  command: 'subscribe',
  describe: 'subscribe to VTP brokers; save (--save-dir) and/or print (--print) every new event',
  builder: (yargs) =>
    yargs
      .option('remote', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'broker host:port (8099 by default); repeatable',
      })
      .option('save-dir', { type: 'string', describe: "write each event's raw bytes to this directory" })
      .option('print', {
        type: 'boolean',
        default: false,
        describe: "write each event's raw bytes to stdout",
      })
      .option('filter', {
        type: 'string',
        array: true,
        default: [],
        describe: 'XPath filter sent upstream; repeatable',
      })
      .option('local-ivo', { type: 'string', describe: 'our IVOID (Response of our replies)' })
      .option('db', {
        type: 'string',
        default: ':memory:',
        describe: 'SQLite file for de-duplication',
      }),
  handler: async (args) => {
    const logger = createJsonLogger();
    let run: SubscribeRun;
    try {
      run = await runSubscribe(args, { out: (bytes) => process.stdout.write(bytes), logger });
    } catch (error) {
      process.stderr.write(`coincide subscribe: ${describeError(error)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    await new Promise<void>((resolve) => {
      const onSignal = (): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    await run.stop();
    process.exitCode = EXIT_OK;
  },
};
