/**
 * Runs a command line with the given command loaders (main.ts passes every command; a command
 * bundle, bin/cli-bundle.js, passes its one command). A command line that names no loaded
 * command is answered by the top level (help, version, unknown names).
 */
import { createParser, namedCommand, runTopLevel } from '../../bin/cli-top-level.js';
import { describeError } from '../errors.ts';
import type { AnyCommand } from './commands.ts';
import { EXIT_BAD_INPUT } from './exit-codes.ts';

export type CommandLoaders = Readonly<Record<string, () => Promise<AnyCommand>>>;

export async function runCli(argv: string[], loaders: CommandLoaders): Promise<void> {
  const named = namedCommand(argv);
  const loader = named === undefined ? undefined : loaders[named];
  if (!loader) {
    await runTopLevel(argv);
    return;
  }
  const parser = createParser(argv, describeError);
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- each command types its own argv
  parser.command(await loader());
  await parser.parseAsync();
}

/** The process's command line, with "coincide: <reason>" and exit code 2 for what a command throws. */
export async function runMain(loaders: CommandLoaders): Promise<void> {
  try {
    await runCli(process.argv.slice(2), loaders);
  } catch (error) {
    process.stderr.write(`coincide: ${describeError(error)}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  }
}
