/**
 * A synthetic optical stream with a known background, for the time-slide tests and benchmark
 * (not a test file). Inside a footprint (a cap on the sky), over nights [fromNight, toNight]:
 *   - every HEALPix cell (order 4, the background estimator's) whose centre lies in the cap is
 *     observed every night: one alert of an old object (first detected 100 days earlier), so the
 *     estimator sees every cell-night as observed and counts no new object there;
 *   - new objects at ρ̇ per deg² per day, uniform in the cap (cos θ uniform) and in time; each has
 *     an alert at its first detection and, with probability 1/2, a repeat a day later.
 * The true rate of new objects is then ρ̇ everywhere inside the cap (away from its edge cells).
 */
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { RAD_PER_DEG } from '../../src/sky/angles.ts';
import { angularDistanceDeg } from '../../src/sky/angles.ts';
import { pix2angNest } from '../../src/sky/healpix.ts';
import { makeAlert, seededRandom } from '../join/make-records.ts';

export interface SyntheticOpticalSpec {
  centreRaDeg: number;
  centreDecDeg: number;
  radiusDeg: number;
  fromNight: number;
  toNight: number;
  /** New objects per deg² per day. */
  ratePerDeg2PerDay: number;
  seed: number;
}

const CELL_ORDER = 4;

/** A point uniform inside the cap. */
export function pointInCap(
  random: () => number,
  centreRaDeg: number,
  centreDecDeg: number,
  radiusDeg: number,
): { raDeg: number; decDeg: number } {
  const cosR = Math.cos(radiusDeg * RAD_PER_DEG);
  const cosT = 1 - random() * (1 - cosR);
  const t = Math.acos(cosT);
  const phi = 2 * Math.PI * random();
  // Offset from the pole, then rotate the pole to the centre.
  const x = Math.sin(t) * Math.cos(phi);
  const y = Math.sin(t) * Math.sin(phi);
  const z = cosT;
  const a = centreRaDeg * RAD_PER_DEG;
  const d = centreDecDeg * RAD_PER_DEG;
  // Rotation taking (0, 0, 1) to the centre direction: about y by (90° − dec), then about z by ra.
  const sinD = Math.sin(d);
  const cosD = Math.cos(d);
  const x1 = x * sinD + z * cosD;
  const z1 = -x * cosD + z * sinD;
  const x2 = x1 * Math.cos(a) - y * Math.sin(a);
  const y2 = x1 * Math.sin(a) + y * Math.cos(a);
  const raDeg = (((Math.atan2(y2, x2) / RAD_PER_DEG) % 360) + 360) % 360;
  const decDeg = Math.asin(Math.max(-1, Math.min(1, z1))) / RAD_PER_DEG;
  return { raDeg, decDeg };
}

/** The cap's area, deg². */
export function capAreaDeg2(radiusDeg: number): number {
  return 2 * Math.PI * (1 - Math.cos(radiusDeg * RAD_PER_DEG)) * (1 / RAD_PER_DEG) ** 2;
}

export function syntheticOpticalStream(spec: SyntheticOpticalSpec): OpticalAlert[] {
  const random = seededRandom(spec.seed);
  const alerts: OpticalAlert[] = [];
  const cells: Array<{ raDeg: number; decDeg: number }> = [];
  for (let c = 0; c < 12 * 4 ** CELL_ORDER; c++) {
    const p = pix2angNest(CELL_ORDER, c);
    if (angularDistanceDeg(p.raDeg, p.decDeg, spec.centreRaDeg, spec.centreDecDeg) <= spec.radiusDeg)
      cells.push(p);
  }
  for (let night = spec.fromNight; night <= spec.toNight; night++) {
    cells.forEach((p, i) => {
      const t = night + random();
      alerts.push(
        makeAlert({
          objectId: `old-${i}`,
          alertId: `old-${i}-${night}`,
          raDeg: p.raDeg,
          decDeg: p.decDeg,
          timeMjd: t,
          firstDetectionMjd: t - 100,
        }),
      );
    });
  }
  const days = spec.toNight + 1 - spec.fromNight;
  const count = Math.round(spec.ratePerDeg2PerDay * capAreaDeg2(spec.radiusDeg) * days);
  for (let i = 0; i < count; i++) {
    const p = pointInCap(random, spec.centreRaDeg, spec.centreDecDeg, spec.radiusDeg);
    const first = spec.fromNight + days * random();
    const objectId = `new-${i}`;
    alerts.push(
      makeAlert({ objectId, alertId: `${objectId}-0`, ...p, timeMjd: first, firstDetectionMjd: first }),
    );
    if (random() < 0.5 && first + 1 < spec.toNight + 1)
      alerts.push(
        makeAlert({ objectId, alertId: `${objectId}-1`, ...p, timeMjd: first + 1, firstDetectionMjd: first }),
      );
  }
  return alerts.sort((a, b) => a.timeMjd - b.timeMjd);
}
