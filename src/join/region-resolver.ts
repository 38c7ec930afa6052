/**
 * From a notice's region to an ActiveRegion. The default resolver handles what a notice carries
 * inline (circles, ellipses) with the sky layer's models (src/sky/regions.ts `regionFromNotice`):
 * Fermi GBM position circles get the core-plus-tail systematic model (Connaughton et al. 2015),
 * other circles a Gaussian of the published radius and containment, ellipses a bivariate
 * Gaussian (the real ellipse, not its semi-major circle). Sky maps must be fetched and decoded
 * outside the pure engine, so the caller passes the resolved region to
 * `onNotice(notice, { region })` or supplies a resolver that has the decoded maps (as replay and
 * the demo do).
 */
import { CoincideError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import { circleModelForNoticeType, regionFromNotice } from '../sky/regions.ts';
import type { CircleModel } from '../sky/radial-profile.ts';
import type { ActiveRegion } from './active-region.ts';
import { activeRegionFromLocalisation } from './circle-region.ts';

/**
 * The core systematic error of Fermi GBM positions, degrees (statistics.md §3, Connaughton et al.
 * 2015 Tables 3 and 7): Flt 7.52°, Gnd 3.72°, Fin 3.71°; 0 for other notices. (The resolver uses
 * the sky layer's full core-plus-tail model; this figure is for reports.)
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

/** The circle model of a notice: GBM core-plus-tail unless its radius already holds the systematics. */
function circleModelOf(notice: Notice, systematicIncluded: boolean): CircleModel {
  const model = circleModelForNoticeType(notice.noticeType);
  return model === 'gbm' && systematicIncluded ? 'gaussian' : model;
}

export const defaultRegionResolver: RegionResolver = (notice, credibleLevel) => {
  const region = notice.region;
  if (region.type !== 'circle' && region.type !== 'ellipse') return undefined;
  try {
    if (region.type === 'circle') {
      const circleModel = circleModelOf(notice, region.systematicIncluded);
      const localisation = regionFromNotice(region, { circleModel, noticeType: notice.noticeType });
      const description = {
        ...region,
        model: circleModel,
        ...(circleModel === 'gbm' ? { noticeType: notice.noticeType } : {}),
      };
      return activeRegionFromLocalisation(localisation, description, credibleLevel);
    }
    return activeRegionFromLocalisation(regionFromNotice(region), region, credibleLevel);
  } catch (error) {
    // A malformed radius, axis or position: the notice joins without a region.
    if (error instanceof CoincideError && error.code === 'SKY_BAD_REGION') return undefined;
    throw error;
  }
};
