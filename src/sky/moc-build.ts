/**
 * MOCs from shapes: circle (cone), ellipse and polygon, by hierarchical refinement.
 *
 * Start from the 12 base pixels; for each pixel compare the shape with the pixel's bounding
 * cap (centre c_p, radius ρ_p = 1.1 × the largest centre-to-corner angle, the margin covering
 * the curvature of HEALPix pixel edges): wholly outside → dropped, wholly inside → kept whole,
 * otherwise split into its 4 children, down to `maxOrder`. At `maxOrder` the boundary pixels
 * are kept when `inclusive` (the MOC covers the shape, like healpy `query_disc(inclusive=True)`
 * and mocpy `from_cone`), or else only when the pixel centre is inside (the area then matches
 * the shape's exact area to within the boundary pixels' scatter: the "exact-area" variant).
 */
import { CoincideError } from '../errors.ts';
import { RAD_PER_DEG, raDecToVector, vectorAngleRad, type UnitVector } from './angles.ts';
import { faceXYToNest, faceXYToVectorInto } from './healpix-deep.ts';
import { MAX_NUMBER_ORDER, checkOrder } from './healpix.ts';
import { Moc } from './moc.ts';

export interface MocBuildOptions {
  /** Deepest order of the result (default: chosen from the shape size, 3…20). */
  maxOrder?: number;
  /** Keep every boundary pixel at maxOrder (default true); false keeps those whose centre is inside. */
  inclusive?: boolean;
}

type Verdict = 'in' | 'out' | 'partial';

/** A scratch unit vector, written in place. */
type Vector3 = [number, number, number];

/** Classifies a pixel given its centre and bounding-cap radius (radians). */
interface ShapeTest {
  classify(centre: UnitVector, radiusRad: number): Verdict;
  /**
   * classify(centre, MAX_PIXEL_CAP_RAD[order]) (the first test of every pixel), when the shape
   * has a cheaper form of it (a circle: thresholds on the chord, precomputed per order).
   */
  classifyAtOrder?(centre: UnitVector, order: number): Verdict;
  /**
   * True only when classify(centre, ρ) is not 'out' for any ρ ≥ 0 (a circle: the centre is
   * within the radius, d ≤ r, so d − ρ ≤ r), computed as classify computes it; lets an inclusive
   * refinement keep a partial pixel at its maxOrder without its own cap (its 4 corners).
   */
  neverOutAt?(centre: UnitVector): boolean;
  containsVector(v: UnitVector): boolean;
}

/** An order whose pixels (≈ 58.6°/2^order across) are about sizeDeg/16: 3…20. */
export function defaultOrderForSize(sizeDeg: number): number {
  const order = Math.ceil(Math.log2((58.6 * 16) / Math.max(sizeDeg, 1e-9)));
  return Math.min(20, Math.max(3, order));
}

/**
 * Upper bound on the angle from any pixel's centre to its corners at `order`: healpix_base
 * `max_pixrad` (the distance from the centre of a pixel at the north-cap edge, z = 2/3 and
 * φ = π/(4 nside), to the corner at z = 1 − (1 − 1/nside)²/3, φ = 0), radians.
 */
export function maxPixelRadiusRad(order: number): number {
  const nside = 2 ** order;
  const t1 = (1 - 1 / nside) ** 2;
  const za = 2 / 3;
  const zb = 1 - t1 / 3;
  const phiA = Math.PI / (4 * nside);
  const sa = Math.sqrt((1 - za) * (1 + za));
  const sb = Math.sqrt((1 - zb) * (1 + zb));
  return vectorAngleRad([sa * Math.cos(phiA), sa * Math.sin(phiA), za], [sb, 0, zb]);
}

/** The deepest order a refinement visits (its maxOrder is checked against it). */
const MAX_ORDER_VISITED = MAX_NUMBER_ORDER;

/** Order-24 cells per pixel of orders 0…24: 4^(24 − order). */
const ORDER24_CELLS_PER_PIXEL: readonly number[] = Array.from(
  { length: MAX_ORDER_VISITED + 1 },
  (_, order) => 4 ** (MAX_ORDER_VISITED - order),
);

/** maxPixelRadiusRad for orders 0…29, with the 1.1 margin of the pixel bounding caps. */
const MAX_PIXEL_CAP_RAD: readonly number[] = Array.from(
  { length: 30 },
  (_, order) => 1.1 * maxPixelRadiusRad(order),
);

/**
 * buildMocs' points by order (see there), reused by every call: a refinement runs to its end
 * synchronously and never starts another, and it writes each point before it reads it.
 */
const SCRATCH_POINTS: Vector3[][] = Array.from({ length: MAX_ORDER_VISITED + 1 }, () =>
  Array.from({ length: 9 }, (): Vector3 => [0, 0, 0]),
);
const SCRATCH_KNOWN = new Int32Array(MAX_ORDER_VISITED + 1);

/**
 * Pixels are classified twice at most: first against the largest bounding cap of any pixel at
 * their order (MAX_PIXEL_CAP_RAD: one vector, no corners); only a pixel that cap leaves
 * partial gets its own cap (its 4 corners) and a second test. Sound because every shape test
 * is monotone in the cap radius: a pixel wholly out of (or in) the shape with the larger cap is
 * so with its own. Most pixels a refinement visits are decided by the first test (for an
 * arcsecond circle, ~3/4 of ~500 pixels over 20 orders), which made building a small
 * localisation's MOC several times cheaper (bench/archive.ts, MOC building).
 */
function buildMoc(test: ShapeTest, maxOrder: number, inclusive: boolean): Moc {
  return buildMocs([test], [maxOrder], inclusive)[0] as Moc;
}

/**
 * The MOCs of several shapes in one refinement (e.g. the 50 % and 90 % discs of one circle):
 * each pixel's centre and corners are computed once for every shape still undecided in it, so
 * nested shapes share the descent from the base pixels to their own size (for an arcsecond
 * circle, most of the pixels visited). Each shape's result is that of buildMoc alone: the same
 * tests in the same order, with its own maxOrder.
 */
function buildMocs(tests: readonly ShapeTest[], maxOrders: readonly number[], inclusive: boolean): Moc[] {
  return buildRanges24(tests, maxOrders, inclusive).map((flat) => Moc.fromSortedRanges24(flat));
}

/**
 * buildMocs' refinement, each shape's pixels as order-24 [start, end) ranges in exact doubles,
 * sorted and disjoint (adjacent ones not merged yet: mergeRanges24).
 */
function buildRanges24(
  tests: readonly ShapeTest[],
  maxOrders: readonly number[],
  inclusive: boolean,
): number[][] {
  if (tests.length === 0 || tests.length > 30 || tests.length !== maxOrders.length)
    throw new CoincideError('SKY_BAD_REGION', 'buildMocs takes 1 to 30 shapes, each with its maxOrder');
  for (const maxOrder of maxOrders) checkOrder(maxOrder, MAX_NUMBER_ORDER);
  // Each shape's pixels as order-24 [start, end) ranges, exact doubles (maxOrder ≤ 24): the
  // refinement visits pixels in NESTED order (faces in turn, children 0–3 = 4p + k), so the
  // ranges come sorted and disjoint, and Moc.fromSortedRanges24 merges the adjacent ones (no
  // BigInt per pixel, no sort).
  const flats: number[][] = tests.map(() => []);
  // Each level's pixel as points at the next order's integer coordinates (2x + i, 2y + j),
  // i, j ∈ {0, 1, 2}, in slot 3j + i: its corners (slots 0, 2, 6, 8), its centre (4) and its edge
  // midpoints, which are its children's corners. A pixel takes its corners from its parent's
  // points, computing those its siblings have not (`known`: bit s set when slot s is), so that a
  // point shared by 2–4 pixels is computed once. The same bits as computing each pixel's own:
  // faceXYToVectorInto scales by 2^−order, and (2x + i)·2^−(order+1) = (x + i/2)·2^−order exactly.
  // No allocation per pixel (the refinement visits hundreds of them).
  // Scratch of the module (SCRATCH_POINTS), not allocated per call: 225 small arrays were ~5 %
  // of building a circle's MOCs. A refinement reads only what it wrote itself (`known`).
  const points = SCRATCH_POINTS;
  const known = SCRATCH_KNOWN;
  /** `active`: bit i set while shape i is undecided in the pixel's parent. */
  const visit = (order: number, face: number, x: number, y: number, active: number): void => {
    const own = points[order] as Vector3[];
    const centre = own[4] as Vector3;
    faceXYToVectorInto(order, face, x + 0.5, y + 0.5, centre);
    known[order] = 1 << 4;
    /** The pixel's own bounding-cap radius (its 4 corners), computed when a shape needs it. */
    let ownCapRad = -1;
    let children = 0;
    let ipix: number | undefined;
    for (let i = 0; i < tests.length; i++) {
      if ((active & (1 << i)) === 0) continue;
      const test = tests[i] as ShapeTest;
      let verdict = test.classifyAtOrder
        ? test.classifyAtOrder(centre, order)
        : test.classify(centre, MAX_PIXEL_CAP_RAD[order] as number);
      // At the shape's maxOrder an inclusive refinement keeps 'partial' and 'in' alike: a pixel
      // the own cap could not make 'out' is kept without computing that cap.
      const kept =
        verdict === 'partial' &&
        inclusive &&
        order >= (maxOrders[i] as number) &&
        test.neverOutAt?.(centre) === true;
      if (verdict === 'partial' && !kept) {
        if (ownCapRad < 0) {
          // The largest centre-to-corner chord (the angle is monotone in it: one asin, not four).
          let chord2 = 0;
          for (let b = 0; b <= 1; b++)
            for (let a = 0; a <= 1; a++) {
              const corner = own[6 * b + 2 * a] as Vector3;
              if (order === 0) faceXYToVectorInto(order, face, x + a, y + b, corner);
              else {
                const slot = 3 * ((y & 1) + b) + (x & 1) + a;
                const shared = (points[order - 1] as Vector3[])[slot] as Vector3;
                const parentKnown = known[order - 1] as number;
                if ((parentKnown & (1 << slot)) === 0) {
                  faceXYToVectorInto(order, face, x + a, y + b, shared);
                  known[order - 1] = parentKnown | (1 << slot);
                }
                corner[0] = shared[0];
                corner[1] = shared[1];
                corner[2] = shared[2];
              }
              chord2 = Math.max(chord2, squaredChord(centre, corner));
            }
          known[order] |= 0b101000101;
          ownCapRad = chordToAngleRad(chord2) * 1.1;
        }
        verdict = test.classify(centre, ownCapRad);
      }
      if (verdict === 'out') continue;
      if (verdict === 'partial' && order < (maxOrders[i] as number)) {
        children |= 1 << i;
        continue;
      }
      if (verdict === 'partial' && !inclusive && !test.containsVector(centre)) continue;
      // The pixel (face, x, y) at `order` as an order-24 range.
      const scale = ORDER24_CELLS_PER_PIXEL[order] as number;
      ipix ??= faceXYToNest(order, face, x, y);
      (flats[i] as number[]).push(ipix * scale, (ipix + 1) * scale);
    }
    if (children === 0) return;
    for (let child = 0; child < 4; child++)
      visit(order + 1, face, 2 * x + (child & 1), 2 * y + (child >> 1), children);
  };
  const all = (1 << tests.length) - 1;
  for (let face = 0; face < 12; face++) visit(0, face, 0, 0, all);
  return flats;
}

/**
 * Sorted disjoint order-24 [start, end) ranges with the adjacent ones merged (end = next start):
 * the ranges of Moc.fromSortedRanges24(flat), at order 24, as doubles (exact: < 12·4^24 < 2^53).
 */
export function mergeRanges24(flat: readonly number[]): Float64Array {
  const out = new Float64Array(flat.length);
  let n = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const s = flat[i] as number;
    const e = flat[i + 1] as number;
    if (n > 0 && s === out[n - 1]) out[n - 1] = e;
    else {
      out[n++] = s;
      out[n++] = e;
    }
  }
  return out.subarray(0, n);
}

/**
 * Angle between unit vectors from their chord: 2·asin(|u − v|/2). Accurate at small angles
 * (the chord is computed from differences) and cheaper than atan2 of the cross product; used
 * for pixel radii (≤ ~50°), where its loss of precision near π never applies.
 */
function smallAngleRad(u: UnitVector, v: UnitVector): number {
  return chordToAngleRad(squaredChord(u, v));
}

/** |u − v|² of two unit vectors (the squared chord). */
function squaredChord(u: UnitVector, v: UnitVector): number {
  const dx = u[0] - v[0];
  const dy = u[1] - v[1];
  const dz = u[2] - v[2];
  return dx * dx + dy * dy + dz * dz;
}

/** The angle of a squared chord c²: 2·asin(√c² / 2). */
function chordToAngleRad(chord2: number): number {
  return 2 * Math.asin(Math.min(1, 0.5 * Math.sqrt(chord2)));
}

/** The squared chord of an angle θ ∈ [0, π]: (2 sin(θ/2))², monotone in θ. */
function angleToSquaredChord(angleRad: number): number {
  const c = 2 * Math.sin(Math.min(Math.PI, angleRad) / 2);
  return c * c;
}

function checkAngle(name: string, valueDeg: number, maxDeg: number): void {
  if (!Number.isFinite(valueDeg) || valueDeg <= 0 || valueDeg > maxDeg) {
    throw new CoincideError('SKY_BAD_REGION', `${name} ${valueDeg}° is outside (0, ${maxDeg}]`);
  }
}

/** Cone of angular radius r about (α, δ). */
export function mocFromCircle(
  raDeg: number,
  decDeg: number,
  radiusDeg: number,
  options: MocBuildOptions = {},
): Moc {
  checkAngle('radius', radiusDeg, 180);
  return buildMoc(
    circleTest(raDecToVector(raDeg, decDeg), radiusDeg * RAD_PER_DEG),
    options.maxOrder ?? defaultOrderForSize(radiusDeg),
    options.inclusive ?? true,
  );
}

/**
 * Concentric cones about (α, δ), each with its own maxOrder (e.g. the credible discs of one
 * circle at several levels), in one refinement (buildMocs): the same MOCs as mocFromCircle of
 * each, for less than the cost of the two.
 */
export function mocsFromCircle(
  raDeg: number,
  decDeg: number,
  cones: ReadonlyArray<{ radiusDeg: number; maxOrder?: number }>,
  options: { inclusive?: boolean } = {},
): Moc[] {
  return rangesFromCircle24(raDeg, decDeg, cones, options).map((flat) => Moc.fromSortedRanges24(flat));
}

/**
 * mocsFromCircle's MOCs as merged order-24 ranges (mergeRanges24: the MOC's ranges ÷ 4^5), without
 * the Moc: no BigInt per range, for callers that only encode and index them (archive import).
 */
export function rangesFromCircle24(
  raDeg: number,
  decDeg: number,
  cones: ReadonlyArray<{ radiusDeg: number; maxOrder?: number }>,
  options: { inclusive?: boolean } = {},
): Float64Array[] {
  const c = raDecToVector(raDeg, decDeg);
  for (const cone of cones) checkAngle('radius', cone.radiusDeg, 180);
  return buildRanges24(
    cones.map((cone) => circleTest(c, cone.radiusDeg * RAD_PER_DEG)),
    cones.map((cone) => cone.maxOrder ?? defaultOrderForSize(cone.radiusDeg)),
    options.inclusive ?? true,
  ).map(mergeRanges24);
}

/** The shape test of the cone of radius r (radians) about c. */
function circleTest(c: UnitVector, r: number): ShapeTest {
  // The first test of a pixel, d − ρ > r (out) and d + ρ ≤ r (in) with ρ = MAX_PIXEL_CAP_RAD
  // of its order, as thresholds on the squared chord |c − p|² (monotone in the angle d on
  // [0, π]): out when |c − p|² > chord²(r + ρ) (never when r + ρ ≥ π), in when
  // |c − p|² ≤ chord²(r − ρ) (never when ρ > r). One dot-free distance per pixel instead of
  // an atan2 of a cross product: most pixels a refinement visits are decided here.
  const outChord2 = MAX_PIXEL_CAP_RAD.map((rp) =>
    r + rp >= Math.PI ? Infinity : angleToSquaredChord(r + rp),
  );
  const inChord2 = MAX_PIXEL_CAP_RAD.map((rp) => (rp > r ? -1 : angleToSquaredChord(r - rp)));
  return {
    classify(centre, rp) {
      const d = smallAngleRad(c, centre);
      if (d - rp > r) return 'out';
      if (d + rp <= r) return 'in';
      return 'partial';
    },
    // classify's d; d − ρ rounds to at most d for ρ ≥ 0 (IEEE subtraction is monotone), so
    // d ≤ r never gives 'out'.
    neverOutAt: (centre) => smallAngleRad(c, centre) <= r,
    classifyAtOrder(centre, order) {
      const d2 = squaredChord(c, centre);
      if (d2 > (outChord2[order] as number)) return 'out';
      if (d2 <= (inChord2[order] as number)) return 'in';
      return 'partial';
    },
    containsVector: (v) => vectorAngleRad(c, v) <= r,
  };
}

/**
 * Local frame at a centre: unit vectors east ê = (−sin α, cos α, 0) and north
 * n̂ = (−sin δ cos α, −sin δ sin α, cos δ).
 */
export function localFrame(
  raDeg: number,
  decDeg: number,
): { centre: UnitVector; east: UnitVector; north: UnitVector } {
  const a = raDeg * RAD_PER_DEG;
  const d = decDeg * RAD_PER_DEG;
  return {
    centre: raDecToVector(raDeg, decDeg),
    east: [-Math.sin(a), Math.cos(a), 0],
    north: [-Math.sin(d) * Math.cos(a), -Math.sin(d) * Math.sin(a), Math.cos(d)],
  };
}

/**
 * Scaled elliptical distance e = √((u/a)² + (v/b)²), where (u, v) are the offsets along the
 * major and minor axes in the zenithal-equidistant projection about the centre: with
 * ξ = v·ê, η = v·n̂, w = v·ĉ, the separation is ρ = atan2(√(ξ²+η²), w) and the direction
 * (ξ, η)/√(ξ²+η²); the major axis points along (sin PA, cos PA) in (east, north).
 * e ≤ 1 is inside the ellipse; e is 1/b-Lipschitz in angle, which bounds a pixel's range.
 */
export function ellipseDistance(
  frame: { centre: UnitVector; east: UnitVector; north: UnitVector },
  sinPa: number,
  cosPa: number,
  aRad: number,
  bRad: number,
  v: UnitVector,
): number {
  const xi = v[0] * frame.east[0] + v[1] * frame.east[1] + v[2] * frame.east[2];
  const eta = v[0] * frame.north[0] + v[1] * frame.north[1] + v[2] * frame.north[2];
  const w = v[0] * frame.centre[0] + v[1] * frame.centre[1] + v[2] * frame.centre[2];
  const s = Math.hypot(xi, eta);
  if (s === 0) return w > 0 ? 0 : Math.PI / bRad;
  const rho = Math.atan2(s, w);
  const u = (rho * (xi * sinPa + eta * cosPa)) / s;
  const vv = (rho * (xi * cosPa - eta * sinPa)) / s;
  return Math.hypot(u / aRad, vv / bRad);
}

/** Ellipse with semi-axes a ≥ b (degrees) and position angle of the major axis (east of north). */
export function mocFromEllipse(
  raDeg: number,
  decDeg: number,
  semiMajorDeg: number,
  semiMinorDeg: number,
  posAngleDeg: number,
  options: MocBuildOptions = {},
): Moc {
  checkAngle('semi-major axis', semiMajorDeg, 90);
  checkAngle('semi-minor axis', semiMinorDeg, semiMajorDeg);
  const frame = localFrame(raDeg, decDeg);
  const pa = posAngleDeg * RAD_PER_DEG;
  const sinPa = Math.sin(pa);
  const cosPa = Math.cos(pa);
  const a = semiMajorDeg * RAD_PER_DEG;
  const b = semiMinorDeg * RAD_PER_DEG;
  const test: ShapeTest = {
    classify(centre, rp) {
      const e = ellipseDistance(frame, sinPa, cosPa, a, b, centre);
      if (e - rp / b > 1) return 'out';
      if (e + rp / b <= 1) return 'in';
      return 'partial';
    },
    containsVector: (v) => ellipseDistance(frame, sinPa, cosPa, a, b, v) <= 1,
  };
  return buildMoc(test, options.maxOrder ?? defaultOrderForSize(semiMinorDeg), options.inclusive ?? true);
}

/**
 * Polygon with great-circle edges, vertices given in order (either sense), all within 90° of
 * their mean direction. Inside test: gnomonic projection about the mean direction (great
 * circles become straight lines, so the planar even–odd rule is exact), then ray crossing.
 * Distance to the boundary: the least angle to any edge arc (angle to the edge's great circle
 * when the foot of the perpendicular falls on the arc, else to the nearer vertex).
 */
export function mocFromPolygon(
  vertices: ReadonlyArray<{ raDeg: number; decDeg: number }>,
  options: MocBuildOptions = {},
): Moc {
  if (vertices.length < 3) throw new CoincideError('SKY_BAD_REGION', 'a polygon needs at least 3 vertices');
  const vs = vertices.map((p) => raDecToVector(p.raDeg, p.decDeg));
  const mean: [number, number, number] = [0, 0, 0];
  for (const v of vs) {
    mean[0] += v[0];
    mean[1] += v[1];
    mean[2] += v[2];
  }
  const norm = Math.hypot(...mean);
  if (norm === 0) throw new CoincideError('SKY_BAD_REGION', 'polygon vertices have no mean direction');
  const m: UnitVector = [mean[0] / norm, mean[1] / norm, mean[2] / norm];
  const mRaDec = {
    raDeg: (Math.atan2(m[1], m[0]) * 180) / Math.PI,
    decDeg: (Math.asin(m[2]) * 180) / Math.PI,
  };
  const frame = localFrame(mRaDec.raDeg, mRaDec.decDeg);
  const project = (v: UnitVector): [number, number] | null => {
    const w = v[0] * m[0] + v[1] * m[1] + v[2] * m[2];
    if (w <= 1e-12) return null;
    const xi = v[0] * frame.east[0] + v[1] * frame.east[1] + v[2] * frame.east[2];
    const eta = v[0] * frame.north[0] + v[1] * frame.north[1] + v[2] * frame.north[2];
    return [xi / w, eta / w];
  };
  const planar = vs.map((v) => {
    const p = project(v);
    if (!p) throw new CoincideError('SKY_BAD_REGION', 'polygon is larger than a hemisphere');
    return p;
  });
  const inside = (v: UnitVector): boolean => {
    const p = project(v);
    if (!p) return false;
    let odd = false;
    for (let i = 0, j = planar.length - 1; i < planar.length; j = i++) {
      const [xi, yi] = planar[i] as [number, number];
      const [xj, yj] = planar[j] as [number, number];
      if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) odd = !odd;
    }
    return odd;
  };
  const edgeDistance = (v: UnitVector): number => {
    let best = Math.PI;
    for (let i = 0; i < vs.length; i++) {
      const a = vs[i] as UnitVector;
      const b = vs[(i + 1) % vs.length] as UnitVector;
      const n: [number, number, number] = [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
      ];
      const nn = Math.hypot(...n);
      let d = Math.min(vectorAngleRad(v, a), vectorAngleRad(v, b));
      if (nn > 0) {
        const dot = (v[0] * n[0] + v[1] * n[1] + v[2] * n[2]) / nn;
        // Foot of the perpendicular: v minus its component along n̂, normalised.
        const f: UnitVector = [v[0] - (dot * n[0]) / nn, v[1] - (dot * n[1]) / nn, v[2] - (dot * n[2]) / nn];
        const ab = vectorAngleRad(a, b);
        if (Math.abs(vectorAngleRad(a, f) + vectorAngleRad(f, b) - ab) < 1e-12)
          d = Math.min(d, Math.asin(Math.min(1, Math.abs(dot))));
      }
      if (d < best) best = d;
    }
    return best;
  };
  let sizeRad = 0;
  for (const v of vs) sizeRad = Math.max(sizeRad, vectorAngleRad(m, v));
  const test: ShapeTest = {
    classify(centre, rp) {
      if (edgeDistance(centre) > rp) return inside(centre) ? 'in' : 'out';
      return 'partial';
    },
    containsVector: inside,
  };
  const sizeDeg = (sizeRad * 180) / Math.PI;
  return buildMoc(test, options.maxOrder ?? defaultOrderForSize(sizeDeg), options.inclusive ?? true);
}
