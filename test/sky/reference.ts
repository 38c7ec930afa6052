/**
 * Loaders for the committed reference values (test/reference/sky/), produced by
 * scripts/reference/sky_reference.py with healpy, astropy-healpix, mocpy and ligo.skymap.
 */
import assert from 'node:assert/strict';
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
  /** ligo.skymap's values on the map renormalised to a total of 1 (live script output only). */
  normalised?: {
    area50Deg2: number;
    area90Deg2: number;
    positions: Array<{ searchedProb: number; searchedAreaDeg2: number; probDensityPerSr: number }>;
  };
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

/** One sample's ligo.skymap values, as in skymaps.json. */
export type SampleStats = MapStats & { sample: string };

/**
 * Asserts that `coincide skymap` output (runSkymap, levels 50,90, --contains at `position`)
 * agrees with ligo.skymap's crossmatch values for the same map: areas within 0.5 %, the mode
 * to 1e-9 deg, the searched probability to 1e-9, the searched area within 0.5 % and the
 * density to 1e-9 (relative). Where the reference carries ligo.skymap's values on the
 * renormalised map (`normalised`), those are compared, since coincide normalises every map.
 */
export function assertSkymapOutputAgrees(
  out: Record<string, unknown>,
  expected: MapStats,
  position: MapStats['positions'][number],
): void {
  const DEG2_PER_SR = (180 / Math.PI) ** 2;
  // coincide reads every map renormalised to a total of 1: compare with ligo.skymap on the
  // renormalised map where the reference has it (the live script's output).
  const index = expected.positions.indexOf(position);
  const normalisedPosition = expected.normalised?.positions[index];
  if (expected.normalised && normalisedPosition) {
    expected = { ...expected, ...expected.normalised, positions: expected.positions };
    position = { ...position, ...normalisedPosition };
  }
  assert.ok(closeRel(out.area50Deg2 as number, expected.area50Deg2, 0.005), `A50 ${String(out.area50Deg2)}`);
  assert.ok(closeRel(out.area90Deg2 as number, expected.area90Deg2, 0.005), `A90 ${String(out.area90Deg2)}`);
  const mode = out.maxProb as { raDeg: number; decDeg: number };
  assert.ok(Math.abs(mode.decDeg - expected.maxProb.decDeg) < 1e-9, 'mode dec');
  assert.ok(Math.abs(((mode.raDeg - expected.maxProb.raDeg + 540) % 360) - 180) < 1e-9, 'mode ra');
  assert.ok(Math.abs((out.credibleLevel as number) - position.searchedProb) < 1e-9, 'credible level');
  assert.ok(closeRel(out.searchedAreaDeg2 as number, position.searchedAreaDeg2, 0.005), 'searched area');
  assert.ok(
    closeRel(out.probDensityPerDeg2 as number, position.probDensityPerSr / DEG2_PER_SR, 1e-9),
    'density per deg²',
  );
}
