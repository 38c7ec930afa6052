/**
 * The time-slide report (JSON), `coincide replay --time-slides N --slide-step S --report FILE`.
 * Schema `coincide-time-slides/1`: every field below; rates carry their units in their names
 * or in the class's `rateUnit`. docs/time-slides.md describes the method and the formulas.
 */
import { loadavg } from 'node:os';
import { FORMULA_VERSION } from '../../join/score.ts';
import { SEC_PER_DAY } from './plan.ts';
import type { TimeSlideResult } from './run.ts';
import type { SkyScramble } from './scramble.ts';
import type { ClassStatistics, RealCoincidence, SlideStatistics } from './statistics.ts';

export const REPORT_SCHEMA = 'coincide-time-slides/1';

export interface TimeSlideReport {
  schema: typeof REPORT_SCHEMA;
  formulaVersion: string;
  inputs: { paths: string[]; notices: number; alerts: number; triggers: Record<string, number> };
  method: {
    slides: number;
    slideStepSec: number;
    ringStartMjd: number;
    ringPeriodSec: number;
    /** Offset of each stream at slide k: k · slideStepSec · index (optical: 0). */
    streamIndex: Record<string, number>;
    opticalCoverMjd: { from: number; to: number } | null;
    opticalHistoryDays: number;
    /** The sky scramble applied at each slide as well (scramble.ts), or null: time slides only. */
    skyScramble: SkyScramble | null;
  };
  throughput: {
    wallSec: number;
    /** Slid runs (k ≥ 1) per second of their own wall time. */
    slidesPerSec: number;
    /** Slid coincidences found per second (all classes, triples included). */
    pairsPerSec: number;
    /** Records (notices + alerts) through the engine per second. */
    recordsPerSec: number;
    /** The unslid run's wall time, s (the same-run baseline). */
    unslidRunSec: number;
    loadAverage: number[];
  };
  classes: ClassStatistics[];
  real: RealCoincidence[];
  slidTriples: number;
  /** One line per class: measured or not, and whether every row agrees. */
  summary: string[];
}

/** A short line per class, for stderr and the report. */
export function classSummary(c: ClassStatistics): string {
  if (!c.measurable) return `${c.key}: not measured: ${c.reason ?? 'no data'}`;
  const compared = c.thresholds.filter((r) => r.aboveSaturation !== true);
  const disagree = compared.filter((r) => !r.agrees && r.expected > 0);
  const unit = c.rateUnit === 'Hz' ? 'Hz' : '/trigger';
  const tiers = c.tiers
    .map((t) => `${t.tier} ${t.count} vs ${t.expected.toPrecision(3)} expected`)
    .join(', ');
  return (
    `${c.key}: ${c.coincidences} slid coincidences over ${c.cleanSlides} clean slides` +
    (c.kind === 'mm-optical'
      ? `, ${c.trials} trigger trials` +
        (c.skyCleanTrials ? ` (${c.skyCleanTrials} cleaned by the sky scramble)` : '')
      : c.kind === 'mm-mm-optical'
        ? `, ${c.trials} slid pair trials, ${(c.livetimeSec / SEC_PER_DAY).toFixed(1)} d live; expected given the slid pairs' FARs`
        : `, ${(c.livetimeSec / SEC_PER_DAY).toFixed(1)} d live`) +
    (tiers ? `; tiers (or better): ${tiers}` : '') +
    `; ${compared.length - disagree.length}/${compared.length} thresholds agree within 2σ` +
    (c.saturationHz === undefined
      ? ''
      : ` below the stream's saturation ${c.saturationHz.toPrecision(3)} Hz (${c.thresholds.length - compared.length} rows above it)`) +
    (c.overlap === undefined
      ? ''
      : `; E[I_Ω] = ${c.overlap.mean.toPrecision(3)} ± ${c.overlap.meanError.toPrecision(2)} over ${c.overlap.pairs} slid pairs (max ${c.overlap.max.toPrecision(3)})`) +
    (disagree.length > 0
      ? ` (not: ${disagree
          .map(
            (r) =>
              `${r.threshold.toPrecision(2)}: ${r.count} vs ${r.expected.toPrecision(3)}` +
              (r.expectedWithSaturation === undefined
                ? ''
                : `, ${r.expectedWithSaturation.toPrecision(3)} allowing for the saturation`) +
              (r.expectedIfPairsCalibrated === undefined
                ? ''
                : `, ${r.expectedIfPairsCalibrated.toPrecision(3)} if the pairs' FARs were calibrated`),
          )
          .join('; ')}) [${unit}]`
      : '')
  );
}

export function buildReport(
  paths: readonly string[],
  result: TimeSlideResult,
  stats: SlideStatistics,
  wallSec: number,
): TimeSlideReport {
  const triggers: Record<string, number> = {};
  for (const t of result.triggers.values()) triggers[t.triggerClass] = (triggers[t.triggerClass] ?? 0) + 1;
  const slid = result.runs.filter((r) => r.k > 0);
  const slidSec = slid.reduce((s, r) => s + r.wallMs, 0) / 1000;
  const slidPairs = slid.reduce((s, r) => s + r.entries.length, 0);
  const slidRecords = slid.reduce((s, r) => s + r.records, 0);
  return {
    schema: REPORT_SCHEMA,
    formulaVersion: FORMULA_VERSION,
    inputs: { paths: [...paths], notices: result.notices, alerts: result.alerts, triggers },
    method: {
      slides: result.plan.slides,
      slideStepSec: result.plan.slideStepSec,
      ringStartMjd: result.plan.ringStartMjd,
      ringPeriodSec: result.plan.ringPeriodSec,
      streamIndex: Object.fromEntries(result.plan.streamIndex),
      opticalCoverMjd: result.opticalCoverMjd ?? null,
      opticalHistoryDays: result.historyDays,
      skyScramble: result.skyScramble ?? null,
    },
    throughput: {
      wallSec,
      slidesPerSec: slidSec > 0 ? slid.length / slidSec : 0,
      pairsPerSec: slidSec > 0 ? slidPairs / slidSec : 0,
      recordsPerSec: slidSec > 0 ? slidRecords / slidSec : 0,
      unslidRunSec: (result.runs[0]?.wallMs ?? 0) / 1000,
      loadAverage: loadavg(),
    },
    classes: stats.classes,
    real: stats.real,
    slidTriples: stats.slidTriples,
    summary: stats.classes.map(classSummary),
  };
}
