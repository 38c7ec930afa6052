/**
 * `coincide archive import <path...>`: bulk-load past notices (VOEvent XML and GCN/LVK JSON
 * files, folders, .tar/.tar.gz/.tar.bz2 archives, exports of this archive) into the database,
 * without emitting anything live (src/archive/import.ts), then index them.
 * `coincide archive import --topic T [--topic …] --from TIME [--kafka-brokers host:port]`: the
 * same from Kafka topics, from a time to their current end (src/archive/kafka-import.ts); the
 * brokers default to the configured GCN Kafka (gcn.domain with its OIDC client, or gcn.brokers).
 * `--coincidences`: also compute the coincidences among the notices the import stored, as a
 * replay with the configured scoring, into the archive's coincidence table (nothing is emitted;
 * src/archive/import-coincidences.ts).
 * `coincide archive export <file.tar.gz>`: every stored notice event, as received, with its
 * receipt metadata (src/archive/export.ts); `archive import` of that file restores it.
 *
 * Prints one summary line on stderr with the load and index rates. Exit 2 when a document could
 * not be read (each one named on stderr) or on bad usage.
 */
import type { Argv, CommandModule } from 'yargs';
import { openArchive } from '../app/archive.ts';
import { exportArchive } from '../archive/export.ts';
import { createArchiveImporter, type ImportedNotice } from '../archive/import.ts';
import { replayImportedNotices } from '../archive/import-coincidences.ts';
import { defaultPoolThreads } from '../archive/import-pool.ts';
import { joinOptionsFromConfig } from '../join/score-config.ts';
import { loadConfig } from '../config.ts';
import type { Kafka } from 'kafkajs';
import { importKafkaTopics } from '../archive/kafka-import.ts';
import { systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { CoincideError, describeError } from '../errors.ts';
import { createKafkaClient, gcnKafkaEndpoints } from '../kafka/kafka-client.ts';
import { silentLogger } from '../logger.ts';
import { parseUtcIsoMs } from '../notices/notice-time.ts';
import { readInputs } from '../replay/inputs.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface ArchiveArgs {
  db?: string;
  config?: string;
  paths?: string[];
  file?: string;
  topic?: string[];
  from?: string;
  kafkaBrokers?: string[];
  coincidences?: boolean;
  threads?: number;
}

function kafkaFor(argv: ArchiveArgs, config: Config): Kafka {
  const deps = { logger: silentLogger, clock: systemClock };
  if (argv.kafkaBrokers && argv.kafkaBrokers.length > 0)
    return createKafkaClient({ brokers: argv.kafkaBrokers, clientId: 'coincide-archive-import' }, deps).kafka;
  if (config.gcn.domain !== '') {
    const endpoints = gcnKafkaEndpoints(config.gcn.domain);
    return createKafkaClient(
      {
        brokers: endpoints.brokers,
        ssl: true,
        clientId: 'coincide-archive-import',
        auth: {
          type: 'oidc',
          tokenUrl: endpoints.tokenUrl,
          clientId: config.gcn.clientId,
          clientSecret: config.gcn.clientSecret,
        },
      },
      deps,
    ).kafka;
  }
  if (config.gcn.brokers.length > 0)
    return createKafkaClient({ brokers: [...config.gcn.brokers], clientId: 'coincide-archive-import' }, deps)
      .kafka;
  throw new CoincideError('USAGE', '--topic needs --kafka-brokers, or a configured GCN Kafka (gcn.domain)');
}

function configOf(argv: ArchiveArgs): ReturnType<typeof loadConfig> {
  return loadConfig({ flags: { db: argv.db, config: argv.config }, env: process.env });
}

export async function runImport(argv: ArchiveArgs): Promise<number> {
  const config = configOf(argv);
  const topics = argv.topic ?? [];
  if (topics.length === 0 && (argv.paths ?? []).length === 0)
    throw new CoincideError('USAGE', 'name files, folders or archives, or --topic with --from');
  let fromMs: number | undefined;
  if (topics.length > 0) {
    fromMs = argv.from === undefined ? undefined : parseUtcIsoMs(argv.from);
    if (fromMs === undefined) throw new CoincideError('USAGE', '--topic needs --from, an ISO 8601 UTC time');
  }
  const { db, index } = openArchive(config);
  try {
    const startedMs = performance.now();
    /** With --coincidences: the notices stored, to replay (only the bytes the replay reads). */
    const stored: ImportedNotice[] = [];
    const importer = createArchiveImporter({
      ...(argv.coincidences === true
        ? {
            onStored: (s: ImportedNotice) =>
              stored.push({
                ...s,
                bytes:
                  s.notice.region.type === 'skymap' && s.notice.region.url.startsWith('embedded:')
                    ? s.bytes
                    : Buffer.from(s.bytes.subarray(0, 65_536)),
              }),
          }
        : {}),
      db,
      nowMs: () => Date.now(),
      source: [...(argv.paths ?? []), ...topics.map((t) => `kafka:${t}`)].join(' '),
      index,
      threads: argv.threads ?? defaultPoolThreads(),
      onFailure: (name, message) => process.stderr.write(`coincide archive import: ${name}: ${message}\n`),
    });
    for await (const doc of readInputs(argv.paths ?? [])) await importer.add(doc);
    if (topics.length > 0 && fromMs !== undefined)
      await importKafkaTopics({
        kafka: kafkaFor(argv, config),
        topics,
        fromMs,
        add: (doc) => importer.add(doc),
        onDeleted: (d) =>
          process.stderr.write(
            `coincide archive import: warning: ${d.topic}/${d.partition}: offsets ${d.fromOffset} to ${d.toOffset - 1n} ` +
              `were deleted by the broker's retention before they were read\n`,
          ),
      });
    const summary = await importer.finish();
    const loadSec = (performance.now() - startedMs) / 1000;
    const indexStartedMs = performance.now();
    const indexed = await index.catchUp();
    const indexSec = (performance.now() - indexStartedMs) / 1000;
    if (argv.coincidences === true) {
      const replayStartedMs = performance.now();
      const replayed = replayImportedNotices({
        db,
        notices: stored,
        engine: { ...joinOptionsFromConfig(config.scores) },
      });
      for (const w of replayed.warnings)
        process.stderr.write(`coincide archive import: warning: ${w.name}: ${w.message}\n`);
      process.stderr.write(
        `coincide archive import: replayed ${replayed.notices} notices: ${replayed.coincidences} coincidences stored in the archive ` +
          `in ${((performance.now() - replayStartedMs) / 1000).toFixed(2)} s (none emitted)\n`,
      );
    }
    process.stderr.write(
      `coincide archive import: ${summary.documents} documents, ${summary.stored} notices stored, ` +
        `${summary.duplicates} duplicates, ${summary.notNotices} not notices, ${summary.failures} unreadable; ` +
        `load and index ${loadSec.toFixed(2)} s (${Math.round(summary.documents / Math.max(loadSec, 1e-9))} documents/s), ` +
        `then index ${indexed} more (sky maps) in ${indexSec.toFixed(2)} s\n`,
    );
    return summary.failures > 0 ? EXIT_BAD_INPUT : EXIT_OK;
  } finally {
    db.close();
  }
}

export async function runExport(argv: ArchiveArgs): Promise<number> {
  const { db } = openArchive(configOf(argv));
  try {
    const count = await exportArchive(db, argv.file ?? '');
    process.stderr.write(`coincide archive export: ${count} events written to ${argv.file ?? ''}\n`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

const dbOptions = <T>(yargs: Argv<T>): Argv<T & ArchiveArgs> =>
  yargs
    .option('db', { type: 'string', describe: 'SQLite database (default ./coincide.db, env COINCIDE_DB)' })
    .option('config', { type: 'string', describe: 'JSON configuration file' });

function run(name: string, action: () => Promise<number>): Promise<void> {
  return action().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`coincide archive ${name}: ${describeError(error)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    },
  );
}

export const archiveCommand: CommandModule<object, ArchiveArgs> = {
  command: 'archive',
  describe: 'Load past notices into the archive, or export it',
  builder: (yargs) =>
    yargs
      .command(<CommandModule<object, ArchiveArgs>>{
        command: 'import [paths..]',
        describe:
          'Import notices (files, folders, tar archives, exports, Kafka topics); nothing is emitted live',
        builder: (y) =>
          dbOptions(y)
            .positional('paths', { type: 'string', array: true })
            .option('topic', { type: 'string', array: true, describe: 'Kafka topic to import (repeatable)' })
            .option('from', {
              type: 'string',
              describe: 'With --topic: messages from this ISO 8601 UTC time',
            })
            .option('kafka-brokers', {
              type: 'string',
              array: true,
              describe: 'Kafka brokers host:port (default: the configured GCN Kafka)',
            })
            .option('threads', {
              type: 'number',
              describe:
                'Worker threads that parse and index documents beside this one, which writes and parses too (default: one per core besides this one, at most 3; 0: all in this thread)',
            })
            .option('coincidences', {
              type: 'boolean',
              describe:
                'Also compute the coincidences among the imported notices, as a replay, into the archive (none emitted live)',
            }),
        handler: (argv) => run('import', () => runImport(argv)),
      })
      .command(<CommandModule<object, ArchiveArgs>>{
        command: 'export <file>',
        describe: 'Export every stored notice event, as received, to a .tar.gz',
        builder: (y) => dbOptions(y).positional('file', { type: 'string', demandOption: true }),
        handler: (argv) => run('export', () => runExport(argv)),
      })
      .demandCommand(1, 'name a subcommand: import or export'),
  handler: () => undefined,
};
