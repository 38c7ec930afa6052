/**
 * `coincide replay <path>...` replays archives through the join engine and prints every
 * coincidence decision as one JSON line (stdout, or --out FILE).
 *
 * Inputs: VOEvent XML files, GCN / LVK JSON notices, optical Avro files, JSONL (from
 * `coincide alerts`), folders of them, and .tar / .tar.gz / .tar.bz2 archives. Records are merged
 * in event-time order; the output is byte-identical from run to run.
 *
 *   --speed N          pace the replay at N× real time (default: as fast as possible)
 *   --out FILE         write the JSON lines to FILE instead of stdout
 *   --lateness SEC     allowed lateness of optical alerts, seconds (default 3600)
 *   --credible-level   credible level searched in sky maps and circles (default 0.9)
 *   --progress         progress bar on stderr (default: when stderr is a terminal)
 *   --threads N        threads that read and decode optical alert files beside the main thread,
 *                      which decodes too (default: one per core besides its own, at least 1, at
 *                      most 3, for inputs of at least 256 files or 16 MiB; 0: none)
 *   --time-slides N    background by time slides (replay-slides.ts): N slid replays, a JSON report
 *                      (--out or stdout) instead of the JSON lines; needs --slide-step S (seconds)
 *   --plot FILE        with --time-slides: an SVG of empirical against analytic FAR
 *   --sky-scramble M   with --time-slides: also rotate circle/ellipse triggers on the sky at each
 *                      slide (ra: random RA, declination kept; isotropic), --scramble-seed N
 *
 * A document that is not a notice (e.g. the non-GCN streams in a 4PiSky dump) is skipped and
 * counted; any other unreadable document gives one line on stderr and exit code 2 at the end.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { CommandModule } from 'yargs';
import { describeError } from '../errors.ts';
import {
  closeEarlyDecodeThreads,
  startDecodeThread,
  startEarlyReplayJob,
  takeEarlyDecodeThread,
} from '../replay/early-threads.ts';
import type { ReplayProgress } from '../replay/replay.ts';
import type { SkyScrambleMode } from '../replay/slides/scramble.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface ReplayArgs {
  paths: string[];
  speed?: number;
  out?: string;
  lateness: number;
  credibleLevel: number;
  progress?: boolean;
  threads?: number;
  timeSlides?: number;
  slideStep?: number;
  plot?: string;
  /** 'ra' or 'isotropic' (checked). */
  skyScramble?: string;
  scrambleSeed?: number;
}

function writeTo(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/** A one-line progress bar: [#####-----] 52% 1234/2345 records, 12 coincidences. */
export function progressLine(p: ReplayProgress, width = 30): string {
  const fraction = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${p.done}/${p.total} records, ${p.coincidences} coincidences`;
}

const isSkyScrambleMode = (mode: string): mode is SkyScrambleMode => mode === 'ra' || mode === 'isotropic';

export async function runReplayCommand(argv: ReplayArgs): Promise<number> {
  if (!(argv.credibleLevel > 0 && argv.credibleLevel < 1))
    throw new Error('--credible-level must be in (0, 1)');
  if (!(argv.lateness >= 0)) throw new Error('--lateness must be ≥ 0');
  if (
    argv.threads !== undefined &&
    !(Number.isInteger(argv.threads) && argv.threads >= 0 && argv.threads <= 64)
  )
    throw new Error('--threads must be an integer 0…64');
  const scrambleMode = argv.skyScramble;
  if (scrambleMode !== undefined && !isSkyScrambleMode(scrambleMode))
    throw new Error(`--sky-scramble must be ra or isotropic (got ${scrambleMode})`);
  if (argv.scrambleSeed !== undefined && argv.skyScramble === undefined)
    throw new Error('--scramble-seed needs --sky-scramble ra|isotropic');
  if (argv.scrambleSeed !== undefined && !Number.isSafeInteger(argv.scrambleSeed))
    throw new Error(`--scramble-seed must be an integer (got ${argv.scrambleSeed})`);
  if (argv.timeSlides !== undefined) {
    // Loaded only for time slides: its module graph (plots, statistics) doubled a replay's start-up.
    const { runTimeSlidesCommand } = await import('./replay-slides.ts');
    return runTimeSlidesCommand({
      paths: argv.paths,
      slides: argv.timeSlides,
      slideStepSec: argv.slideStep,
      ...(argv.out === undefined ? {} : { out: argv.out }),
      ...(argv.plot === undefined ? {} : { plot: argv.plot }),
      ...(argv.threads === undefined ? {} : { threads: argv.threads }),
      ...(scrambleMode === undefined
        ? {}
        : { skyScramble: { mode: scrambleMode, seed: argv.scrambleSeed ?? 1 } }),
      engine: { allowedLatenessSec: argv.lateness, credibleLevel: argv.credibleLevel },
      progress: argv.progress ?? process.stderr.isTTY,
    });
  }
  if (argv.slideStep !== undefined || argv.plot !== undefined || argv.skyScramble !== undefined)
    throw new Error('--slide-step, --plot and --sky-scramble need --time-slides N');
  let file: WriteStream | undefined;
  if (argv.out !== undefined) file = createWriteStream(argv.out);
  const out: NodeJS.WritableStream = file ?? process.stdout;
  const showProgress = argv.progress ?? process.stderr.isTTY;
  let failures = 0;
  let skipped = 0;
  let pending = '';
  let lastDraw = -1;
  try {
    // With threads started early (the command's bundle): the inputs are listed and the threads'
    // job posted before the engine's modules load (imported here, not above: early-threads.ts).
    const started =
      argv.speed === undefined && argv.threads !== 0 ? startEarlyReplayJob(argv.paths) : undefined;
    const { runReplay } = await import('../replay/replay.ts');
    const summary = await runReplay({
      paths: argv.paths,
      ...(started ? { started } : {}),
      ...(argv.speed !== undefined ? { speed: argv.speed } : {}),
      ...(argv.threads !== undefined ? { threads: argv.threads } : {}),
      // Threads the command's bundle started before the modules loaded, when it did.
      decodePool: { startThread: (id) => takeEarlyDecodeThread(id) ?? startDecodeThread(id) },
      engine: { allowedLatenessSec: argv.lateness, credibleLevel: argv.credibleLevel },
      write: async (line) => {
        pending += line;
        if (pending.length > 65_536 || argv.speed !== undefined) {
          await writeTo(out, pending);
          pending = '';
        }
      },
      onFailure: (name, message) => {
        if (message.startsWith('NOTICE_UNSUPPORTED')) {
          skipped++;
          return;
        }
        failures++;
        process.stderr.write(`coincide replay: ${name}: ${message}\n`);
      },
      onWarning: (name, message) => process.stderr.write(`coincide replay: warning: ${name}: ${message}\n`),
      onOutOfOrder: (name) =>
        process.stderr.write(
          `coincide replay: note: ${name} starts before alerts already joined (files out of event-time order): the night is read and joined again, in order\n`,
        ),
      onProgress: (p) => {
        if (!showProgress) return;
        const percent = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 1000);
        if (percent === lastDraw && p.done !== p.total) return;
        lastDraw = percent;
        process.stderr.write(`\r${progressLine(p)}${p.done === p.total ? '\n' : ''}`);
      },
    });
    if (pending.length > 0) await writeTo(out, pending);
    process.stderr.write(
      `coincide replay: ${summary.documents} documents, ${summary.notices} notices, ${summary.alerts} alerts, ` +
        `${summary.coincidences} coincidences (${skipped} not notices, ${failures} unreadable)\n`,
    );
  } finally {
    await closeEarlyDecodeThreads();
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }
  return failures > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay <paths..>',
  describe: 'Replay notices and optical alerts (files, folders, tar archives) through the coincidence engine',
  builder: (yargs) =>
    yargs
      .positional('paths', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Files, folders or archives',
      })
      .option('speed', { type: 'number', describe: 'Replay at N× real time (default: as fast as possible)' })
      .option('out', { type: 'string', describe: 'Write the JSON lines to this file' })
      .option('lateness', {
        type: 'number',
        default: 3600,
        describe: 'Allowed lateness of optical alerts, s',
      })
      .option('credible-level', { type: 'number', default: 0.9, describe: 'Credible level searched' })
      .option('threads', {
        type: 'number',
        describe:
          'Threads that decode optical alert files beside the main thread (default: one per core besides its own, at most 3; 0: none)',
      })
      .option('time-slides', {
        type: 'number',
        describe:
          'Background by time slides: replay N times with triggers shifted by k·S (a JSON report, no outputs)',
      })
      .option('slide-step', {
        type: 'number',
        describe: 'Time-slide step S, s (larger than every window of the pair classes present)',
      })
      .option('plot', {
        type: 'string',
        describe: 'With --time-slides: write an SVG of empirical vs analytic FAR',
      })
      .option('sky-scramble', {
        // Checked by runReplayCommand (yargs `choices` reports a bad value on two lines).
        type: 'string',
        describe:
          'With --time-slides: also rotate circle/ellipse triggers on the sky at each slide (ra: random RA, declination kept; isotropic)',
      })
      .option('scramble-seed', { type: 'number', describe: 'Seed of the sky scramble (default 1)' })
      .option('progress', {
        type: 'boolean',
        describe: 'Progress bar on stderr (default: when a terminal)',
      }) as never,
  handler: async (argv) => {
    try {
      process.exitCode = await runReplayCommand(argv);
    } catch (error) {
      process.stderr.write(`coincide replay: ${describeError(error)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    }
  },
};
