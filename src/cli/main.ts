/**
 * The `coincide` command line. Only this folder (and config.ts) reads argv and the environment.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeError } from '../errors.ts';
import { loadCommandsFor } from './commands.ts';
import { EXIT_BAD_INPUT } from './exit-codes.ts';

export async function runCli(argv: string[]): Promise<void> {
  const parser = yargs(argv)
    .scriptName('coincide')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command; see --help')
    .recommendCommands()
    .help()
    .version()
    .fail((message: string | undefined, error: Error | undefined) => {
      process.stderr.write(`coincide: ${message ?? describeError(error)}\n`);
      process.exit(EXIT_BAD_INPUT);
    });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- each command types its own argv
  for (const command of await loadCommandsFor(argv)) parser.command(command);
  await parser.parseAsync();
}

try {
  await runCli(hideBin(process.argv));
} catch (error) {
  process.stderr.write(`coincide: ${describeError(error)}\n`);
  process.exitCode = EXIT_BAD_INPUT;
}
