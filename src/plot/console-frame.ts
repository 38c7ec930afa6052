/**
 * The web console's all-sky view frame: an 800 × 400 viewBox with the astro-hours Mollweide of
 * src/plot/astro-mollweide.ts, and the outline of a notice's circle or ellipse as SVG path data
 * in it. Shared by the browser (web/sky-view.ts draws live notices with it) and the server
 * (src/http/routes/console-compact.ts draws stored notices once, so that a console load does not
 * project a thousand regions). No Node imports.
 */
import { geoPath, type GeoPath, type GeoProjection } from 'd3-geo';
import type { Polygon } from 'geojson';
import { astroMollweide } from './astro-mollweide.ts';
import { circlePolygon, ellipsePolygon } from './region-shapes.ts';

export const CONSOLE_SKY_WIDTH_PX = 800;
export const CONSOLE_SKY_HEIGHT_PX = 400;
/** Room for the declination labels left of the ellipse, px. */
const LEFT_MARGIN_PX = 40;

export function consoleSkyProjection(): GeoProjection {
  // Resampling to 1 px is enough on screen (the pictures use 0.1 px) and several times cheaper.
  // The left margin holds the declination labels, which end just left of the limb ("-60°" is
  // 4 characters wide; with 10 px the "0°" at the equator's limb was cut to ")°").
  return astroMollweide({
    leftPx: LEFT_MARGIN_PX,
    topPx: 10,
    widthPx: CONSOLE_SKY_WIDTH_PX - LEFT_MARGIN_PX - 10,
  }).precision(1);
}

/** The parts of a notice's region its outline is drawn from (degrees). */
export interface RegionFacts {
  type: string;
  raDeg?: number;
  decDeg?: number;
  radiusDeg?: number;
  semiMajorDeg?: number;
  semiMinorDeg?: number;
  posAngleDeg?: number;
}

/** A circle or ellipse as a polygon on the sky; undefined for sky maps (contours) and none. */
export function regionPolygon(r: RegionFacts): Polygon | undefined {
  if (r.type === 'circle' && r.raDeg !== undefined && r.decDeg !== undefined && r.radiusDeg !== undefined) {
    return circlePolygon(r.raDeg, r.decDeg, r.radiusDeg, 10);
  }
  if (
    r.type === 'ellipse' &&
    r.raDeg !== undefined &&
    r.decDeg !== undefined &&
    r.semiMajorDeg !== undefined &&
    r.semiMinorDeg !== undefined
  ) {
    return ellipsePolygon(r.raDeg, r.decDeg, r.semiMajorDeg, r.semiMinorDeg, r.posAngleDeg ?? 0, 48);
  }
  return undefined;
}

/** The path generator of the console's frame: 2 decimals (0.4 px at the deepest zoom, 40×). */
export function consolePathOf(projection: GeoProjection): GeoPath {
  return geoPath(projection).digits(2);
}

let shared: GeoPath | undefined;

/** A circle's or ellipse's outline as SVG path data in the console's frame (undefined: none to draw). */
export function consoleRegionOutline(region: RegionFacts): string | undefined {
  const polygon = regionPolygon(region);
  if (polygon === undefined) return undefined;
  shared ??= consolePathOf(consoleSkyProjection());
  return shared(polygon) ?? undefined;
}
