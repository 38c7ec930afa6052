/**
 * A simulated background for triples (GW × GRB × optical) in time slides, shared by
 * test/replay/slides/triples.test.ts and bench/slides.ts: GW candidates and Swift-BAT-like GRBs
 * over `days` days, 6° circles at uniform RA in a declination band (55°–65°) inside an optical
 * footprint that covers the band (a 40° cap about the pole, ρ̇ = 0.05 deg⁻² day⁻¹; the stream
 * covers the background history before the first trigger and the GW's 14-day window after the
 * last), FAR_GW uniform up to 1 day⁻¹, and a GW × GRB window widened to [−1000, +5000] s (an
 * engine option) so that each slide holds tens of chance pairs. The GW's optical window is
 * longer than half the ring: slides need the RA scramble (scramble.ts) to clean the optical side.
 */
import { DEFAULT_SCORE_SETTINGS, type ScoreSettings } from '../../src/join/searches.ts';
import { DEFAULT_WINDOWS, type WindowTable } from '../../src/join/windows.ts';
import type { ReplayRecord } from '../../src/replay/decode-input.ts';
import { circle, makeNotice, seededRandom } from '../join/make-records.ts';
import { syntheticOpticalStream } from './synthetic-optical.ts';

export interface TripleBackground {
  records: ReplayRecord[];
  windows: WindowTable;
  scores: ScoreSettings;
}

export function tripleBackground(options: {
  gws: number;
  grbs: number;
  days: number;
  t0Mjd: number;
  seed: number;
}): TripleBackground {
  const random = seededRandom(options.seed);
  const records: ReplayRecord[] = [];
  const { days, t0Mjd } = options;
  const DAY = 86_400;
  const position = (): { raDeg: number; decDeg: number } => ({
    raDeg: 360 * random(),
    decDeg: 55 + 10 * random(),
  });
  const push = (notice: ReturnType<typeof makeNotice>): void => {
    records.push({ kind: 'notice', eventTimeMjd: notice.triggerTimeMjd, notice, source: notice.triggerId });
  };
  for (let i = 0; i < options.gws; i++) {
    const p = position();
    push(
      makeNotice({
        triggerId: `LVK:S${i}`,
        messenger: 'gw',
        timeMjd: t0Mjd + days * random(),
        farHz: random() / DAY,
        region: circle(p.raDeg, p.decDeg, 6),
      }),
    );
  }
  for (let i = 0; i < options.grbs; i++) {
    const p = position();
    push(
      makeNotice({
        triggerId: `Swift:${i}`,
        observatory: 'Swift',
        instrument: 'BAT',
        noticeType: 'Swift_BAT_GRB_Pos',
        timeMjd: t0Mjd + days * random(),
        region: circle(p.raDeg, p.decDeg, 6),
      }),
    );
  }
  for (const alert of syntheticOpticalStream({
    centreRaDeg: 0,
    centreDecDeg: 90,
    radiusDeg: 40,
    fromNight: t0Mjd - 10,
    toNight: t0Mjd + days + 16,
    ratePerDeg2PerDay: 0.05,
    seed: options.seed + 1,
  }))
    records.push({ kind: 'alert', eventTimeMjd: alert.timeMjd, alert, source: 'synthetic' });
  return {
    records,
    windows: { ...DEFAULT_WINDOWS, 'gw-cbc×grb': { startSec: -1000, endSec: 5000 } },
    scores: { ...DEFAULT_SCORE_SETTINGS, grbRatePerYear: 10 * 365 },
  };
}
