/**
 * From a notice's region to an ActiveRegion. The default resolver handles what a notice carries
 * inline (circles, ellipses); sky maps must be fetched and decoded outside the pure engine, so the
 * caller passes the resolved region to `onNotice(notice, { region })` or supplies a resolver that
 * has the decoded maps (as replay and the demo do).
 */
import type { Notice } from '../notices/notice.ts';
import type { ActiveRegion } from './active-region.ts';
import { createCircleRegion } from './circle-region.ts';

export type RegionResolver = (notice: Notice, credibleLevel: number) => ActiveRegion | undefined;

export const defaultRegionResolver: RegionResolver = (notice, credibleLevel) => {
  const region = notice.region;
  switch (region.type) {
    case 'circle':
      if (!(region.radiusDeg > 0) || !(region.containment > 0 && region.containment < 1)) return undefined;
      return createCircleRegion(region, credibleLevel);
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
