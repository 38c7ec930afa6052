/**
 * Small factories of Notice and OpticalAlert records for the join tests (not a test file).
 */
import type { Notice, NoticeRegion } from '../../src/notices/notice.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { mjdToIso } from '../../src/time/mjd.ts';

export interface NoticeSpec {
  triggerId: string;
  messenger?: Notice['messenger'];
  timeMjd: number;
  region?: NoticeRegion;
  revision?: number;
  alertType?: Notice['alertType'];
  role?: Notice['role'];
  farHz?: number;
  group?: string;
  observatory?: string;
  noticeType?: string;
  instrument?: string;
}

export function makeNotice(spec: NoticeSpec): Notice {
  const revision = spec.revision ?? 1;
  const messenger = spec.messenger ?? 'gamma';
  const notice: Notice = {
    ivorn: `ivo://test/${spec.triggerId}#${revision}-${spec.alertType ?? 'initial'}`,
    role: spec.role ?? 'observation',
    messenger,
    observatory:
      spec.observatory ?? (messenger === 'gw' ? 'LVK' : messenger === 'neutrino' ? 'IceCube' : 'Fermi'),
    instrument: spec.instrument ?? (messenger === 'gamma' ? 'GBM' : ''),
    noticeType: spec.noticeType ?? (messenger === 'gw' ? 'LVK_INITIAL' : 'Fermi_GBM_Gnd_Pos'),
    triggerId: spec.triggerId,
    alertType: spec.alertType ?? 'initial',
    revision,
    triggerTime: mjdToIso(spec.timeMjd),
    triggerTimeMjd: spec.timeMjd,
    region: spec.region ?? { type: 'none' },
    params: spec.group ? { Group: spec.group } : {},
    citations: [],
    source: { format: 'voevent', sha256: '0'.repeat(64) },
  };
  if (spec.farHz !== undefined) notice.farHz = spec.farHz;
  return notice;
}

export function circle(raDeg: number, decDeg: number, radiusDeg: number, containment = 0.9): NoticeRegion {
  return { type: 'circle', raDeg, decDeg, radiusDeg, containment, systematicIncluded: true };
}

export interface AlertSpec {
  objectId: string;
  alertId?: string;
  raDeg: number;
  decDeg: number;
  timeMjd: number;
  firstDetectionMjd?: number;
  reliability?: number;
  isPositive?: boolean;
  solarSystem?: boolean;
  survey?: OpticalAlert['survey'];
}

export function makeAlert(spec: AlertSpec): OpticalAlert {
  return {
    survey: spec.survey ?? 'LSST',
    objectId: spec.objectId,
    alertId: spec.alertId ?? `${spec.objectId}-${spec.timeMjd}`,
    raDeg: spec.raDeg,
    decDeg: spec.decDeg,
    timeMjd: spec.timeMjd,
    band: 'r',
    isPositive: spec.isPositive ?? true,
    firstDetectionMjd: spec.firstDetectionMjd ?? spec.timeMjd,
    reliability: spec.reliability ?? 0.9,
    solarSystem: spec.solarSystem ?? false,
  };
}

/** Mulberry32 (src/seeded-random.ts), so that synthetic streams are reproducible. */
export { seededRandom } from '../../src/seeded-random.ts';
