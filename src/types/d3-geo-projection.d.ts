// d3-geo-projection ships no types and @types has none for v4; only what coincide uses.
declare module 'd3-geo-projection' {
  import type { GeoProjection } from 'd3-geo';
  /** Mollweide's equal-area projection (d3-geo-projection/src/mollweide.js). */
  export function geoMollweide(): GeoProjection;
}
