/**
 * Triples: the optical candidates of a messenger pair (GW+GRB+optical, GW+ν+optical), scored
 * under the pair's combined localisation (product-map.ts) and the pair's joint FAR
 * (triple-score.ts has the derivation).
 *
 * The engine hands every messenger pair it finds (re-evaluated with each notice of either
 * trigger) to `evaluatePair`, which (re)builds the pair's combined region, indexes it, and
 * returns the triples of the optical objects buffered in it; `onAlert` matches a new optical
 * alert against the indexed combined regions. So a triple forms whatever the order of arrival:
 * optical first (the buffer), optical last (the index) or in between. A triple is a record of
 * its own (pairType mm-mm-optical) whose `partners` name the pair's counterpart and whose
 * `pairIds` link the pair records it was built from: the messenger pair, and the optical pair of
 * each trigger whose own region and window hold the object. The engine links it to both
 * triggers, so a retraction of either withdraws it; a pair that disappears or no longer
 * qualifies (FAR above F_max) withdraws its triples at the next evaluation.
 */
import type { Notice } from '../notices/notice.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';
import type { ActiveRegion } from './active-region.ts';
import type { MeasuredRate } from './background-rate.ts';
import { coincidenceId, opticalPairBuilder, sha256Hex, summariseNotice } from './build-coincidence.ts';
import type { Coincidence, OpticalSummary } from './coincidence.ts';
import { type CounterpartCriteria, isNewInWindow } from './criteria.ts';
import { NoticeIndex } from './notice-index.ts';
import {
  BUFFER_ORDER,
  type BufferedAlert,
  isEarlierAlert,
  objectKey,
  type OpticalBuffer,
} from './optical-buffer.ts';
import { productSkyMap } from './product-map.ts';
import type { ScoreSettings } from './searches.ts';
import { createSkyMapRegion } from './skymap-region.ts';
import { TRIPLE_FORMULA_VERSION, tripleFarHz, tripleTier } from './triple-score.ts';
import type { TimeWindow } from './windows.ts';

const SEC_PER_DAY = 86_400;

/** What the tracker reads of a trigger (the engine's TriggerState has these). */
export interface TripleSide {
  notice: Notice;
  region: ActiveRegion | undefined;
  optical: TimeWindow | undefined;
}

/** The stable id of a triple: "<triggerId>|<partnerId>+<survey>:<objectId>", hashed like a pair's. */
export function tripleId(triggerId: string, partnerId: string, objectKeyText: string): string {
  return coincidenceId(triggerId, `${partnerId}+${objectKeyText}`);
}

interface PairGroup {
  pair: Coincidence;
  trigger: TripleSide;
  partner: TripleSide;
  /** The side whose optical window the triple uses (the trigger's, else the partner's). */
  windowSide: TripleSide;
  window: TimeWindow;
  combined: ActiveRegion;
  /** Event time after which the combined region leaves the index, MJD. */
  indexUntilMjd: number;
  build: (alert: BufferedAlert, links: string[], id?: string) => Coincidence;
}

export interface TripleTrackerOptions {
  buffer: OpticalBuffer;
  criteria: CounterpartCriteria;
  settings: ScoreSettings;
  credibleLevel: number;
  /** The measured background over a region's cells at a trigger time (the engine's BackgroundRate). */
  rateFor: (region: ActiveRegion, triggerMjd: number) => MeasuredRate;
}

/** The combined region of two regions (either may be absent: the other alone), cached by hashes. */
function combinedRegionFactory(
  credibleLevel: number,
): (a: ActiveRegion | undefined, b: ActiveRegion | undefined) => ActiveRegion | undefined {
  const cache = new Map<string, ActiveRegion | null>();
  return (a, b) => {
    if (!a || !b) return a ?? b;
    const key = `${a.hash}|${b.hash}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const map = productSkyMap(a.density, b.density);
    const region = map
      ? createSkyMapRegion(map, credibleLevel, sha256Hex(`product|${a.hash}|${b.hash}`))
      : undefined;
    if (cache.size >= 256) cache.clear();
    cache.set(key, region ?? null);
    return region;
  };
}

export class TripleTracker {
  private readonly groups = new Map<string, PairGroup>();
  private readonly index = new NoticeIndex<PairGroup>();
  private readonly combinedOf: (
    a: ActiveRegion | undefined,
    b: ActiveRegion | undefined,
  ) => ActiveRegion | undefined;

  constructor(private readonly options: TripleTrackerOptions) {
    this.combinedOf = combinedRegionFactory(options.credibleLevel);
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * The triples of a messenger pair as they stand now. `previous`: the pair's triples emitted
   * before (their objects stay candidates after the buffer has evicted them). Returns [] and
   * forgets the pair when it does not qualify (no FAR, FAR above F_max, no region, no window).
   */
  evaluatePair(
    pair: Coincidence,
    trigger: TripleSide,
    partner: TripleSide,
    watermarkMjd: number,
    previous: readonly Coincidence[],
  ): Coincidence[] {
    const group = this.groupOf(pair, trigger, partner);
    if (!group) {
      this.forget(pair.id);
      return [];
    }
    this.groups.set(pair.id, group);
    const open = group.indexUntilMjd >= watermarkMjd;
    if (open) this.index.upsert(pair.id, group.combined, group);
    else this.index.remove(pair.id);
    const t0 = group.windowSide.notice.triggerTimeMjd;
    const candidates = new Map<string, BufferedAlert>();
    const consider = (alert: BufferedAlert): void => {
      const key = objectKey(alert);
      const held = candidates.get(key);
      if (!held || isEarlierAlert(alert, held)) candidates.set(key, alert);
    };
    if (open) {
      const from = t0 + (group.window.startSec - this.options.criteria.newToleranceSec) / SEC_PER_DAY;
      const to = t0 + group.window.endSec / SEC_PER_DAY;
      const buffer = this.options.buffer;
      const matched = buffer
        .query(group.combined.coverCells(BUFFER_ORDER), from, to)
        .filter(
          (alert) =>
            group.combined.contains(alert.raDeg, alert.decDeg) &&
            isNewInWindow(alert.firstDetectionMjd, t0, group.window, this.options.criteria),
        );
      // The alerts' details in one lookup per pair (the SQLite buffer's batched withDetails).
      if (matched.length > 0) for (const alert of buffer.withDetails?.(matched) ?? matched) consider(alert);
    }
    for (const c of previous) if (c.pairType === 'mm-mm-optical') consider(c.counterpart as OpticalSummary);
    const out: Coincidence[] = [];
    for (const alert of candidates.values()) {
      const triple = this.tripleOf(group, alert);
      if (triple) out.push(triple);
    }
    return out;
  }

  /** The triples a new optical alert forms with the indexed pairs; `isLive(pairId)` guards stale groups. */
  onAlert(
    alert: OpticalAlert,
    isLive: (pairId: string) => boolean,
    previousOf: (id: string) => Coincidence | undefined,
  ): Coincidence[] {
    const out: Coincidence[] = [];
    for (const group of this.index.query(alert.raDeg, alert.decDeg)) {
      if (!isLive(group.pair.id)) {
        this.forget(group.pair.id);
        continue;
      }
      const id = tripleId(group.trigger.notice.triggerId, group.partner.notice.triggerId, objectKey(alert));
      const previous = previousOf(id);
      if (previous && !isEarlierAlert(alert, previous.counterpart as OpticalSummary)) continue;
      const triple = this.tripleOf(group, alert, id);
      if (triple) out.push(triple);
    }
    return out;
  }

  /** Forgets a pair (withdrawn, retracted, no longer qualifying). */
  forget(pairId: string): void {
    this.groups.delete(pairId);
    this.index.remove(pairId);
  }

  /** Drops the pairs whose windows closed before the watermark, or that are no longer live. */
  prune(watermarkMjd: number, isLive: (pairId: string) => boolean): void {
    for (const [pairId, group] of this.groups) {
      if (!isLive(pairId)) this.forget(pairId);
      else if (group.indexUntilMjd < watermarkMjd) this.index.remove(pairId);
    }
  }

  private groupOf(pair: Coincidence, trigger: TripleSide, partner: TripleSide): PairGroup | undefined {
    const settings = this.options.settings;
    if (pair.status !== 'candidate' || pair.farHz === undefined) return undefined;
    if (!(pair.farHz <= settings.tripleMaxPairFarHz)) return undefined;
    // A time-only notice (region none) never joins with optical alerts (issue 10), so neither does
    // a pair that has one: its optical candidates are the positioned trigger's own pairs.
    if (!trigger.region || !partner.region) return undefined;
    const windowSide = trigger.optical ? trigger : partner;
    const window = windowSide.optical;
    if (!window) return undefined;
    const combined = this.combinedOf(trigger.region, partner.region);
    if (!combined) return undefined;
    const existing = this.groups.get(pair.id);
    if (
      existing &&
      existing.combined === combined &&
      existing.trigger.notice === trigger.notice &&
      existing.partner.notice === partner.notice &&
      JSON.stringify(existing.pair) === JSON.stringify(pair)
    )
      return existing;
    let build: PairGroup['build'] | undefined;
    const group: PairGroup = {
      pair,
      trigger,
      partner,
      windowSide,
      window,
      combined,
      indexUntilMjd: windowSide.notice.triggerTimeMjd + window.endSec / SEC_PER_DAY,
      build: (alert, links, id) => {
        build ??= tripleBuilder({
          pair,
          trigger: trigger.notice,
          partner: partner.notice,
          windowNotice: windowSide.notice,
          combined,
          bothRegions: trigger.region !== undefined && partner.region !== undefined,
          triggerAreaDeg2: trigger.region?.areaDeg2,
          window,
          rate: this.options.rateFor(combined, windowSide.notice.triggerTimeMjd),
          settings,
        });
        return build(alert, links, id);
      },
    };
    return group;
  }

  /** The triple of one object in a pair's combined region and window; undefined outside them. */
  private tripleOf(group: PairGroup, alert: BufferedAlert, id?: string): Coincidence | undefined {
    const { criteria } = this.options;
    if (!group.combined.contains(alert.raDeg, alert.decDeg)) return undefined;
    const t0 = group.windowSide.notice.triggerTimeMjd;
    if (!isNewInWindow(alert.firstDetectionMjd, t0, group.window, criteria)) return undefined;
    const links = [group.pair.id];
    for (const side of [group.trigger, group.partner]) {
      if (!side.region || !side.optical || !side.region.contains(alert.raDeg, alert.decDeg)) continue;
      if (!isNewInWindow(alert.firstDetectionMjd, side.notice.triggerTimeMjd, side.optical, criteria))
        continue;
      links.push(coincidenceId(side.notice.triggerId, objectKey(alert)));
    }
    return group.build(alert, links, id);
  }
}

interface TripleBuilderInput {
  pair: Coincidence;
  trigger: Notice;
  partner: Notice;
  /** The notice whose optical window (and trigger time t0) the triple uses. */
  windowNotice: Notice;
  combined: ActiveRegion;
  bothRegions: boolean;
  triggerAreaDeg2: number | undefined;
  window: TimeWindow;
  rate: MeasuredRate;
  settings: ScoreSettings;
}

/**
 * Builds the triple records of one pair: the optical part is an optical pair of the window's
 * notice scored on the combined region (opticalPairBuilder: the §5.3 statistic on p_c), then the
 * pair's FAR and F_max give FAR_triple and its tier (triple-score.ts).
 */
export function tripleBuilder(
  input: TripleBuilderInput,
): (alert: BufferedAlert, links: string[], id?: string) => Coincidence {
  const { pair, trigger, partner, settings } = input;
  const optical = opticalPairBuilder({
    notice: input.windowNotice,
    region: input.combined,
    window: input.window,
    rate: input.rate,
    tiers: settings.opticalPChance,
  });
  const pairRates = pair.provenance.rates;
  const pairFarHz = pair.farHz as number;
  const ruleFromPair = pairRates.trialsFactor !== undefined && pairRates.farThresholdHz !== undefined;
  const rule = {
    ...(ruleFromPair ? { trialsFactor: pairRates.trialsFactor } : {}),
    farThresholdHz: ruleFromPair ? (pairRates.farThresholdHz as number) : settings.tripleFarThresholdHz,
    goldMargin: settings.goldMargin,
    bronzeFactor: settings.bronzeFactor,
  };
  const triggerSummary = Object.freeze(summariseNotice(trigger));
  const partners = Object.freeze([Object.freeze(summariseNotice(partner))]);
  return (alert, links, id) => {
    const o = optical(alert);
    const farHz = tripleFarHz(pairFarHz, o.pChance, settings.tripleMaxPairFarHz);
    const { tier, publishingStatisticHz } = tripleTier(farHz, rule);
    const rates: Record<string, number> = {
      ...o.provenance.rates,
      pairFarHz,
      maxPairFarHz: settings.tripleMaxPairFarHz,
      opticalPChance: o.pChance,
      productStatisticHz: pairFarHz * o.pChance,
      tripleFarHz: farHz,
      combinedLocalisation: input.bothRegions ? 1 : 0,
      publishingStatisticHz,
      farThresholdHz: rule.farThresholdHz,
      goldMargin: rule.goldMargin,
      bronzeFactor: rule.bronzeFactor,
    };
    if (rule.trialsFactor !== undefined) rates.trialsFactor = rule.trialsFactor;
    if (pairRates.overlapIntegral !== undefined) rates.pairOverlapIntegral = pairRates.overlapIntegral;
    if (input.triggerAreaDeg2 !== undefined) rates.triggerSearchedAreaDeg2 = input.triggerAreaDeg2;
    const record: Coincidence = {
      ...o,
      id: id ?? tripleId(trigger.triggerId, partner.triggerId, objectKey(alert)),
      pairType: 'mm-mm-optical',
      trigger: triggerSummary,
      partners: partners as Coincidence['partners'],
      pairIds: links,
      dtSeconds: (alert.firstDetectionMjd - trigger.triggerTimeMjd) * SEC_PER_DAY,
      farHz,
      tier,
      provenance: {
        ...o.provenance,
        triggerIvorn: trigger.ivorn,
        rates,
        formulaVersion: TRIPLE_FORMULA_VERSION,
      },
    };
    if (trigger.revision !== undefined) record.provenance.triggerRevision = trigger.revision;
    else delete record.provenance.triggerRevision;
    return record;
  };
}
