/**
 * `coincide tokens create --name N [--db PATH]` prints the new token as the last line of
 * stdout (it is shown once; only its SHA-256 is stored). `tokens list` prints one token per
 * line (id, name, created, revoked); `tokens revoke <id|name>` revokes.
 */
import type { Argv, CommandModule } from 'yargs';
import { createTokenStore } from '../auth/tokens.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { openDatabase } from '../store/database.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './exit-codes.ts';

interface TokensArgs {
  db?: string;
  config?: string;
  name?: string;
  token?: string;
}

function openTokens(argv: TokensArgs): ReturnType<typeof createTokenStore> {
  const config = loadConfig({ flags: { db: argv.db, config: argv.config }, env: process.env });
  return createTokenStore({ db: openDatabase({ path: config.db.path }), clock: systemClock });
}

function run(action: () => number): void {
  try {
    process.exitCode = action();
  } catch (error) {
    process.stderr.write(`coincide tokens: ${describeError(error)}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  }
}

const dbOptions = <T>(yargs: Argv<T>): Argv<T & TokensArgs> =>
  yargs
    .option('db', { type: 'string', describe: 'SQLite database (default ./coincide.db, env COINCIDE_DB)' })
    .option('config', { type: 'string', describe: 'JSON configuration file' });

export const tokensCommand: CommandModule<object, TokensArgs> = {
  command: 'tokens',
  describe: 'Manage API tokens for the WebSocket stream and REST API (create, list, revoke)',
  builder: (yargs) =>
    yargs
      .command(<CommandModule<object, TokensArgs>>{
        command: 'create',
        describe: 'Create a token and print it (last line of stdout)',
        builder: (y) =>
          dbOptions(y).option('name', { type: 'string', demandOption: true, describe: 'Who it is for' }),
        handler: (argv) => {
          run(() => {
            const { token, info } = openTokens(argv).create(argv.name ?? '');
            process.stdout.write(
              `created token ${info.id} for "${info.name}" (shown once; store it safely)\n`,
            );
            process.stdout.write(`${token}\n`);
            return EXIT_OK;
          });
        },
      })
      .command(<CommandModule<object, TokensArgs>>{
        command: 'list',
        describe: 'List tokens (never their values)',
        builder: (y) => dbOptions(y),
        handler: (argv) => {
          run(() => {
            for (const t of openTokens(argv).list()) {
              const revoked =
                t.revokedMs === null ? 'active' : `revoked ${new Date(t.revokedMs).toISOString()}`;
              process.stdout.write(
                `${t.id}\t${t.name}\t${new Date(t.createdMs).toISOString()}\t${revoked}\n`,
              );
            }
            return EXIT_OK;
          });
        },
      })
      .command(<CommandModule<object, TokensArgs>>{
        command: 'revoke <token>',
        describe: 'Revoke a token by id or by name',
        builder: (y) => dbOptions(y).positional('token', { type: 'string', describe: 'id or name' }),
        handler: (argv) => {
          run(() => {
            const target = argv.token ?? '';
            const count = openTokens(argv).revoke(/^\d+$/.test(target) ? Number(target) : target);
            process.stdout.write(`revoked ${count} token(s)\n`);
            return count > 0 ? EXIT_OK : EXIT_REFUSED;
          });
        },
      })
      .demandCommand(1),
  handler: () => undefined,
};
