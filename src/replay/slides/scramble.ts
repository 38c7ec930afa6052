/**
 * Sky scrambles for the time-slide background (`coincide replay --time-slides N --sky-scramble ra`).
 *
 * Why: a messenger × optical class whose window is as long as the archive cannot be measured by
 * time slides. The neutrino × optical window is [−1, +30] d; on a month of notices the trigger
 * ring P (≈ 30 d) is not longer than twice the window extent, so every slide leaves each
 * neutrino's real optical counterparts inside its window (plan.ts: the class is never clean).
 * Moving the trigger on the sky instead makes its slid trial independent of its real
 * counterparts, whatever the window.
 *
 * Procedure (the IceCube practice for background trials — "scrambling" the right ascension of the
 * events while keeping their declination, e.g. IceCube Collaboration, ApJ 835 (2017) 151 §4,
 * and AMON's background by scrambled positions, Ayala Solares et al., Astropart. Phys. 114 (2020)
 * 68 §4.2): at each slide k ≥ 1, every trigger whose region is a circle or an ellipse is rotated
 * on the sky by a rotation R_{t,k} drawn from a seeded generator (per trigger id and slide, so the
 * same seed gives the same scramble):
 *   - mode 'ra':        R = rotation about the celestial pole by φ, φ ~ U[0, 2π): α' = α + φ,
 *                       δ' = δ, position angle unchanged. It keeps each trigger's declination, so
 *                       declination-dependent exposure (a detector's or a survey's) is kept.
 *   - mode 'isotropic': R uniform on SO(3) (a uniform unit quaternion, Shoemake, "Uniform random
 *                       rotations", Graphics Gems III (1992) 124): centre uniform on the sphere;
 *                       an ellipse's major axis turned with the frame (its position angle
 *                       recomputed in the new local frame).
 * Regions keep their shape and size; sky maps are not rotated (resampling a HEALPix map under a
 * rotation is not done here), so their triggers have no scrambled trials.
 *
 * A scrambled trial (trigger t, slide k) is sky-clean when the rotated region cannot hold the
 * real counterparts of the original one: with (c, r) the bounding cap of the original region's
 * credible MOC at the engine's credible level (archive/region-cap.ts: every point of the region
 * is within r of c), the trial is clean iff angle(c, R c) > 2 r, i.e. the two caps do not meet
 * (a trigger whose revisions moved its region: no rotated cap may meet any original one).
 * An optical object found by the rotated region then lies outside the original region: it is a
 * background object at that trigger's time, whatever the time offset.
 */
import type { Notice, NoticeRegion } from '../../notices/notice.ts';
import { raDecToVector, vectorAngleRad, vectorToRaDec, type UnitVector } from '../../sky/angles.ts';
import { defaultOrderForSize } from '../../sky/moc-build.ts';
import { Moc } from '../../sky/moc.ts';
import { regionCap, type RegionCap } from '../../archive/region-cap.ts';
import type { ActiveRegion } from '../../join/active-region.ts';
import { seededRandom } from '../../seeded-random.ts';

export type SkyScrambleMode = 'ra' | 'isotropic';

export interface SkyScramble {
  mode: SkyScrambleMode;
  /** Seed of the rotations (a run with the same seed scrambles the same way). */
  seed: number;
}

/** A rotation as a 3×3 matrix (rows). */
export type Rotation = readonly [UnitVector, UnitVector, UnitVector];

/** 32-bit FNV-1a of a string (to derive a generator per trigger and slide). */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The rotation R_{t,k} of a trigger at slide k (see the header). */
export function scrambleRotation(scramble: SkyScramble, triggerId: string, k: number): Rotation {
  const random = seededRandom(fnv1a(`${triggerId}|${k}`, scramble.seed));
  if (scramble.mode === 'ra') {
    const phi = 2 * Math.PI * random();
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    return [
      [c, -s, 0],
      [s, c, 0],
      [0, 0, 1],
    ];
  }
  // Shoemake: q = (√(1−u1) sin 2πu2, √(1−u1) cos 2πu2, √u1 sin 2πu3, √u1 cos 2πu3) is uniform on S³.
  const u1 = random();
  const u2 = random();
  const u3 = random();
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  const x = a * Math.sin(2 * Math.PI * u2);
  const y = a * Math.cos(2 * Math.PI * u2);
  const z = b * Math.sin(2 * Math.PI * u3);
  const w = b * Math.cos(2 * Math.PI * u3);
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
  ];
}

export function rotate(r: Rotation, v: UnitVector): UnitVector {
  return [
    r[0][0] * v[0] + r[0][1] * v[1] + r[0][2] * v[2],
    r[1][0] * v[0] + r[1][1] * v[1] + r[1][2] * v[2],
    r[2][0] * v[0] + r[2][1] * v[1] + r[2][2] * v[2],
  ];
}

/** Whether a notice's region can be scrambled (circles and ellipses). */
export function isScramblable(region: NoticeRegion): boolean {
  return region.type === 'circle' || region.type === 'ellipse';
}

/**
 * The region moved by R: centre R c; an ellipse's position angle measured again in the local
 * frame at the new centre (east ê = (−sin α, cos α, 0), north n̂ = (−sin δ cos α, −sin δ sin α,
 * cos δ)), from the rotated major-axis direction R m, m = sin PA ê + cos PA n̂.
 */
export function rotateRegion(region: NoticeRegion, r: Rotation): NoticeRegion {
  if (region.type !== 'circle' && region.type !== 'ellipse') return region;
  const moved = vectorToRaDec(rotate(r, raDecToVector(region.raDeg, region.decDeg)));
  if (region.type === 'circle') return { ...region, raDeg: moved.raDeg, decDeg: moved.decDeg };
  const { east, north } = localFrameOf(region.raDeg, region.decDeg);
  const pa = (region.posAngleDeg * Math.PI) / 180;
  const m: UnitVector = [
    Math.sin(pa) * east[0] + Math.cos(pa) * north[0],
    Math.sin(pa) * east[1] + Math.cos(pa) * north[1],
    Math.sin(pa) * east[2] + Math.cos(pa) * north[2],
  ];
  const m2 = rotate(r, m);
  const frame = localFrameOf(moved.raDeg, moved.decDeg);
  const e = m2[0] * frame.east[0] + m2[1] * frame.east[1] + m2[2] * frame.east[2];
  const n = m2[0] * frame.north[0] + m2[1] * frame.north[1] + m2[2] * frame.north[2];
  const posAngleDeg = ((((Math.atan2(e, n) * 180) / Math.PI) % 360) + 360) % 360;
  return { ...region, raDeg: moved.raDeg, decDeg: moved.decDeg, posAngleDeg };
}

function localFrameOf(raDeg: number, decDeg: number): { east: UnitVector; north: UnitVector } {
  const a = (raDeg * Math.PI) / 180;
  const d = (decDeg * Math.PI) / 180;
  return {
    east: [-Math.sin(a), Math.cos(a), 0],
    north: [-Math.sin(d) * Math.cos(a), -Math.sin(d) * Math.sin(a), Math.cos(d)],
  };
}

/** A notice with its region rotated (and nothing else changed). */
export function rotateNotice(notice: Notice, r: Rotation): Notice {
  return { ...notice, region: rotateRegion(notice.region, r) };
}

/**
 * A bounding cap of a region's searched (credible-level) area: regionCap of its cover cells
 * (ActiveRegion.coverCells, a superset of the region) at an order whose cells are about a
 * quarter of the region's radius (r = √(A/π)), at most order 12; undefined for an empty cover.
 */
export function regionBoundingCap(region: ActiveRegion): RegionCap | undefined {
  const radiusDeg = Math.sqrt(region.areaDeg2 / Math.PI);
  const order = Math.max(0, Math.min(12, defaultOrderForSize(radiusDeg) - 3));
  const cells = [...region.coverCells(order)].map((ipix) => ({ order, ipix: BigInt(ipix) }));
  return cells.length === 0 ? undefined : regionCap(Moc.fromCells(cells));
}

/**
 * Sky-clean (see the header): no rotated cap meets an original one (a trigger's caps: one per
 * distinct region of its notices), i.e. angle(c_i, R c_j) > r_i + r_j for every i, j.
 */
export function isSkyCleanCaps(caps: readonly RegionCap[], r: Rotation): boolean {
  for (const a of caps)
    for (const b of caps)
      if (!(vectorAngleRad(a.centre, rotate(r, b.centre)) > a.radiusRad + b.radiusRad)) return false;
  return true;
}
