/**
 * From a notice's region to an ActiveRegion. The default resolver handles what a notice carries
 * inline (circles, ellipses); sky maps must be fetched and decoded outside the pure engine, so the
 * caller passes the resolved region to `onNotice(notice, { region })` or supplies a resolver that
 * has the decoded maps (as replay and the demo do).
 */
import type { Notice } from '../notices/notice.ts';
import type { ActiveRegion } from './active-region.ts';
import { createCircleRegion } from './circle-region.ts';

/**
 * The core systematic error of Fermi GBM positions, degrees (statistics.md §3, Connaughton et al.
 * 2015 Tables 3 and 7): Flt 7.52°, Gnd 3.72°, Fin 3.71°; 0 for other notices. The tail component
 * of the GBM model is not represented by a single circle.
 */
export function gbmCoreSystematicDeg(noticeType: string): number {
  const t = noticeType.toUpperCase();
  if (!t.includes('GBM')) return 0;
  if (t.includes('FLT_POS')) return 7.52;
  if (t.includes('GND_POS')) return 3.72;
  if (t.includes('FIN_POS')) return 3.71;
  return 0;
}

export type RegionResolver = (notice: Notice, credibleLevel: number) => ActiveRegion | undefined;

export const defaultRegionResolver: RegionResolver = (notice, credibleLevel) => {
  const region = notice.region;
  switch (region.type) {
    case 'circle': {
      if (!(region.radiusDeg > 0) || !(region.containment > 0 && region.containment < 1)) return undefined;
      const systematicDeg = region.systematicIncluded ? 0 : gbmCoreSystematicDeg(notice.noticeType);
      // Statistical and systematic 1σ (68 %) radii add in quadrature (Connaughton et al. 2015).
      const radiusDeg =
        systematicDeg > 0 && region.containment === 0.68
          ? Math.hypot(region.radiusDeg, systematicDeg)
          : region.radiusDeg;
      return createCircleRegion({ ...region, radiusDeg }, credibleLevel);
    }
    case 'ellipse':
      // Searched as the circle of the semi-major axis: a superset of the ellipse.
      if (!(region.semiMajorDeg > 0) || !(region.containment > 0 && region.containment < 1)) return undefined;
      return createCircleRegion(
        {
          raDeg: region.raDeg,
          decDeg: region.decDeg,
          radiusDeg: region.semiMajorDeg,
          containment: region.containment,
        },
        credibleLevel,
      );
    default:
      return undefined;
  }
};
