/**
 * Credible contours as GeoJSON in [RA, Dec] degrees, for the browser console to draw in its own
 * (zoomable) view: the pixel-space contours of credible-contours.ts, each vertex taken back to
 * the sky through the inverse projection. d3-geo wants exterior rings clockwise around the
 * inside; a polygon whose d3 area exceeds a hemisphere came out wound the other way and is
 * reversed.
 */
import { geoArea } from 'd3-geo';
import type { MultiPolygon, Position } from 'geojson';
import { astroMollweide } from './astro-mollweide.ts';
import { credibleContours } from './credible-contours.ts';
import type { SkyRaster } from './sky-raster.ts';

export interface GeoContour {
  level: number;
  geometry: MultiPolygon;
}

export function geoContours(raster: SkyRaster, levels: readonly number[]): GeoContour[] {
  const projection = astroMollweide({ leftPx: 0, topPx: 0, widthPx: raster.widthPx });
  const invert = (p: Position): Position => {
    const lonLat = projection.invert?.([p[0] ?? 0, p[1] ?? 0]);
    const ra = lonLat ? ((lonLat[0] % 360) + 360) % 360 : 0;
    return [Number(ra.toFixed(4)), Number((lonLat?.[1] ?? 0).toFixed(4))];
  };
  return credibleContours(raster, levels).map((contour) => ({
    level: contour.level,
    geometry: {
      type: 'MultiPolygon',
      coordinates: contour.geometry.coordinates.map((polygon) => {
        const rings = polygon.map((ring) => ring.map(invert));
        const area = geoArea({ type: 'Polygon', coordinates: rings });
        return area > 2 * Math.PI ? rings.map((ring) => [...ring].reverse()) : rings;
      }),
    },
  }));
}
