/**
 * The coincidence engine: records in, decisions out. Pure (no I/O, no timers, no wall clock):
 * everything runs on event time (trigger time, detection time), and the watermark is
 *
 *   watermark = min(latest event time seen, eventTimeHold()) − allowedLateness.
 *
 * The hold (default none) is what inputs still catching up a backlog will deliver: for a
 * partitioned Kafka stream, the least progress over its partitions that are behind
 * (src/optical/partition-event-time.ts), so that one partition (or a notice) ahead in event time
 * does not make the alerts of a lagging partition late.
 * Optical alerts older than the watermark are late and dropped (counted). A notice leaves the
 * spatial index when its optical window closes (t0 + window end < watermark); its record is kept
 * while any pair it can be part of may still be revised (the longest window end of any class).
 *
 * Both directions:
 *   - onOpticalAlert: the alert (after the quality cuts) is matched against the active regions,
 *     then buffered;
 *   - onNotice: a new notice, or a revision with a new region, is matched against the buffered
 *     alerts and against the other active notices (messenger × messenger). Pairs that fall out
 *     are emitted as `withdrawn`; a retraction withdraws every pair of that trigger.
 * Triples (triples.ts): every messenger pair found is handed to the triple tracker, which scores
 * the optical objects of the pair's combined localisation, from the buffer (optical first) and
 * from new alerts (optical last); a triple is linked to both triggers of its pair, so it is
 * re-evaluated with either one's notices and withdrawn with either one's retraction.
 * A role=test notice only ever pairs with role=test notices and only produces role=test records.
 */
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';
import type { ActiveRegion } from './active-region.ts';
import {
  BackgroundRate,
  type BackgroundRateOptions,
  DEFAULT_BACKGROUND_RATE_OPTIONS,
  type MeasuredRate,
  RATE_ORDER,
} from './background-rate.ts';
import {
  buildMessengerCoincidence,
  coincidenceId,
  opticalPairBuilder,
  type OpticalPairBuild,
  summariseAlert,
  withdraw,
} from './build-coincidence.ts';
import type { Coincidence, OpticalSummary } from './coincidence.ts';
import { checkAlertQuality, type CounterpartCriteria, DEFAULT_CRITERIA, isNewInWindow } from './criteria.ts';
import { NoticeIndex } from './notice-index.ts';
import { ang2pixNest } from '../sky/healpix.ts';
import {
  BUFFER_ORDER,
  isEarlierAlert,
  MemoryOpticalBuffer,
  objectKey,
  type OpticalBuffer,
} from './optical-buffer.ts';
import { defaultRegionResolver, type RegionResolver } from './region-resolver.ts';
import { sortById } from './sort-by-id.ts';
import { overlapIntegral } from './score.ts';
import { DEFAULT_SCORE_SETTINGS, type ScoreSettings } from './searches.ts';
import { TripleTracker } from './triples.ts';
import { CoincideError } from '../errors.ts';
import {
  checkWindowTable,
  classifyNotice,
  DEFAULT_WINDOWS,
  latestWindowEndSec,
  longestWindowSpanSec,
  opticalWindow,
  orientPair,
  type TimeWindow,
  TRIGGER_CLASSES,
  type TriggerClass,
  type WindowTable,
} from './windows.ts';

const SEC_PER_DAY = 86_400;

export type JoinOutput = Coincidence;

export interface JoinEngineOptions {
  windows?: WindowTable;
  criteria?: CounterpartCriteria;
  background?: BackgroundRateOptions;
  /** Credible level at which regions are searched (default 0.9). */
  credibleLevel?: number;
  /** How late (event time) an optical alert may arrive and still be joined, seconds (default 3600). */
  allowedLatenessSec?: number;
  /** Rates, trials factors and tier thresholds of messenger-pair searches (default DEFAULT_SCORE_SETTINGS). */
  scores?: ScoreSettings;
  /** Turns a notice into a region; sky maps need one that has the map (default: circles only). */
  regionResolver?: RegionResolver;
  buffer?: OpticalBuffer;
  logger?: Logger;
  /**
   * The furthest event time the watermark may follow, MJD, asked at every event (default +∞):
   * inputs still catching up a backlog hold it at what they have delivered.
   */
  eventTimeHold?: () => number;
}

export interface NoticeInputOptions {
  /** A region already resolved by the caller (e.g. a downloaded sky map); overrides the resolver. */
  region?: ActiveRegion;
  /** Event time of the notice for the watermark (its publication time), MJD; default the trigger time. */
  eventTimeMjd?: number;
  /**
   * Called when the notice is refused because every window of its class had already closed
   * when it arrived (the caller logs and counts it; a warm start passes none).
   */
  onWindowsClosed?: (detail: WindowsClosedDetail) => void;
}

/** Why a new notice joined nothing: its windows closed (event time) before it arrived. */
export interface WindowsClosedDetail {
  triggerClass: TriggerClass;
  /** Trigger time + the latest window end of its class, MJD. */
  windowsClosedMjd: number;
  /** The engine's watermark when it arrived (latest event time − allowed lateness), MJD. */
  watermarkMjd: number;
}

export interface OpticalInputOptions {
  /**
   * An alert re-read from its topic to rebuild a partition's buffer (cluster mode,
   * src/cluster/partition-ownership.ts): old by construction, so never dropped as late; it is
   * buffered and joined forwards like any alert (pairs this engine already emitted are not repeated).
   */
  rebuild?: boolean;
}

export interface JoinEngineStats {
  notices: number;
  alerts: number;
  lateAlerts: number;
  rejectedAlerts: number;
  staleNotices: number;
  activeTriggers: number;
  indexedRegions: number;
  bufferedObjects: number;
  watermarkMjd: number;
}

export interface JoinEngine {
  onNotice(notice: Notice, options?: NoticeInputOptions): JoinOutput[];
  onOpticalAlert(alert: OpticalAlert, options?: OpticalInputOptions): JoinOutput[];
  /** Moves the watermark to at least `watermarkMjd` (a heartbeat, end of a replay); closes windows; never emits. */
  advanceWatermark(eventTimeMjd: number): JoinOutput[];
  readonly watermarkMjd: number;
  stats(): JoinEngineStats;
}

interface TriggerState {
  notice: Notice;
  triggerClass: TriggerClass;
  region: ActiveRegion | undefined;
  optical: TimeWindow | undefined;
  /** Event time after which the region leaves the spatial index, MJD. */
  indexUntilMjd: number;
  /** Event time after which the trigger is forgotten, MJD. */
  keepUntilMjd: number;
  rate: MeasuredRate | undefined;
  /** Builds this trigger's optical pairs; made with its first pair (when the rate is measured). */
  buildPair: OpticalPairBuild | undefined;
  retracted: boolean;
}

export function createJoinEngine(options: JoinEngineOptions = {}): JoinEngine {
  const windows = options.windows ?? DEFAULT_WINDOWS;
  const problems = checkWindowTable(windows);
  if (problems.length > 0) throw new CoincideError('CONFIG_INVALID', `join windows: ${problems.join('; ')}`);
  const criteria = options.criteria ?? DEFAULT_CRITERIA;
  const credibleLevel = options.credibleLevel ?? 0.9;
  const latenessDays = (options.allowedLatenessSec ?? 3600) / SEC_PER_DAY;
  const scores = options.scores ?? DEFAULT_SCORE_SETTINGS;
  /** I_Ω by the pair of region hashes: a notice's pairs are re-evaluated with each of its revisions. */
  const overlaps = new Map<string, number>();
  const overlapOf = (a: ActiveRegion, b: ActiveRegion): number => {
    const key = `${a.hash}|${b.hash}`;
    let value = overlaps.get(key);
    if (value === undefined) {
      if (overlaps.size >= 4096) overlaps.clear();
      value = overlapIntegral(a, b);
      overlaps.set(key, value);
    }
    return value;
  };
  const resolveRegion = options.regionResolver ?? defaultRegionResolver;
  const buffer: OpticalBuffer = options.buffer ?? new MemoryOpticalBuffer();
  const logger = options.logger ?? silentLogger;
  const background = new BackgroundRate(options.background ?? DEFAULT_BACKGROUND_RATE_OPTIONS);
  const retentionDays = (longestWindowSpanSec(windows) + criteria.newToleranceSec) / SEC_PER_DAY;
  const keepDays = Math.max(...TRIGGER_CLASSES.map((c) => latestWindowEndSec(windows, c))) / SEC_PER_DAY;
  const bgOptions = options.background ?? DEFAULT_BACKGROUND_RATE_OPTIONS;

  const triggers = new Map<string, TriggerState>();
  /** The same states grouped by class, so a notice scans only the classes it pairs with. */
  const triggersByClass = new Map<TriggerClass, Map<string, TriggerState>>();
  const putTrigger = (state: TriggerState): void => {
    const id = state.notice.triggerId;
    const previous = triggers.get(id);
    if (previous) triggersByClass.get(previous.triggerClass)?.delete(id);
    triggers.set(id, state);
    let group = triggersByClass.get(state.triggerClass);
    if (!group) triggersByClass.set(state.triggerClass, (group = new Map<string, TriggerState>()));
    group.set(id, state);
  };
  const dropTrigger = (id: string): void => {
    const previous = triggers.get(id);
    if (previous) triggersByClass.get(previous.triggerClass)?.delete(id);
    triggers.delete(id);
  };
  const index = new NoticeIndex<TriggerState>();
  const triples = new TripleTracker({
    buffer,
    criteria,
    settings: scores,
    credibleLevel,
    rateFor: (region, triggerMjd) => background.rateFor(region.coverCells(RATE_ORDER), triggerMjd),
  });
  /** Emitted, not withdrawn, coincidences by id, and the ids of each trigger. */
  const live = new Map<string, Coincidence>();
  const pairsOf = new Map<string, Set<string>>();
  const eventTimeHold = options.eventTimeHold;
  /**
   * The event-time clock, MJD: the watermark, the latest event time seen and the watermark of the
   * last maintenance. Fields of one object, not `let`s: Node 20's V8 boxes a double assigned to a
   * closure variable in a new heap number at every assignment, and these change at every alert
   * (a field of an object keeps its double in place).
   */
  const clock = {
    watermark: Number.NEGATIVE_INFINITY,
    latestEventMjd: Number.NEGATIVE_INFINITY,
    lastMaintenance: Number.NEGATIVE_INFINITY,
  };
  const stats = { notices: 0, alerts: 0, lateAlerts: 0, rejectedAlerts: 0, staleNotices: 0 };

  /** The range of first-detection times that any indexed trigger's optical window accepts, MJD. */
  let boundsDirty = true;
  let bounds = { from: Number.POSITIVE_INFINITY, to: Number.NEGATIVE_INFINITY };
  const firstDetectionBounds = (): { from: number; to: number } => {
    if (!boundsDirty) return bounds;
    bounds = { from: Number.POSITIVE_INFINITY, to: Number.NEGATIVE_INFINITY };
    for (const state of index.values()) {
      if (!state.optical) continue;
      const t0 = state.notice.triggerTimeMjd;
      bounds.from = Math.min(
        bounds.from,
        t0 + (state.optical.startSec - criteria.newToleranceSec) / SEC_PER_DAY,
      );
      bounds.to = Math.max(bounds.to, t0 + state.optical.endSec / SEC_PER_DAY);
    }
    boundsDirty = false;
    return bounds;
  };

  /** The triggers a record belongs to: its trigger, a messenger counterpart, a triple's partners. */
  const constituents = (c: Coincidence): string[] => {
    const ids = [c.trigger.triggerId];
    if (c.pairType === 'mm-mm') ids.push((c.counterpart as { triggerId: string }).triggerId);
    for (const p of c.partners ?? []) ids.push(p.triggerId);
    return ids;
  };
  const linkPair = (c: Coincidence): void => {
    for (const t of constituents(c)) {
      let set = pairsOf.get(t);
      if (!set) pairsOf.set(t, (set = new Set()));
      set.add(c.id);
    }
  };
  const unlinkPair = (c: Coincidence): void => {
    for (const t of constituents(c)) pairsOf.get(t)?.delete(c.id);
  };
  const isLive = (id: string): boolean => live.has(id);
  /** The live triples of a messenger pair (found through the pair's trigger). */
  const triplesOfPair = (triggerId: string, pairId: string): Coincidence[] => {
    const out: Coincidence[] = [];
    for (const id of pairsOf.get(triggerId) ?? []) {
      const c = live.get(id);
      if (c?.pairType === 'mm-mm-optical' && c.pairIds?.[0] === pairId) out.push(c);
    }
    return out;
  };

  const advance = (eventMjd: number): void => {
    if (eventMjd > clock.latestEventMjd) clock.latestEventMjd = eventMjd;
    const next =
      (eventTimeHold ? Math.min(clock.latestEventMjd, eventTimeHold()) : clock.latestEventMjd) - latenessDays;
    if (!(next > clock.watermark)) return;
    clock.watermark = next;
    if (clock.watermark - clock.lastMaintenance < 1 / 24) return;
    clock.lastMaintenance = clock.watermark;
    for (const [id, state] of triggers) {
      if (state.indexUntilMjd < clock.watermark && index.remove(id)) boundsDirty = true;
      if (state.keepUntilMjd < clock.watermark) {
        dropTrigger(id);
        for (const pid of pairsOf.get(id) ?? []) {
          const c = live.get(pid);
          if (c) unlinkPair(c);
          live.delete(pid);
        }
        pairsOf.delete(id);
      }
    }
    buffer.evictBefore(clock.watermark - retentionDays);
    triples.prune(clock.watermark, isLive);
    background.pruneBefore(
      Math.floor(clock.watermark - keepDays - bgOptions.historyNights - bgOptions.guardNights - 2),
    );
  };

  const rateOf = (state: TriggerState): MeasuredRate => {
    if (!state.region) throw new Error('rateOf needs a region');
    state.rate ??= background.rateFor(state.region.coverCells(RATE_ORDER), state.notice.triggerTimeMjd);
    return state.rate;
  };

  const pairBuilderOf = (state: TriggerState, region: ActiveRegion, window: TimeWindow): OpticalPairBuild =>
    (state.buildPair ??= opticalPairBuilder({
      notice: state.notice,
      region,
      window,
      rate: rateOf(state),
      tiers: scores.opticalPChance,
    }));

  const compatibleRoles = (a: Notice, b: Notice): boolean => (a.role === 'test') === (b.role === 'test');

  /** Every pair of `state` as it stands now, by id. */
  const evaluate = (state: TriggerState): Map<string, Coincidence> => {
    const found = new Map<string, Coincidence>();
    const { notice, region, optical } = state;
    if (region && optical && state.indexUntilMjd >= clock.watermark) {
      const t0 = notice.triggerTimeMjd;
      const from = t0 + (optical.startSec - criteria.newToleranceSec) / SEC_PER_DAY;
      const to = t0 + optical.endSec / SEC_PER_DAY;
      // No alert of the window buffered (e.g. a warm start before any optical input): no cover built.
      const matched = (
        buffer.mayHoldBetween?.(from, to) === false
          ? []
          : buffer.query(region.coverCells(BUFFER_ORDER), from, to)
      ).filter(
        (alert) =>
          region.contains(alert.raDeg, alert.decDeg) &&
          isNewInWindow(alert.firstDetectionMjd, t0, optical, criteria),
      );
      if (matched.length > 0) {
        const build = pairBuilderOf(state, region, optical);
        // A buffer that returns fresh summaries (the SQLite one) saves a copy per pair.
        const owned = buffer.returnsSummaries === true;
        for (const alert of buffer.withDetails?.(matched) ?? matched) {
          const c = build(alert, undefined, owned ? alert : undefined);
          found.set(c.id, c);
        }
      }
    }
    // Only classes that pair with this one are scanned (no window, no pair); found ids are keyed, so order does not matter.
    for (const [otherClass, group] of triggersByClass) {
      const orientation = orientPair(windows, state.triggerClass, otherClass);
      if (!orientation) continue;
      for (const other of group.values()) {
        if (other === state || other.retracted || other.notice.triggerId === notice.triggerId) continue;
        if (!compatibleRoles(notice, other.notice)) continue;
        const [t, c] = orientation.swapped ? [other, state] : [state, other];
        const dtSec = (c.notice.triggerTimeMjd - t.notice.triggerTimeMjd) * SEC_PER_DAY;
        if (dtSec < orientation.window.startSec || dtSec > orientation.window.endSec) continue;
        const record = buildMessengerCoincidence({
          trigger: t.notice,
          triggerClass: t.triggerClass,
          triggerRegion: t.region,
          counterpart: c.notice,
          counterpartClass: c.triggerClass,
          counterpartRegion: c.region,
          window: orientation.window,
          settings: scores,
          overlapOf,
        });
        if (!record) continue;
        found.set(record.id, record);
        const previous = triplesOfPair(t.notice.triggerId, record.id);
        for (const triple of triples.evaluatePair(record, t, c, clock.watermark, previous))
          found.set(triple.id, triple);
      }
    }
    return found;
  };

  const withdrawAll = (triggerId: string, cause: Notice): Coincidence[] => {
    const out: Coincidence[] = [];
    for (const pid of [...(pairsOf.get(triggerId) ?? [])]) {
      const c = live.get(pid);
      if (!c) continue;
      live.delete(pid);
      unlinkPair(c);
      out.push(withdraw(c, cause));
    }
    return sortById(out);
  };

  const onNotice = (notice: Notice, input: NoticeInputOptions = {}): Coincidence[] => {
    if (notice.role === 'utility' || notice.role === 'prediction') return [];
    stats.notices++;
    advance(input.eventTimeMjd ?? notice.triggerTimeMjd);
    const existing = triggers.get(notice.triggerId);
    if (notice.alertType === 'retraction') {
      if (!existing) return [];
      existing.retracted = true;
      existing.notice = notice;
      existing.buildPair = undefined;
      index.remove(notice.triggerId);
      boundsDirty = true;
      logger.info('trigger retracted', { triggerId: notice.triggerId, ivorn: notice.ivorn });
      return withdrawAll(notice.triggerId, notice);
    }
    if (existing) {
      const older = (existing.notice.revision ?? -1) > (notice.revision ?? -1);
      // The same notice again is stale, unless it brings a new region (its sky map, loaded after
      // it joined on its own region: the app's bounded wait, app/skymap-waits.ts).
      const sameNotice =
        existing.notice.ivorn === notice.ivorn &&
        (input.region === undefined || existing.region?.hash === input.region.hash);
      if (existing.retracted || older || sameNotice) {
        stats.staleNotices++;
        return [];
      }
    }
    const triggerClass = classifyNotice(notice);
    const optical = opticalWindow(windows, triggerClass);
    const t0 = notice.triggerTimeMjd;
    const keepUntilMjd = t0 + Math.max(keepDays, latestWindowEndSec(windows, triggerClass) / SEC_PER_DAY);
    const windowsClosedMjd = t0 + latestWindowEndSec(windows, triggerClass) / SEC_PER_DAY;
    if (!existing && windowsClosedMjd < clock.watermark) {
      stats.staleNotices++;
      logger.debug('notice after its windows closed', { triggerId: notice.triggerId });
      input.onWindowsClosed?.({ triggerClass, windowsClosedMjd, watermarkMjd: clock.watermark });
      return [];
    }
    const region = input.region ?? resolveRegion(notice, credibleLevel);
    const state: TriggerState = {
      notice,
      triggerClass,
      region,
      optical,
      indexUntilMjd: t0 + (optical?.endSec ?? 0) / SEC_PER_DAY,
      keepUntilMjd,
      rate: existing && existing.region?.hash === region?.hash ? existing.rate : undefined,
      buildPair: undefined,
      retracted: false,
    };
    putTrigger(state);
    if (region && optical && state.indexUntilMjd >= clock.watermark)
      index.upsert(notice.triggerId, region, state);
    else index.remove(notice.triggerId);
    boundsDirty = true;

    const found = evaluate(state);
    const out: Coincidence[] = [];
    const opticalClosed = state.indexUntilMjd < clock.watermark;
    for (const pid of [...(pairsOf.get(notice.triggerId) ?? [])]) {
      if (found.has(pid)) continue;
      const c = live.get(pid);
      if (!c) continue;
      // After the optical window has closed the buffer may no longer hold its alerts: keep those pairs.
      if (opticalClosed && c.pairType === 'mm-optical') continue;
      live.delete(pid);
      unlinkPair(c);
      out.push(withdraw(c, notice));
    }
    for (const c of found.values()) {
      const previous = live.get(c.id);
      if (previous && JSON.stringify(previous) === JSON.stringify(c)) continue;
      live.set(c.id, c);
      linkPair(c);
      out.push(c);
    }
    return sortById(out);
  };

  /** Δ orders between the buffer's cells and the background's, as a NESTED index shift (2 bits per order). */
  const rateShift = 2 * (BUFFER_ORDER - RATE_ORDER);
  /**
   * The forward join, per optical alert: the hot path of a live night (bench/join.ts). An alert
   * that pairs with nothing allocates only its (empty) result: no options object, no output
   * list to fill and sort. The alert's cell is computed once for the background, the buffer and
   * the index.
   *
   * What it costs with 10 regions (session 8: this path and copies of it without parts, in one
   * process, alternated, CPU time, load 5–7): 228 ns per alert against 196 ns for bench/join.ts's
   * bare naive loop; 206 without the buffer insert, 190 without the background count too, 112
   * without the cell too (its HEALPix arithmetic is ~60 ns in a tight loop, the rest reading the
   * position). The cell, the count and the buffer are what the backward join and the pair
   * scores need, and the naive loop does none of them.
   */
  const onOpticalAlert = (alert: OpticalAlert, input?: OpticalInputOptions): Coincidence[] => {
    stats.alerts++;
    if (alert.timeMjd < clock.watermark && input?.rebuild !== true) {
      stats.lateAlerts++;
      return [];
    }
    advance(alert.timeMjd);
    const passes = checkAlertQuality(alert, criteria) === undefined;
    // One position → cell for the background, the buffer and the index (same order, or coarser:
    // a NESTED cell's parent Δ orders up is its index shifted right by 2Δ bits).
    const cell = ang2pixNest(BUFFER_ORDER, alert.raDeg, alert.decDeg);
    background.observe(alert, passes, cell >>> rateShift);
    if (!passes) {
      stats.rejectedAlerts++;
      return [];
    }
    const firstMjd = alert.firstDetectionMjd;
    if (firstMjd >= clock.watermark - retentionDays) buffer.add(alert, cell);
    let out: Coincidence[] | undefined;
    // Most alerts come from objects first detected long before any active window: skip the index.
    const bounds = firstDetectionBounds();
    if (firstMjd >= bounds.from && firstMjd <= bounds.to) {
      // One summary of the alert, shared by its records (one per trigger it falls in).
      let summary: OpticalSummary | undefined;
      for (const state of index.query(alert.raDeg, alert.decDeg, cell)) {
        if (state.retracted || !state.optical || !state.region) continue;
        if (!isNewInWindow(firstMjd, state.notice.triggerTimeMjd, state.optical, criteria)) continue;
        const id = coincidenceId(state.notice.triggerId, objectKey(alert));
        const previous = live.get(id);
        if (previous && !isEarlierAlert(alert, previous.counterpart as { timeMjd: number; alertId: string }))
          continue;
        const c = pairBuilderOf(state, state.region, state.optical)(
          alert,
          id,
          (summary ??= summariseAlert(alert)),
        );
        live.set(c.id, c);
        linkPair(c);
        (out ??= []).push(c);
      }
    }
    if (triples.size > 0) {
      for (const c of triples.onAlert(alert, isLive, (id) => live.get(id))) {
        live.set(c.id, c);
        linkPair(c);
        (out ??= []).push(c);
      }
    }
    if (out === undefined) return [];
    return out.length > 1 ? sortById(out) : out;
  };

  return {
    onNotice,
    onOpticalAlert,
    advanceWatermark(watermarkMjd: number) {
      advance(watermarkMjd + latenessDays);
      return [];
    },
    get watermarkMjd() {
      return clock.watermark;
    },
    stats() {
      return {
        ...stats,
        activeTriggers: triggers.size,
        indexedRegions: index.size,
        bufferedObjects: buffer.size,
        watermarkMjd: clock.watermark,
      };
    },
  };
}
