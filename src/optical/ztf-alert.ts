/**
 * ZTF alert packets (schema 3.x and 4.x, and Fink's enriched ZTF packets) -> OpticalAlert.
 *
 * Field meanings are those of the ZTF schema (ztf-avro-alert, candidate.avsc):
 *   jd          observation Julian date at start of exposure [days, UTC]
 *   fid         filter id: 1 = g, 2 = r (ZTF "R"), 3 = i
 *   magpsf, sigmapsf   PSF-fit difference magnitude and its 1σ error [mag]
 *   isdiffpos   "t" or "1" when the candidate comes from the positive subtraction
 *   jdstarthist earliest Julian date of the detection history (ndethist detections)
 *   rb, drb     real/bogus scores (random forest; deep learning, ZTF ≥ 3.3)
 *   ssdistnr, ssmagnr, ssnamenr   nearest known solar-system object within 30" [arcsec,
 *               mag, name]; -999 (or null) when there is none
 */
import type { OpticalAlert } from './optical-alert.ts';
import type { Projection } from './avro-projection.ts';
import {
  type AvroRecord,
  optionalId,
  optionalNumber,
  optionalString,
  requiredId,
  requiredNumber,
  requiredRecord,
  requiredString,
} from './record-fields.ts';

/** MJD = JD - 2400000.5 */
export const JD_MINUS_MJD = 2400000.5;

/** Default match radius for a ZTF solar-system association (ssdistnr), arcsec. */
export const ZTF_SOLAR_SYSTEM_RADIUS_ARCSEC = 5;

const FILTERS: Readonly<Record<number, string>> = { 1: 'g', 2: 'r', 3: 'i' };

/** Top-level fields of the ZTF packet itself; any other scalar is a Fink added value. */
const ZTF_TOP_LEVEL = new Set([
  'schemavsn',
  'publisher',
  'objectId',
  'candid',
  'candidate',
  'prv_candidates',
  'fp_hists',
  'cutoutScience',
  'cutoutTemplate',
  'cutoutDifference',
]);

/** What the projected reader keeps: no cutouts, no prv_candidates, no fp_hists. */
export const ZTF_PROJECTION: Projection = {
  fields: {
    schemavsn: true,
    publisher: true,
    objectId: true,
    candid: true,
    candidate: {
      fields: {
        candid: true,
        jd: true,
        fid: true,
        ra: true,
        dec: true,
        magpsf: true,
        sigmapsf: true,
        isdiffpos: true,
        rb: true,
        drb: true,
        ssdistnr: true,
        ssmagnr: true,
        ssnamenr: true,
        jdstarthist: true,
        ndethist: true,
      },
    },
  },
  keepOtherScalars: true, // Fink's classification columns
};

export interface ZtfMappingOptions {
  /** Largest ssdistnr counted as a solar-system association, arcsec (default 5). */
  solarSystemRadiusArcsec?: number;
}

/** True when a writer schema is a ZTF alert (has objectId and a candidate record). */
export function isZtfSchema(fieldNames: ReadonlySet<string>): boolean {
  return fieldNames.has('candidate') && fieldNames.has('objectId');
}

/** A ZTF "no value" sentinel (-999 or lower) or null reads as undefined. */
function valid(value: number | undefined): number | undefined {
  return value === undefined || value <= -999 ? undefined : value;
}

export function mapZtfAlert(record: AvroRecord, options: ZtfMappingOptions = {}): OpticalAlert {
  const candidate = requiredRecord(record, 'candidate');
  const alertId = optionalId(record, 'candid') ?? requiredId(candidate, 'candid');
  const timeMjd = requiredNumber(candidate, 'jd') - JD_MINUS_MJD;
  const fid = requiredNumber(candidate, 'fid');
  const jdStartHist = valid(optionalNumber(candidate, 'jdstarthist'));
  const isdiffpos = requiredString(candidate, 'isdiffpos');
  const reliability = optionalNumber(candidate, 'drb') ?? optionalNumber(candidate, 'rb');
  const ssDistanceArcsec = valid(optionalNumber(candidate, 'ssdistnr'));
  const ssMagnitude = valid(optionalNumber(candidate, 'ssmagnr'));
  const radiusArcsec = options.solarSystemRadiusArcsec ?? ZTF_SOLAR_SYSTEM_RADIUS_ARCSEC;
  const ssName = optionalString(candidate, 'ssnamenr');
  const alert: OpticalAlert = {
    survey: 'ZTF',
    objectId: requiredString(record, 'objectId'),
    alertId,
    raDeg: requiredNumber(candidate, 'ra'),
    decDeg: requiredNumber(candidate, 'dec'),
    timeMjd,
    band: FILTERS[fid] ?? `fid${String(fid)}`,
    magnitude: requiredNumber(candidate, 'magpsf'),
    magnitudeErr: requiredNumber(candidate, 'sigmapsf'),
    isPositive: isdiffpos === 't' || isdiffpos === '1',
    firstDetectionMjd: jdStartHist === undefined ? timeMjd : jdStartHist - JD_MINUS_MJD,
    solarSystem:
      ssDistanceArcsec !== undefined && ssDistanceArcsec <= radiusArcsec && ssMagnitude !== undefined,
  };
  if (reliability !== undefined) alert.reliability = reliability;
  const rb = optionalNumber(candidate, 'rb');
  if (rb !== undefined) alert.rb = rb;
  if (ssDistanceArcsec !== undefined) alert.ssDistanceArcsec = ssDistanceArcsec;
  if (ssName !== undefined && ssName !== 'null' && ssName !== '') alert.ssName = ssName;
  const ndethist = optionalNumber(candidate, 'ndethist');
  if (ndethist !== undefined) alert.nPreviousDetections = ndethist;
  const fink = finkFields(record);
  if (fink) alert.fink = fink;
  return alert;
}

/** Fink's added values: every top-level scalar that is not part of the ZTF packet. */
function finkFields(record: AvroRecord): OpticalAlert['fink'] {
  let out: NonNullable<OpticalAlert['fink']> | undefined;
  for (const key of Object.keys(record)) {
    if (ZTF_TOP_LEVEL.has(key)) continue;
    const value = record[key];
    let scalar: string | number | boolean | null;
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      scalar = value;
    } else if (typeof value === 'bigint') {
      scalar = value.toString();
    } else {
      continue;
    }
    out ??= {};
    out[key] = scalar;
  }
  return out;
}
