/**
 * The CLI command list. Each command lives in its own file in this folder and exports a
 * yargs CommandModule; add it here with its name and one loader line.
 *
 * Loaders are lazy: a command's module pulls in its whole subsystem (serve loads the app,
 * the validator, Kafka...), so main.ts loads only the command named on the command line; top-level
 * help and unknown names are answered from bin/cli-top-level.js's COMMANDS, without any module.
 */
import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandModule<any, any>;

export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<AnyCommand>>> = {
  alerts: async () => (await import('./alerts.ts')).alertsCommand,
  parse: async () => (await import('./parse.ts')).parseCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  tokens: async () => (await import('./tokens.ts')).tokensCommand,
  listen: async () => (await import('./listen.ts')).listenCommand,
  send: async () => (await import('./send.ts')).sendCommand,
  subscribe: async () => (await import('./subscribe.ts')).subscribeCommand,
  validate: async () => (await import('./validate.ts')).validateCommand,
  replay: async () => (await import('./replay.ts')).replayCommand,
  demo: async () => (await import('./demo.ts')).demoCommand,
  skymap: async () => (await import('./skymap.ts')).skymapCommand,
  search: async () => (await import('./search.ts')).searchCommand,
  archive: async () => (await import('./archive.ts')).archiveCommand,
  webhooks: async () => (await import('./webhooks.ts')).webhooksCommand,
  explain: async () => (await import('./explain.ts')).explainCommand,
};
