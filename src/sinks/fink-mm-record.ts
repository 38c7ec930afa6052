/**
 * The record of the Fink tier topics (fink_grb_gold, fink_gw_bronze, …) in fink-mm's output layout
 * (fink_mm_schema_version_1.3: flat, every field nullable), with coincide's fields appended;
 * src/sinks/avro/fink-mm-tier-v1.avsc is the schema and docs/fink.md the field-by-field mapping.
 *
 * Units as fink-mm writes them:
 *   jd, jdstarthist   Julian date (UTC) = MJD + 2400000.5 (exact for ZTF: jd − 2400000.5 is exact
 *                     in binary64 by Sterbenz's lemma, so adding it back gives ZTF's jd bit for bit)
 *   candid            Avro long, the exact 64-bit id (fink-mm narrows it to 32 bits; we do not)
 *   gcn_ra, gcn_dec   degrees
 *   gcn_loc_error     arcmin: the published error radius × 60 (circle; an ellipse's semi-major
 *                     axis); for sky maps the searched area in arcmin² (deg² × 3600), as fink-mm
 *                     writes the 90 % area for LVK
 *   triggerTimeUTC    "YYYY-MM-DD HH:MM:SS.sss" (astropy Time.iso, as fink-mm's get_trigger_time)
 *   p_assoc           1 − pChance: high means a likely real association, as fink-mm's p_assoc
 *                     since fink-mm #118 (statistics.md §6), but from coincide's P_chance
 *   rate, delta_mag   mag/day and mag, from the Fink alert (rate: its `rate`, else `mag_rate`)
 */
import type { Coincidence, OpticalSummary, TriggerSummary, AlertFieldValue } from '../join/coincidence.ts';
import { JD_MINUS_MJD } from '../optical/ztf-alert.ts';
import { loadVersionedSchema, toJsonText, type VersionedSchema } from './avro/versioned-schema.ts';

type Row = Record<string, unknown>;

/** fink-mm's observatory names (fink_mm/observatory/*): the cuts of fink-filters compare them case-sensitively. */
const FINK_OBSERVATORY: Readonly<Record<string, string>> = { Swift: 'SWIFT', IceCube: 'ICECUBE' };

/** ZTF filter ids (candidate.fid) by band. */
const ZTF_FID: Readonly<Record<string, number>> = { g: 1, r: 2, i: 3 };

/** Fink fields of the fink-mm layout, by Avro type: filled from the alert's Fink values of the same name. */
const FINK_STRING = ['fink_class', 'cdsxmatch', 'DR3Name', 'gcvs', 'vsx', 'x3hsp', 'x4lac'] as const;
const FINK_DOUBLE = [
  'delta_mag',
  'from_upper',
  'start_vartime',
  'diff_vartime',
  'Plx',
  'e_Plx',
  'rf_snia_vs_nonia',
  'snn_snia_vs_nonia',
  'snn_sn_vs_all',
  'mulens',
  'rf_kn_vs_nonkn',
  'anomaly_score',
  'mag_rate',
  'sigma_rate',
  'lower_rate',
  'upper_rate',
  'delta_time',
  'jd_first_real_det',
  'jdstarthist_dt',
] as const;
const FINK_INT = ['roid', 'nalerthist'] as const;
/** Fink values with a field of their own, or used for one (rate); the others go to fink_extra. */
const FINK_NAMED = new Set<string>([...FINK_STRING, ...FINK_DOUBLE, ...FINK_INT, 'rate']);

/** fink-mm's triggerId: the publisher's own id (TrigID, superevent id), without coincide's prefix. */
export function finkTriggerId(triggerId: string): string {
  const colon = triggerId.indexOf(':');
  return colon < 0 ? triggerId : triggerId.slice(colon + 1);
}

/** ISO 8601 (…T…Z) → fink-mm's "YYYY-MM-DD HH:MM:SS.sss". */
export function finkTimeUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** fink-mm's gcn_loc_error: arcmin (radius) for circles and ellipses, arcmin² (searched area) for sky maps. */
export function finkLocError(trigger: TriggerSummary, searchedAreaDeg2: number | undefined): number | null {
  if (trigger.errorRadiusDeg !== undefined) return trigger.errorRadiusDeg * 60;
  if (searchedAreaDeg2 !== undefined && Number.isFinite(searchedAreaDeg2)) return searchedAreaDeg2 * 3600;
  return null;
}

function isOptical(side: OpticalSummary | TriggerSummary): side is OpticalSummary {
  return 'alertId' in side;
}

function numberOrNull(value: AlertFieldValue | undefined): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

function intOrNull(value: AlertFieldValue | undefined): number | null {
  const n = numberOrNull(value);
  return n !== null && Number.isSafeInteger(n) && Math.abs(n) < 2 ** 31 ? n : null;
}

/** The Fink values in the layout's fields; a value of another type than its field keeps to fink_extra. */
function finkColumns(fink: Readonly<Record<string, AlertFieldValue>>): { row: Row; extra: Row } {
  const row: Row = {};
  const extra: Row = {};
  for (const name of FINK_STRING) {
    const value = fink[name];
    row[name] = typeof value === 'string' ? value : null;
    if (value !== undefined && value !== null && typeof value !== 'string') extra[name] = value;
  }
  for (const name of FINK_DOUBLE) {
    const value = fink[name];
    row[name] = numberOrNull(value);
    if (value !== undefined && value !== null && row[name] === null) extra[name] = value;
  }
  for (const name of FINK_INT) {
    const value = fink[name];
    row[name] = intOrNull(value);
    if (value !== undefined && value !== null && row[name] === null) extra[name] = value;
  }
  row.rate = numberOrNull(fink.rate) ?? numberOrNull(fink.mag_rate);
  if (fink.rate !== undefined && fink.rate !== null && numberOrNull(fink.rate) === null)
    extra.rate = fink.rate;
  for (const [name, value] of Object.entries(fink)) if (!FINK_NAMED.has(name)) extra[name] = value;
  return { row, extra };
}

/** The fink-mm-layout record of an optical coincidence (mm-optical pairs only). */
export function finkMmRecord(c: Coincidence): FinkMmRecord {
  if (!isOptical(c.counterpart)) throw new TypeError(`coincidence ${c.id} has no optical counterpart`);
  const o = c.counterpart;
  const t = c.trigger;
  const rates = c.provenance.rates as Readonly<Record<string, number | undefined>>;
  const searchedAreaDeg2 = rates.searchedAreaDeg2;
  const fink = finkColumns(o.fink ?? {});
  return {
    objectId: o.objectId,
    candid: /^-?\d+$/.test(o.alertId) ? BigInt(o.alertId) : null,
    ztf_ra: o.raDeg,
    ztf_dec: o.decDeg,
    fid: o.survey === 'ZTF' && o.band !== undefined ? (ZTF_FID[o.band] ?? null) : null,
    jdstarthist: o.firstDetectionMjd + JD_MINUS_MJD,
    rb: o.rb ?? null,
    jd: o.timeMjd + JD_MINUS_MJD,
    instrument: t.instrument ?? null,
    event: t.eventName ?? null,
    observatory: FINK_OBSERVATORY[t.observatory] ?? t.observatory,
    triggerId: finkTriggerId(t.triggerId),
    gcn_ra: t.raDeg ?? null,
    gcn_dec: t.decDeg ?? null,
    gcn_loc_error: finkLocError(t, searchedAreaDeg2),
    triggerTimeUTC: finkTimeUtc(t.triggerTime),
    p_assoc: 1 - c.pChance,
    ...fink.row,
    mangrove: null,
    lc_features_g: null,
    lc_features_r: null,
    magpsf: o.magnitude ?? null,
    sigmapsf: o.magnitudeErr ?? null,
    fink_extra: Object.keys(fink.extra).length > 0 ? toJsonText(fink.extra) : null,
    survey: o.survey,
    band: o.band ?? null,
    reliability: o.reliability ?? null,
    coincidenceId: c.id,
    status: c.status,
    tier: c.tier,
    pChance: c.pChance,
    farHz: c.farHz ?? null,
    separationDeg: c.separationDeg,
    credibleLevel: c.credibleLevel ?? null,
    dtSeconds: c.dtSeconds,
    messenger: t.messenger,
    noticeType: t.noticeType,
    triggerIvorn: c.provenance.triggerIvorn,
    triggerRevision: t.revision ?? null,
    coincideTriggerId: t.triggerId,
    errorRadiusDeg: t.errorRadiusDeg ?? null,
    searchedAreaDeg2: searchedAreaDeg2 ?? null,
    formulaVersion: c.provenance.formulaVersion,
    provenance: toJsonText(c.provenance),
  };
}

/** A record of the tier topics: field name → value (candid a BigInt, nulls where coincide has no value). */
export type FinkMmRecord = Record<string, unknown>;

/** fink-mm-tier-v1.avsc, the tier topics' schema (records as finkMmRecord makes them, read back as plain objects). */
export const FINK_MM_TIER_SCHEMA: VersionedSchema<FinkMmRecord> = loadVersionedSchema(
  new URL('./avro/fink-mm-tier-v1.avsc', import.meta.url),
  1,
  (record) => record,
  (record) => ({ ...(record as FinkMmRecord) }),
);
