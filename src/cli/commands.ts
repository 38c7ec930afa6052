/**
 * The CLI command list. Each command lives in its own file in this folder and exports a
 * yargs CommandModule; add it here with one import line and one list entry.
 */
import type { CommandModule } from 'yargs';
import { alertsCommand } from './alerts.ts';
import { parseCommand } from './parse.ts';
import { listenCommand } from './listen.ts';
import { serveCommand } from './serve.ts';
import { tokensCommand } from './tokens.ts';
import { sendCommand } from './send.ts';
import { subscribeCommand } from './subscribe.ts';
import { validateCommand } from './validate.ts';
import { replayCommand } from './replay.ts';
import { demoCommand } from './demo.ts';
import { skymapCommand } from './skymap.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: Array<CommandModule<any, any>> = [
  alertsCommand,
  parseCommand,
  serveCommand,
  tokensCommand,
  listenCommand,
  sendCommand,
  subscribeCommand,
  validateCommand,
  replayCommand,
  demoCommand,
  skymapCommand,
];
