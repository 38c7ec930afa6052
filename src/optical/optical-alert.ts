/**
 * The OpticalAlert: one detection from an optical alert stream (ZTF, Rubin/LSST, or Fink's
 * enriched ZTF topics), reduced to what the join needs. 64-bit identifiers are exact decimal
 * strings (never numbers).
 */
export type Survey = 'ZTF' | 'LSST';

export interface OpticalAlert {
  survey: Survey;
  /** ZTF objectId (e.g. ZTF19acihgng) or LSST diaObjectId as a decimal string. */
  objectId: string;
  /** ZTF candid or LSST diaSourceId, exact, as a decimal string. */
  alertId: string;
  raDeg: number;
  decDeg: number;
  /** Time of this detection, MJD (UTC). */
  timeMjd: number;
  /** Filter / band name (ZTF g, r, i from fid 1, 2, 3; LSST u g r i z y). */
  band: string;
  /** Difference-image magnitude (ZTF magpsf) and its error, when the survey gives magnitudes. */
  magnitude?: number;
  magnitudeErr?: number;
  /** Difference-image flux (LSST psfFlux, nJy) and its error, when the survey gives fluxes. */
  fluxNJy?: number;
  fluxErrNJy?: number;
  /** True when the difference flux is positive (ZTF isdiffpos "t"/"1", LSST psfFlux > 0). */
  isPositive: boolean;
  /** First detection of this object, MJD (ZTF jdstarthist − 2400000.5; LSST earliest diaSource). */
  firstDetectionMjd: number;
  /** Real/bogus score in [0, 1]: ZTF drb (or rb when drb is absent), LSST reliability. */
  reliability?: number;
  /** ZTF candidate.rb (random-forest real/bogus score), the `rb` of fink-mm's records and fink-filters' cuts. */
  rb?: number;
  /** True when the survey associates the source with a known solar-system object. */
  solarSystem: boolean;
  /** Distance to the nearest known solar-system object, arcsec (ZTF ssdistnr), when given. */
  ssDistanceArcsec?: number;
  /** Name of that solar-system object (ZTF ssnamenr), when given. */
  ssName?: string;
  /** Time of this detection in the survey's own scale when it is not UTC (LSST: MJD TAI). */
  timeMjdTai?: number;
  /** Number of previous detections reported with the alert (ZTF ndethist, LSST nDiaSources). */
  nPreviousDetections?: number;
  /**
   * Fink's added values, when the alert came from a Fink topic: every top-level scalar that is
   * not part of the survey's packet (fink_class, classifier scores such as snn_sn_vs_all,
   * cross-matches such as cdsxmatch, rate features such as mag_rate); 64-bit values as decimal strings.
   */
  fink?: Record<string, string | number | boolean | null>;
}
