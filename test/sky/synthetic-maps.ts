/**
 * The synthetic Gaussian sky maps of scripts/reference/sky_reference.py (`synthetic_table`),
 * rebuilt cell for cell: base-order cells everywhere, refined to fineOrder where the base cell
 * centre is within refineWithinDeg of the blob centre; density ∝ exp(−θ²/2σ²) at cell
 * centres, normalised so that Σ ρ·A = 1.
 */
import { RAD_PER_DEG, raDecToVector, vectorAngleRad, type UnitVector } from '../../src/sky/angles.ts';
import { faceXYToVector, nestToFaceXY } from '../../src/sky/healpix-deep.ts';
import { pixelAreaSr } from '../../src/sky/healpix.ts';
import type { SkyMapCells } from '../../src/sky/skymap.ts';
import type { SyntheticSpec } from './reference.ts';

function centre(order: number, ipix: number): UnitVector {
  const f = nestToFaceXY(order, ipix, { face: 0, x: 0, y: 0 });
  return faceXYToVector(order, f.face, f.x + 0.5, f.y + 0.5);
}

export function syntheticCells(spec: SyntheticSpec): SkyMapCells {
  const c = raDecToVector(spec.raDeg, spec.decDeg);
  const orders: number[] = [];
  const ipix: number[] = [];
  for (let p = 0; p < 12 * 4 ** spec.baseOrder; p++) {
    const fine = spec.fineOrder;
    if (fine !== undefined && spec.refineWithinDeg !== undefined) {
      const d = vectorAngleRad(centre(spec.baseOrder, p), c) / RAD_PER_DEG;
      if (d < spec.refineWithinDeg) {
        const step = 4 ** (fine - spec.baseOrder);
        for (let q = p * step; q < (p + 1) * step; q++) {
          orders.push(fine);
          ipix.push(q);
        }
        continue;
      }
    }
    orders.push(spec.baseOrder);
    ipix.push(p);
  }
  const sigma = spec.sigmaDeg * RAD_PER_DEG;
  const density = new Float64Array(orders.length);
  let total = 0;
  for (let i = 0; i < orders.length; i++) {
    const theta = vectorAngleRad(centre(orders[i] as number, ipix[i] as number), c);
    density[i] = Math.exp(-(theta * theta) / (2 * sigma * sigma));
    total += (density[i] as number) * pixelAreaSr(orders[i] as number);
  }
  for (let i = 0; i < density.length; i++) density[i] = (density[i] as number) / total;
  return { orders: Uint8Array.from(orders), ipix: Float64Array.from(ipix), densityPerSr: density };
}
