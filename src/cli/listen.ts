/**
 * `coincide listen --url ws://host:8080/v1/stream --token T [--since N] [--state FILE]
 *  [--filters JSON] [--heartbeats]`: prints every stream message as one JSON line on stdout.
 *
 * It reconnects by itself (exponential backoff with jitter) and resumes after the last seq it
 * printed. With --state FILE that seq is also written to FILE after each message (atomically,
 * by rename), so a restarted listener resumes where the previous one stopped. Exit codes: 0 on
 * SIGINT/SIGTERM, 2 on bad usage or a refused token (one line on stderr).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { describeError } from '../errors.ts';
import { createStreamClient } from '../sinks/websocket-client.ts';
import { parseStreamFilters, type StreamFilters } from '../sinks/websocket-filter.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface ListenArgs {
  url: string;
  token?: string;
  since?: number;
  state?: string;
  filters?: string;
  heartbeats?: boolean;
  maxBackoffMs?: number;
}

function readStateSeq(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!/^\d+$/.test(text)) throw new Error(`${path}: not a seq number`);
  return Number(text);
}

function writeStateSeq(path: string, seq: number): void {
  writeFileSync(`${path}.tmp`, `${seq}\n`);
  renameSync(`${path}.tmp`, path);
}

function fail(message: string): never {
  process.stderr.write(`coincide listen: ${message}\n`);
  process.exit(EXIT_BAD_INPUT);
}

export const listenCommand: CommandModule<object, ListenArgs> = {
  command: 'listen',
  describe: 'Print the WebSocket stream as JSON lines, resuming by itself after disconnects',
  builder: (yargs) =>
    yargs
      .option('url', {
        type: 'string',
        demandOption: true,
        describe: 'Stream URL, e.g. ws://localhost:8080/v1/stream',
      })
      .option('token', { type: 'string', describe: 'API token (or env COINCIDE_TOKEN)' })
      .option('since', { type: 'number', describe: 'Replay every message after this seq first' })
      .option('state', {
        type: 'string',
        describe: 'File that keeps the last seq, to resume across restarts',
      })
      .option('filters', { type: 'string', describe: 'Filters as JSON, e.g. \'{"tiers":["gold"]}\'' })
      .option('heartbeats', { type: 'boolean', default: false, describe: 'Print heartbeats too' })
      .option('max-backoff-ms', {
        type: 'number',
        describe: 'Longest wait between reconnection attempts, ms (default 30000)',
      })
      .option('liveness-timeout-ms', {
        type: 'number',
        describe:
          "Silence (no message, no ping) after which the connection is taken for dead and reopened, ms (default 100000: keep it above 3 of the server's heartbeat intervals)",
      }),
  handler: async (argv) => {
    const token = argv.token ?? process.env.COINCIDE_TOKEN;
    if (token === undefined || token === '') fail('a token is required (--token or COINCIDE_TOKEN)');
    let filters: StreamFilters | undefined;
    let since = argv.since;
    try {
      if (argv.filters !== undefined) filters = parseStreamFilters(JSON.parse(argv.filters));
      if (argv.state !== undefined) since = readStateSeq(argv.state) ?? since;
    } catch (error) {
      fail(describeError(error));
    }
    if (since !== undefined && !(Number.isInteger(since) && since >= 0))
      fail('--since must be an integer >= 0');
    const maxBackoffMs = argv.maxBackoffMs;
    if (maxBackoffMs !== undefined && !(Number.isInteger(maxBackoffMs) && maxBackoffMs > 0))
      fail('--max-backoff-ms must be an integer > 0');
    const livenessTimeoutMs = argv.livenessTimeoutMs as number | undefined;
    if (livenessTimeoutMs !== undefined && !(Number.isInteger(livenessTimeoutMs) && livenessTimeoutMs > 0))
      fail('--liveness-timeout-ms must be an integer > 0');
    const state = argv.state;
    await new Promise<void>((resolve) => {
      const client = createStreamClient({
        url: argv.url,
        token,
        ...(since === undefined ? {} : { since }),
        ...(filters === undefined ? {} : { filters }),
        ...(maxBackoffMs === undefined ? {} : { maxBackoffMs, minBackoffMs: Math.min(250, maxBackoffMs) }),
        ...(livenessTimeoutMs === undefined ? {} : { livenessTimeoutMs }),
        onMessage: (message, raw) => {
          if (message.type !== 'heartbeat' || argv.heartbeats) process.stdout.write(`${raw}\n`);
          if (state !== undefined) writeStateSeq(state, message.seq);
        },
        onState: (s, detail) => {
          process.stderr.write(`${JSON.stringify({ msg: `stream ${s}`, ...detail })}\n`);
        },
        onFatal: (error) => {
          void client.close().then(() => {
            fail(describeError(error));
          });
        },
      });
      const stop = (): void => {
        void client.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.exit(EXIT_OK);
  },
};
