/**
 * `coincide alerts <file.avro|dir>...` prints every optical alert (ZTF or Rubin/LSST Avro) as
 * one OpticalAlert JSON object per line, ids as decimal strings. Folders are read
 * recursively (*.avro). A file that cannot be read or decoded gives one line on stderr
 * (`coincide alerts: <path>: <CODE>: <message>`); the good files are still printed, and the
 * exit code is then 2.
 *
 *   --full                decode whole packets (default: the projected reader, same output)
 *   --schemas DIR         local schemas for Confluent-framed (LSST Kafka) message files
 *   --registry-url URL    a Confluent Schema Registry for those instead
 */
import type { CommandModule } from 'yargs';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { readAlertFiles } from '../optical/file-source.ts';
import { HttpSchemaRegistry, LocalSchemaRegistry, type SchemaRegistry } from '../optical/schema-registry.ts';
import { describeError } from '../errors.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface AlertsArgs {
  paths: string[];
  full: boolean;
  schemas?: string;
  registryUrl?: string;
}

function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

export async function runAlerts(argv: AlertsArgs): Promise<number> {
  let registry: SchemaRegistry | undefined;
  if (argv.registryUrl !== undefined) registry = new HttpSchemaRegistry({ url: argv.registryUrl });
  else if (argv.schemas !== undefined) registry = LocalSchemaRegistry.fromDirectory(argv.schemas);
  const decoder = new OpticalAlertDecoder({ projected: !argv.full, ...(registry ? { registry } : {}) });
  let failures = 0;
  let pending = '';
  for await (const { alert } of readAlertFiles(argv.paths, {
    decoder,
    onFailure: ({ path, error }) => {
      failures += 1;
      process.stderr.write(`coincide alerts: ${path}: ${describeError(error)}\n`);
    },
  })) {
    pending += JSON.stringify(alert) + '\n';
    if (pending.length > 65536) {
      await writeOut(pending);
      pending = '';
    }
  }
  if (pending.length > 0) await writeOut(pending);
  return failures > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

export const alertsCommand: CommandModule<object, AlertsArgs> = {
  command: 'alerts <paths..>',
  describe: 'Print ZTF / Rubin-LSST Avro alerts as OpticalAlert JSON lines',
  builder: (yargs) =>
    yargs
      .positional('paths', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Avro files or folders',
      })
      .option('full', {
        type: 'boolean',
        default: false,
        describe: 'Decode whole packets (cutouts, history)',
      })
      .option('schemas', { type: 'string', describe: 'Folder of schemas for Confluent-framed files' })
      .option('registry-url', { type: 'string', describe: 'Confluent Schema Registry URL' }),
  handler: async (argv) => {
    try {
      process.exitCode = await runAlerts(argv);
    } catch (error) {
      process.stderr.write(`coincide alerts: ${describeError(error)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    }
  },
};
