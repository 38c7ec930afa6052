/**
 * LocalisationRegion: the one interface the join uses for every localisation (circle,
 * ellipse, sky map), and `regionFromNotice` to build one from a Notice's `region`.
 *
 * Levels are credible levels in [0, 1]: `contains(ra, dec, 0.9)` is true when the position is
 * inside the 90 % credible region, i.e. when `credibleLevelAt(ra, dec) ≤ 0.9`.
 * Hot path: prepare a position once with `preparePoint` and call the `…Point` methods.
 */
import { CoincideError } from '../errors.ts';
import type { NoticeRegion } from '../notices/notice.ts';
import {
  DEG2_PER_SR,
  DEG_PER_RAD,
  RAD_PER_DEG,
  angularDistanceDeg,
  capAreaSr,
  checkPosition,
  normaliseRaDeg,
  vectorToRaDec,
} from './angles.ts';
import { pix2angNest, pixelCornersNest } from './healpix.ts';
import {
  ellipseDistance,
  localFrame,
  mocFromCircle,
  mocFromEllipse,
  type MocBuildOptions,
} from './moc-build.ts';
import type { Moc } from './moc.ts';
import {
  fisherKappa,
  fisherProfile,
  gaussianProfile,
  gaussianSigmaDeg,
  gbmNoticeKey,
  gbmProfile,
  type CircleModel,
  type RadialProfile,
} from './radial-profile.ts';
import { preparePoint, type SkyPoint } from './sky-point.ts';
import type { SkyMap } from './skymap.ts';

/** An RA/Dec box for coarse spatial indexing (rbush); never wraps: boxes split at RA 0/360. */
export interface BoundingBox {
  minRaDeg: number;
  maxRaDeg: number;
  minDecDeg: number;
  maxDecDeg: number;
}

export interface LocalisationRegion {
  readonly kind: 'circle' | 'ellipse' | 'skymap';
  /** A representative position (centre, or the most probable position of a sky map). */
  readonly centre: { raDeg: number; decDeg: number };
  contains(raDeg: number, decDeg: number, level: number): boolean;
  containsPoint(point: SkyPoint, level: number): boolean;
  /** Greedy credible level (searched probability) of the position, in [0, 1]. */
  credibleLevelAt(raDeg: number, decDeg: number): number;
  credibleLevelAtPoint(point: SkyPoint): number;
  densityPerSr(raDeg: number, decDeg: number): number;
  densityPerSrAtPoint(point: SkyPoint): number;
  densityPerDeg2(raDeg: number, decDeg: number): number;
  /**
   * Area of the credible region at `level`, deg². For sky maps this is ligo.skymap's value
   * (interpolated between cells, as ligo-skymap-stats prints); the MOC holds the whole cells
   * whose level is ≤ `level`, so its area is at most one cell smaller.
   */
  areaDeg2(level: number): number;
  /** The credible region at `level` as a MOC. */
  moc(level: number, options?: MocBuildOptions): Moc;
  /** Boxes covering the credible region at `level`. */
  boundingBoxes(level: number): BoundingBox[];
}

/** Boxes covering a spherical cap, split at RA 0/360; the whole RA range when it holds a pole. */
export function capBoundingBoxes(raDeg: number, decDeg: number, radiusDeg: number): BoundingBox[] {
  const minDecDeg = Math.max(-90, decDeg - radiusDeg);
  const maxDecDeg = Math.min(90, decDeg + radiusDeg);
  if (decDeg + radiusDeg >= 90 || decDeg - radiusDeg <= -90 || radiusDeg >= 90) {
    return [{ minRaDeg: 0, maxRaDeg: 360, minDecDeg, maxDecDeg }];
  }
  // Half-width in RA of a cap not holding a pole: Δα = asin(sin r / cos δ).
  const s = Math.sin(radiusDeg * RAD_PER_DEG) / Math.cos(decDeg * RAD_PER_DEG);
  if (s >= 1) return [{ minRaDeg: 0, maxRaDeg: 360, minDecDeg, maxDecDeg }];
  const halfDeg = Math.asin(s) * DEG_PER_RAD;
  const ra = normaliseRaDeg(raDeg);
  const lo = ra - halfDeg;
  const hi = ra + halfDeg;
  if (lo < 0) {
    return [
      { minRaDeg: 0, maxRaDeg: hi, minDecDeg, maxDecDeg },
      { minRaDeg: lo + 360, maxRaDeg: 360, minDecDeg, maxDecDeg },
    ];
  }
  if (hi > 360) {
    return [
      { minRaDeg: lo, maxRaDeg: 360, minDecDeg, maxDecDeg },
      { minRaDeg: 0, maxRaDeg: hi - 360, minDecDeg, maxDecDeg },
    ];
  }
  return [{ minRaDeg: lo, maxRaDeg: hi, minDecDeg, maxDecDeg }];
}

/** A circular localisation with an axisymmetric density (Gaussian, Fisher or GBM). */
export class CircleLocalisation implements LocalisationRegion {
  readonly kind = 'circle' as const;
  readonly centre: { raDeg: number; decDeg: number };
  readonly profile: RadialProfile;
  private readonly cx: number;
  private readonly cy: number;
  private readonly cz: number;
  private readonly cosRadiusByLevel = new Map<number, number>();

  constructor(raDeg: number, decDeg: number, profile: RadialProfile) {
    checkPosition(raDeg, decDeg);
    this.centre = { raDeg: normaliseRaDeg(raDeg), decDeg };
    this.profile = profile;
    const p = preparePoint(raDeg, decDeg);
    this.cx = p.x;
    this.cy = p.y;
    this.cz = p.z;
  }

  /** Angle from the centre, radians, atan2(|c × p|, c · p) (stable at small angles). */
  private angleTo(point: SkyPoint): number {
    const x = this.cy * point.z - this.cz * point.y;
    const y = this.cz * point.x - this.cx * point.z;
    const z = this.cx * point.y - this.cy * point.x;
    return Math.atan2(Math.hypot(x, y, z), this.cx * point.x + this.cy * point.y + this.cz * point.z);
  }

  radiusDeg(level: number): number {
    return this.profile.radiusForLevel(level) * DEG_PER_RAD;
  }

  containsPoint(point: SkyPoint, level: number): boolean {
    let cosR = this.cosRadiusByLevel.get(level);
    if (cosR === undefined) {
      cosR = Math.cos(this.profile.radiusForLevel(level));
      this.cosRadiusByLevel.set(level, cosR);
    }
    const dot = this.cx * point.x + this.cy * point.y + this.cz * point.z;
    // The dot product decides away from the boundary; close to it use the stable angle.
    if (Math.abs(dot - cosR) > 1e-9) return dot > cosR;
    return this.angleTo(point) <= this.profile.radiusForLevel(level);
  }

  contains(raDeg: number, decDeg: number, level: number): boolean {
    return this.containsPoint(preparePoint(raDeg, decDeg), level);
  }

  credibleLevelAtPoint(point: SkyPoint): number {
    return this.profile.levelAt(this.angleTo(point));
  }

  credibleLevelAt(raDeg: number, decDeg: number): number {
    return this.credibleLevelAtPoint(preparePoint(raDeg, decDeg));
  }

  densityPerSrAtPoint(point: SkyPoint): number {
    return this.profile.densityPerSr(this.angleTo(point));
  }

  densityPerSr(raDeg: number, decDeg: number): number {
    return this.densityPerSrAtPoint(preparePoint(raDeg, decDeg));
  }

  densityPerDeg2(raDeg: number, decDeg: number): number {
    return this.densityPerSr(raDeg, decDeg) / DEG2_PER_SR;
  }

  /** Exact cap area 2π(1 − cos r) of the credible disc. */
  areaDeg2(level: number): number {
    return capAreaSr(this.radiusDeg(level)) * DEG2_PER_SR;
  }

  moc(level: number, options: MocBuildOptions = {}): Moc {
    return mocFromCircle(
      this.centre.raDeg,
      this.centre.decDeg,
      Math.max(this.radiusDeg(level), 1e-9),
      options,
    );
  }

  boundingBoxes(level: number): BoundingBox[] {
    return capBoundingBoxes(this.centre.raDeg, this.centre.decDeg, this.radiusDeg(level));
  }
}

/**
 * An elliptical localisation as a bivariate Gaussian in the local tangent frame (statistics.md
 * §3, derived choice): σ_a = a/k, σ_b = b/k with k = √(−2 ln(1 − c)). With Mahalanobis distance
 * m² = u²/σ_a² + v²/σ_b²: level = 1 − e^{−m²/2}; density = e^{−m²/2} / (2π σ_a σ_b) sr⁻¹;
 * the level-L region is the ellipse scaled by √(−2 ln(1 − L)) / k, of area π σ_a σ_b (−2 ln(1 − L)).
 * (Small-ellipse approximation, as every published ellipse is a few degrees at most.)
 */
export class EllipseLocalisation implements LocalisationRegion {
  readonly kind = 'ellipse' as const;
  readonly centre: { raDeg: number; decDeg: number };
  private readonly frame: ReturnType<typeof localFrame>;
  private readonly sinPa: number;
  private readonly cosPa: number;
  private readonly sigmaARad: number;
  private readonly sigmaBRad: number;
  private readonly posAngleDeg: number;

  constructor(
    raDeg: number,
    decDeg: number,
    semiMajorDeg: number,
    semiMinorDeg: number,
    posAngleDeg: number,
    containment: number,
  ) {
    checkPosition(raDeg, decDeg);
    if (!(semiMajorDeg > 0 && semiMinorDeg > 0 && semiMajorDeg <= 90 && semiMinorDeg <= 90)) {
      throw new CoincideError('SKY_BAD_REGION', `bad ellipse axes ${semiMajorDeg}°, ${semiMinorDeg}°`);
    }
    if (!(containment > 0 && containment < 1))
      throw new CoincideError('SKY_BAD_REGION', `containment ${containment} is outside (0, 1)`);
    if (!Number.isFinite(posAngleDeg))
      throw new CoincideError('SKY_BAD_REGION', 'bad ellipse position angle');
    // Keep a ≥ b: swapping the axes turns the major axis by 90°.
    const swap = semiMinorDeg > semiMajorDeg;
    const a = swap ? semiMinorDeg : semiMajorDeg;
    const b = swap ? semiMajorDeg : semiMinorDeg;
    this.posAngleDeg = swap ? posAngleDeg + 90 : posAngleDeg;
    this.centre = { raDeg: normaliseRaDeg(raDeg), decDeg };
    this.frame = localFrame(raDeg, decDeg);
    this.sinPa = Math.sin(this.posAngleDeg * RAD_PER_DEG);
    this.cosPa = Math.cos(this.posAngleDeg * RAD_PER_DEG);
    const k = Math.sqrt(-2 * Math.log(1 - containment));
    this.sigmaARad = (a / k) * RAD_PER_DEG;
    this.sigmaBRad = (b / k) * RAD_PER_DEG;
  }

  /** Mahalanobis distance m (units of σ). */
  private mahalanobis(point: SkyPoint): number {
    return ellipseDistance(this.frame, this.sinPa, this.cosPa, this.sigmaARad, this.sigmaBRad, [
      point.x,
      point.y,
      point.z,
    ]);
  }

  /** Scale (in σ) of the level-L ellipse: √(−2 ln(1 − L)). */
  private scaleFor(level: number): number {
    if (!(level >= 0 && level <= 1))
      throw new CoincideError('SKY_BAD_REGION', `credible level ${level} is outside [0, 1]`);
    return level >= 1 ? Infinity : Math.sqrt(-2 * Math.log(1 - level));
  }

  containsPoint(point: SkyPoint, level: number): boolean {
    return this.mahalanobis(point) <= this.scaleFor(level);
  }

  contains(raDeg: number, decDeg: number, level: number): boolean {
    return this.containsPoint(preparePoint(raDeg, decDeg), level);
  }

  credibleLevelAtPoint(point: SkyPoint): number {
    const m = this.mahalanobis(point);
    return -Math.expm1(-0.5 * m * m);
  }

  credibleLevelAt(raDeg: number, decDeg: number): number {
    return this.credibleLevelAtPoint(preparePoint(raDeg, decDeg));
  }

  densityPerSrAtPoint(point: SkyPoint): number {
    const m = this.mahalanobis(point);
    return Math.exp(-0.5 * m * m) / (2 * Math.PI * this.sigmaARad * this.sigmaBRad);
  }

  densityPerSr(raDeg: number, decDeg: number): number {
    return this.densityPerSrAtPoint(preparePoint(raDeg, decDeg));
  }

  densityPerDeg2(raDeg: number, decDeg: number): number {
    return this.densityPerSr(raDeg, decDeg) / DEG2_PER_SR;
  }

  areaDeg2(level: number): number {
    const s = this.scaleFor(level);
    return Math.PI * this.sigmaARad * this.sigmaBRad * s * s * DEG2_PER_SR;
  }

  /** The Gaussian's standard deviations along the major and minor axes, radians. */
  sigmasRad(): { major: number; minor: number } {
    return { major: this.sigmaARad, minor: this.sigmaBRad };
  }

  /** Semi-axes (degrees) of the level-L ellipse. */
  axesDeg(level: number): { semiMajorDeg: number; semiMinorDeg: number } {
    const s = this.scaleFor(level);
    return { semiMajorDeg: this.sigmaARad * s * DEG_PER_RAD, semiMinorDeg: this.sigmaBRad * s * DEG_PER_RAD };
  }

  moc(level: number, options: MocBuildOptions = {}): Moc {
    const { semiMajorDeg, semiMinorDeg } = this.axesDeg(level);
    return mocFromEllipse(
      this.centre.raDeg,
      this.centre.decDeg,
      semiMajorDeg,
      semiMinorDeg,
      this.posAngleDeg,
      options,
    );
  }

  boundingBoxes(level: number): BoundingBox[] {
    return capBoundingBoxes(
      this.centre.raDeg,
      this.centre.decDeg,
      Math.min(180, this.axesDeg(level).semiMajorDeg),
    );
  }
}

/** A sky map localisation. */
export class SkyMapLocalisation implements LocalisationRegion {
  readonly kind = 'skymap' as const;
  readonly centre: { raDeg: number; decDeg: number };
  readonly skymap: SkyMap;
  private readonly mocByLevel = new Map<number, Moc>();

  constructor(skymap: SkyMap) {
    this.skymap = skymap;
    this.centre = skymap.maxProbPosition();
  }

  containsPoint(point: SkyPoint, level: number): boolean {
    return this.skymap.credibleLevelAtPoint(point) <= level;
  }

  contains(raDeg: number, decDeg: number, level: number): boolean {
    return this.containsPoint(preparePoint(raDeg, decDeg), level);
  }

  credibleLevelAtPoint(point: SkyPoint): number {
    return this.skymap.credibleLevelAtPoint(point);
  }

  credibleLevelAt(raDeg: number, decDeg: number): number {
    return this.skymap.credibleLevelAt(raDeg, decDeg);
  }

  densityPerSrAtPoint(point: SkyPoint): number {
    return this.skymap.densityPerSrAtPoint(point);
  }

  densityPerSr(raDeg: number, decDeg: number): number {
    return this.skymap.densityPerSrAt(raDeg, decDeg);
  }

  densityPerDeg2(raDeg: number, decDeg: number): number {
    return this.skymap.densityPerDeg2At(raDeg, decDeg);
  }

  areaDeg2(level: number): number {
    return this.skymap.credibleAreaDeg2(level);
  }

  moc(level: number): Moc {
    let moc = this.mocByLevel.get(level);
    if (!moc) {
      moc = this.skymap.credibleMoc(level);
      this.mocByLevel.set(level, moc);
    }
    return moc;
  }

  /** Cap boxes around the cells of the credible MOC degraded until it has ≤ 64 cells. */
  boundingBoxes(level: number): BoundingBox[] {
    return mocBoundingBoxes(this.moc(level), 64);
  }
}

/** Boxes covering a MOC: the MOC is degraded until it has at most `maxCells` cells. */
export function mocBoundingBoxes(moc: Moc, maxCells: number): BoundingBox[] {
  let order = Math.min(8, moc.maxOrder());
  let cells = moc.degrade(order).cells();
  while (cells.length > maxCells && order > 0) {
    order--;
    cells = moc.degrade(order).cells();
  }
  const boxes: BoundingBox[] = [];
  for (const cell of cells) {
    // Cell bounding cap: centre plus 1.1 × its largest centre-to-corner angle.
    const { centre, radiusDeg } = cellCap(cell.order, Number(cell.ipix));
    boxes.push(...capBoundingBoxes(centre.raDeg, centre.decDeg, radiusDeg));
  }
  return boxes;
}

function cellCap(
  order: number,
  ipix: number,
): { centre: { raDeg: number; decDeg: number }; radiusDeg: number } {
  const centre = pix2angNest(order, ipix);
  let radiusDeg = 0;
  for (const corner of pixelCornersNest(order, ipix)) {
    const c = vectorToRaDec(corner);
    radiusDeg = Math.max(radiusDeg, angularDistanceDeg(centre.raDeg, centre.decDeg, c.raDeg, c.decDeg));
  }
  return { centre, radiusDeg: radiusDeg * 1.1 };
}

export interface RegionOptions {
  /** The sky map, already read, for a `skymap` region. */
  skymap?: SkyMap;
  /**
   * Density model for circles. Default: 'gbm' when `noticeType` is a Fermi GBM position notice
   * (its radius is statistical only), else 'gaussian'. 'gbm' needs `noticeType`.
   */
  circleModel?: CircleModel;
  /** The notice type, to pick the Fermi GBM systematic model (e.g. Fermi_GBM_Gnd_Pos). */
  noticeType?: string;
}

/** The density model a circle from this notice type should use: GBM positions get 'gbm'. */
export function circleModelForNoticeType(noticeType: string): CircleModel {
  return /GBM/i.test(noticeType) && gbmNoticeKey(noticeType) !== undefined ? 'gbm' : 'gaussian';
}

/** Builds the LocalisationRegion of a Notice's region; throws SKY_BAD_REGION for 'none'. */
export function regionFromNotice(region: NoticeRegion, options: RegionOptions = {}): LocalisationRegion {
  switch (region.type) {
    case 'circle': {
      const model =
        options.circleModel ??
        (options.noticeType === undefined ? 'gaussian' : circleModelForNoticeType(options.noticeType));
      let profile: RadialProfile;
      if (model === 'gbm') {
        const key = gbmNoticeKey(options.noticeType ?? '');
        if (!key)
          throw new CoincideError(
            'SKY_BAD_REGION',
            `no GBM systematic model for notice type '${options.noticeType ?? ''}'`,
          );
        profile = gbmProfile(region.radiusDeg, key);
      } else if (model === 'fisher') {
        profile = fisherProfile(fisherKappa(region.radiusDeg, region.containment));
      } else {
        profile = gaussianProfile(gaussianSigmaDeg(region.radiusDeg, region.containment));
      }
      return new CircleLocalisation(region.raDeg, region.decDeg, profile);
    }
    case 'ellipse':
      return new EllipseLocalisation(
        region.raDeg,
        region.decDeg,
        region.semiMajorDeg,
        region.semiMinorDeg,
        region.posAngleDeg,
        region.containment,
      );
    case 'skymap':
      if (!options.skymap)
        throw new CoincideError('SKY_BAD_REGION', `sky map ${region.url} has not been read`);
      return new SkyMapLocalisation(options.skymap);
    default:
      throw new CoincideError('SKY_BAD_REGION', 'the notice has no localisation');
  }
}
