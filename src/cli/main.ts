/**
 * The `coincide` command line. Only this folder (and config.ts) reads argv and the environment.
 * bin/coincide.js comes here only when argv names a known command; the top level (help,
 * version, unknown names) is bin/cli-top-level.js, which also builds the parser used here.
 * A command with a bundle of its own (bin/cli-bundle.js) runs run-cli.ts from that bundle instead.
 */
import { COMMAND_LOADERS } from './commands.ts';
import { runMain } from './run-cli.ts';

await runMain(COMMAND_LOADERS);
