/**
 * The credible regions of a notice, as MOCs, at the levels the archive indexes.
 *
 * Circles and ellipses: the sky layer's region for the notice (regionFromNotice: GBM notices
 * get the GBM systematic model, others a Gaussian), its credible MOC at each level, inclusive
 * (boundary pixels kept: the MOC covers the region). Depth: pixels about r/8 across, r the
 * radius of a disc of the region's area (defaultOrderForSize(r) − 1). The join's own default
 * (r/16) costs 4–8× more to build, too slow for bulk imports; r/8 still puts the MOC's edge
 * within ~0.18 r of the region's.
 * Sky maps: the map (embedded in the event, or fetched/cached by reference, through
 * `loadSkyMap`), renormalised when it does not sum to 1, its credible MOC at each level (the
 * cells whose greedy credible level is ≤ the level, as ligo.skymap `find_greedy_credible_levels`).
 * Notices with no region have none; a map that cannot be loaded is reported, not thrown.
 */
import { describeError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import { RAD_PER_DEG, raDecToVector, type UnitVector } from '../sky/angles.ts';
import { defaultOrderForSize, maxPixelRadiusRad, rangesFromCircle24 } from '../sky/moc-build.ts';
import { CircleLocalisation, regionFromNotice } from '../sky/regions.ts';
import { Moc } from '../sky/moc.ts';
import type { SkyMap } from '../sky/skymap.ts';
import type { RegionCap } from './region-cap.ts';

/** Credible levels indexed by default, percent. */
export const DEFAULT_ARCHIVE_LEVELS_PCT: readonly number[] = [50, 90];

export type NoticeMocs =
  | {
      status: 'indexed';
      mocs: ReadonlyMap<number, Moc>;
      /** Bounding caps known from the shape, by level (else prepareMocs derives them from the MOCs). */
      caps?: ReadonlyMap<number, RegionCap>;
    }
  | { status: 'none' }
  | { status: 'failed'; reason: string };

/** Loads the sky map of a sky-map notice (rawEvent: the bytes of its event, for embedded maps). */
export type SkyMapSource = (notice: Notice, rawEvent?: Uint8Array) => Promise<SkyMap>;

export async function noticeMocs(
  notice: Notice,
  levelsPct: readonly number[],
  options: { loadSkyMap?: SkyMapSource; rawEvent?: Uint8Array } = {},
): Promise<NoticeMocs> {
  const shaped = shapeMocs(notice, levelsPct);
  if (shaped !== undefined) return shaped;
  try {
    const mocs = new Map<number, Moc>();
    if (!options.loadSkyMap) return { status: 'failed', reason: 'no sky map source configured' };
    const loaded = await options.loadSkyMap(notice, options.rawEvent);
    const skymap = Math.abs(loaded.totalProbability - 1) > 1e-9 ? loaded.normalised() : loaded;
    for (const pct of levelsPct) mocs.set(pct, skymap.credibleMoc(pct / 100));
    return { status: 'indexed', mocs };
  } catch (error) {
    return { status: 'failed', reason: describeError(error) };
  }
}

/**
 * The MOCs of a notice whose region needs no sky map (circle, ellipse, none), synchronously;
 * undefined for a sky-map notice (noticeMocs loads the map).
 */
export function shapeMocs(notice: Notice, levelsPct: readonly number[]): NoticeMocs | undefined {
  const shape = shapeRegions(notice, levelsPct);
  if (shape?.status !== 'circle') return shape;
  const mocs = new Map<number, Moc>();
  levelsPct.forEach((pct, i) => mocs.set(pct, Moc.fromSortedRanges24(shape.ranges24[i] as Float64Array)));
  return {
    status: 'indexed',
    mocs,
    caps: new Map(levelsPct.map((pct, i) => [pct, shape.caps[i] as RegionCap])),
  };
}

/**
 * shapeMocs, with a circle's MOCs as their merged order-24 ranges (sky/moc-build.ts
 * rangesFromCircle24; the MOCs are Moc.fromSortedRanges24 of them), the caps by level in
 * levelsPct's order: what the archive import derives its index data from without a BigInt per
 * range (prepared-mocs.ts prepareShape).
 */
export type ShapeRegions = NoticeMocs | { status: 'circle'; ranges24: Float64Array[]; caps: RegionCap[] };

export function shapeRegions(notice: Notice, levelsPct: readonly number[]): ShapeRegions | undefined {
  const region = notice.region;
  if (region.type === 'none') return { status: 'none' };
  if (region.type === 'skymap') return undefined;
  try {
    const localisation = regionFromNotice(region, { noticeType: notice.noticeType });
    const maxOrderAt = (level: number): number =>
      Math.max(1, defaultOrderForSize(Math.sqrt(localisation.areaDeg2(level) / Math.PI)) - 1);
    if (localisation instanceof CircleLocalisation && levelsPct.length > 0) {
      // The discs of every level in one refinement (the same MOCs as localisation.moc of each).
      const cones = levelsPct.map((pct) => ({
        radiusDeg: Math.max(localisation.radiusDeg(pct / 100), 1e-9),
        maxOrder: maxOrderAt(pct / 100),
      }));
      const ranges24 = rangesFromCircle24(localisation.centre.raDeg, localisation.centre.decDeg, cones, {
        inclusive: true,
      });
      const centre = raDecToVector(localisation.centre.raDeg, localisation.centre.decDeg);
      return { status: 'circle', ranges24, caps: cones.map((cone) => circleMocCap(centre, cone)) };
    }
    const mocs = new Map<number, Moc>();
    for (const pct of levelsPct) {
      const level = pct / 100;
      mocs.set(pct, localisation.moc(level, { inclusive: true, maxOrder: maxOrderAt(level) }));
    }
    return { status: 'indexed', mocs };
  } catch (error) {
    return { status: 'failed', reason: describeError(error) };
  }
}

/**
 * The bounding cap of the inclusive MOC of a cone (mocsFromCircle) from the cone itself: its
 * centre, and r + 2ρ with ρ = 1.1 × max_pixrad(maxOrder) (moc-build.ts's pixel bound). The MOC
 * holds pixels wholly inside the cone and pixels of maxOrder whose bounding cap (radius ≤ ρ)
 * meets it: every point of those lies within r + 2ρ of the centre. No cell is visited (the
 * MOC's own cap, region-cap.ts, looks at up to 1 024 of them), and it is as tight or tighter.
 */
export function circleMocCap(centre: UnitVector, cone: { radiusDeg: number; maxOrder: number }): RegionCap {
  const radiusRad = cone.radiusDeg * RAD_PER_DEG + 2 * 1.1 * maxPixelRadiusRad(cone.maxOrder);
  return { centre, radiusRad: Math.min(Math.PI, radiusRad) };
}
