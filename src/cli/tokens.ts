/**
 * `coincide tokens create --name N [--scope S…] [--authority A…] [--role R…] [--observatory O…]
 * [--db PATH]` prints the new token as the last line of stdout (it is shown once; only its
 * SHA-256 is stored). Scopes and limits are described in src/auth/scopes.ts; without --scope a
 * token gets DEFAULT_SCOPES. `tokens list` prints one token per line (id, name, created,
 * revoked, scopes, limits); `tokens revoke <id|name>` revokes.
 */
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_SCOPES, limitsFromLists, parseScopes } from '../auth/scopes.ts';
import { createTokenStore, type TokenInfo } from '../auth/tokens.ts';
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
  scope?: string[];
  authority?: string[];
  role?: string[];
  observatory?: string[];
}

function describeAccess(t: TokenInfo): string {
  const limits = Object.entries(t.limits).map(([key, list]) => `${key}=${(list as string[]).join(',')}`);
  return `scopes=${t.scopes.join(',')}${limits.length > 0 ? ` ${limits.join(' ')}` : ''}`;
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
          dbOptions(y)
            .option('name', { type: 'string', demandOption: true, describe: 'Who it is for' })
            .option('scope', {
              type: 'string',
              array: true,
              describe: `What it may use (repeatable or comma-separated): stream, notices, coincidences, events, metrics, admin, or read (= stream,notices,coincidences); default ${DEFAULT_SCOPES.join(',')}`,
            })
            .option('authority', {
              type: 'string',
              array: true,
              describe:
                'Only notices whose ivorn has one of these authorities (gwnet, nasa.gsfc.gcn, *.example.org)',
            })
            .option('role', {
              type: 'string',
              array: true,
              describe: 'Only notices with one of these roles (observation, test, utility)',
            })
            .option('observatory', {
              type: 'string',
              array: true,
              describe: 'Only notices from one of these observatories (LVK, Fermi, Swift, IceCube…)',
            }),
        handler: (argv) => {
          run(() => {
            const { token, info } = openTokens(argv).create(argv.name ?? '', {
              ...(argv.scope === undefined ? {} : { scopes: parseScopes(argv.scope) }),
              limits: limitsFromLists({
                roles: argv.role,
                observatories: argv.observatory,
                authorities: argv.authority,
              }),
            });
            process.stdout.write(
              `created token ${info.id} for "${info.name}", ${describeAccess(info)} (shown once; store it safely)\n`,
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
                `${t.id}\t${t.name}\t${new Date(t.createdMs).toISOString()}\t${revoked}\t${describeAccess(t)}\n`,
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
