/**
 * `coincide replay --time-slides N --slide-step S <paths...>`: the background by time slides
 * (src/replay/slides/). The archive is loaded once, replayed unslid and N times slid; nothing
 * is emitted (no JSON lines, no outputs, no database): the result is a JSON report (--out FILE or
 * stdout) and, with --plot FILE, an SVG of empirical against analytic FAR. A refused N or S (S
 * not larger than every window of the pair classes present) is one line on stderr and exit 2.
 */
import { writeFileSync } from 'node:fs';
import type { JoinEngineOptions } from '../join/engine.ts';
import { loadRecords } from '../replay/replay.ts';
import { SlidePlanError } from '../replay/slides/plan.ts';
import { timeSlidePlotSvg } from '../replay/slides/plot.ts';
import { buildReport } from '../replay/slides/report.ts';
import { runTimeSlides } from '../replay/slides/run.ts';
import type { SkyScramble } from '../replay/slides/scramble.ts';
import { slideStatistics } from '../replay/slides/statistics.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

export interface SlideCommandArgs {
  paths: string[];
  slides: number;
  slideStepSec: number | undefined;
  out?: string;
  plot?: string;
  engine: JoinEngineOptions;
  threads?: number;
  /** Sky scrambles as well as time slides (scramble.ts). */
  skyScramble?: SkyScramble;
  progress: boolean;
}

const line = (text: string): void => {
  process.stderr.write(`coincide replay: ${text}\n`);
};

export async function runTimeSlidesCommand(argv: SlideCommandArgs): Promise<number> {
  if (argv.slideStepSec === undefined) {
    line('--time-slides needs --slide-step S (seconds, larger than every window)');
    return EXIT_BAD_INPUT;
  }
  const started = performance.now();
  let failures = 0;
  const loaded = await loadRecords(argv.paths, {
    credibleLevel: argv.engine.credibleLevel ?? 0.9,
    ...(argv.threads === undefined ? {} : { threads: argv.threads }),
    onFailure: (name, message) => {
      if (message.startsWith('NOTICE_UNSUPPORTED')) return;
      failures++;
      line(`${name}: ${message}`);
    },
  });
  let result;
  try {
    result = runTimeSlides({
      records: loaded.records,
      slides: argv.slides,
      slideStepSec: argv.slideStepSec,
      engine: argv.engine,
      ...(argv.skyScramble ? { skyScramble: argv.skyScramble } : {}),
      onRun: (run) => {
        if (argv.progress)
          process.stderr.write(`\rslide ${run.k}/${argv.slides}: ${run.entries.length} coincidences`);
      },
    });
  } catch (error) {
    if (error instanceof SlidePlanError) {
      line(error.message);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
  if (argv.progress) process.stderr.write('\n');
  const stats = slideStatistics(result, argv.engine.scores);
  const report = buildReport(argv.paths, result, stats, (performance.now() - started) / 1000);
  const json = JSON.stringify(report, null, 2) + '\n';
  if (argv.out !== undefined) writeFileSync(argv.out, json);
  else process.stdout.write(json);
  if (argv.plot !== undefined) {
    const caption =
      `${argv.slides} slides of ${argv.slideStepSec} s over ${argv.paths.join(', ')}; ring ` +
      `${(report.method.ringPeriodSec / 86_400).toFixed(2)} d; 1σ Poisson error bars`;
    writeFileSync(argv.plot, timeSlidePlotSvg(stats.classes, caption));
  }
  for (const s of report.summary) line(s);
  line(
    `${argv.slides} slides in ${report.throughput.wallSec.toFixed(1)} s: ` +
      `${report.throughput.slidesPerSec.toFixed(2)} slides/s, ${report.throughput.pairsPerSec.toFixed(0)} pairs/s`,
  );
  return failures > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}
