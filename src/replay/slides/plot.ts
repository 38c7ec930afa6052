/**
 * The time-slide plot (SVG): empirical against analytic false-alarm rate as a function of the
 * threshold, one panel per statistic —
 *   left:  messenger pairs, FAR(farHz ≤ x) [Hz] against x [Hz] (analytic: the diagonal FAR = x);
 *   middle: optical pairs, false candidates per trigger with pChance ≤ p against p
 *          (analytic: −ln(1 − p));
 *   right: triples, rate of slid pair trials with FAR_triple ≤ y [Hz] against y [Hz]: the
 *          diagonal is the formula's promise when pair FARs are calibrated up to F_max, and each
 *          class's own dashed line its expectation given its slid pairs' FARs (statistics.ts).
 * Empirical points carry their Poisson 1σ error bars; a zero count is drawn as its 1σ upper limit
 * (a downward triangle); a dotted vertical line marks a messenger class's saturation x_sat. Log axes are drawn by hand: a log map and decade ticks are a few lines,
 * not worth a scale dependency. Text is escaped with the sky plots' escapeXml.
 */
import { escapeXml } from '../../plot/sky-svg.ts';
import type { ClassStatistics, ThresholdRow } from './statistics.ts';

const PANEL_W = 420;
const PANEL_H = 340;
const MARGIN = { left: 70, right: 20, top: 50, bottom: 50 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

interface Axis {
  min: number;
  max: number;
  toPx: (v: number) => number;
}

function logAxis(min: number, max: number, fromPx: number, toPx: number): Axis {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const span = Math.max(1, hi - lo);
  return {
    min: 10 ** lo,
    max: 10 ** (lo + span),
    toPx: (v) => fromPx + ((Math.log10(v) - lo) / span) * (toPx - fromPx),
  };
}

function decades(axis: Axis): number[] {
  const out: number[] = [];
  for (let e = Math.round(Math.log10(axis.min)); e <= Math.round(Math.log10(axis.max)); e++) out.push(e);
  return out;
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  classes: readonly ClassStatistics[];
  analytic: (x: number) => number;
  /** Also draw each class's own expectation (its rows' analyticRate) as a dashed line in its colour. */
  perClassAnalytic?: boolean;
}

function panelSvg(panel: Panel, offsetX: number): string {
  const rows = panel.classes.flatMap((c) => c.thresholds);
  const parts: string[] = [];
  const x0 = offsetX + MARGIN.left;
  const x1 = offsetX + PANEL_W - MARGIN.right;
  const y0 = PANEL_H - MARGIN.bottom;
  const y1 = MARGIN.top;
  parts.push(
    `<text x="${(x0 + x1) / 2}" y="24" text-anchor="middle" font-size="14">${escapeXml(panel.title)}</text>`,
  );
  if (rows.length === 0) {
    parts.push(
      `<text x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle" font-size="12">no measurable class</text>`,
    );
    return parts.join('\n');
  }
  const xs = rows.map((r) => r.threshold);
  const ys = rows
    .flatMap((r) => [r.empiricalRateHigh, r.empiricalRate, r.analyticRate, panel.analytic(r.threshold)])
    .filter((v) => v > 0 && Number.isFinite(v));
  const xAxis = logAxis(Math.min(...xs), Math.max(...xs), x0, x1);
  const yAxis = logAxis(Math.min(...ys), Math.max(...ys), y0, y1);
  const clampY = (v: number): number => Math.min(y0, Math.max(y1, yAxis.toPx(Math.max(v, yAxis.min))));
  parts.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333"/>`);
  for (const e of decades(xAxis)) {
    const x = xAxis.toPx(10 ** e);
    parts.push(`<line x1="${x}" y1="${y1}" x2="${x}" y2="${y0}" stroke="#ddd"/>`);
    parts.push(`<text x="${x}" y="${y0 + 16}" text-anchor="middle" font-size="10">1e${e}</text>`);
  }
  for (const e of decades(yAxis)) {
    const y = yAxis.toPx(10 ** e);
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 6}" y="${y + 3}" text-anchor="end" font-size="10">1e${e}</text>`);
  }
  parts.push(
    `<text x="${(x0 + x1) / 2}" y="${y0 + 36}" text-anchor="middle" font-size="12">${escapeXml(panel.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(${offsetX + 18} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(panel.yLabel)}</text>`,
  );
  // The analytic curve, sampled finely in log x.
  const samples: string[] = [];
  const lx0 = Math.log10(Math.min(...xs));
  const lx1 = Math.log10(Math.max(...xs));
  for (let i = 0; i <= 100; i++) {
    const x = 10 ** (lx0 + ((lx1 - lx0) * i) / 100);
    samples.push(`${xAxis.toPx(x).toFixed(1)},${clampY(panel.analytic(x)).toFixed(1)}`);
  }
  parts.push(`<polyline points="${samples.join(' ')}" fill="none" stroke="#000" stroke-dasharray="5 3"/>`);
  panel.classes.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    if (panel.perClassAnalytic) {
      const points = c.thresholds
        .filter((r) => r.analyticRate > 0)
        .map((r) => `${xAxis.toPx(r.threshold).toFixed(1)},${clampY(r.analyticRate).toFixed(1)}`);
      if (points.length > 1)
        parts.push(
          `<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-dasharray="2 2"/>`,
        );
    }
    for (const r of c.thresholds) parts.push(pointSvg(r, xAxis.toPx(r.threshold), clampY, colour));
    const xSat = c.saturationHz;
    if (xSat !== undefined && xSat >= xAxis.min && xSat <= xAxis.max) {
      // The GW stream's saturation: above it FAR(x) = x cannot hold (statistics.ts).
      const x = xAxis.toPx(xSat);
      parts.push(
        `<line x1="${x}" y1="${y1}" x2="${x}" y2="${y0}" stroke="${colour}" stroke-dasharray="1 3"/>`,
      );
      parts.push(
        `<text x="${x + 3}" y="${y0 - 6 - 12 * i}" font-size="9" fill="${colour}">${escapeXml(`x_sat ${fmt(xSat)} Hz`)}</text>`,
      );
    }
    const ly = y1 + 14 + 14 * i;
    parts.push(`<circle cx="${x0 + 10}" cy="${ly - 4}" r="3" fill="${colour}"/>`);
    parts.push(
      `<text x="${x0 + 18}" y="${ly}" font-size="10">${escapeXml(`${c.key} (${c.coincidences} slid, ${measuredBy(c)})`)}</text>`,
    );
  });
  parts.push(
    `<text x="${x0 + 10}" y="${y1 + 14 + 14 * panel.classes.length}" font-size="10">- - - analytic</text>`,
  );
  return parts.join('\n');
}

/**
 * What a class's counts were measured over, for its legend: its clean time slides, and the
 * trials the sky scramble cleaned (a class measured by scrambles alone, e.g. neutrino × optical
 * on a month's ring, has no clean slide: "0 slides" would say nothing was done).
 */
export function measuredBy(c: Pick<ClassStatistics, 'cleanSlides' | 'skyCleanTrials'>): string {
  const scrambles = c.skyCleanTrials ?? 0;
  const slides = `${c.cleanSlides} clean slide${c.cleanSlides === 1 ? '' : 's'}`;
  const scrambled = `${scrambles} sky-scrambled trial${scrambles === 1 ? '' : 's'}`;
  if (scrambles === 0) return slides;
  return c.cleanSlides === 0 ? scrambled : `${slides} + ${scrambled}`;
}

function pointSvg(r: ThresholdRow, x: number, clampY: (v: number) => number, colour: string): string {
  const high = clampY(r.empiricalRateHigh);
  const title = `<title>${escapeXml(`threshold ${fmt(r.threshold)}: ${r.count} counted, ${fmt(r.expected)} expected (z = ${fmt(r.z)})`)}</title>`;
  if (r.count === 0) {
    return `<path d="M${x - 4},${high - 3} L${x + 4},${high - 3} L${x},${high + 4} Z" fill="none" stroke="${colour}">${title}</path>`;
  }
  const y = clampY(r.empiricalRate);
  const low = clampY(r.empiricalRateLow);
  return [
    `<line x1="${x}" y1="${low}" x2="${x}" y2="${high}" stroke="${colour}"/>`,
    `<circle cx="${x}" cy="${y}" r="3" fill="${colour}">${title}</circle>`,
  ].join('');
}

/** The whole plot of a run's class statistics. */
export function timeSlidePlotSvg(classes: readonly ClassStatistics[], caption: string): string {
  const measured = classes.filter((c) => c.measurable);
  const left = panelSvg(
    {
      title: 'Messenger pairs: false-alarm rate',
      xLabel: 'threshold on joint FAR (farHz), Hz',
      yLabel: 'rate of slid pairs with farHz ≤ threshold, Hz',
      classes: measured.filter((c) => c.kind === 'mm-mm'),
      analytic: (x) => x,
    },
    0,
  );
  const right = panelSvg(
    {
      title: 'Optical pairs: false candidates per trigger',
      xLabel: 'threshold on pChance',
      yLabel: 'slid candidates with pChance ≤ threshold, per trigger',
      classes: measured.filter((c) => c.kind === 'mm-optical'),
      analytic: (p) => -Math.log1p(-p),
    },
    PANEL_W,
  );
  const triples = panelSvg(
    {
      title: 'Triples: false-alarm rate',
      xLabel: 'threshold on FAR_triple, Hz',
      yLabel: 'rate of slid pairs with a triple of FAR_triple ≤ threshold, Hz',
      classes: measured.filter((c) => c.kind === 'mm-mm-optical'),
      analytic: (x) => x,
      perClassAnalytic: true,
    },
    2 * PANEL_W,
  );
  const width = 3 * PANEL_W;
  const height = PANEL_H + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    left,
    right,
    triples,
    `<text x="10" y="${height - 6}" font-size="10">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
