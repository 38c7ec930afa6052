/**
 * The plan of a time-slide background run (`coincide replay --time-slides N --slide-step S`).
 *
 * Method (docs/time-slides.md):
 *   - The optical stream is the reference and never moves (offset 0): its own history is what the
 *     engine measures the optical background ρ̇ from, and a 30-day neutrino × optical window on a
 *     month of alerts cannot be made circular (the window would cover the whole ring, so every
 *     real counterpart would stay in every slide).
 *   - Each messenger stream of triggers (gw, gamma, xray, neutrino, …; index j = 1, 2, … in
 *     STREAM_ORDER) gets its own offset, so that messenger × messenger pairs are slid against
 *     each other too:
 *         o_{j,k} = k · S · j                                            [s],  k = 1 … N
 *   - Trigger times wrap on a ring [t_a, t_a + P): t' = t_a + mod(t − t_a + o, P), with t_a the
 *     earliest trigger time and P = (latest − earliest trigger time) + the longest messenger ×
 *     messenger window extent [s]. Every notice of one trigger (revisions, retraction) moves by
 *     the same Δ = t' − t, which is d or d − P with d = mod(o, P).
 *   - A (pair class, slide) is clean when no real pair can survive the displacement: for
 *     messenger × messenger classes of streams i, j with window extent E (max |edge|, s),
 *         E < mod(o_j − o_i, P) < P − E;
 *     for messenger × optical classes (extent E including the "new" tolerance), E < d < P − E.
 *     Coincidences of unclean (class, slide) pairs are left out of the statistics and counted.
 *     A class with P ≤ 2E is never clean: it cannot be measured from this archive.
 * S must be larger than every window of the pair classes present (validated: slideStepProblem).
 */
import type { Messenger } from '../../notices/notice.ts';
import { DEFAULT_CRITERIA } from '../../join/criteria.ts';
import {
  DEFAULT_WINDOWS,
  orientPair,
  opticalWindow,
  type TimeWindow,
  type TriggerClass,
  type WindowTable,
} from '../../join/windows.ts';

export const SEC_PER_DAY = 86_400;

/** The order of messenger streams; a stream's index j (1-based among those present) scales its offset. */
export const STREAM_ORDER: readonly Messenger[] = [
  'gw',
  'gamma',
  'xray',
  'neutrino',
  'radio',
  'optical',
  'other',
];

/**
 * A pair class: "gw-cbc×grb" (messenger pair, trigger first as the engine orients it),
 * "grb×optical", or a triple class "gw-cbc×grb×optical" (the optical candidates of the messenger
 * pairs of that class, triples.ts; slid like its messenger pair, and counted only where the
 * optical side — the trigger with the optical window the triple uses — is clean too).
 */
export interface PairClass {
  key: string;
  kind: 'mm-mm' | 'mm-optical' | 'mm-mm-optical';
  /** Triple classes: the side whose optical window the triples use (the trigger's, else the counterpart's). */
  opticalSide?: 'trigger' | 'counterpart';
  triggerClass: TriggerClass;
  /** The counterpart's class, or 'optical'. */
  counterpartClass: TriggerClass | 'optical';
  window: TimeWindow;
  /** max(|start|, |end|) of the window, with the optical "new" tolerance on the start, s. */
  extentSec: number;
  /** Streams (messengers) of the trigger and, for mm-mm, of the counterpart. */
  triggerStream: Messenger;
  counterpartStream?: Messenger;
}

export interface SlidePlanInput {
  /** Each trigger present: its class, messenger and (first notice's) trigger time, MJD. */
  triggers: ReadonlyArray<{ triggerClass: TriggerClass; messenger: Messenger; triggerTimeMjd: number }>;
  hasOptical: boolean;
  slides: number;
  slideStepSec: number;
  windows?: WindowTable;
  newToleranceSec?: number;
}

export interface SlidePlan {
  slides: number;
  slideStepSec: number;
  /** Ring start t_a, MJD, and period P, s. */
  ringStartMjd: number;
  ringPeriodSec: number;
  /** Stream index j of each messenger present. */
  streamIndex: ReadonlyMap<Messenger, number>;
  classes: readonly PairClass[];
}

function extentOf(window: TimeWindow, startToleranceSec = 0): number {
  return Math.max(Math.abs(window.startSec - startToleranceSec), Math.abs(window.endSec));
}

/** The pair classes that the triggers present can form (with optical when alerts are present). */
export function pairClasses(
  triggers: SlidePlanInput['triggers'],
  hasOptical: boolean,
  windows: WindowTable = DEFAULT_WINDOWS,
  newToleranceSec: number = DEFAULT_CRITERIA.newToleranceSec,
): PairClass[] {
  const streamOf = new Map<TriggerClass, Messenger>();
  for (const t of triggers) if (!streamOf.has(t.triggerClass)) streamOf.set(t.triggerClass, t.messenger);
  const present = [...streamOf.keys()].sort();
  const out: PairClass[] = [];
  const seen = new Set<string>();
  for (const a of present) {
    for (const b of present) {
      const orientation = orientPair(windows, a, b);
      if (!orientation || orientation.swapped) continue;
      const key = `${a}×${b}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pair: PairClass = {
        key,
        kind: 'mm-mm',
        triggerClass: a,
        counterpartClass: b,
        window: orientation.window,
        extentSec: extentOf(orientation.window),
        triggerStream: streamOf.get(a) as Messenger,
        counterpartStream: streamOf.get(b),
      };
      out.push(pair);
      const opticalSide = opticalWindow(windows, a)
        ? 'trigger'
        : opticalWindow(windows, b)
          ? 'counterpart'
          : undefined;
      if (hasOptical && opticalSide)
        out.push({ ...pair, key: `${key}×optical`, kind: 'mm-mm-optical', opticalSide });
    }
    const optical = hasOptical ? opticalWindow(windows, a) : undefined;
    if (optical) {
      out.push({
        key: `${a}×optical`,
        kind: 'mm-optical',
        triggerClass: a,
        counterpartClass: 'optical',
        window: optical,
        extentSec: extentOf(optical, newToleranceSec),
        triggerStream: streamOf.get(a) as Messenger,
      });
    }
  }
  return out;
}

/** Why S is refused (one line), or undefined: S must exceed every window of the classes present. */
export function slideStepProblem(
  slideStepSec: number,
  slides: number,
  classes: readonly PairClass[],
): string | undefined {
  if (!Number.isInteger(slides) || slides < 1)
    return `--time-slides must be a positive integer (got ${slides})`;
  if (!Number.isFinite(slideStepSec) || slideStepSec <= 0)
    return `--slide-step must be a positive number of seconds (got ${slideStepSec})`;
  const widest = [...classes].sort((a, b) => b.extentSec - a.extentSec)[0];
  if (widest && !(slideStepSec > widest.extentSec))
    return `--slide-step ${slideStepSec} s must be larger than every window: ${widest.key} reaches ${widest.extentSec} s`;
  return undefined;
}

export function createSlidePlan(input: SlidePlanInput): SlidePlan {
  const windows = input.windows ?? DEFAULT_WINDOWS;
  const classes = pairClasses(input.triggers, input.hasOptical, windows, input.newToleranceSec);
  const problem = slideStepProblem(input.slideStepSec, input.slides, classes);
  if (problem) throw new SlidePlanError(problem);
  const times = input.triggers.map((t) => t.triggerTimeMjd);
  const ringStartMjd = times.length > 0 ? Math.min(...times) : 0;
  const spanSec = times.length > 0 ? (Math.max(...times) - ringStartMjd) * SEC_PER_DAY : 0;
  const mmExtent = Math.max(0, ...classes.filter((c) => c.kind === 'mm-mm').map((c) => c.extentSec));
  const present = new Set(input.triggers.map((t) => t.messenger));
  const streamIndex = new Map<Messenger, number>();
  for (const m of STREAM_ORDER) if (present.has(m)) streamIndex.set(m, streamIndex.size + 1);
  return {
    slides: input.slides,
    slideStepSec: input.slideStepSec,
    ringStartMjd,
    // At least 1 s, so that a single trigger still has a ring.
    ringPeriodSec: Math.max(1, toMicroseconds(spanSec + mmExtent)),
    streamIndex,
    classes,
  };
}

/** A refused plan (bad N or S): the CLI prints its message as one line and exits 2. */
export class SlidePlanError extends Error {}

/**
 * Seconds rounded to the microsecond: an MJD double near 60 000 resolves ~0.6 µs, so differences
 * of MJDs carry that noise; rounded, a trigger exactly one period away wraps exactly.
 */
function toMicroseconds(sec: number): number {
  return Math.round(sec * 1e6) / 1e6;
}

/** mod(x, P) in [0, P). */
function modulo(x: number, p: number): number {
  const r = x % p;
  return r < 0 ? r + p : r;
}

/** The offset o_{j,k} = k · S · j of a stream at slide k (0 for the optical stream and k = 0), s. */
export function streamOffsetSec(plan: SlidePlan, stream: Messenger, k: number): number {
  return k * plan.slideStepSec * (plan.streamIndex.get(stream) ?? 0);
}

/** The displacement Δ = t' − t of a trigger at `triggerTimeMjd` at slide k, days. */
export function displacementDays(
  plan: SlidePlan,
  stream: Messenger,
  k: number,
  triggerTimeMjd: number,
): number {
  if (k === 0) return 0;
  const xSec = toMicroseconds((triggerTimeMjd - plan.ringStartMjd) * SEC_PER_DAY);
  return (modulo(xSec + streamOffsetSec(plan, stream, k), plan.ringPeriodSec) - xSec) / SEC_PER_DAY;
}

/** d = mod(o_trigger − o_counterpart, P): the class's relative displacement at slide k, s. */
export function relativeOffsetSec(plan: SlidePlan, pairClass: PairClass, k: number): number {
  const oT = streamOffsetSec(plan, pairClass.triggerStream, k);
  const oC = pairClass.counterpartStream ? streamOffsetSec(plan, pairClass.counterpartStream, k) : 0;
  return modulo(oT - oC, plan.ringPeriodSec);
}

/** True when no real pair of the class can survive slide k (see the header). */
export function isClean(plan: SlidePlan, pairClass: PairClass, k: number): boolean {
  if (k === 0) return false;
  const d = relativeOffsetSec(plan, pairClass, k);
  return d > pairClass.extentSec && plan.ringPeriodSec - d > pairClass.extentSec;
}

/**
 * Reuse: the largest number of the given slides in which one trigger's window covers the same
 * instant of its counterpart stream, i.e. the most relative displacements d_k (circular, period P)
 * inside any interval as long as the window (end − start). 1 when every slide pairs a trigger with
 * fresh data (N · S ≤ P for one stream pair); above 1, slides reuse the same unrelated counterparts,
 * so their counts are correlated and the Poisson errors too small by up to √reuse.
 */
export function reuseFactor(plan: SlidePlan, pairClass: PairClass, slides: readonly number[]): number {
  const span = pairClass.window.endSec - pairClass.window.startSec;
  const p = plan.ringPeriodSec;
  const d = slides.map((k) => relativeOffsetSec(plan, pairClass, k)).sort((a, b) => a - b);
  const n = d.length;
  if (n === 0) return 0;
  // Two pointers over the doubled circle.
  const at = (i: number): number => (i < n ? (d[i] as number) : (d[i - n] as number) + p);
  let best = 1;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (j < i) j = i;
    while (j + 1 < i + n && at(j + 1) - at(i) <= span) j++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}
