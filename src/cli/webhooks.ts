/**
 * `coincide webhooks list|add|remove|test`: the webhook subscriptions in the database. A running
 * `coincide serve` on the same database picks up an add or a remove within webhooks.reloadMs.
 *
 *   list [--json]                 id, source, format, endpoint (scheme://host/… only: a Slack URL is
 *                                 a credential), signed or not, cursor, backlog, delivered, dead
 *   add --url URL [--id ID] [--format json|slack|text] [--filters JSON]
 *       [--secret-file FILE | --secret-env VAR | --generate-secret] [--from latest|earliest|SEQ]
 *                                 the secret never on the command line (it would show in `ps`);
 *                                 --generate-secret prints a new one once, as the last line
 *   remove <id>                   (subscriptions of the configuration are removed there)
 *   test <id>                     POSTs one signed `test` message now; exit 0 on a 2xx, 1 when the
 *                                 endpoint refuses, 2 when it cannot be reached
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { systemClock } from '../clock.ts';
import { loadConfig, type Config } from '../config.ts';
import { CoincideError, describeError } from '../errors.ts';
import { createOutbox } from '../sinks/outbox.ts';
import { parseStreamFilters } from '../sinks/websocket-filter.ts';
import { openDatabase, type SqliteDatabase } from '../store/database.ts';
import { attemptDelivery } from '../webhooks/deliver.ts';
import { renderWebhookBody, type WebhookMessage } from '../webhooks/format.ts';
import { WebhookPostError } from '../webhooks/post.ts';
import { createWebhookStore, type WebhookStore } from '../webhooks/store.ts';
import {
  checkSecret,
  checkWebhookId,
  checkWebhookUrl,
  defaultWebhookId,
  parseWebhookFormat,
  redactUrl,
  WEBHOOK_FORMATS,
} from '../webhooks/subscription.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './exit-codes.ts';

interface WebhooksArgs {
  db?: string;
  config?: string;
  json?: boolean;
  url?: string;
  id?: string;
  format?: string;
  filters?: string;
  'secret-file'?: string;
  'secret-env'?: string;
  'generate-secret'?: boolean;
  from?: string;
}

interface Opened {
  config: Config;
  db: SqliteDatabase;
  store: WebhookStore;
  lastSeq: () => number;
}

function open(argv: WebhooksArgs): Opened {
  const config = loadConfig({ flags: { db: argv.db, config: argv.config }, env: process.env });
  const db = openDatabase({ path: config.db.path });
  const outbox = createOutbox({ db, clock: systemClock });
  return {
    config,
    db,
    store: createWebhookStore({ db, clock: systemClock }),
    lastSeq: () => outbox.lastSeq(),
  };
}

async function run(action: (opened: Opened) => number | Promise<number>, argv: WebhooksArgs): Promise<void> {
  let opened: Opened | undefined;
  try {
    opened = open(argv);
    process.exitCode = await action(opened);
  } catch (error) {
    process.stderr.write(`coincide webhooks: ${describeError(error)}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  } finally {
    opened?.db.close();
  }
}

const usage = (message: string): never => {
  throw new CoincideError('USAGE', message);
};

function readSecret(argv: WebhooksArgs): { secret?: string; generated: boolean } {
  const given = [argv['secret-file'], argv['secret-env'], argv['generate-secret'] ? 'g' : undefined].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1) usage('give one of --secret-file, --secret-env, --generate-secret');
  if (argv['generate-secret']) return { secret: randomBytes(32).toString('base64url'), generated: true };
  let text: string | undefined;
  if (argv['secret-file'] !== undefined) text = readFileSync(argv['secret-file'], 'utf8').trim();
  if (argv['secret-env'] !== undefined) {
    text = process.env[argv['secret-env']];
    if (text === undefined || text === '') usage(`environment variable ${argv['secret-env']} is not set`);
  }
  const secret = checkSecret(text);
  return secret === undefined ? { generated: false } : { secret, generated: false };
}

function startSeq(from: string | undefined, lastSeq: number): number {
  if (from === undefined || from === 'latest') return lastSeq;
  if (from === 'earliest') return 0;
  if (/^\d+$/.test(from)) return Math.min(Number(from), lastSeq);
  return usage('--from must be latest, earliest or a seq (deliveries start after it)');
}

function add(argv: WebhooksArgs, { config, store, lastSeq }: Opened): number {
  const url = argv.url ?? usage('--url is required');
  checkWebhookUrl(url, config.webhooks.allowHttpHosts);
  const format = parseWebhookFormat(argv.format);
  let filters = {};
  if (argv.filters !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(argv.filters);
    } catch {
      usage('--filters must be JSON, e.g. {"types":["coincidence"],"tiers":["gold"]}');
    }
    filters = parseStreamFilters(parsed);
  }
  const id = checkWebhookId(argv.id ?? defaultWebhookId(url, format));
  const { secret, generated } = readSecret(argv);
  const row = store.add(
    { id, url, format, filters, ...(secret === undefined ? {} : { secret }), source: 'cli' },
    startSeq(argv.from, lastSeq()),
  );
  process.stdout.write(
    `added webhook ${row.id} (${row.format}) -> ${redactUrl(row.url)}, deliveries after seq ${row.cursorSeq}${secret ? ', signed' : ''}\n`,
  );
  if (generated && secret !== undefined) {
    process.stdout.write(
      `secret (shown once; give it to the receiver to verify X-Coincide-Signature):\n${secret}\n`,
    );
  }
  return EXIT_OK;
}

function list(argv: WebhooksArgs, { store, lastSeq }: Opened): number {
  const dead = store.deadSummaries();
  const last = lastSeq();
  const rows = store.list().map((row) => {
    const d = dead.get(row.id);
    return {
      id: row.id,
      source: row.source,
      format: row.format,
      endpoint: redactUrl(row.url),
      signed: row.secret !== undefined,
      filters: row.filters,
      cursorSeq: row.cursorSeq,
      backlog: Math.max(0, last - row.cursorSeq),
      delivered: row.delivered,
      dead: d?.count ?? 0,
      ...(d
        ? { lastDead: { seq: d.lastSeq, at: new Date(d.lastDeadMs).toISOString(), error: d.lastError } }
        : {}),
    };
  });
  if (argv.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return EXIT_OK;
  }
  for (const r of rows) {
    const deadText = r.lastDead
      ? `dead ${r.dead} (last seq ${r.lastDead.seq} at ${r.lastDead.at}: ${r.lastDead.error})`
      : 'dead 0';
    process.stdout.write(
      `${r.id}\t${r.source}\t${r.format}\t${r.endpoint}\t${r.signed ? 'signed' : 'unsigned'}\t` +
        `filters ${JSON.stringify(r.filters)}\tcursor ${r.cursorSeq}\tbacklog ${r.backlog}\t` +
        `delivered ${r.delivered}\t${deadText}\n`,
    );
  }
  return EXIT_OK;
}

async function test(argv: WebhooksArgs, { config, store }: Opened): Promise<number> {
  const id = argv.id ?? usage('name the webhook to test');
  const row = store.get(id) ?? usage(`no webhook with id "${id}"`);
  const url = checkWebhookUrl(row.url, config.webhooks.allowHttpHosts);
  const nowMs = Date.now();
  const message: WebhookMessage = {
    type: 'test',
    seq: 0,
    json: JSON.stringify({
      subscription: row.id,
      message: 'coincide webhook test',
      at: new Date(nowMs).toISOString(),
    }),
    createdMs: nowMs,
  };
  try {
    const status = await attemptDelivery({
      subscription: row,
      url,
      message,
      body: renderWebhookBody(row.format, message, { publicBaseUrl: config.webhooks.publicBaseUrl }),
      attempt: 1,
      nowMs,
      timeoutMs: config.webhooks.timeoutMs,
      key: `${row.id}:test-${nowMs}`,
    });
    process.stdout.write(`delivered: HTTP ${status}\n`);
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`coincide webhooks test: ${redactUrl(row.url)}: ${describeError(error)}\n`);
    return error instanceof WebhookPostError && error.status !== undefined ? EXIT_REFUSED : EXIT_BAD_INPUT;
  }
}

const dbOptions = <T>(yargs: Argv<T>): Argv<T & WebhooksArgs> =>
  yargs
    .option('db', { type: 'string', describe: 'SQLite database (default ./coincide.db, env COINCIDE_DB)' })
    .option('config', { type: 'string', describe: 'JSON configuration file (also COINCIDE_CONFIG)' });

export const webhooksCommand: CommandModule<object, WebhooksArgs> = {
  command: 'webhooks',
  describe: 'Manage webhook subscriptions (list, add, remove, test); a running serve picks up changes',
  builder: (yargs) =>
    yargs
      .command(<CommandModule<object, WebhooksArgs>>{
        command: 'list',
        describe: 'List subscriptions with their cursor, backlog, deliveries and dead deliveries',
        builder: (y) => dbOptions(y).option('json', { type: 'boolean', describe: 'one JSON array' }),
        handler: (argv) => run((opened) => list(argv, opened), argv),
      })
      .command(<CommandModule<object, WebhooksArgs>>{
        command: 'add',
        describe: 'Add a subscription',
        builder: (y) =>
          dbOptions(y)
            .option('url', {
              type: 'string',
              demandOption: true,
              describe: 'https URL (http only to allowed hosts)',
            })
            .option('id', { type: 'string', describe: 'a short name (default: derived from url and format)' })
            .option('format', {
              // Checked by parseWebhookFormat, in one line (yargs `choices` reports a bad value on two).
              type: 'string',
              default: 'json',
              describe: `body format: ${WEBHOOK_FORMATS.join(', ')}`,
            })
            .option('filters', { type: 'string', describe: "the stream's filters as JSON" })
            .option('secret-file', { type: 'string', describe: 'file holding the HMAC secret' })
            .option('secret-env', {
              type: 'string',
              describe: 'environment variable holding the HMAC secret',
            })
            .option('generate-secret', { type: 'boolean', describe: 'generate a secret and print it once' })
            .option('from', {
              type: 'string',
              describe: 'latest (default), earliest, or a seq: deliveries start after it',
            }),
        handler: (argv) => run((opened) => add(argv, opened), argv),
      })
      .command(<CommandModule<object, WebhooksArgs>>{
        command: 'remove <id>',
        describe: 'Remove a subscription added with `webhooks add`',
        builder: (y) => dbOptions(y).positional('id', { type: 'string' }),
        handler: (argv) =>
          run(({ store }) => {
            const removed = store.remove(argv.id ?? '');
            process.stdout.write(
              removed ? `removed webhook ${argv.id ?? ''}\n` : `no webhook ${argv.id ?? ''}\n`,
            );
            return removed ? EXIT_OK : EXIT_REFUSED;
          }, argv),
      })
      .command(<CommandModule<object, WebhooksArgs>>{
        command: 'test <id>',
        describe: 'POST one test message to a subscription now and report the answer',
        builder: (y) => dbOptions(y).positional('id', { type: 'string' }),
        handler: (argv) => run((opened) => test(argv, opened), argv),
      })
      .demandCommand(1),
  handler: () => undefined,
};
