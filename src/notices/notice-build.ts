/**
 * The last step of every normaliser: a draft (with the trigger time as Unix ms) becomes a
 * checked Notice. Values that no consumer could use (a NaN coordinate, a declination of 95°,
 * a negative radius, a time in 1900) are refused here with NOTICE_BAD_VALUE, so that every
 * family gets the same checks at one public boundary.
 */
import { CoincideError } from '../errors.ts';
import { unixMsToIso, unixMsToMjd } from '../time/mjd.ts';
import type { Notice, NoticeRegion } from './notice.ts';
import { isPlausibleNoticeTime } from './notice-time.ts';

export type NoticeDraft = Omit<Notice, 'triggerTime' | 'triggerTimeMjd' | 'issuedTime'> & {
  triggerTimeMs: number;
  /** Unix ms of the publication time, when published and readable. */
  issuedTimeMs?: number;
};

function bad(message: string): CoincideError {
  return new CoincideError('NOTICE_BAD_VALUE', message);
}

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw bad(`${name} is not a finite number (${String(value)})`);
}

function checkCentre(raDeg: number, decDeg: number): void {
  checkFinite('RA', raDeg);
  checkFinite('Dec', decDeg);
  if (raDeg < 0 || raDeg > 360) throw bad(`RA ${raDeg}° is outside [0, 360]`);
  if (decDeg < -90 || decDeg > 90) throw bad(`Dec ${decDeg}° is outside [-90, 90]`);
}

function checkContainment(containment: number): void {
  checkFinite('containment', containment);
  if (containment <= 0 || containment >= 1) throw bad(`containment ${containment} is outside (0, 1)`);
}

function checkAngle(name: string, valueDeg: number): void {
  checkFinite(name, valueDeg);
  if (valueDeg <= 0 || valueDeg > 180) throw bad(`${name} ${valueDeg}° is outside (0, 180]`);
}

/** Checks a region and returns it with RA folded into [0, 360). */
export function checkRegion(region: NoticeRegion): NoticeRegion {
  switch (region.type) {
    case 'none':
      return region;
    case 'skymap':
      if (region.url.length === 0) throw bad('the sky map reference is empty');
      if (region.raDeg !== undefined && region.decDeg !== undefined) {
        checkCentre(region.raDeg, region.decDeg);
        return { ...region, raDeg: region.raDeg % 360 };
      }
      return region;
    case 'circle':
      checkCentre(region.raDeg, region.decDeg);
      checkAngle('radius', region.radiusDeg);
      checkContainment(region.containment);
      return { ...region, raDeg: region.raDeg % 360 };
    case 'ellipse':
      checkCentre(region.raDeg, region.decDeg);
      checkAngle('semi-major axis', region.semiMajorDeg);
      checkAngle('semi-minor axis', region.semiMinorDeg);
      checkFinite('position angle', region.posAngleDeg);
      checkContainment(region.containment);
      return { ...region, raDeg: region.raDeg % 360 };
  }
}

/** Turns a draft into a Notice, with the fields in their documented order. */
export function finishNotice(draft: NoticeDraft): Notice {
  if (!isPlausibleNoticeTime(draft.triggerTimeMs)) {
    throw bad(`trigger time ${String(draft.triggerTimeMs)} ms is not a plausible notice time`);
  }
  if (draft.triggerId.length === 0) throw bad('the trigger id is empty');
  if (draft.farHz !== undefined && !(Number.isFinite(draft.farHz) && draft.farHz >= 0)) {
    throw bad(`FAR ${String(draft.farHz)} Hz is not a non-negative number`);
  }
  const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
  // Optional fields are assigned in place, in the documented order (the key order of the
  // object and of its JSON), instead of spreading a temporary object per field.
  const notice = {
    ivorn: draft.ivorn,
    role: draft.role,
    messenger: draft.messenger,
    observatory: draft.observatory,
    instrument: draft.instrument,
    noticeType: draft.noticeType,
    triggerId: draft.triggerId,
  } as Notice;
  if (draft.eventName !== undefined) notice.eventName = draft.eventName;
  notice.alertType = draft.alertType;
  if (finite(draft.revision)) notice.revision = draft.revision;
  notice.triggerTime = unixMsToIso(draft.triggerTimeMs);
  notice.triggerTimeMjd = unixMsToMjd(Math.round(draft.triggerTimeMs));
  if (draft.issuedTimeMs !== undefined && isPlausibleNoticeTime(draft.issuedTimeMs)) {
    notice.issuedTime = unixMsToIso(draft.issuedTimeMs);
  }
  notice.region = checkRegion(draft.region);
  if (draft.farHz !== undefined) notice.farHz = draft.farHz;
  if (finite(draft.pAstro)) notice.pAstro = draft.pAstro;
  if (draft.classification !== undefined) notice.classification = draft.classification;
  if (
    draft.classificationProbabilities !== undefined &&
    Object.keys(draft.classificationProbabilities).length > 0
  ) {
    notice.classificationProbabilities = draft.classificationProbabilities;
  }
  if (finite(draft.hasNs)) notice.hasNs = draft.hasNs;
  if (finite(draft.hasRemnant)) notice.hasRemnant = draft.hasRemnant;
  if (finite(draft.hasMassGap)) notice.hasMassGap = draft.hasMassGap;
  if (draft.significant !== undefined) notice.significant = draft.significant;
  if (finite(draft.energyTeV)) notice.energyTeV = draft.energyTeV;
  if (draft.mock !== undefined) notice.mock = draft.mock;
  if (draft.flags !== undefined && draft.flags.length > 0) notice.flags = [...new Set(draft.flags)];
  notice.params = draft.params;
  notice.citations = draft.citations;
  notice.source = draft.source;
  return notice;
}

/**
 * The most probable class of a classification dictionary, e.g.
 * {BNS: 0, NSBH: 0.86, BBH: 0.04, Terrestrial: 0.10} -> "NSBH". Undefined when empty.
 */
export function mostProbableClass(probabilities: Record<string, number>): string | undefined {
  let best: string | undefined;
  let bestP = -Infinity;
  for (const [name, p] of Object.entries(probabilities)) {
    if (Number.isFinite(p) && p > bestP) {
      best = name;
      bestP = p;
    }
  }
  return best;
}
