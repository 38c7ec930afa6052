/**
 * Time-slide benchmark (`coincide replay --time-slides`, src/replay/slides/), never part of the tests.
 *
 *   npx tsx bench/slides.ts [--quick] [--slides N] [--mm-slides N] [--triple-slides N] [--rate R]
 *                           [--gw-per-day G] [--no-scramble] [--out DIR]
 *   Quick profile (< 3 min on a quiet machine): npx tsx bench/slides.ts --quick
 *
 * Archive: a month (30 days) of notices made from the real upstream samples (bench/night/notices.ts:
 * LVK S230518h INITIAL alerts carrying one of eight maps — S230518h's own and bayestar.multiorder.fits,
 * each turned by 0–3 quarters in RA (turnSkyMap) so that GW positions vary; Fermi GBM ground positions of GRB 230911 moved around the sky; the IceCube Gold track
 * of 2023-10-04) at the rates the analytic formulas assume: GW candidates at G per day (default 2,
 * the public-alert threshold) with FAR_GW uniform on [0, G/day], GRBs at R_GRB = 325 yr⁻¹ (27),
 * neutrinos at R_HEN = 13.91 yr⁻¹ (1); and a synthetic optical stream over the whole sky
 * (test/helpers/synthetic-optical.ts): every order-4 cell observed every night from 9 nights before
 * the month to 15 after it, new objects at ρ̇ = R deg⁻² day⁻¹ (default 0.01).
 *
 * 1. Full slides: N slides (default 40, quick 8) of notices + optical, S = P + 0.618·P (a
 *    golden-ratio step spreads the relative displacements k·S mod P evenly over the ring; S must
 *    exceed the 30-day neutrino × optical window anyway). Slides/s, slid pairs/s, records/s; the
 *    unslid run is the same-run baseline (ratio = mean slid run time / unslid run time). With the
 *    RA sky scramble (src/replay/slides/scramble.ts; --no-scramble: time slides only): the circle
 *    triggers (GBM, IceCube) are also rotated in RA at each slide, which measures neutrino × optical
 *    (its 30-day window is as long as the ring: time slides never clean it).
 * 2. Messenger pairs only: the notices without the optical stream, N_mm slides (default 3000,
 *    quick 400), S = 863 s (> the 500 s GW × neutrino window; N_mm · S ≈ P so each slide pairs
 *    fresh triggers): enough slides to see background GW × GRB and GW × ν pairs at these rates.
 * 3. Triples: the month's GW alerts are sky maps (not scrambled) whose 14-day optical window leaves
 *    2 clean days of offset on a 30-day ring, and slid GW × GRB pairs are ~1 per 300 slides: the
 *    month cannot measure triples. Leg 3 runs the dense simulated background of
 *    test/helpers/triple-background.ts (150 GW circles, 150 GRBs over 10 days, RA scramble) for N_3
 *    slides (default 12, quick 4): triple counts against Σ min(1, x_y / F) over the slid pairs, and
 *    against y · L (the formula's promise if pair FARs were calibrated).
 * For every class: the comparison rows (count, expected, z, agrees), and what was measured where
 * they part: the GW stream's saturation x_sat = Δt_w R_ext FAR_GW,max, the optical tolerance
 * pairs, E[ρ/ρ̂] of the measured optical background (true ρ̇ known here).
 * Writes report-full.json, report-mm.json and the two SVG plots to --out (default a temp folder).
 * Prints the load average before and after (the machine is shared: figures move with it).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCORE_SETTINGS } from '../src/join/searches.ts';
import { YEAR_SEC } from '../src/join/score-constants.ts';
import type { ReplayRecord } from '../src/replay/decode-input.ts';
import { loadRecords } from '../src/replay/replay.ts';
import { timeSlidePlotSvg } from '../src/replay/slides/plot.ts';
import { buildReport, type TimeSlideReport } from '../src/replay/slides/report.ts';
import { runTimeSlides } from '../src/replay/slides/run.ts';
import { slideStatistics } from '../src/replay/slides/statistics.ts';
import { syntheticOpticalStream } from '../test/helpers/synthetic-optical.ts';
import { seededRandom } from '../test/join/make-records.ts';
import { tripleBackground } from '../test/helpers/triple-background.ts';
import { writeMultiOrderSkyMap } from '../src/sky/fits-writer.ts';
import { readSkyMap, readSkyMapBase64 } from '../src/sky/skymap-read.ts';
import { SkyMap } from '../src/sky/skymap.ts';
import { BAYESTAR, gbm, icecube, LVK_SAMPLE, lvk } from './night/notices.ts';
import { numberArg } from './number-arg.ts';

const QUICK = process.argv.includes('--quick');
const DAYS = 30;
const SLIDES = numberArg('slides', QUICK ? 8 : 40);
const MM_SLIDES = numberArg('mm-slides', QUICK ? 400 : 3000);
const RATE = numberArg('rate', 0.01);
const GW_PER_DAY = numberArg('gw-per-day', 2);
const TRIPLE_SLIDES = numberArg('triple-slides', QUICK ? 4 : 12);
const SCRAMBLE = process.argv.includes('--no-scramble') ? undefined : { mode: 'ra' as const, seed: 1 };
const outIndex = process.argv.indexOf('--out');
const OUT =
  outIndex >= 0
    ? (process.argv[outIndex + 1] as string)
    : mkdtempSync(join(tmpdir(), 'coincide-slides-bench-'));
const T0 = 61_000;
const DAY = 86_400;

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * A sky map turned by `quarters` × 90° in right ascension: in the NESTED scheme a quarter turn
 * about the pole maps base face f to the next face of its ring (0–3, 4–7, 8–11) and keeps the
 * index inside the face, so every cell keeps its shape and density.
 */
function turnSkyMap(map: SkyMap, quarters: number): SkyMap {
  const c = map.cells();
  const ipix = new Float64Array(c.ipix.length);
  for (let i = 0; i < ipix.length; i++) {
    const perFace = 4 ** (c.orders[i] as number);
    const face = Math.floor((c.ipix[i] as number) / perFace);
    const ring = face - (face % 4);
    ipix[i] = (ring + ((face - ring + quarters) % 4)) * perFace + ((c.ipix[i] as number) - face * perFace);
  }
  return new SkyMap({ ...c, ipix });
}

/** Eight GW sky maps: S230518h's (the LVK sample's embedded map) and bayestar.multiorder.fits, each turned 0–3 quarters. */
function gwSkyMaps(): Buffer[] {
  const lvkSample = JSON.parse(readFileSync(LVK_SAMPLE, 'utf8')) as { event: { skymap: string } };
  const bases = [readSkyMapBase64(lvkSample.event.skymap), readSkyMap(readFileSync(BAYESTAR))];
  return bases.flatMap((map) =>
    [0, 1, 2, 3].map((q) => Buffer.from(writeMultiOrderSkyMap(turnSkyMap(map, q).cells()))),
  );
}

function generateArchive(dir: string): { gws: number; grbs: number; neutrinos: number; alerts: number } {
  const random = seededRandom(16);
  const noticeDir = join(dir, 'notices');
  mkdirSync(noticeDir, { recursive: true });
  const maps = gwSkyMaps();
  const position = (): { raDeg: number; decDeg: number } => ({
    raDeg: 360 * random(),
    decDeg: Math.asin(2 * random() - 1) / (Math.PI / 180),
  });
  const gws = Math.round(GW_PER_DAY * DAYS);
  const grbs = Math.round((DEFAULT_SCORE_SETTINGS.grbRatePerYear * DAYS * DAY) / YEAR_SEC);
  const neutrinos = Math.max(1, Math.round((DEFAULT_SCORE_SETTINGS.henRatePerYear * DAYS * DAY) / YEAR_SEC));
  const farMaxHz = GW_PER_DAY / DAY;
  for (let i = 0; i < gws; i++) {
    const n = lvk(i, T0 + DAYS * random(), maps[i % maps.length], farMaxHz * random());
    writeFileSync(join(noticeDir, n.name), n.bytes);
  }
  for (let i = 0; i < grbs; i++) {
    const p = position();
    const n = gbm(i, T0 + DAYS * random(), p.raDeg, p.decDeg, 3 + 9 * random());
    writeFileSync(join(noticeDir, n.name), n.bytes);
  }
  for (let i = 0; i < neutrinos; i++) {
    const p = position();
    const n = icecube(i, T0 + DAYS * random(), p.raDeg, p.decDeg);
    writeFileSync(join(noticeDir, n.name), n.bytes);
  }
  const alerts = syntheticOpticalStream({
    centreRaDeg: 0,
    centreDecDeg: 90,
    radiusDeg: 180,
    fromNight: T0 - 9,
    toNight: T0 + DAYS + 15,
    ratePerDeg2PerDay: RATE,
    seed: 17,
  });
  writeFileSync(join(dir, 'optical.jsonl'), alerts.map((a) => JSON.stringify(a)).join('\n') + '\n');
  return { gws, grbs, neutrinos, alerts: alerts.length };
}

function printReport(title: string, report: TimeSlideReport): void {
  const t = report.throughput;
  console.log(`\n## ${title}`);
  console.log(
    `ring P = ${(report.method.ringPeriodSec / DAY).toFixed(3)} d, S = ${report.method.slideStepSec} s, ` +
      `${report.method.slides} slides; wall ${t.wallSec.toFixed(1)} s (load ${t.loadAverage.map((l) => l.toFixed(2)).join(' ')})`,
  );
  const meanSlidSec = t.slidesPerSec > 0 ? 1 / t.slidesPerSec : 0;
  console.log(
    `throughput: ${t.slidesPerSec.toFixed(3)} slides/s, ${t.pairsPerSec.toFixed(0)} slid pairs/s, ` +
      `${t.recordsPerSec.toFixed(0)} records/s; unslid run (baseline) ${t.unslidRunSec.toFixed(2)} s, ` +
      `mean slid run ${meanSlidSec.toFixed(2)} s, ratio ${(t.unslidRunSec > 0 ? meanSlidSec / t.unslidRunSec : 0).toFixed(2)}`,
  );
  for (const c of report.classes) {
    console.log(`\n${c.key} (${c.kind}): ${c.measurable ? 'measured' : `NOT measured: ${c.reason}`}`);
    if (!c.measurable) continue;
    console.log(
      `  clean slides ${c.cleanSlides}/${report.method.slides}, reuse ${c.reuse}, ` +
        (c.kind === 'mm-mm'
          ? `live time ${(c.livetimeSec / DAY).toFixed(1)} d`
          : `trials ${c.trials} (incomplete ${c.incompleteTrials}` +
            (c.skyCleanTrials ? `, ${c.skyCleanTrials} cleaned by the sky scramble` : '') +
            ')' +
            (c.kind === 'mm-mm-optical' ? `, live time ${(c.livetimeSec / DAY).toFixed(1)} d` : '')) +
        `, counted ${c.coincidences}, excluded ${c.excludedCoincidences}` +
        (c.kind === 'mm-optical' ? `, in the 60 s tolerance ${c.toleranceCoincidences}` : '') +
        (c.saturationHz === undefined ? '' : `, x_sat ${c.saturationHz.toPrecision(3)} Hz`),
    );
    if (c.overlap)
      console.log(
        `  sky overlap of the slid pairs: E[I_Ω] = ${c.overlap.mean.toPrecision(3)} ± ${c.overlap.meanError.toPrecision(2)} ` +
          `(${c.overlap.pairs} pairs, max ${c.overlap.max.toPrecision(3)}; RAVEN's FAR_st assumes 1)`,
      );
    console.log(
      c.kind === 'mm-mm-optical'
        ? `  FAR_triple threshold | count | expected given the slid pairs | y · L (pairs calibrated) | z | agrees`
        : `  ${c.statistic} threshold | count | expected | expected allowing for x_sat | z | agrees`,
    );
    const rows = [
      ...c.thresholds.map((r) => ({ ...r, label: '' })),
      ...c.tiers.map((r) => ({ ...r, label: ` (${r.tier} or better)` })),
    ];
    for (const r of rows) {
      const label = r.label;
      console.log(
        `  ${r.threshold.toPrecision(3)}${label} | ${r.count} | ${r.expected.toPrecision(4)} | ` +
          `${(r.expectedWithSaturation ?? r.expectedIfPairsCalibrated)?.toPrecision(4) ?? '-'} | ${r.z.toFixed(2)} | ${r.aboveSaturation === true ? 'above x_sat, not compared' : r.agrees ? 'yes' : 'NO'}`,
      );
    }
  }
}

async function main(): Promise<void> {
  {
    console.log(`load before: ${load()}  (${QUICK ? 'quick' : 'full'} profile; out ${OUT})`);
    mkdirSync(OUT, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'coincide-slides-archive-'));
    const started = performance.now();
    const made = generateArchive(dir);
    console.log(
      `archive: ${made.gws} GW, ${made.grbs} GRB, ${made.neutrinos} neutrino notices over ${DAYS} d; ` +
        `${made.alerts} optical alerts (ρ̇ = ${RATE} deg⁻² day⁻¹); generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const loadStarted = performance.now();
    const loaded = await loadRecords([join(dir, 'notices'), join(dir, 'optical.jsonl')], {
      credibleLevel: 0.9,
    });
    console.log(
      `loaded ${loaded.records.length} records in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (${loaded.failures} failures)`,
    );
    const notices = loaded.records.filter(
      (r): r is Extract<ReplayRecord, { kind: 'notice' }> => r.kind === 'notice',
    );
    const times = notices.map((r) => r.notice.triggerTimeMjd);
    const spanSec = (Math.max(...times) - Math.min(...times)) * DAY;
    const ringSec = spanSec + 500; // + the longest messenger window extent (GW × neutrino)

    // 1. Full slides.
    const slideStepSec = Math.ceil(ringSec * 1.618);
    const t1 = performance.now();
    const full = runTimeSlides({
      records: loaded.records,
      slides: SLIDES,
      slideStepSec,
      ...(SCRAMBLE ? { skyScramble: SCRAMBLE } : {}),
    });
    const fullStats = slideStatistics(full);
    const fullReport = buildReport([dir], full, fullStats, (performance.now() - t1) / 1000);
    writeFileSync(join(OUT, 'report-full.json'), JSON.stringify(fullReport, null, 2));
    writeFileSync(
      join(OUT, 'plot-full.svg'),
      timeSlidePlotSvg(
        fullStats.classes,
        `bench/slides.ts: ${SLIDES} slides, notices + optical${SCRAMBLE ? ', RA scramble' : ''}`,
      ),
    );
    printReport('1. notices + optical', fullReport);
    // The measured background against the true one: E[ρ/ρ̂] over the unslid optical pairs' triggers.
    const measured = new Map<string, number>();
    for (const c of full.real)
      if (c.pairType === 'mm-optical')
        measured.set(c.trigger.triggerId, c.provenance.rates.backgroundPerDeg2PerDay ?? 0);
    const ratios = [...measured.values()].filter((r) => r > 0).map((r) => RATE / r);
    if (ratios.length > 0)
      console.log(
        `\noptical background: true ρ̇ ${RATE}; measured ρ̂ over ${ratios.length} triggers: mean ρ/ρ̂ = ` +
          `${(ratios.reduce((a, b) => a + b, 0) / ratios.length).toFixed(3)} (small-p counts scale with it)`,
      );

    // 2. Messenger pairs only.
    const t2 = performance.now();
    const mm = runTimeSlides({ records: notices, slides: MM_SLIDES, slideStepSec: 863 });
    const mmStats = slideStatistics(mm);
    const mmReport = buildReport([join(dir, 'notices')], mm, mmStats, (performance.now() - t2) / 1000);
    writeFileSync(join(OUT, 'report-mm.json'), JSON.stringify(mmReport, null, 2));
    writeFileSync(
      join(OUT, 'plot-mm.svg'),
      timeSlidePlotSvg(mmStats.classes, `bench/slides.ts: ${MM_SLIDES} slides, notices only`),
    );
    printReport('2. messenger pairs only', mmReport);
    const rGrb = DEFAULT_SCORE_SETTINGS.grbRatePerYear / YEAR_SEC;
    const rHen = DEFAULT_SCORE_SETTINGS.henRatePerYear / YEAR_SEC;
    const farMax = GW_PER_DAY / DAY;
    console.log(
      `\nGW stream saturation x_sat = Δt_w R_ext FAR_GW,max: GW × GRB ${(6 * rGrb * farMax).toExponential(3)} Hz, ` +
        `GW × ν ${(1000 * rHen * farMax).toExponential(3)} Hz (FAR_t above it: every unrelated pair already counted)`,
    );

    // 3. Triples on the dense simulated background.
    const t3 = performance.now();
    const dense = tripleBackground({ gws: 150, grbs: 150, days: 10, t0Mjd: T0, seed: 41 });
    const triples = runTimeSlides({
      records: dense.records,
      slides: TRIPLE_SLIDES,
      slideStepSec: 14.5 * DAY,
      engine: { windows: dense.windows, scores: dense.scores },
      skyScramble: { mode: 'ra', seed: 3 },
    });
    const tripleStats = slideStatistics(triples, dense.scores);
    const tripleReport = buildReport(
      ['test/helpers/triple-background.ts'],
      triples,
      tripleStats,
      (performance.now() - t3) / 1000,
    );
    writeFileSync(join(OUT, 'report-triples.json'), JSON.stringify(tripleReport, null, 2));
    writeFileSync(
      join(OUT, 'plot-triples.svg'),
      timeSlidePlotSvg(
        tripleStats.classes,
        `bench/slides.ts: ${TRIPLE_SLIDES} slides of the simulated triple background, RA scramble`,
      ),
    );
    printReport('3. triples (simulated dense background)', tripleReport);
    console.log(
      `\nwrote ${OUT}/report-full.json, plot-full.svg, report-mm.json, plot-mm.svg, report-triples.json, plot-triples.svg`,
    );
    console.log(`load after: ${load()}; total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

await main();
