/**
 * Loaders for the committed reference values (test/reference/sky/), produced by
 * scripts/reference/sky_reference.py with healpy, astropy-healpix, mocpy and ligo.skymap.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../helpers/shared.ts';

export const REFERENCE_DIR = join(PROJECT_ROOT, 'test', 'reference', 'sky');

export function readReference(name: string): unknown {
  const bytes = readFileSync(join(REFERENCE_DIR, name));
  const text = name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return JSON.parse(text) as unknown;
}

export interface HealpixReference {
  points: Array<[number, number]>;
  nest29: string[];
  ring: Record<string, number[]>;
  pix2angNest: Record<string, Array<[number, number]>>;
}

export interface ConeReference {
  cones: Array<{
    raDeg: number;
    decDeg: number;
    radiusDeg: number;
    order: number;
    capAreaDeg2: number;
    healpyCentreInside: Array<[number, number]>;
    healpyInclusiveCount: number;
    mocpyAreaDeg2: number;
  }>;
}

export interface MapStats {
  rows: number;
  totalProbability: number;
  area50Deg2: number;
  area90Deg2: number;
  maxProb: { raDeg: number; decDeg: number };
  maxDensityPerSr: number;
  mocpy90AreaDeg2: number | null;
  positions: Array<{
    raDeg: number;
    decDeg: number;
    searchedProb: number;
    searchedAreaDeg2: number;
    probDensityPerSr: number;
  }>;
}

export interface SyntheticSpec {
  name: string;
  raDeg: number;
  decDeg: number;
  sigmaDeg: number;
  baseOrder: number;
  fineOrder?: number;
  refineWithinDeg?: number;
}

export interface SkymapReference {
  samples: Array<MapStats & { sample: string }>;
  synthetic: Array<MapStats & { spec: SyntheticSpec }>;
}

export interface MocIoReference {
  mocs: Array<{
    name: string;
    ascii: string;
    json: string;
    depth29Ranges: Array<[string, string]>;
    areaDeg2: number;
    maxOrder: number;
  }>;
}

/** |a − b| ≤ rel·|b| (relative tolerance). */
export function closeRel(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.abs(b);
}
