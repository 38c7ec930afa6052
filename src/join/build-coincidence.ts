/**
 * Builds Coincidence records (the engine's decisions) from a matched pair, with scores and
 * provenance. Pure functions of their inputs: the same pair always gives the same record.
 */
import * as crypto from 'node:crypto';
import type { Notice } from '../notices/notice.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';
import { angularDistanceDeg } from '../sky/angles.ts';
import type { ActiveRegion } from './active-region.ts';
import type { MeasuredRate } from './background-rate.ts';
import type { BufferedAlert } from './optical-buffer.ts';
import type { Coincidence, CoincidenceProvenance, OpticalSummary, TriggerSummary } from './coincidence.ts';
import {
  FORMULA_VERSION,
  chanceFromStatistic,
  flooredStatistic,
  OPTICAL_FLOORS,
  overlapIntegral,
  tierFromPChance,
} from './score.ts';
import { scoreMessengerPair, type ScoreSettings } from './searches.ts';
import type { TimeWindow, TriggerClass } from './windows.ts';

const SEC_PER_DAY = 86_400;

/** formulaVersion of optical pairs (the search and formula they were scored with). */
export const OPTICAL_FORMULA_VERSION = `${FORMULA_VERSION} search=Optical formula=poisson-area-delay`;

/** provenance.rates.backgroundSource: how the background rate was obtained (background-rate.ts). */
export const BACKGROUND_SOURCE_CODE = Object.freeze({
  measured: 0,
  footprint: 1,
  conservative: 2,
  fallback: 3,
} as const);

/**
 * SHA-256 of a string, hex. A backward join names thousands of pairs: the one-shot crypto.hash
 * (Node ≥ 20.12) costs about half of a Hash object per id; older Node 20 releases lack it.
 */
const oneShotHash = (crypto as { hash?: typeof crypto.hash }).hash;
export const sha256Hex: (text: string) => string = oneShotHash
  ? (text) => oneShotHash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The stable id of a pair: SHA-256 of "<triggerId>|<counterpart key>", first 32 hex digits.
 * The counterpart key is "<survey>:<objectId>" for optical objects and the other trigger's id
 * for messenger pairs, so every re-evaluation of the same pair (revisions, earlier alerts of the
 * same object, withdrawal) carries the same id.
 */
export function coincidenceId(triggerId: string, counterpartKey: string): string {
  // A slice of the hex digest (it keeps its 64-digit parent alive: 64 bytes more per live pair)
  // is 1 µs cheaper than hex of the first 16 bytes of a Buffer digest, which allocates a Buffer.
  return sha256Hex(`${triggerId}|${counterpartKey}`).slice(0, 32);
}

export function summariseNotice(notice: Notice): TriggerSummary {
  const summary: TriggerSummary = {
    triggerId: notice.triggerId,
    ivorn: notice.ivorn,
    messenger: notice.messenger,
    observatory: notice.observatory,
    noticeType: notice.noticeType,
    triggerTime: notice.triggerTime,
  };
  if (notice.revision !== undefined) summary.revision = notice.revision;
  if (notice.instrument !== '') summary.instrument = notice.instrument;
  if (notice.eventName !== undefined) summary.eventName = notice.eventName;
  const region = notice.region;
  if (region.type !== 'none' && region.raDeg !== undefined && region.decDeg !== undefined) {
    summary.raDeg = region.raDeg;
    summary.decDeg = region.decDeg;
  }
  if (region.type === 'circle') summary.errorRadiusDeg = region.radiusDeg;
  else if (region.type === 'ellipse') summary.errorRadiusDeg = region.semiMajorDeg;
  return summary;
}

/** The alert's values a coincidence carries besides the join fields, when the alert has them. */
type OpticalDetails = Partial<
  Pick<OpticalAlert, 'band' | 'magnitude' | 'magnitudeErr' | 'rb' | 'reliability' | 'fink'>
>;

export function summariseAlert(alert: BufferedAlert & OpticalDetails): OpticalSummary {
  const summary: OpticalSummary = {
    survey: alert.survey,
    objectId: alert.objectId,
    alertId: alert.alertId,
    raDeg: alert.raDeg,
    decDeg: alert.decDeg,
    timeMjd: alert.timeMjd,
    firstDetectionMjd: alert.firstDetectionMjd,
  };
  if (alert.band !== undefined) summary.band = alert.band;
  if (alert.magnitude !== undefined) summary.magnitude = alert.magnitude;
  if (alert.magnitudeErr !== undefined) summary.magnitudeErr = alert.magnitudeErr;
  if (alert.rb !== undefined) summary.rb = alert.rb;
  if (alert.reliability !== undefined) summary.reliability = alert.reliability;
  if (alert.fink !== undefined) summary.fink = { ...alert.fink };
  return summary;
}

/** The numbers of an optical pair's provenance.rates that are its trigger's (and survey's). */
interface TriggerRates {
  readonly backgroundPerDeg2PerDay: number;
  readonly backgroundMeasured: number;
  readonly backgroundSource: number;
  readonly backgroundExposureDeg2Day: number;
  readonly backgroundFromNightMjd: number;
  readonly backgroundToNightMjd: number;
  readonly backgroundObservedCellNights: number;
  readonly backgroundNewObjects: number;
  readonly searchedAreaDeg2: number;
  readonly credibleLevelSearched: number;
  readonly maxDelayDays: number;
  readonly minAreaDeg2: number;
  readonly minDelayDays: number;
}

/**
 * An optical pair's own numbers, kept on its provenance object itself as private fields: a base
 * constructor that returns the object it is given makes `this` that object, so the fields are
 * added to it (the "return override" of class fields). Private fields are invisible to JSON,
 * spreads, Object.entries, util.inspect, structured clones and deep equality: the record is
 * equal to its JSON round trip, as before. `rates` reads them back (OPTICAL_RATES_PROPERTY).
 */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- the base of the return override above
class ReturnsItsArgument {
  constructor(target: object) {
    return target;
  }
}
class OpticalPairNumbers extends ReturnsItsArgument {
  readonly #triggerRates: TriggerRates;
  readonly #candidateAreaDeg2: number;
  readonly #candidateDelayDays: number;
  readonly #statisticDeg2Day: number;

  constructor(
    provenance: object,
    triggerRates: TriggerRates,
    candidateAreaDeg2: number,
    candidateDelayDays: number,
    statisticDeg2Day: number,
  ) {
    super(provenance);
    this.#triggerRates = triggerRates;
    this.#candidateAreaDeg2 = candidateAreaDeg2;
    this.#candidateDelayDays = candidateDelayDays;
    this.#statisticDeg2Day = statisticDeg2Day;
  }

  /** provenance.rates: the trigger's 13 numbers then the candidate's 3, in the order sinks have always seen. */
  static ratesOf(provenance: object): Record<string, number> {
    const p = provenance as OpticalPairNumbers;
    const t = p.#triggerRates;
    return {
      backgroundPerDeg2PerDay: t.backgroundPerDeg2PerDay,
      backgroundMeasured: t.backgroundMeasured,
      backgroundSource: t.backgroundSource,
      backgroundExposureDeg2Day: t.backgroundExposureDeg2Day,
      backgroundFromNightMjd: t.backgroundFromNightMjd,
      backgroundToNightMjd: t.backgroundToNightMjd,
      backgroundObservedCellNights: t.backgroundObservedCellNights,
      backgroundNewObjects: t.backgroundNewObjects,
      searchedAreaDeg2: t.searchedAreaDeg2,
      credibleLevelSearched: t.credibleLevelSearched,
      maxDelayDays: t.maxDelayDays,
      candidateAreaDeg2: p.#candidateAreaDeg2,
      candidateDelayDays: p.#candidateDelayDays,
      minAreaDeg2: t.minAreaDeg2,
      minDelayDays: t.minDelayDays,
      statisticDeg2Day: p.#statisticDeg2Day,
    };
  }
}

/**
 * provenance.rates of an optical pair, made when read. An engine keeps one record per pair while
 * the trigger lives (thousands for a GW map); a 16-number object per record was 300 bytes of heap
 * each, a quarter of the record, and the garbage collector copies what survives (the backward
 * join's time, bench/join-ab.ts). The property is an own, enumerable accessor, so JSON,
 * Object.entries, spreads and structured clones see the same values as before.
 */
const OPTICAL_RATES_PROPERTY: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: object): Record<string, number> {
    return OpticalPairNumbers.ratesOf(this);
  },
};

function opticalProvenance(
  triggerIvorn: string,
  alertId: string,
  window: { startSec: number; endSec: number },
  triggerRates: TriggerRates,
  candidateAreaDeg2: number,
  candidateDelayDays: number,
  statisticDeg2Day: number,
  regionHash: string,
): CoincidenceProvenance {
  const provenance = { triggerIvorn, alertIds: [alertId], window } as Partial<CoincidenceProvenance>;
  Object.defineProperty(provenance, 'rates', OPTICAL_RATES_PROPERTY);
  provenance.regionHash = regionHash;
  provenance.formulaVersion = OPTICAL_FORMULA_VERSION;
  new OpticalPairNumbers(provenance, triggerRates, candidateAreaDeg2, candidateDelayDays, statisticDeg2Day);
  return provenance as CoincidenceProvenance;
}

/** What every optical pair of one trigger evaluation has in common. */
export interface OpticalPairContext {
  notice: Notice;
  region: ActiveRegion;
  window: TimeWindow;
  rate: MeasuredRate;
  /** Optical tier thresholds on pChance (default score.ts TIER_THRESHOLDS). */
  tiers?: Readonly<{ gold: number; silver: number; bronze: number }>;
}

/**
 * Builds one optical pair's record. `id`: the pair's id when the caller has it. `counterpart`:
 * the alert's summary (summariseAlert) when the caller has one to share: the records of one
 * alert (one per trigger it falls in) then share it, and a buffer's fresh summaries are used as
 * they are. Records are values: nothing mutates a summary once built.
 */
export type OpticalPairBuild = (
  alert: BufferedAlert,
  id?: string,
  counterpart?: OpticalSummary,
) => Coincidence;

/**
 * The builder of one trigger's optical pairs.
 * A backward join builds thousands of records for one trigger and the engine keeps them while
 * the trigger lives: the parts they all share (the trigger's summary, the window) are made once,
 * frozen, and shared by every record. Records are values: withdraw() copies what it changes.
 */
export function opticalPairBuilder(context: OpticalPairContext): OpticalPairBuild {
  const { notice, region, window, rate } = context;
  const t0 = notice.triggerTimeMjd;
  const maxDelayDays = (window.endSec - window.startSec) / SEC_PER_DAY;
  const trigger = Object.freeze(summariseNotice(notice));
  const sharedWindow = Object.freeze({ startSec: window.startSec, endSec: window.endSec });
  // Per pair: the candidate's own searched area and delay, and the statistic (so that the
  // record alone lets `coincide explain` redo the figure); the rest is the trigger's.
  const backgroundMeasured = rate.source === 'measured' ? 1 : 0;
  const backgroundSource = BACKGROUND_SOURCE_CODE[rate.source];
  const maxAreaDeg2 = region.areaDeg2;
  const sMax = maxAreaDeg2 * maxDelayDays;
  const triggerRates = (survey: keyof typeof OPTICAL_FLOORS): TriggerRates =>
    Object.freeze({
      backgroundPerDeg2PerDay: rate.perDeg2PerDay,
      backgroundMeasured,
      backgroundSource,
      backgroundExposureDeg2Day: rate.exposureDeg2Day,
      backgroundFromNightMjd: rate.fromNight,
      backgroundToNightMjd: rate.toNight,
      backgroundObservedCellNights: rate.observedCellNights,
      backgroundNewObjects: rate.newObjects,
      searchedAreaDeg2: maxAreaDeg2,
      credibleLevelSearched: region.credibleLevel,
      maxDelayDays,
      minAreaDeg2: OPTICAL_FLOORS[survey].minAreaDeg2,
      minDelayDays: OPTICAL_FLOORS[survey].minDelaySec / SEC_PER_DAY,
    });
  const ztfRates = triggerRates('ZTF');
  const lsstRates = triggerRates('LSST');
  return (alert, id, counterpart) => {
    const dtSeconds = (alert.firstDetectionMjd - t0) * SEC_PER_DAY;
    const floors = OPTICAL_FLOORS[alert.survey];
    const candidateAreaDeg2 = region.searchedAreaDeg2(alert.raDeg, alert.decDeg);
    const candidateDelayDays = (dtSeconds - window.startSec) / SEC_PER_DAY;
    const minDelayDays = floors.minDelaySec / SEC_PER_DAY;
    const statisticDeg2Day = flooredStatistic(
      candidateAreaDeg2,
      candidateDelayDays,
      floors.minAreaDeg2,
      minDelayDays,
      sMax,
    );
    const pChance = chanceFromStatistic(rate.perDeg2PerDay, statisticDeg2Day, sMax);
    const record: Coincidence = {
      kind: 'coincidence',
      id: id ?? coincidenceId(notice.triggerId, `${alert.survey}:${alert.objectId}`),
      status: 'candidate',
      pairType: 'mm-optical',
      role: notice.role,
      trigger,
      counterpart: counterpart ?? summariseAlert(alert),
      separationDeg: angularDistanceDeg(region.centre.raDeg, region.centre.decDeg, alert.raDeg, alert.decDeg),
      dtSeconds,
      pChance,
      tier: tierFromPChance(pChance, context.tiers),
      provenance: opticalProvenance(
        notice.ivorn,
        alert.alertId,
        sharedWindow,
        alert.survey === 'ZTF' ? ztfRates : lsstRates,
        candidateAreaDeg2,
        candidateDelayDays,
        statisticDeg2Day,
        region.hash,
      ),
    };
    if (region.kind === 'skymap') record.credibleLevel = region.credibleLevelAt(alert.raDeg, alert.decDeg);
    if (notice.revision !== undefined) record.provenance.triggerRevision = notice.revision;
    return record;
  };
}

export interface MessengerPairInput {
  trigger: Notice;
  triggerClass: TriggerClass;
  triggerRegion: ActiveRegion | undefined;
  counterpart: Notice;
  counterpartClass: TriggerClass;
  counterpartRegion: ActiveRegion | undefined;
  window: TimeWindow;
  settings: ScoreSettings;
  /** I_Ω of two regions (default overlapIntegral; the engine passes a cached one). */
  overlapOf?: (a: ActiveRegion, b: ActiveRegion) => number;
}

/**
 * The record of a messenger pair, scored by its search (searches.ts); undefined when the pair
 * is not a coincidence of its search (zero sky overlap, or a targeted pair outside the search's
 * FAR thresholds): such pairs are never emitted, so they never carry a tier.
 */
export function buildMessengerCoincidence(input: MessengerPairInput): Coincidence | undefined {
  const { trigger, counterpart, window, triggerRegion: tr, counterpartRegion: cr } = input;
  const dtSeconds = (counterpart.triggerTimeMjd - trigger.triggerTimeMjd) * SEC_PER_DAY;
  const spatial = tr !== undefined && cr !== undefined;
  const score = scoreMessengerPair({
    triggerNotice: trigger,
    triggerClass: input.triggerClass,
    counterpartNotice: counterpart,
    counterpartClass: input.counterpartClass,
    window,
    overlap: spatial ? (input.overlapOf ?? overlapIntegral)(tr, cr) : undefined,
    settings: input.settings,
  });
  if (!score) return undefined;
  const regionHash = sha256Hex(`${tr?.hash ?? 'none'}|${cr?.hash ?? 'none'}`);
  const record: Coincidence = {
    kind: 'coincidence',
    id: coincidenceId(trigger.triggerId, counterpart.triggerId),
    status: 'candidate',
    pairType: 'mm-mm',
    role: trigger.role,
    trigger: summariseNotice(trigger),
    counterpart: summariseNotice(counterpart),
    separationDeg: spatial
      ? angularDistanceDeg(tr.centre.raDeg, tr.centre.decDeg, cr.centre.raDeg, cr.centre.decDeg)
      : null,
    dtSeconds,
    pChance: score.pChance,
    tier: score.tier,
    provenance: {
      triggerIvorn: trigger.ivorn,
      counterpartIvorn: counterpart.ivorn,
      alertIds: [],
      window: { startSec: window.startSec, endSec: window.endSec },
      rates: score.rates,
      regionHash,
      formulaVersion: score.formulaVersion,
    },
  };
  if (score.farHz !== undefined) record.farHz = score.farHz;
  if (spatial && tr.kind === 'skymap')
    record.credibleLevel = tr.credibleLevelAt(cr.centre.raDeg, cr.centre.decDeg);
  if (trigger.revision !== undefined) record.provenance.triggerRevision = trigger.revision;
  return record;
}

/** The withdrawal of an emitted coincidence, attributed to the notice that caused it. */
export function withdraw(previous: Coincidence, cause: Notice | undefined): Coincidence {
  const record: Coincidence = { ...previous, status: 'withdrawn', provenance: { ...previous.provenance } };
  if (cause && cause.triggerId === previous.trigger.triggerId) {
    record.trigger = summariseNotice(cause);
    record.provenance.triggerIvorn = cause.ivorn;
    if (cause.revision !== undefined) record.provenance.triggerRevision = cause.revision;
    else delete record.provenance.triggerRevision;
  } else if (cause && previous.pairType === 'mm-mm') {
    record.counterpart = summariseNotice(cause);
    record.provenance.counterpartIvorn = cause.ivorn;
  } else if (cause && previous.partners?.some((p) => p.triggerId === cause.triggerId)) {
    record.partners = previous.partners.map((p) =>
      p.triggerId === cause.triggerId ? summariseNotice(cause) : p,
    );
  }
  return record;
}
