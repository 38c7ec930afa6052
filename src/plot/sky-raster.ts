/**
 * A probability sky map sampled on the pixels of the projected picture: for each pixel centre
 * (x + ½, y + ½) of a `widthPx` × widthPx/2 grid, the inverse projection gives (RA, Dec), where
 * the map is read. Pixels outside the Mollweide ellipse are NaN. The picture's heat map and its
 * credible contours both come from this grid, as ligo.skymap's plots come from its reprojection
 * of the map onto the axes' pixels.
 */
import { astroMollweide } from './astro-mollweide.ts';

/** What a picture reads from a probability sky map. */
export interface SkyDensity {
  /** Probability density at a position, per steradian. */
  densityPerSr(raDeg: number, decDeg: number): number;
  /** Greedy credible level at a position (the searched probability, in [0, 1]). */
  credibleLevelAt(raDeg: number, decDeg: number): number;
}

export interface SkyRaster {
  widthPx: number;
  heightPx: number;
  /** Row-major, y down: density per sr at each pixel centre (NaN outside the sky). */
  densityPerSr: Float64Array;
  /** Row-major, y down: credible level at each pixel centre (NaN outside the sky). */
  credibleLevel: Float64Array;
  /** RA, Dec (degrees) of each pixel centre (NaN outside), for checks against other tools. */
  raDeg: Float64Array;
  decDeg: Float64Array;
}

export function rasterizeSky(density: SkyDensity, widthPx: number): SkyRaster {
  const heightPx = Math.round(widthPx / 2);
  const projection = astroMollweide({ leftPx: 0, topPx: 0, widthPx });
  const invert = projection.invert?.bind(projection);
  if (!invert) throw new Error('the projection has no inverse');
  const n = widthPx * heightPx;
  const raster: SkyRaster = {
    widthPx,
    heightPx,
    densityPerSr: new Float64Array(n).fill(NaN),
    credibleLevel: new Float64Array(n).fill(NaN),
    raDeg: new Float64Array(n).fill(NaN),
    decDeg: new Float64Array(n).fill(NaN),
  };
  // The ellipse: (x−cx)²/a² + (y−cy)²/b² ≤ 1 (d3's invert also answers outside it).
  const a = widthPx / 2;
  const b = widthPx / 4;
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const dx = (x + 0.5 - a) / a;
      const dy = (y + 0.5 - b) / b;
      if (dx * dx + dy * dy > 1) continue;
      const lonLat = invert([x + 0.5, y + 0.5]);
      if (!lonLat) continue;
      const raDeg = ((lonLat[0] % 360) + 360) % 360;
      const decDeg = Math.max(-90, Math.min(90, lonLat[1]));
      const i = y * widthPx + x;
      raster.raDeg[i] = raDeg;
      raster.decDeg[i] = decDeg;
      raster.densityPerSr[i] = density.densityPerSr(raDeg, decDeg);
      raster.credibleLevel[i] = density.credibleLevelAt(raDeg, decDeg);
    }
  }
  return raster;
}
