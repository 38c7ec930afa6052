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
 * firstDetectionMjd = min(diaSource.midpointMjdTai, prvDiaSources[].midpointMjdTai,
 *                         diaObject.firstDiaSourceMjdTai when the schema has it), to UTC.
 */
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

/** What the projected reader keeps: no cutouts, no forced photometry or orbits, and only the
 *  times of previous diaSources (for firstDetectionMjd). */
export const LSST_PROJECTION: Projection = {
  fields: {
    diaSource: {
      fields: {
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
      },
    },
    prvDiaSources: { fields: { midpointMjdTai: true } },
    diaObject: { fields: { diaObjectId: true, firstDiaSourceMjdTai: true, nDiaSources: true } },
    // Only their presence matters: records projected to no fields at all.
    ssObject: { fields: {} },
    ssSource: { fields: {} },
  },
};

/** True when a writer schema is a Rubin/LSST alert (has a diaSource record). */
export function isLsstSchema(fieldNames: ReadonlySet<string>): boolean {
  return fieldNames.has('diaSource');
}

export function mapLsstAlert(record: AvroRecord): OpticalAlert {
  const source = requiredRecord(record, 'diaSource');
  const diaObject = optionalRecord(record, 'diaObject');
  const previous = optionalArray(record, 'prvDiaSources') ?? [];
  const alertId = requiredId(source, 'diaSourceId');
  const timeMjdTai = requiredNumber(source, 'midpointMjdTai');
  let firstMjdTai = timeMjdTai;
  for (const p of previous) {
    const t = optionalNumber(p, 'midpointMjdTai');
    if (t !== undefined && t < firstMjdTai) firstMjdTai = t;
  }
  const objectFirst = diaObject ? optionalNumber(diaObject, 'firstDiaSourceMjdTai') : undefined;
  if (objectFirst !== undefined && objectFirst < firstMjdTai) firstMjdTai = objectFirst;
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
  alert.nPreviousDetections = nDiaSources ?? previous.length;
  return alert;
}
