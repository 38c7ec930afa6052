/**
 * The synthetic inputs that bench/join.ts and bench/join-ab.ts feed the join, in one place so that
 * the two benchmarks measure the same work: notices, optical alerts (uniform on the sky) and a
 * GW sky map of ~32 deg² (90 %) at a random position. Seeded by the caller's generator.
 */
import type { Notice } from '../src/notices/notice.ts';
import type { OpticalAlert } from '../src/optical/optical-alert.ts';
import { angularDistanceDeg, RAD_PER_DEG } from '../src/sky/angles.ts';
import { pix2angNest } from '../src/sky/healpix.ts';
import { mjdToIso } from '../src/time/mjd.ts';

/** A notice of the given messenger (GW: LVK; otherwise Fermi) with the given region. */
export function benchNotice(
  triggerId: string,
  messenger: Notice['messenger'],
  timeMjd: number,
  region: Notice['region'],
): Notice {
  return {
    ivorn: `ivo://bench/${triggerId}`,
    role: 'observation',
    messenger,
    observatory: messenger === 'gw' ? 'LVK' : 'Fermi',
    instrument: '',
    noticeType: messenger === 'gw' ? 'LVK_INITIAL' : 'BENCH_POS',
    triggerId,
    alertType: 'initial',
    triggerTime: mjdToIso(timeMjd),
    triggerTimeMjd: timeMjd,
    region,
    params: {},
    citations: [],
    source: { format: 'voevent', sha256: '0'.repeat(64) },
  };
}

/** The i-th optical alert: LSST, uniform on the sky, a good positive detection. */
export function benchAlert(
  i: number,
  random: () => number,
  timeMjd: number,
  firstDetectionMjd: number,
): OpticalAlert {
  return {
    survey: 'LSST',
    objectId: String(3_000_000_000_000 + i),
    alertId: String(170_000_000_000_000_000n + BigInt(i)),
    raDeg: 360 * random(),
    decDeg: Math.asin(2 * random() - 1) / RAD_PER_DEG,
    timeMjd,
    band: 'r',
    fluxNJy: 5000,
    isPositive: true,
    firstDetectionMjd,
    reliability: 0.9,
    solarSystem: false,
  };
}

/** The fields of a multi-order sky map (the SkyMap constructor's argument). */
export interface SkyMapFields {
  orders: Uint8Array;
  ipix: Float64Array;
  densityPerSr: Float64Array;
}

/**
 * A GW-like sky map: a Gaussian of σ = 1.5° (90 % within ~32 deg²) at a random position, in
 * order-7 cells within 14° of its centre and order-3 cells elsewhere, with a 1e-9 sr⁻¹ floor.
 */
export function gwSkyMapFields(random: () => number): {
  fields: SkyMapFields;
  raDeg: number;
  decDeg: number;
} {
  const raDeg = 360 * random();
  const decDeg = Math.asin(2 * random() - 1) / RAD_PER_DEG;
  const sigma = 1.5 * RAD_PER_DEG;
  const orders: number[] = [];
  const ipix: number[] = [];
  const density: number[] = [];
  for (let p = 0; p < 768; p++) {
    const c = pix2angNest(3, p);
    const near = angularDistanceDeg(raDeg, decDeg, c.raDeg, c.decDeg) < 14;
    const cells = near ? Array.from({ length: 256 }, (_, k) => [7, p * 256 + k] as const) : [[3, p] as const];
    for (const [o, q] of cells) {
      const f = pix2angNest(o, q);
      const th = angularDistanceDeg(raDeg, decDeg, f.raDeg, f.decDeg) * RAD_PER_DEG;
      orders.push(o);
      ipix.push(q);
      density.push(Math.exp(-(th * th) / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma) + 1e-9);
    }
  }
  return {
    fields: {
      orders: Uint8Array.from(orders),
      ipix: Float64Array.from(ipix),
      densityPerSr: Float64Array.from(density),
    },
    raDeg,
    decDeg,
  };
}
