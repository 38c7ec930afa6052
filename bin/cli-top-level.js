// The top level of the `coincide` command, in plain JavaScript so that `coincide --help`,
// `coincide --version` and a mistyped command name answer without loading tsx (whose loader
// thread alone costs more than the 0.5 s that `--help` may take) or any command module.
// bin/coincide.js runs runTopLevel() when no known command is named; src/cli/main.ts builds
// its parser for a named command with the same createParser(). Each command module keeps its
// own `command` and `describe`; test/cli/help.test.ts checks that COMMANDS says the same.
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);

/** Every command's usage and one-line description, in the order of `coincide --help`. */
export const COMMANDS = {
  alerts: {
    command: 'alerts <paths..>',
    describe: 'Print ZTF / Rubin-LSST Avro alerts as OpticalAlert JSON lines',
  },
  parse: {
    command: 'parse <paths..>',
    describe: 'Print one normalised Notice per line (JSON) for VOEvent XML and GCN JSON files or directories',
  },
  serve: {
    command: 'serve',
    describe: 'Run the service: VTP receiver and broadcaster, HTTP API, WebSocket stream, outputs',
  },
  tokens: {
    command: 'tokens',
    describe: 'Manage API tokens for the WebSocket stream and REST API (create, list, revoke)',
  },
  listen: {
    command: 'listen',
    describe: 'Print the WebSocket stream as JSON lines, resuming by itself after disconnects',
  },
  send: {
    command: 'send <files..>',
    describe:
      'submit VOEvent files to a VTP receiver (exit 0 all acked, 1 a nak, 2 bad input or network error)',
  },
  subscribe: {
    command: 'subscribe',
    describe: 'subscribe to VTP brokers; save (--save-dir) and/or print (--print) every new event',
  },
  validate: {
    command: 'validate <paths..>',
    describe: 'Check VOEvent 2.0/1.1 and VTP Transport XML files: safe XML, XML Schema, and VOEvent values',
  },
  replay: {
    command: 'replay <paths..>',
    describe:
      'Replay notices and optical alerts (files, folders, tar archives) through the coincidence engine',
  },
  demo: {
    command: 'demo',
    describe: 'Run the GW170817-like demo scenario and print its coincidences',
  },
  skymap: {
    command: 'skymap <file>',
    describe: 'Summarise a sky map: credible areas, most probable position, level at a position',
  },
  search: {
    command: 'search',
    describe: 'Search the notice archive (the queries of GET /v1/notices)',
  },
  archive: {
    command: 'archive',
    describe: 'Load past notices into the archive, or export it',
  },
  webhooks: {
    command: 'webhooks',
    describe: 'Manage webhook subscriptions (list, add, remove, test); a running serve picks up changes',
  },
  explain: {
    command: 'explain [target]',
    describe:
      'Explain how the figures of a coincidence were derived (inputs, formula, intermediates, tier rule)',
  },
};

/**
 * True when `name` is one of the commands.
 * @param {string} name
 */
export function isCommandName(name) {
  return Object.hasOwn(COMMANDS, name);
}

/**
 * The first argument that is not an option: the command name, if any.
 * @param {readonly string[]} argv
 * @returns {string | undefined}
 */
export function namedCommand(argv) {
  return argv.find((arg) => !arg.startsWith('-'));
}

/**
 * Help is wrapped at the terminal's width (at most 120 columns) on a terminal, and at 80 columns
 * when piped; yargs' CommonJS build is used because its cliui wraps at word boundaries with
 * wrap-ansi, where the ES-module build cuts words in two ("OpticalAler" / "t").
 * @param {{ isTTY?: boolean, columns?: number }} stream
 */
export function helpWidth(stream = process.stdout) {
  return stream.isTTY && stream.columns ? Math.min(stream.columns, 120) : 80;
}

/**
 * The yargs parser shared by every command line. `describeError` turns a thrown error into the
 * one line printed after "coincide: " (exit 2).
 * @param {string[]} argv
 * @param {(error: unknown) => string} describeError
 * @returns {import('yargs').Argv}
 */
export function createParser(argv, describeError) {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- require() is untyped in JS; the cast says what it is
  const yargs = /** @type {(args: string[]) => import('yargs').Argv} */ (require('yargs/yargs'));
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- as above: package.json, read once
  const { version } = /** @type {{ version: string }} */ (require('../package.json'));
  return yargs(argv)
    .scriptName('coincide')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command; see --help')
    .recommendCommands()
    .help()
    .version(version)
    .wrap(helpWidth())
    .fail((/** @type {string | undefined} */ message, /** @type {Error | undefined} */ error) => {
      process.stderr.write(`coincide: ${message ?? describeError(error)}\n`);
      process.exit(2);
    });
}

/**
 * Top-level help, version, and the errors of a command line that names no known command.
 * @param {string[]} argv
 */
export async function runTopLevel(argv) {
  const parser = createParser(argv, (error) =>
    error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error),
  );
  for (const { command, describe } of Object.values(COMMANDS)) parser.command(command, describe);
  await parser.parseAsync();
}
