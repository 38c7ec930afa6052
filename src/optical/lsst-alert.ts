/**
 * Rubin/LSST alert packets (lsst/alert_packet schemas 7.x to 11.x) -> OpticalAlert.
 *
 * Field meanings follow the APDB / alert_packet schemas:
 *   diaSource.diaSourceId        unique id of this detection (64-bit)
 *   diaSource.diaObjectId        the object it is associated with (null for solar-system
 *                                sources; then diaObject.diaObjectId or ssObjectId is used)
 *   diaSource.midpointMjdTai     effective mid-exposure time [MJD, TAI] (converted to UTC)
 *   diaSource.ra, dec            [deg, ICRS]
 *   diaSource.band               u g r i z y
 *   diaSource.psfFlux, psfFluxErr   difference-image PSF flux and its error [nJy]
 *   diaSource.reliability        real/bogus score in [0, 1] (may be null)
 *   diaObject.firstDiaSourceMjdTai  first detection of the object [MJD, TAI] (schema ≥ 9)
 *   ssObject (7.x) / ssSource (≥ 9.0)  present when associated with a known solar-system body
 *
 * firstDetectionMjd, converted to UTC, is
 *   schema >= 9.0: min(diaSource.midpointMjdTai, diaObject.firstDiaSourceMjdTai) (the object's
 *                  whole history; prvDiaSources only covers the last 12 months);
 *   schema 7.x:    min(diaSource.midpointMjdTai, prvDiaSources[].midpointMjdTai).
 * nPreviousDetections is diaObject.nDiaSources (7.x without it: the prvDiaSources count).
 */
import type avro from 'avsc';
import type { OpticalAlert } from './optical-alert.ts';
import type { Projection } from './avro-projection.ts';
import { taiMjdToUtcMjd } from './tai-utc.ts';
import {
  type AvroRecord,
  optionalArray,
  optionalId,
  optionalNumber,
  optionalRecord,
  optionalString,
  requiredId,
  requiredNumber,
  requiredRecord,
} from './record-fields.ts';

const SOURCE_FIELDS = {
  diaSourceId: true,
  diaObjectId: true,
  ssObjectId: true,
  midpointMjdTai: true,
  ra: true,
  dec: true,
  band: true,
  filterName: true,
  psfFlux: true,
  psfFluxErr: true,
  reliability: true,
} as const;

/**
 * What the projected reader keeps: no cutouts, forced photometry or orbits. With a diaObject
 * summary (schema >= 9: firstDiaSourceMjdTai, nDiaSources) no history either; before that
 * (7.x) only the times of the previous diaSources, for firstDetectionMjd.
 */
export function lsstProjection(hasObjectSummary: boolean): Projection {
  return {
    fields: {
      diaSource: { fields: SOURCE_FIELDS },
      ...(hasObjectSummary ? {} : { prvDiaSources: { fields: { midpointMjdTai: true } } }),
      diaObject: { fields: { diaObjectId: true, firstDiaSourceMjdTai: true, nDiaSources: true } },
      // Only their presence matters: records projected to no fields at all.
      ssObject: { fields: {} },
      ssSource: { fields: {} },
    },
  };
}

/** True when the schema's diaObject carries firstDiaSourceMjdTai (alert_packet >= 9.0). */
export function hasObjectSummary(writerType: avro.Type): boolean {
  const alert = writerType as unknown as { fields?: Array<{ name: string; type: avro.Type }> };
  const diaObject = alert.fields?.find((f) => f.name === 'diaObject')?.type as
    { types?: Array<{ fields?: Array<{ name: string }> }>; fields?: Array<{ name: string }> } | undefined;
  const record = diaObject?.types?.find((t) => t.fields) ?? diaObject;
  return record?.fields?.some((f) => f.name === 'firstDiaSourceMjdTai') ?? false;
}

export interface LsstMappingOptions {
  /** Take the first detection and detection count from diaObject (schema >= 9), not the history. */
  useObjectSummary: boolean;
}

/** True when a writer schema is a Rubin/LSST alert (has a diaSource record). */
export function isLsstSchema(fieldNames: ReadonlySet<string>): boolean {
  return fieldNames.has('diaSource');
}

export function mapLsstAlert(record: AvroRecord, options: LsstMappingOptions): OpticalAlert {
  const source = requiredRecord(record, 'diaSource');
  const diaObject = optionalRecord(record, 'diaObject');
  const previous = optionalArray(record, 'prvDiaSources');
  const alertId = requiredId(source, 'diaSourceId');
  const timeMjdTai = requiredNumber(source, 'midpointMjdTai');
  let firstMjdTai = timeMjdTai;
  if (options.useObjectSummary) {
    const objectFirst = diaObject ? optionalNumber(diaObject, 'firstDiaSourceMjdTai') : undefined;
    if (objectFirst !== undefined && objectFirst < firstMjdTai) firstMjdTai = objectFirst;
  } else {
    for (const p of previous ?? []) {
      const t = optionalNumber(p, 'midpointMjdTai');
      if (t !== undefined && t < firstMjdTai) firstMjdTai = t;
    }
  }
  const ssObjectId = optionalId(source, 'ssObjectId');
  const objectId =
    optionalId(source, 'diaObjectId') ??
    (diaObject ? optionalId(diaObject, 'diaObjectId') : undefined) ??
    ssObjectId ??
    alertId;
  const fluxNJy = requiredNumber(source, 'psfFlux');
  const alert: OpticalAlert = {
    survey: 'LSST',
    objectId,
    alertId,
    raDeg: requiredNumber(source, 'ra'),
    decDeg: requiredNumber(source, 'dec'),
    timeMjd: taiMjdToUtcMjd(timeMjdTai),
    timeMjdTai,
    band: optionalString(source, 'band') ?? optionalString(source, 'filterName') ?? 'unknown',
    fluxNJy,
    isPositive: fluxNJy > 0,
    firstDetectionMjd: taiMjdToUtcMjd(firstMjdTai),
    solarSystem:
      optionalRecord(record, 'ssObject') !== undefined ||
      optionalRecord(record, 'ssSource') !== undefined ||
      (ssObjectId !== undefined && ssObjectId !== '0'),
  };
  const fluxErrNJy = optionalNumber(source, 'psfFluxErr');
  if (fluxErrNJy !== undefined) alert.fluxErrNJy = fluxErrNJy;
  const reliability = optionalNumber(source, 'reliability');
  if (reliability !== undefined) alert.reliability = reliability;
  const nDiaSources = diaObject ? optionalNumber(diaObject, 'nDiaSources') : undefined;
  const nPrevious = options.useObjectSummary ? nDiaSources : (nDiaSources ?? previous?.length);
  if (nPrevious !== undefined) alert.nPreviousDetections = nPrevious;
  return alert;
}
