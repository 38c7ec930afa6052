/**
 * ActiveRegion: what the join needs to know about a localisation.
 *
 * The engine only speaks to this interface; circle-region.ts (circles and ellipses, through the
 * sky layer's LocalisationRegion) and skymap-region.ts (src/sky SkyMap) build it. Every region is
 * searched at one credible level CL (0.9 by default): `contains` is "credible level ≤ CL".
 */
import { createHash } from 'node:crypto';
import type { Moc } from '../sky/moc.ts';
import type { OverlapDensity } from './overlap.ts';

/** A coarse bounding box in (RA, Dec) degrees, RA within [0, 360]; regions crossing RA 0 use two boxes. */
export interface RaDecBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface ActiveRegion {
  readonly kind: 'circle' | 'ellipse' | 'skymap';
  /** SHA-256 (hex) of the canonical description of the region (or of the sky map cells). */
  readonly hash: string;
  /** The credible level CL at which the region is searched (0 < CL < 1). */
  readonly credibleLevel: number;
  /** Area of the CL region, deg². */
  readonly areaDeg2: number;
  /** A representative position (circle centre; most probable cell of a map). */
  readonly centre: { raDeg: number; decDeg: number };
  /** Coarse boxes covering the CL region (for rbush). */
  readonly boxes: readonly RaDecBox[];
  /** NESTED cells at `order` that intersect the CL region (a superset is allowed, never a subset). */
  coverCells(order: number): Set<number>;
  /** True when the position's credible level is ≤ CL. */
  contains(raDeg: number, decDeg: number): boolean;
  /** The searched probability (credible level) at a position, in [0, 1]. */
  credibleLevelAt(raDeg: number, decDeg: number): number;
  /** The searched area at a position: area of the smallest credible region containing it, deg². */
  searchedAreaDeg2(raDeg: number, decDeg: number): number;
  /** Probability density at a position, sr⁻¹ (normalised over the sphere). */
  densityPerSr(raDeg: number, decDeg: number): number;
  /** The probability density as the overlap integrals see it (src/join/overlap.ts). */
  readonly density: OverlapDensity;
}

/**
 * The NESTED cells at `order` covering a MOC: coarser MOC cells are expanded into their
 * descendants, finer ones give their ancestor (a superset of the MOC, never a subset).
 */
export function mocCoverCells(moc: Moc, order: number): Set<number> {
  const cells = new Set<number>();
  for (const cell of moc.degrade(order).cells()) {
    const ipix = Number(cell.ipix);
    if (cell.order >= order) cells.add(Math.floor(ipix / 4 ** (cell.order - order)));
    else {
      const span = 4 ** (order - cell.order);
      for (let c = ipix * span; c < (ipix + 1) * span; c++) cells.add(c);
    }
  }
  return cells;
}

/** SHA-256 of a canonical JSON description. */
export function hashRegionDescription(description: unknown): string {
  return createHash('sha256').update(JSON.stringify(description)).digest('hex');
}

/**
 * Boxes of a set of unit-vector corner lists (HEALPix cells): one box per cell, RA-wrap and
 * pole aware. A cell whose corners span more than 180° of RA straddles RA 0 and gets two boxes;
 * a cell touching a pole spans all RA.
 */
export function boxesFromCorners(
  cornerSets: Iterable<ReadonlyArray<readonly [number, number, number]>>,
  padDeg: number,
): RaDecBox[] {
  const boxes: RaDecBox[] = [];
  for (const corners of cornerSets) {
    let minDec = 90;
    let maxDec = -90;
    const ras: number[] = [];
    let polar = false;
    for (const [x, y, z] of corners) {
      const dec = (Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI;
      minDec = Math.min(minDec, dec);
      maxDec = Math.max(maxDec, dec);
      if (Math.abs(dec) > 89.999) polar = true;
      else ras.push(((((Math.atan2(y, x) * 180) / Math.PI) % 360) + 360) % 360);
    }
    if (polar) {
      boxes.push({ minX: 0, maxX: 360, minY: minDec >= 0 ? minDec : -90, maxY: maxDec <= 0 ? maxDec : 90 });
      continue;
    }
    minDec = Math.max(-90, minDec - padDeg);
    maxDec = Math.min(90, maxDec + padDeg);
    // Cell edges are not great circles: pad so the box is a superset of the cell.
    const cosDec = Math.cos((Math.max(Math.abs(minDec), Math.abs(maxDec)) * Math.PI) / 180);
    const raPad = cosDec > 1e-3 ? padDeg / cosDec : 360;
    if (raPad >= 90) {
      boxes.push({ minX: 0, maxX: 360, minY: minDec, maxY: maxDec });
      continue;
    }
    const minRa = Math.min(...ras);
    const maxRa = Math.max(...ras);
    if (maxRa - minRa > 180) {
      // Straddles RA 0: [maxOfLow, 360] ∪ [0, minOfHigh].
      const low = ras.filter((r) => r < 180);
      const high = ras.filter((r) => r >= 180);
      boxes.push({ minX: Math.max(0, Math.min(...high) - raPad), maxX: 360, minY: minDec, maxY: maxDec });
      boxes.push({ minX: 0, maxX: Math.min(360, Math.max(...low) + raPad), minY: minDec, maxY: maxDec });
    } else {
      pushRaBox(boxes, minRa - raPad, maxRa + raPad, minDec, maxDec);
    }
  }
  return boxes;
}

/** Pushes an RA interval that may run past 0 or 360 as one or two boxes inside [0, 360]. */
export function pushRaBox(
  boxes: RaDecBox[],
  minRa: number,
  maxRa: number,
  minDec: number,
  maxDec: number,
): void {
  if (maxRa - minRa >= 360) {
    boxes.push({ minX: 0, maxX: 360, minY: minDec, maxY: maxDec });
  } else if (minRa < 0) {
    boxes.push({ minX: minRa + 360, maxX: 360, minY: minDec, maxY: maxDec });
    boxes.push({ minX: 0, maxX: maxRa, minY: minDec, maxY: maxDec });
  } else if (maxRa > 360) {
    boxes.push({ minX: minRa, maxX: 360, minY: minDec, maxY: maxDec });
    boxes.push({ minX: 0, maxX: maxRa - 360, minY: minDec, maxY: maxDec });
  } else {
    boxes.push({ minX: minRa, maxX: maxRa, minY: minDec, maxY: maxDec });
  }
}
