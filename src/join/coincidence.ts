/**
 * The coincidence record: the engine's output, as JSON on every sink.
 * Field names are part of the public contract.
 */
import type { Messenger, NoticeRole } from '../notices/notice.ts';
import type { Survey } from '../optical/optical-alert.ts';

export type CoincidenceStatus = 'candidate' | 'withdrawn';
/** mm-mm-optical: a triple, a messenger pair and an optical object (src/join/triples.ts). */
export type PairType = 'mm-optical' | 'mm-mm' | 'mm-mm-optical';
export type Tier = 'gold' | 'silver' | 'bronze';

export interface TriggerSummary {
  triggerId: string;
  ivorn: string;
  revision?: number;
  messenger: Messenger;
  observatory: string;
  noticeType: string;
  /** ISO 8601 UTC. */
  triggerTime: string;
  /** e.g. GBM, BAT, LVK (the notice's instrument). */
  instrument?: string;
  /** The public event name where published (S230518h, GRB 250101A). */
  eventName?: string;
  /** The trigger's position (circle or ellipse centre, a sky map's most probable cell), degrees. */
  raDeg?: number;
  decDeg?: number;
  /** The published error radius (circle) or semi-major axis (ellipse), degrees, as published. */
  errorRadiusDeg?: number;
}

/** A value an optical survey or Fink added to an alert (scalars only; 64-bit ids as decimal strings). */
export type AlertFieldValue = string | number | boolean | null;

export interface OpticalSummary {
  survey: Survey;
  objectId: string;
  alertId: string;
  raDeg: number;
  decDeg: number;
  timeMjd: number;
  firstDetectionMjd: number;
  /** Filter / band (ZTF g, r, i; LSST u g r i z y). */
  band?: string;
  /** Difference-image magnitude and its error (ZTF magpsf, sigmapsf), mag. */
  magnitude?: number;
  magnitudeErr?: number;
  /** ZTF candidate.rb, the random-forest real/bogus score that fink-filters cut on. */
  rb?: number;
  /** Real/bogus score as the join used it (ZTF drb, else rb; LSST reliability). */
  reliability?: number;
  /** Fink's added values, when the alert came from a Fink topic (fink_class, classifier scores, cross-matches, rates). */
  fink?: Record<string, AlertFieldValue>;
}

export interface CoincidenceProvenance {
  triggerIvorn: string;
  triggerRevision?: number;
  counterpartIvorn?: string;
  alertIds: string[];
  /** The time window applied, seconds relative to the trigger time (counterpart − trigger). */
  window: { startSec: number; endSec: number };
  /** The rates that fed the score, with their units in their names. */
  rates: Record<string, number>;
  /** SHA-256 of the canonical region description (or sky map bytes) the match used. */
  regionHash: string;
  formulaVersion: string;
}

export interface Coincidence {
  kind: 'coincidence';
  /** Stable across re-evaluations of the same pair. */
  id: string;
  status: CoincidenceStatus;
  pairType: PairType;
  role: NoticeRole;
  trigger: TriggerSummary;
  counterpart: OpticalSummary | TriggerSummary;
  /**
   * Angular distance between the trigger's position (circle centre, or most probable cell of a
   * sky map) and the counterpart's, degrees; null when either side has no position.
   */
  separationDeg: number | null;
  /** Credible level of the counterpart's position in the trigger's sky map (sky maps only). */
  credibleLevel?: number;
  /** Counterpart time minus trigger time, seconds. */
  dtSeconds: number;
  pChance: number;
  farHz?: number;
  tier: Tier | null;
  provenance: CoincidenceProvenance;
  /**
   * Triples only: the other triggers of the messenger pair (the GRB or neutrino of a GW), in
   * the triple GW+GRB+optical the trigger is the GW and the counterpart the optical object.
   */
  partners?: TriggerSummary[];
  /** Triples only: the ids of the pair records the triple was built from (messenger pair first). */
  pairIds?: string[];
}
