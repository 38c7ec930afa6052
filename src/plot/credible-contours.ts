/**
 * Credible-region contours on a SkyRaster, with d3-contour's marching squares (not smoothed:
 * the line runs between the pixels inside and those outside, so a contour encloses exactly the
 * pixels whose credible level is ≤ its level: the greedy credible region of ligo.skymap, as
 * sampled on the picture's pixels).
 *
 * d3-contour encloses the values ≥ a threshold, so it is given −level and −CL.
 */
import { contours } from 'd3-contour';
import type { MultiPolygon } from 'geojson';
import type { SkyRaster } from './sky-raster.ts';

export interface CredibleContour {
  /** e.g. 0.9. */
  level: number;
  /** In raster pixel coordinates ([0, widthPx] × [0, heightPx], y down). */
  geometry: MultiPolygon;
}

/** Outside the sky: enclosed by no contour. */
const OUTSIDE = -2;

export function credibleContours(raster: SkyRaster, levels: readonly number[]): CredibleContour[] {
  const values = new Float64Array(raster.credibleLevel.length);
  for (let i = 0; i < values.length; i++) {
    const level = raster.credibleLevel[i] as number;
    values[i] = Number.isNaN(level) ? OUTSIDE : -level;
  }
  const generator = contours().size([raster.widthPx, raster.heightPx]).smooth(false);
  return levels.map((level) => ({
    level,
    geometry: generator.contour(Array.from(values), -level),
  }));
}
