/**
 * Counterpart criteria for optical alerts, as used in the field (statistics.md §8):
 *   - quality: real/bogus score ≥ a per-survey threshold (ZTF drb/rb, LSST reliability);
 *     alerts without a score pass only when `requireReliability` is false;
 *   - positive difference flux (ZTF isdiffpos, LSST psfFlux > 0);
 *   - not a known solar-system object (survey association, or ZTF ssdistnr ≤ 5″; −999 and
 *     missing mean "no neighbour");
 *   - new: the object's first detection is inside the window, no earlier than its start minus
 *     a tolerance (exposure start vs mid-exposure, clock rounding); the first detection is the
 *     earliest detection, so "no earlier detection" is the same test.
 */
import type { OpticalAlert, Survey } from '../optical/optical-alert.ts';
import type { TimeWindow } from './windows.ts';

export interface CounterpartCriteria {
  /** Minimum real/bogus score per survey (fink-mm bronze rb ≥ 0.7 uses 0.7; Fink raw2science 0.55). */
  minReliability: Readonly<Record<Survey, number>>;
  /** Reject alerts that carry no real/bogus score. */
  requireReliability: boolean;
  /** Reject negative difference flux. */
  requirePositive: boolean;
  /** Reject alerts within this distance of a known solar-system object, arcsec (fink-mm ast_dist 5″). */
  solarSystemRadiusArcsec: number;
  /** Tolerance on "first detection ≥ window start", seconds. */
  newToleranceSec: number;
}

export const DEFAULT_CRITERIA: CounterpartCriteria = Object.freeze({
  minReliability: Object.freeze({ ZTF: 0.55, LSST: 0.5 }),
  requireReliability: false,
  requirePositive: true,
  solarSystemRadiusArcsec: 5,
  newToleranceSec: 60,
});

export type RejectReason = 'reliability' | 'negative-flux' | 'solar-system' | 'bad-time';

/** The quality cuts, independent of any trigger; undefined when the alert passes. */
export function checkAlertQuality(
  alert: OpticalAlert,
  criteria: CounterpartCriteria,
): RejectReason | undefined {
  if (!Number.isFinite(alert.timeMjd) || !Number.isFinite(alert.firstDetectionMjd)) return 'bad-time';
  if (alert.reliability === undefined) {
    if (criteria.requireReliability) return 'reliability';
  } else if (!(alert.reliability >= criteria.minReliability[alert.survey])) {
    return 'reliability';
  }
  if (criteria.requirePositive && !alert.isPositive) return 'negative-flux';
  if (alert.solarSystem) return 'solar-system';
  const ss = alert.ssDistanceArcsec;
  if (ss !== undefined && ss >= 0 && ss <= criteria.solarSystemRadiusArcsec) return 'solar-system';
  return undefined;
}

const SEC_PER_DAY = 86_400;

/**
 * True when the object's first detection lies in the trigger's window:
 *   t0 + start − tolerance ≤ t_first ≤ t0 + end     (all in MJD; window in seconds)
 */
export function isNewInWindow(
  firstDetectionMjd: number,
  triggerMjd: number,
  window: TimeWindow,
  criteria: CounterpartCriteria,
): boolean {
  const dtSec = (firstDetectionMjd - triggerMjd) * SEC_PER_DAY;
  return dtSec >= window.startSec - criteria.newToleranceSec && dtSec <= window.endSec;
}
