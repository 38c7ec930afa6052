/**
 * How each figure of a coincidence record was derived, in words and numbers, so that a scientist
 * can redo it by hand: the inputs, the formula, each intermediate value and the tier rule that
 * applied. Pure: the record alone (its provenance names the search and formula and carries
 * every number, see searches.ts and build-coincidence.ts) gives the explanation; `coincide
 * explain` prints it and the web console shows the same sections.
 *
 * Output: a title and sections, each a heading and lines of plain text (no markup).
 */
import type { Coincidence, OpticalSummary, TriggerSummary } from './coincidence.ts';
import { TIER_THRESHOLDS, YEAR_SEC } from './score-constants.ts';

export interface ExplanationSection {
  heading: string;
  lines: string[];
}

export interface Explanation {
  id: string;
  title: string;
  sections: ExplanationSection[];
}

/** The search and formula named in a formulaVersion ("coincide-score/2 search=GRB formula=raven-untargeted"). */
export function parseFormulaVersion(formulaVersion: string): {
  version: string;
  search?: string;
  formula?: string;
} {
  const [version = '', ...rest] = formulaVersion.split(' ');
  const out: { version: string; search?: string; formula?: string } = { version };
  for (const part of rest) {
    const [key, value] = part.split('=');
    if (key === 'search' && value) out.search = value;
    if (key === 'formula' && value) out.formula = value;
  }
  return out;
}

/** A number for people: 6 significant digits, exponent form outside [1e-3, 1e6). */
export function formatNumber(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(5);
}

const f = formatNumber;
const perYear = (hz: number | undefined): string => (hz === undefined ? 'n/a' : `${f(hz * YEAR_SEC)} yr⁻¹`);

function describeTrigger(t: TriggerSummary): string {
  return `${t.triggerId} (${t.messenger}, ${t.observatory} ${t.noticeType}${t.revision === undefined ? '' : ` #${t.revision}`}) at ${t.triggerTime}`;
}

function describeOptical(o: OpticalSummary): string {
  return `${o.survey} ${o.objectId} at (${f(o.raDeg)}°, ${f(o.decDeg)}°), first detection MJD ${o.firstDetectionMjd.toFixed(6)} (alert ${o.alertId})`;
}

function tierRule(
  r: Record<string, number>,
  statisticText: string,
  tier: Coincidence['tier'],
  capped: string | undefined,
): string[] {
  const x = r.publishingStatisticHz;
  const thr = r.farThresholdHz;
  const margin = r.goldMargin;
  const factor = r.bronzeFactor;
  if (x === undefined || thr === undefined || margin === undefined || factor === undefined)
    return [
      'No publishing statistic: a tier needs the GW FAR (and for the targeted search the external FAR); tier none.',
    ];
  const lines = [
    `Publishing statistic x = ${statisticText} = ${f(x)} Hz (${perYear(x)}).`,
    `Threshold FAR_thr = ${f(thr)} Hz (${perYear(thr)}) (gwcelery significant_alert_far_threshold).`,
    `gold if x ≤ FAR_thr / ${f(margin)} = ${f(thr / margin)} Hz; silver if x ≤ FAR_thr; bronze if x ≤ ${f(factor)} · FAR_thr = ${f(thr * factor)} Hz; else none.`,
  ];
  if (capped) lines.push(capped);
  lines.push(`Tier: ${tier ?? 'none'}.`);
  return lines;
}

function explainMessengerPair(
  c: Coincidence,
  search: string | undefined,
  formula: string | undefined,
): ExplanationSection[] {
  const r = c.provenance.rates;
  const w = c.provenance.window;
  const dtw = r.windowLengthSec ?? w.endSec - w.startSec;
  const sections: ExplanationSection[] = [];
  sections.push({
    heading: 'Inputs',
    lines: [
      `Trigger: ${describeTrigger(c.trigger)}.`,
      `Counterpart: ${describeTrigger(c.counterpart as TriggerSummary)}.`,
      `Search: ${search ?? 'unknown'} (formula ${formula ?? 'unknown'}; ${c.provenance.formulaVersion}).`,
      `Δt = t_counterpart − t_trigger = ${f(c.dtSeconds)} s, inside the window [${f(w.startSec)}, ${f(w.endSec)}] s; Δt_w = ${f(dtw)} s.`,
      `FAR_GW = ${f(r.triggerFarHz)} Hz (${perYear(r.triggerFarHz)}).`,
      ...(r.trialsFactor === undefined
        ? []
        : [`Trials factor T = ${f(r.trialsFactor)} (gwcelery significant_alert_trials_factor).`]),
    ],
  });
  const temporal: string[] = [];
  if (formula === 'raven-targeted') {
    const z = dtw * (r.externalFarHz ?? NaN) * (r.triggerFarHz ?? NaN);
    const zMax = dtw * (r.externalFarThresholdHz ?? NaN) * (r.gwFarThresholdHz ?? NaN);
    temporal.push(
      `RAVEN targeted (sub-threshold) search: FAR_ext = ${f(r.externalFarHz)} Hz, thresholds FAR_ext^thr = ${f(r.externalFarThresholdHz)} Hz, FAR_GW^thr = ${f(r.gwFarThresholdHz)} Hz.`,
      `Z = Δt_w · FAR_ext · FAR_GW = ${f(dtw)} × ${f(r.externalFarHz)} × ${f(r.triggerFarHz)} = ${f(z)}.`,
      `Z_max = Δt_w · FAR_ext^thr · FAR_GW^thr = ${f(zMax)}.`,
      `FAR_t = Z · (1 − ln(Z / Z_max)) = ${f(r.temporalFarHz)} Hz.`,
    );
  } else if (formula === 'snews-window') {
    temporal.push('SNEWS: window only, no joint FAR (gwcelery).');
  } else {
    temporal.push(
      `R (rate of unrelated ${search ?? ''} events) = ${f(r.counterpartRateHz)} Hz (${perYear(r.counterpartRateHz)}; RAVEN's 365-day year).`,
      r.temporalFarHz === undefined
        ? 'No FAR_GW: no temporal FAR.'
        : `FAR_t = Δt_w · R · FAR_GW = ${f(dtw)} × ${f(r.counterpartRateHz)} × ${f(r.triggerFarHz)} = ${f(r.temporalFarHz)} Hz.`,
    );
  }
  sections.push({ heading: 'Temporal FAR', lines: temporal });
  const spatial: string[] = [];
  if (r.overlapIntegral === undefined) {
    spatial.push('At least one notice has no position (time-only): no overlap integral, I_Ω taken as 1.');
  } else {
    spatial.push(
      `I_Ω = 4π ∫ p_trigger p_counterpart dΩ = ${f(r.overlapIntegral)} (exact on the union of the two grids, src/join/overlap.ts).`,
    );
    if (c.separationDeg !== null) spatial.push(`Separation of the two positions: ${f(c.separationDeg)}°.`);
    if (c.credibleLevel !== undefined)
      spatial.push(`The counterpart lies at credible level ${f(c.credibleLevel)} of the trigger's map.`);
    if (r.spaceTimeFarHz !== undefined)
      spatial.push(
        `FAR_st = FAR_t / I_Ω = ${f(r.temporalFarHz)} / ${f(r.overlapIntegral)} = ${f(r.spaceTimeFarHz)} Hz.`,
      );
  }
  sections.push({ heading: 'Sky overlap', lines: spatial });
  const i = r.overlapIntegral ?? 1;
  const chanceRate =
    formula === 'raven-targeted'
      ? r.externalFarHz
      : formula === 'snews-window'
        ? r.triggerFarHz
        : r.counterpartRateHz;
  sections.push({
    heading: 'Chance probability',
    lines: [
      chanceRate === undefined
        ? 'No rate of unrelated events: pChance = 1.'
        : `λ = R · Δt_w / I_Ω = ${f(chanceRate)} × ${f(dtw)} / ${f(i)} = ${f((chanceRate * dtw) / i)}; pChance = 1 − e^(−λ) = ${f(c.pChance)}.`,
    ],
  });
  const farC = r.spaceTimeFarHz ?? r.temporalFarHz;
  const t = r.trialsFactor;
  const statisticText =
    search === 'SNEWS'
      ? `FAR_GW · T = ${f(r.triggerFarHz)} × ${f(t)}`
      : `FAR_c · T (T − 1) with FAR_c = ${r.spaceTimeFarHz === undefined ? 'FAR_t' : 'FAR_st'} = ${f(farC)} Hz: ${f(farC)} × ${f(t)} × ${f(t === undefined ? undefined : t - 1)}`;
  let capped: string | undefined;
  if (search === 'SubGRB' || search === 'SubGRBTargeted')
    capped = 'gwcelery never publishes sub-threshold coincidences: at most bronze.';
  else if (search === 'GRB' && r.overlapIntegral === undefined)
    capped =
      'gwcelery publishes a GRB coincidence only with a space-time FAR: without both positions, at most bronze.';
  sections.push({ heading: 'Tier rule', lines: tierRule(r, statisticText, c.tier, capped) });
  return sections;
}

const BACKGROUND_SOURCES = [
  'measured over the region',
  'measured over the observed footprint',
  'conservative: max(prior, Poisson upper limit)',
  'prior (nothing observed)',
];

function explainOptical(c: Coincidence): ExplanationSection[] {
  const r = c.provenance.rates;
  const w = c.provenance.window;
  const aMax = r.searchedAreaDeg2;
  const tMax = r.maxDelayDays ?? (w.endSec - w.startSec) / 86_400;
  const s = r.statisticDeg2Day;
  const sMax = aMax === undefined ? undefined : aMax * tMax;
  const n =
    s === undefined || sMax === undefined || r.backgroundPerDeg2PerDay === undefined
      ? undefined
      : r.backgroundPerDeg2PerDay * s * (1 + Math.log(sMax / s));
  const source = r.backgroundSource === undefined ? undefined : BACKGROUND_SOURCES[r.backgroundSource];
  const t = TIER_THRESHOLDS.pChance;
  return [
    {
      heading: 'Inputs',
      lines: [
        `Trigger: ${describeTrigger(c.trigger)}.`,
        `Candidate: ${describeOptical(c.counterpart as OpticalSummary)}.`,
        `Formula: ${c.provenance.formulaVersion} (statistics.md §5.3).`,
        `Window: first detection in [${f(w.startSec)}, ${f(w.endSec)}] s after t0; Δt = ${f(c.dtSeconds)} s.`,
      ],
    },
    {
      heading: 'Background rate',
      lines: [
        `ρ̇ = ${f(r.backgroundPerDeg2PerDay)} deg⁻² day⁻¹ (${source ?? 'source not recorded'}): ${f(r.backgroundNewObjects)} new objects over ${f(r.backgroundObservedCellNights)} observed cell-nights = ${f(r.backgroundExposureDeg2Day)} deg² day, nights MJD ${f(r.backgroundFromNightMjd)}–${f(r.backgroundToNightMjd)}.`,
      ],
    },
    {
      heading: 'Statistic',
      lines: [
        `A_s (searched area at the candidate) = ${f(r.candidateAreaDeg2)} deg², floored at A_min = ${f(r.minAreaDeg2)} deg² (astrometric uncertainty).`,
        `τ (delay from the window start) = ${f(r.candidateDelayDays)} day, floored at τ_min = ${f(r.minDelayDays)} day (one exposure).`,
        `s = max(A_s, A_min) · max(τ, τ_min) = ${f(s)} deg² day (capped at A_max T_max).`,
        `A_max = ${f(aMax)} deg² (the searched ${f(r.credibleLevelSearched)} credible region), T_max = ${f(tMax)} day, A_max T_max = ${f(sMax)} deg² day.`,
      ],
    },
    {
      heading: 'Chance probability',
      lines: [
        `N_bg = ρ̇ · s · (1 + ln(A_max T_max / s)) = ${f(n)} expected background candidates at least as extreme.`,
        `pChance = 1 − e^(−N_bg) = ${f(c.pChance)}.`,
      ],
    },
    {
      heading: 'Tier rule',
      lines: [
        `gold if pChance ≤ ${f(t.gold)}, silver if ≤ ${f(t.silver)}, bronze if ≤ ${f(t.bronze)}, else none (calibrated on a background-only stream).`,
        `Tier: ${c.tier ?? 'none'}.`,
      ],
    },
  ];
}

/**
 * A triple (src/join/triple-score.ts): the optical sections on the combined localisation, then
 * the pair's FAR and F_max combined into FAR_triple, and the tier rule on it.
 */
function explainTriple(c: Coincidence): ExplanationSection[] {
  const r = c.provenance.rates;
  const optical = explainOptical(c);
  const inputs = optical[0] as ExplanationSection;
  inputs.lines.splice(
    1,
    0,
    ...(c.partners ?? []).map((p) => `Partner (the trigger's messenger pair): ${describeTrigger(p)}.`),
    `Pair records: ${(c.pairIds ?? []).join(', ') || 'none'} (the messenger pair first).`,
  );
  inputs.lines.push('Formula derivation: src/join/triple-score.ts.');
  const x = r.productStatisticHz;
  const fMax = r.maxPairFarHz;
  const combined: ExplanationSection = {
    heading: 'Combined localisation',
    lines: [
      r.combinedLocalisation === 1
        ? `p_c = p_trigger · p_partner / ∫ p_trigger p_partner dΩ (the product of the two densities, renormalised; src/join/product-map.ts)${r.pairOverlapIntegral === undefined ? '' : `; the pair's I_Ω = ${f(r.pairOverlapIntegral)}`}.`
        : 'Only one trigger has a position: the combined localisation is that one.',
      `Its ${f(r.credibleLevelSearched)} credible region covers ${f(r.searchedAreaDeg2)} deg²${r.triggerSearchedAreaDeg2 === undefined ? '' : ` (the trigger's own: ${f(r.triggerSearchedAreaDeg2)} deg²)`}; the candidate lies at credible level ${f(c.credibleLevel)} of it.`,
    ],
  };
  const t = r.trialsFactor;
  const statisticText =
    t === undefined
      ? `FAR_triple = ${f(c.farHz)} Hz (no GW trials factor)`
      : `FAR_triple · T (T − 1) = ${f(c.farHz)} × ${f(t)} × ${f(t - 1)}`;
  return [
    inputs,
    combined,
    ...optical.slice(1, 4),
    {
      heading: 'Triple FAR',
      lines: [
        `F (the messenger pair's joint FAR) = ${f(r.pairFarHz)} Hz (${perYear(r.pairFarHz)}); p (the optical chance probability above) = ${f(r.opticalPChance)}.`,
        `x = F · p = ${f(x)} Hz; F_max (the largest pair FAR that forms triples) = ${f(fMax)} Hz.`,
        `FAR_triple = x · (1 + ln(F_max / x)) = ${f(r.tripleFarHz)} Hz (${perYear(r.tripleFarHz)}): the rate of chance triples with F · p ≤ x when chance pairs have FAR ≤ F at the rate F and p is uniform.`,
      ],
    },
    { heading: 'Tier rule', lines: tierRule(r, statisticText, c.tier, undefined) },
  ];
}

export function explainCoincidence(c: Coincidence): Explanation {
  const { search, formula } = parseFormulaVersion(c.provenance.formulaVersion);
  const counterpart =
    c.pairType === 'mm-mm'
      ? (c.counterpart as TriggerSummary).triggerId
      : `${(c.counterpart as OpticalSummary).survey} ${(c.counterpart as OpticalSummary).objectId}`;
  const sections =
    c.pairType === 'mm-optical'
      ? explainOptical(c)
      : c.pairType === 'mm-mm-optical'
        ? explainTriple(c)
        : explainMessengerPair(c, search, formula);
  if (c.status === 'withdrawn')
    sections.unshift({
      heading: 'Status',
      lines: ['This coincidence was withdrawn; the figures are those it last had.'],
    });
  return {
    id: c.id,
    title: `${c.pairType === 'mm-mm-optical' ? 'Triple' : 'Coincidence'} ${c.id}: ${[c.trigger, ...(c.partners ?? [])].map((t) => t.triggerId).join(' × ')} × ${counterpart} — tier ${c.tier ?? 'none'}, pChance ${f(c.pChance)}${c.farHz === undefined ? '' : `, FAR ${f(c.farHz)} Hz`}`,
    sections,
  };
}

/** The explanation as plain text: the title, then each heading and its indented lines. */
export function renderExplanation(e: Explanation): string {
  const out = [e.title, ''];
  for (const s of e.sections) {
    out.push(`${s.heading}:`);
    for (const line of s.lines) out.push(`  ${line}`);
    out.push('');
  }
  return out.join('\n');
}
