/**
 * Coincidence time windows per (trigger class, counterpart class).
 *
 * Sign convention (everywhere in coincide): dt = t_counterpart − t_trigger, in seconds.
 * For messenger × messenger pairs the trigger is the class named first in the window key
 * (GW before GRB and neutrino, as RAVEN: Δt = t_ext − t_GW, statistics.md §1.7).
 * For messenger × optical pairs the counterpart time is the optical object's FIRST detection.
 *
 * Defaults (statistics.md §1.7 and §7):
 *   gw-cbc   × grb       [−1, +5] s        RAVEN GRB–CBC (gwcelery GRB_CBC [−5, 1], sign flipped)
 *   gw-burst × grb       [−60, +600] s     RAVEN GRB–Burst (GRB_Burst [−600, 60])
 *   gw-cbc   × grb-sub   [−1, +5] s        RAVEN SubGRB (Fermi GBM SubThresh), the GRB_CBC window
 *   gw-burst × grb-sub   [−60, +600] s     RAVEN SubGRB, the GRB_Burst window
 *   gw-cbc   × grb-targeted-fermi [−1, +11] s   RAVEN SubGRBTargeted Fermi (GRB_CBC_SubFermi [−11, 1])
 *   gw-cbc   × grb-targeted-swift [−10, +20] s  RAVEN SubGRBTargeted Swift (GRB_CBC_SubSwift [−20, 10])
 *   gw-*     × neutrino  [−500, +500] s    IceCube–LVK (HEN: IceCube, KM3NeT)
 *   gw-*     × snews     [−10, +10] s      RAVEN SNEWS
 *   grb      × optical   [0, +3] d         first detection after t0
 *   xray     × optical   [0, +3] d         (Einstein Probe, MAXI: treated like GRBs)
 *   gw-*     × optical   [0, +14] d
 *   neutrino × optical   [−1, +30] d
 */
import type { Notice } from '../notices/notice.ts';

export type TriggerClass =
  | 'gw-cbc'
  | 'gw-burst'
  | 'grb'
  | 'grb-sub'
  | 'grb-targeted-fermi'
  | 'grb-targeted-swift'
  | 'xray'
  | 'neutrino'
  | 'snews'
  | 'other';

/** Every trigger class, for validation and iteration. */
export const TRIGGER_CLASSES: readonly TriggerClass[] = [
  'gw-cbc',
  'gw-burst',
  'grb',
  'grb-sub',
  'grb-targeted-fermi',
  'grb-targeted-swift',
  'xray',
  'neutrino',
  'snews',
  'other',
];
export type CounterpartClass = TriggerClass | 'optical';

export interface TimeWindow {
  /** Window start, seconds, relative to the trigger time (dt = counterpart − trigger). */
  startSec: number;
  /** Window end, seconds, relative to the trigger time. */
  endSec: number;
}

/** Windows keyed "<trigger class>×<counterpart class>". */
export type WindowTable = Readonly<Record<string, TimeWindow>>;

const DAY_SEC = 86_400;

export const DEFAULT_WINDOWS: WindowTable = Object.freeze({
  'gw-cbc×grb': { startSec: -1, endSec: 5 },
  'gw-burst×grb': { startSec: -60, endSec: 600 },
  'gw-cbc×grb-sub': { startSec: -1, endSec: 5 },
  'gw-burst×grb-sub': { startSec: -60, endSec: 600 },
  'gw-cbc×grb-targeted-fermi': { startSec: -1, endSec: 11 },
  'gw-cbc×grb-targeted-swift': { startSec: -10, endSec: 20 },
  'gw-cbc×snews': { startSec: -10, endSec: 10 },
  'gw-burst×snews': { startSec: -10, endSec: 10 },
  'gw-cbc×neutrino': { startSec: -500, endSec: 500 },
  'gw-burst×neutrino': { startSec: -500, endSec: 500 },
  'grb×optical': { startSec: 0, endSec: 3 * DAY_SEC },
  'xray×optical': { startSec: 0, endSec: 3 * DAY_SEC },
  'gw-cbc×optical': { startSec: 0, endSec: 14 * DAY_SEC },
  'gw-burst×optical': { startSec: 0, endSec: 14 * DAY_SEC },
  'neutrino×optical': { startSec: -1 * DAY_SEC, endSec: 30 * DAY_SEC },
});

export function windowKey(trigger: TriggerClass, counterpart: CounterpartClass): string {
  return `${trigger}×${counterpart}`;
}

/**
 * The class of a notice: LVK Burst-group alerts are bursts, every other GW alert a compact
 * binary. Gamma-ray notices of sub-threshold searches are RAVEN's SubGRB (Fermi GBM SubThresh,
 * untargeted) and SubGRBTargeted (Fermi GBM targeted search; Swift BAT GUANO and BAT
 * SubSubThresh); SNEWS notices are supernova neutrino bursts, not HEN neutrinos.
 */
export function classifyNotice(notice: Notice): TriggerClass {
  switch (notice.messenger) {
    case 'gw': {
      const group = notice.params.Group ?? notice.params.group ?? notice.params.Search;
      const text = typeof group === 'string' ? group.toLowerCase() : '';
      return text.includes('burst') ? 'gw-burst' : 'gw-cbc';
    }
    case 'gamma': {
      const type = `${notice.noticeType} ${notice.instrument}`.toUpperCase();
      if (notice.observatory === 'Fermi' && type.includes('TARGETED')) return 'grb-targeted-fermi';
      if (notice.observatory === 'Swift' && /GUANO|SUB_?SUB_?THRESH/.test(type)) return 'grb-targeted-swift';
      if (notice.observatory === 'Fermi' && /SUB_?THRESH/.test(type)) return 'grb-sub';
      return 'grb';
    }
    case 'xray':
      return 'xray';
    case 'neutrino':
      return /SNEWS/i.test(`${notice.observatory} ${notice.noticeType}`) ? 'snews' : 'neutrino';
    default:
      return 'other';
  }
}

/** How a messenger × messenger pair is oriented: which notice plays the trigger, and its window. */
export interface PairOrientation {
  window: TimeWindow;
  /** True when the second argument of `orientPair` is the trigger. */
  swapped: boolean;
}

/** The window of two notice classes in either orientation, or undefined when the pair is not joined. */
export function orientPair(
  table: WindowTable,
  a: TriggerClass,
  b: TriggerClass,
): PairOrientation | undefined {
  const direct = table[windowKey(a, b)];
  if (direct) return { window: direct, swapped: false };
  const reverse = table[windowKey(b, a)];
  if (reverse) return { window: reverse, swapped: true };
  return undefined;
}

/** The optical window of a trigger class, or undefined when optical counterparts are not searched. */
export function opticalWindow(table: WindowTable, trigger: TriggerClass): TimeWindow | undefined {
  return table[windowKey(trigger, 'optical')];
}

/** The longest span (end − start) of any window, seconds: bounds the optical buffer's retention. */
export function longestWindowSpanSec(table: WindowTable): number {
  return Math.max(0, ...Object.values(table).map((w) => w.endSec - w.startSec));
}

/** The latest end of any window where `trigger` is the trigger or the counterpart, seconds after t0. */
export function latestWindowEndSec(table: WindowTable, trigger: TriggerClass): number {
  let end = 0;
  for (const [key, w] of Object.entries(table)) {
    const [t, c] = key.split('×');
    if (t === trigger) end = Math.max(end, w.endSec);
    // As a counterpart at dt ∈ [start, end] the notice's own time is t_trigger + dt, so the
    // other trigger may come up to −start seconds after it.
    if (c === trigger) end = Math.max(end, -w.startSec);
  }
  return end;
}

/** Validates a window table: finite edges, start ≤ end, known classes. */
export function checkWindowTable(table: WindowTable): string[] {
  const problems: string[] = [];
  const classes = new Set<string>([...TRIGGER_CLASSES, 'optical']);
  for (const [key, w] of Object.entries(table)) {
    const [t, c] = key.split('×');
    if (!t || !c || !classes.has(t) || !classes.has(c) || t === 'optical')
      problems.push(`unknown window key ${key}`);
    if (!Number.isFinite(w.startSec) || !Number.isFinite(w.endSec) || w.startSec > w.endSec) {
      problems.push(`window ${key} must have finite startSec <= endSec`);
    }
  }
  return problems;
}
