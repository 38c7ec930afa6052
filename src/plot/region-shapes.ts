/**
 * Circles and ellipses of notices as GeoJSON polygons in [RA, Dec] degrees, for d3-geo to
 * project (and clip at the map's edge). Shared with the browser (web/): no Node imports.
 *
 * Ellipse boundary: at angle θ from the major axis the tangent-plane radius of an ellipse with
 * semi-axes a, b is r(θ) = a·b / √((b cos θ)² + (a sin θ)²); the point lies at separation r(θ)
 * and position angle PA + θ (east of north) from the centre (offsetByDeg, the direct geodesic
 * problem). d3-geo wants rings clockwise around the inside; a ring whose d3 area exceeds a
 * hemisphere was wound the other way and is reversed.
 */
import { geoArea, geoCircle } from 'd3-geo';
import type { Polygon } from 'geojson';
import { offsetByDeg } from '../sky/angles.ts';

function clockwise(polygon: Polygon): Polygon {
  if (geoArea(polygon) <= 2 * Math.PI) return polygon;
  return { type: 'Polygon', coordinates: polygon.coordinates.map((ring) => [...ring].reverse()) };
}

/** `stepDeg`: the angle between the ring's vertices, seen from the centre. */
export function circlePolygon(raDeg: number, decDeg: number, radiusDeg: number, stepDeg = 1): Polygon {
  return geoCircle().center([raDeg, decDeg]).radius(radiusDeg).precision(stepDeg)();
}

export function ellipsePolygon(
  raDeg: number,
  decDeg: number,
  semiMajorDeg: number,
  semiMinorDeg: number,
  posAngleDeg: number,
  segments = 96,
): Polygon {
  const a = semiMajorDeg;
  const b = semiMinorDeg;
  const ring: Array<[number, number]> = [];
  for (let k = 0; k <= segments; k++) {
    const theta = (2 * Math.PI * (k % segments)) / segments;
    const r = (a * b) / Math.hypot(b * Math.cos(theta), a * Math.sin(theta));
    const p = offsetByDeg(raDeg, decDeg, r, posAngleDeg + (theta * 180) / Math.PI);
    ring.push([p.raDeg, p.decDeg]);
  }
  return clockwise({ type: 'Polygon', coordinates: [ring] });
}
