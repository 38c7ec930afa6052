/**
 * `coincide send <file>... --to host:port`: submits each VOEvent file as an author (one connection
 * per event, as comet-sendvo), sequentially, bytes exactly as on disk.
 *
 * Exit codes: 0 when every event is acked; 1 when at least one is nak'd (the reason is printed);
 * 2 on bad input (unreadable or non-VOEvent file, bad --to) or a network error / no receipt.
 * One line per event on stdout ("FILE: ack IVORN") or stderr ("coincide send: FILE: ..."); no stack traces.
 */
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { CoincideError, describeError } from '../errors.ts';
import { guardXml } from '../voevent/secure-xml.ts';
import { parseRemote } from '../vtp/backoff.ts';
import { VOEVENT_ROLES } from '../vtp/payload.ts';
import { DEFAULT_RECEIVE_PORT } from '../vtp/receiver.ts';
import { sendEvent, SENDER_TIMEOUT_MS } from '../vtp/sender.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED } from './exit-codes.ts';

interface SendArgs {
  files: string[];
  to: string;
  timeoutMs: number;
}

/**
 * The checks of `coincide parse` before anything is sent (secure-xml.ts: DTDs, depth, well-formedness
 * with line and column): a VOEvent root element with an ivorn and a VOEvent role.
 */
function checkVoEventFile(bytes: Buffer): void {
  const { root } = guardXml(bytes);
  if (root.localName !== 'VOEvent') {
    const what = root.localName === 'Transport' ? 'a VTP Transport message' : `<${root.name}>`;
    throw new CoincideError('VOEVENT_NOT_VOEVENT', `the root element is ${what}, not a VOEvent`);
  }
  if ((root.attributes.ivorn ?? '') === '') {
    throw new CoincideError('VOEVENT_MISSING_FIELD', 'the VOEvent has no ivorn attribute');
  }
  const role = root.attributes.role ?? '';
  if (!(VOEVENT_ROLES as readonly string[]).includes(role)) {
    throw new CoincideError(
      'VOEVENT_BAD_VALUE',
      `role must be ${VOEVENT_ROLES.join(', ')}, not ${role === '' ? 'missing' : `"${role}"`}`,
    );
  }
}

export async function runSend(
  args: SendArgs,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { host, port } = parseRemote(args.to, DEFAULT_RECEIVE_PORT);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    err(`coincide send: --to ${args.to}: expected host:port`);
    return EXIT_BAD_INPUT;
  }
  let exitCode = EXIT_OK;
  const worsen = (code: number): void => {
    exitCode = Math.max(exitCode, code);
  };
  for (const file of args.files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
      checkVoEventFile(bytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      err(`coincide send: ${file}: ${code === 'ENOENT' ? 'no such file' : describeError(error)}`);
      worsen(EXIT_BAD_INPUT);
      continue;
    }
    try {
      const receipt = await sendEvent({ host, port, bytes, timeoutMs: args.timeoutMs });
      if (receipt.role === 'ack') {
        out(`${file}: ack ${receipt.message.origin}`);
      } else {
        err(`coincide send: ${file}: nak: ${receipt.result ?? '(no reason given)'}`);
        worsen(EXIT_REFUSED);
      }
    } catch (error) {
      err(`coincide send: ${file}: ${describeError(error)}`);
      worsen(EXIT_BAD_INPUT);
    }
  }
  return exitCode;
}

export const sendCommand: CommandModule<object, SendArgs> = {
  command: 'send <files..>',
  describe:
    'submit VOEvent files to a VTP receiver (exit 0 all acked, 1 a nak, 2 bad input or network error)',
  builder: (yargs) =>
    yargs
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'VOEvent XML files' })
      .option('to', {
        type: 'string',
        demandOption: true,
        describe: 'receiver host:port (port 8098 by default)',
      })
      .option('timeout-ms', {
        type: 'number',
        default: SENDER_TIMEOUT_MS,
        describe: 'wait this long for each receipt',
      }) as never,
  handler: async (args) => {
    process.exitCode = await runSend(
      args,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    );
  },
};
