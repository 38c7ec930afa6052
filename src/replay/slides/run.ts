/**
 * Runs a time-slide background: the archive's records through a fresh join engine once unslid
 * (k = 0, the real coincidences) and once per slide k = 1 … N with every trigger moved by its
 * stream's displacement (plan.ts). Pure: the engine writes nowhere (no sinks, no database, no
 * outputs); each run's final coincidences (emitted and not withdrawn) are reduced to what the
 * statistics need (statistics.ts).
 */
import { DEFAULT_BACKGROUND_RATE_OPTIONS } from '../../join/background-rate.ts';
import type { Coincidence } from '../../join/coincidence.ts';
import { createJoinEngine, type JoinEngineOptions } from '../../join/engine.ts';
import { defaultRegionResolver } from '../../join/region-resolver.ts';
import { classifyNotice, DEFAULT_WINDOWS, opticalWindow, type TriggerClass } from '../../join/windows.ts';
import type { Messenger, Notice } from '../../notices/notice.ts';
import { mjdToIso, unixMsToIso } from '../../time/mjd.ts';
import type { ReplayRecord } from '../decode-input.ts';
import { feedRecord, sortRecords } from '../replay.ts';
import type { RegionCap } from '../../archive/region-cap.ts';
import { createSlidePlan, displacementDays, SEC_PER_DAY, type SlidePlan } from './plan.ts';
import {
  isScramblable,
  isSkyCleanCaps,
  regionBoundingCap,
  rotateNotice,
  scrambleRotation,
  type Rotation,
  type SkyScramble,
} from './scramble.ts';

type NoticeRecord = Extract<ReplayRecord, { kind: 'notice' }>;
type AlertRecord = Extract<ReplayRecord, { kind: 'alert' }>;

/** One trigger of the archive, as the slides see it. */
export interface SlideTrigger {
  triggerId: string;
  triggerClass: TriggerClass;
  messenger: Messenger;
  /** The first notice's trigger time, MJD: the trigger's place on the ring. */
  triggerTimeMjd: number;
  /** Has a region the engine can search (optical pairs need one). */
  hasRegion: boolean;
  /** Its last notice is a retraction (it pairs with nothing). */
  retracted: boolean;
  /** The largest FAR any of its notices gave, Hz. */
  maxFarHz?: number;
}

/** One final coincidence of a run, reduced. */
export interface SlidEntry {
  classKey: string;
  pairType: Coincidence['pairType'];
  triggerId: string;
  /** The optical object (survey:objectId) or the counterpart trigger's id. */
  counterpartId: string;
  /** Triples: the messenger pair's counterpart trigger. */
  partnerId?: string;
  farHz?: number;
  pChance: number;
  tier: Coincidence['tier'];
  /** Counterpart time minus trigger time, s. */
  dtSeconds: number;
  /** Messenger pairs with both positions: the sky overlap integral I_Ω. */
  overlap?: number;
}

export interface SlideRun {
  k: number;
  entries: SlidEntry[];
  /** Shifted trigger times of this run, MJD, by trigger id. */
  triggerTimesMjd: ReadonlyMap<string, number>;
  records: number;
  wallMs: number;
  /** Whether the optical stream went through this run (false without alerts: no optical trial counts). */
  optical: boolean;
  /** With a sky scramble: the triggers whose rotated regions are sky-clean (scramble.ts). */
  skyClean?: ReadonlySet<string>;
}

export interface TimeSlideOptions {
  records: readonly ReplayRecord[];
  slides: number;
  slideStepSec: number;
  engine?: JoinEngineOptions;
  /** Rotate the circle and ellipse triggers on the sky at every slide too (scramble.ts). */
  skyScramble?: SkyScramble;
  /** Called after each run (k = 0 is the unslid one). */
  onRun?: (run: SlideRun, real: readonly Coincidence[] | undefined) => void;
}

export interface TimeSlideResult {
  plan: SlidePlan;
  triggers: ReadonlyMap<string, SlideTrigger>;
  /** The unslid run's final coincidences, in id order. */
  real: Coincidence[];
  runs: SlideRun[];
  /** The sky scramble applied at each slide, if any. */
  skyScramble?: SkyScramble;
  /** Times covered by the optical stream, MJD (undefined without alerts). */
  opticalCoverMjd?: { from: number; to: number };
  /** Nights of optical history the background rate needs before a trigger's night (guard + history). */
  historyDays: number;
  notices: number;
  alerts: number;
}

/** The optical object (survey:objectId) or the counterpart trigger's id of a record. */
export function counterpartIdOf(c: Coincidence): string {
  const k = c.counterpart as { triggerId?: string; survey?: string; objectId?: string };
  return k.triggerId ?? `${k.survey ?? ''}:${k.objectId ?? ''}`;
}

/** The pair class key of a record, from its triggers' classes. */
function classKeyOf(c: Coincidence, classOf: (id: string) => TriggerClass | undefined): string {
  const t = classOf(c.trigger.triggerId) ?? 'other';
  if (c.pairType === 'mm-optical') return `${t}×optical`;
  if (c.pairType === 'mm-mm') {
    const other = classOf((c.counterpart as { triggerId: string }).triggerId) ?? 'other';
    return `${t}×${other}`;
  }
  const partner = c.partners?.[0]?.triggerId;
  return `${t}×${(partner === undefined ? undefined : classOf(partner)) ?? 'other'}×optical`;
}

function shiftIso(iso: string | undefined, days: number): string | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? unixMsToIso(ms + days * 86_400_000) : iso;
}

/** A notice record moved by Δ days (trigger, publication and event times alike). */
function shiftNotice(record: NoticeRecord, days: number): NoticeRecord {
  if (days === 0) return record;
  const triggerTimeMjd = record.notice.triggerTimeMjd + days;
  const notice: Notice = { ...record.notice, triggerTimeMjd, triggerTime: mjdToIso(triggerTimeMjd) };
  const issued = shiftIso(record.notice.issuedTime, days);
  if (issued !== undefined) notice.issuedTime = issued;
  return { ...record, notice, eventTimeMjd: record.eventTimeMjd + days };
}

/** Merges two record lists each already in sortRecords order (notices first at equal times). */
function mergeSorted(notices: readonly ReplayRecord[], alerts: readonly ReplayRecord[]): ReplayRecord[] {
  const out = new Array<ReplayRecord>(notices.length + alerts.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < notices.length && j < alerts.length) {
    const a = notices[i] as ReplayRecord;
    const b = alerts[j] as ReplayRecord;
    if (a.eventTimeMjd <= b.eventTimeMjd) {
      out[n++] = a;
      i++;
    } else {
      out[n++] = b;
      j++;
    }
  }
  while (i < notices.length) out[n++] = notices[i++] as ReplayRecord;
  while (j < alerts.length) out[n++] = alerts[j++] as ReplayRecord;
  return out;
}

/** The archive's triggers (first notice of each, in event-time order). */
export function collectTriggers(
  notices: readonly NoticeRecord[],
  credibleLevel: number,
): Map<string, SlideTrigger> {
  const triggers = new Map<string, SlideTrigger>();
  for (const r of notices) {
    const n = r.notice;
    if (n.role === 'utility' || n.role === 'prediction') continue;
    const previous = triggers.get(n.triggerId);
    const hasRegion = r.region !== undefined || defaultRegionResolver(n, credibleLevel) !== undefined;
    if (previous) {
      previous.retracted = n.alertType === 'retraction';
      previous.hasRegion ||= hasRegion;
      if (n.farHz !== undefined) previous.maxFarHz = Math.max(previous.maxFarHz ?? 0, n.farHz);
      continue;
    }
    triggers.set(n.triggerId, {
      triggerId: n.triggerId,
      triggerClass: classifyNotice(n),
      messenger: n.messenger,
      triggerTimeMjd: n.triggerTimeMjd,
      hasRegion,
      retracted: n.alertType === 'retraction',
      ...(n.farHz === undefined ? {} : { maxFarHz: n.farHz }),
    });
  }
  return triggers;
}

/** Runs the unslid replay and N slides (see the header); throws SlidePlanError for a refused N or S. */
export function runTimeSlides(options: TimeSlideOptions): TimeSlideResult {
  const credibleLevel = options.engine?.credibleLevel ?? 0.9;
  const sorted = sortRecords([...options.records]);
  // Regions are resolved once (they do not depend on time) and handed to every run's engine.
  const notices = sorted
    .filter((r): r is NoticeRecord => r.kind === 'notice')
    .map((r) => {
      if (r.region) return r;
      const region = defaultRegionResolver(r.notice, credibleLevel);
      return region ? { ...r, region } : r;
    });
  const alerts = sorted.filter((r): r is AlertRecord => r.kind === 'alert');
  const triggers = collectTriggers(notices, credibleLevel);
  const plan = createSlidePlan({
    triggers: [...triggers.values()],
    hasOptical: alerts.length > 0,
    slides: options.slides,
    slideStepSec: options.slideStepSec,
    ...(options.engine?.windows ? { windows: options.engine.windows } : {}),
    ...(options.engine?.criteria ? { newToleranceSec: options.engine.criteria.newToleranceSec } : {}),
  });
  const classOf = (id: string): TriggerClass | undefined => triggers.get(id)?.triggerClass;
  const scramble = options.skyScramble;
  const caps = scramble ? scrambleCaps(notices) : new Map<string, RegionCap[]>();
  const runs: SlideRun[] = [];
  let real: Coincidence[] = [];
  const replayOnce = (records: readonly ReplayRecord[]): Map<string, Coincidence> => {
    const engine = createJoinEngine(options.engine);
    const final = new Map<string, Coincidence>();
    for (const record of records) {
      for (const c of feedRecord(engine, record)) {
        if (c.status === 'withdrawn') final.delete(c.id);
        else final.set(c.id, c);
      }
    }
    return final;
  };
  for (let k = 0; k <= options.slides; k++) {
    const started = performance.now();
    const shift = new Map<string, number>();
    for (const t of triggers.values())
      shift.set(t.triggerId, displacementDays(plan, t.messenger, k, t.triggerTimeMjd));
    const rotations = new Map<string, Rotation>();
    const skyClean = new Set<string>();
    if (scramble && k > 0)
      for (const [triggerId, triggerCaps] of caps) {
        const rotation = scrambleRotation(scramble, triggerId, k);
        rotations.set(triggerId, rotation);
        if (isSkyCleanCaps(triggerCaps, rotation)) skyClean.add(triggerId);
      }
    const moved = sortRecords(
      notices.map((r) => {
        const rotation = rotations.get(r.notice.triggerId);
        return shiftNotice(
          rotation ? rotateRecord(r, rotation, credibleLevel) : r,
          shift.get(r.notice.triggerId) ?? 0,
        );
      }),
    );
    const optical = alerts.length > 0;
    const final = replayOnce(optical ? mergeSorted(moved, alerts) : moved);
    const records = moved.length + alerts.length;
    const entries: SlidEntry[] = [];
    for (const c of final.values()) {
      entries.push({
        classKey: classKeyOf(c, classOf),
        pairType: c.pairType,
        triggerId: c.trigger.triggerId,
        counterpartId: counterpartIdOf(c),
        ...(c.partners?.[0] ? { partnerId: c.partners[0].triggerId } : {}),
        ...(c.farHz === undefined ? {} : { farHz: c.farHz }),
        pChance: c.pChance,
        tier: c.tier,
        dtSeconds: c.dtSeconds,
        ...(c.provenance.rates.overlapIntegral === undefined
          ? {}
          : { overlap: c.provenance.rates.overlapIntegral }),
      });
    }
    const triggerTimesMjd = new Map<string, number>();
    for (const t of triggers.values())
      triggerTimesMjd.set(t.triggerId, t.triggerTimeMjd + (shift.get(t.triggerId) ?? 0));
    if (k === 0) real = [...final.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const run: SlideRun = {
      k,
      entries,
      triggerTimesMjd,
      records,
      wallMs: performance.now() - started,
      optical,
      ...(scramble && k > 0 ? { skyClean } : {}),
    };
    runs.push(run);
    options.onRun?.(run, k === 0 ? real : undefined);
  }
  const background = options.engine?.background ?? DEFAULT_BACKGROUND_RATE_OPTIONS;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const a of alerts) {
    from = Math.min(from, a.alert.timeMjd);
    to = Math.max(to, a.alert.timeMjd);
  }
  return {
    plan,
    triggers,
    real,
    runs,
    ...(scramble ? { skyScramble: scramble } : {}),
    ...(alerts.length > 0 ? { opticalCoverMjd: { from, to } } : {}),
    historyDays: background.guardNights + background.historyNights,
    notices: notices.length,
    alerts: alerts.length,
  };
}

/**
 * The bounding caps of every distinct region of each scramblable trigger (circle or ellipse
 * notices with a region), by trigger id: a trial is sky-clean when no rotated cap meets any
 * original one (a trigger's revisions may move its region).
 */
function scrambleCaps(notices: readonly NoticeRecord[]): Map<string, RegionCap[]> {
  const out = new Map<string, RegionCap[]>();
  const seen = new Set<string>();
  for (const r of notices) {
    if (!r.region || !isScramblable(r.notice.region)) continue;
    const key = `${r.notice.triggerId}|${r.region.hash}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const cap = regionBoundingCap(r.region);
    if (!cap) continue;
    const list = out.get(r.notice.triggerId) ?? [];
    list.push(cap);
    out.set(r.notice.triggerId, list);
  }
  return out;
}

/** A notice record with its region rotated and resolved again (sky maps are left as they are). */
function rotateRecord(record: NoticeRecord, rotation: Rotation, credibleLevel: number): NoticeRecord {
  if (!isScramblable(record.notice.region)) return record;
  const notice = rotateNotice(record.notice, rotation);
  const region = defaultRegionResolver(notice, credibleLevel);
  const moved: NoticeRecord = { ...record, notice };
  if (region) moved.region = region;
  else delete moved.region;
  return moved;
}

/**
 * True when a trigger's slid optical trial is complete: the optical stream covers its background
 * history (historyDays before t') and its whole window (t' + window end).
 */
export function opticalTrialComplete(
  result: Pick<TimeSlideResult, 'opticalCoverMjd' | 'historyDays'>,
  triggerClass: TriggerClass,
  shiftedTimeMjd: number,
  windows = DEFAULT_WINDOWS,
): boolean {
  const window = opticalWindow(windows, triggerClass);
  const cover = result.opticalCoverMjd;
  if (!window || !cover) return false;
  // The first history night must start inside the stream (a partly observed night is not complete).
  return (
    Math.floor(shiftedTimeMjd) - result.historyDays >= cover.from &&
    shiftedTimeMjd + window.endSec / SEC_PER_DAY <= cover.to
  );
}
