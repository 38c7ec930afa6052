/**
 * The all-sky projection of every coincide picture (CLI, HTTP and the browser console): the
 * convention of ligo.skymap's "astro hours mollweide" axes: Mollweide (equal area), centred on
 * RA 12 h (180°), RA increasing to the LEFT (the sky seen from inside), labelled in hours.
 *
 * d3-geo's [longitude, latitude] are [RA, Dec] in degrees. rotate([-180, 0]) puts RA 180° in
 * the middle; reflectX(true) turns east to the left. Mollweide's x spans ±2√2 R and y ±√2 R
 * (R = the projection's scale), so a map `widthPx` wide is widthPx / 2 high.
 *
 * Shared with the browser (web/): no Node imports here.
 */
import { geoGraticule, type GeoProjection } from 'd3-geo';
import { geoMollweide } from 'd3-geo-projection';

export interface SkyFrame {
  /** Left edge of the map's bounding box, px. */
  leftPx: number;
  /** Top edge of the map's bounding box, px. */
  topPx: number;
  /** Width of the ellipse, px (its height is half that). */
  widthPx: number;
}

/** The astro-hours Mollweide projection filling `frame`. */
export function astroMollweide(frame: SkyFrame): GeoProjection {
  const scale = frame.widthPx / (4 * Math.SQRT2);
  return geoMollweide()
    .rotate([-180, 0])
    .reflectX(true)
    .scale(scale)
    .translate([frame.leftPx + frame.widthPx / 2, frame.topPx + frame.widthPx / 4])
    .precision(0.1);
}

/** Meridians every 2 h (30°) and parallels every 30°, as drawn by ligo.skymap. */
export function skyGraticule(): ReturnType<ReturnType<typeof geoGraticule>> {
  return geoGraticule()
    .step([30, 30])
    .extentMajor([
      [-180, -90],
      [180.0001, 90],
    ])();
}

export interface AxisLabel {
  text: string;
  xPx: number;
  yPx: number;
}

/** RA labels (0h…22h every 2 h, along the equator) and Dec labels (±60°, ±30°, 0°, at the left edge). */
export function skyAxisLabels(projection: GeoProjection): AxisLabel[] {
  const labels: AxisLabel[] = [];
  for (let hours = 0; hours < 24; hours += 2) {
    const xy = projection([hours * 15 + (hours === 12 ? 1e-9 : 0), 0]);
    if (xy) labels.push({ text: `${hours}h`, xPx: xy[0], yPx: xy[1] });
  }
  for (const decDeg of [-60, -30, 0, 30, 60]) {
    // Just inside the left edge of the ellipse (RA just below 360°, the left limb).
    const xy = projection([359.999, decDeg]);
    if (xy) labels.push({ text: `${decDeg}°`, xPx: xy[0], yPx: xy[1] });
  }
  return labels;
}
