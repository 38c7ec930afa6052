/**
 * The `coincide` command line. Only this folder (and config.ts) reads argv and the environment.
 * bin/coincide.js comes here only when argv names a known command; the top level (help,
 * version, unknown names) is bin/cli-top-level.js, which also builds the parser used here.
 */
import { createParser, namedCommand, runTopLevel } from '../../bin/cli-top-level.js';
import { describeError } from '../errors.ts';
import { COMMAND_LOADERS } from './commands.ts';
import { EXIT_BAD_INPUT } from './exit-codes.ts';

export async function runCli(argv: string[]): Promise<void> {
  const named = namedCommand(argv);
  const loader = named === undefined ? undefined : COMMAND_LOADERS[named];
  if (!loader) {
    await runTopLevel(argv);
    return;
  }
  const parser = createParser(argv, describeError);
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- each command types its own argv
  parser.command(await loader());
  await parser.parseAsync();
}

try {
  await runCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`coincide: ${describeError(error)}\n`);
  process.exitCode = EXIT_BAD_INPUT;
}
