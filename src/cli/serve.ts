/**
 * `coincide serve`: the whole service in one process (see src/app.ts). Every option of
 * config/options.ts is a flag; the file (--config), the environment (COINCIDE_*) and the
 * embedded defaults fill in the rest. One JSON log line per listener gives the chosen port:
 *   {"msg":"listening","service":"http","port":8080,…}
 * SIGTERM/SIGINT: stop intake, flush, close, exit 0.
 */
import type { CommandModule } from 'yargs';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { OPTION_SPECS } from '../config/options.ts';
import { describeError } from '../errors.ts';
import { createJsonLogger } from '../logger.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

const LIST_KINDS = new Set(['host-port-list', 'string-list']);

export const serveCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'serve',
  describe: 'Run the service: VTP receiver and broadcaster, HTTP API, WebSocket stream, outputs',
  builder: (yargs) => {
    let y = yargs.option('config', {
      type: 'string',
      describe: 'JSON configuration file (also COINCIDE_CONFIG)',
    });
    for (const spec of OPTION_SPECS) {
      if (spec.flag === undefined) continue;
      y = y.option(spec.flag, {
        type: spec.kind === 'boolean' ? 'boolean' : 'string',
        array: LIST_KINDS.has(spec.kind),
        describe: `${spec.description} [env ${spec.env}; default ${JSON.stringify(spec.default)}]`,
      });
    }
    return y;
  },
  handler: async (argv) => {
    let config;
    try {
      config = loadConfig({ flags: argv, env: process.env });
    } catch (error) {
      process.stderr.write(`coincide serve: ${describeError(error)}\n`);
      process.exit(EXIT_BAD_INPUT);
    }
    const logger = createJsonLogger({ level: config.log.level });
    const app = createApp(config, { logger });
    // Signal handlers first: a SIGTERM during start-up waits for start to finish, then stops.
    const signalled = new Promise<void>((resolve) => {
      const onSignal = (signal: string): void => {
        logger.info('shutting down', { signal });
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    try {
      await app.start();
    } catch (error) {
      process.stderr.write(`coincide serve: ${describeError(error)}\n`);
      await app.stop();
      process.exit(EXIT_BAD_INPUT);
    }
    await signalled;
    await app.stop();
    process.exit(EXIT_OK);
  },
};
