/**
 * gcn-schema `Localization` -> Notice region.
 *
 *   ra, dec              deg, ICRS
 *   ra_dec_error         circle radius (deg), or [a, b (default a), PA east of north (default 0)]
 *   containment_probability  default 0.9;  systematic_included  default false
 *   healpix_url / healpix_file (base64 FITS)
 *
 * Legacy (pre nasa-gcn/gcn-schema#124, still in gwcelery-era payloads): uncertainty_shape,
 * ra_uncertainty, dec_uncertainty as one-element lists, or asymmetric [plus, minus] lists.
 * Differing RA and Dec errors become an ellipse aligned with the RA/Dec axes (semi-major
 * along Dec: PA 0°, along RA: PA 90°); an asymmetric error on one axis is replaced by its
 * larger side (a region that still holds the stated containment). MAXI's
 * `rectangular_error_corners` become the circle about (ra, dec) through the farthest corner,
 * which contains the rectangle and so at least its containment.
 *
 * A circle or ellipse is used when an error is published, else a sky map when one is
 * referenced, else none (a position without an error is not a localisation).
 *
 * GCN placeholders make a time-only notice (region none, joined in time only), never an error:
 * RA −1 (never a valid RA; published as RA/Dec −1, −1) means "no position", and an error
 * radius of −1 or 0 means "no localisation".
 */
import type { NoticeRegion } from '../notice.ts';
import { embeddedReference, isObject, numberField, type JsonObject } from './json-values.ts';

export const DEFAULT_JSON_CONTAINMENT = 0.9;

const DEG = Math.PI / 180;

/** Great-circle distance (deg) by the haversine formula, inputs in degrees. */
export function angularDistanceDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const dDec = (dec2 - dec1) * DEG;
  const dRa = (ra2 - ra1) * DEG;
  const h = Math.sin(dDec / 2) ** 2 + Math.cos(dec1 * DEG) * Math.cos(dec2 * DEG) * Math.sin(dRa / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(h)))) / DEG;
}

function numbers(value: unknown): number[] | undefined {
  if (typeof value === 'number') return [value];
  if (!Array.isArray(value)) return undefined;
  return value.map((v) => (typeof v === 'number' ? v : NaN));
}

/** The larger magnitude of a one- or two-sided error list. */
function axisError(value: unknown): number | undefined {
  const list = numbers(value);
  if (list === undefined || list.length === 0) return undefined;
  // A one-sided −1 or 0 is GCN's "no localisation" placeholder, not an error of 1°.
  if (list.length === 1 && (list[0] as number) <= 0) return 0;
  return Math.max(...list.map((v) => Math.abs(v)));
}

function shape(
  ra: number,
  dec: number,
  a: number,
  b: number,
  paDeg: number,
  containment: number,
  systematicIncluded: boolean,
): NoticeRegion {
  if (a === b)
    return { type: 'circle', raDeg: ra, decDeg: dec, radiusDeg: a, containment, systematicIncluded };
  const [semiMajorDeg, semiMinorDeg, posAngleDeg] = a >= b ? [a, b, paDeg] : [b, a, (paDeg + 90) % 180];
  return { type: 'ellipse', raDeg: ra, decDeg: dec, semiMajorDeg, semiMinorDeg, posAngleDeg, containment };
}

/** The region of a gcn-schema notice (or of a nested `localization` object). */
export function regionFromLocalization(obj: JsonObject): NoticeRegion {
  const source = isObject(obj.localization) ? obj.localization : obj;
  const rawRa = numberField(source, 'ra') ?? (source.ra === undefined ? undefined : NaN);
  const placeholder = rawRa === -1;
  const ra = placeholder ? undefined : rawRa;
  const dec = placeholder
    ? undefined
    : (numberField(source, 'dec') ?? (source.dec === undefined ? undefined : NaN));
  const containment = numberField(source, 'containment_probability') ?? DEFAULT_JSON_CONTAINMENT;
  const systematic = source.systematic_included === true;
  const map = (): NoticeRegion | undefined => {
    const withCentre = ra !== undefined && dec !== undefined ? { raDeg: ra, decDeg: dec } : {};
    if (typeof source.healpix_url === 'string' && source.healpix_url.length > 0) {
      return { type: 'skymap', url: source.healpix_url, ...withCentre };
    }
    if (typeof source.healpix_file === 'string' && source.healpix_file.length > 0) {
      return { type: 'skymap', url: embeddedReference(source.healpix_file), ...withCentre };
    }
    return undefined;
  };
  if (ra === undefined || dec === undefined) return map() ?? { type: 'none' };

  const err = source.ra_dec_error;
  if (err !== undefined && err !== null) {
    const list = numbers(err) ?? [NaN];
    const a = list[0] ?? NaN;
    const b = list[1] ?? a;
    const pa = list[2] ?? 0;
    if (a <= 0 || b <= 0) return map() ?? { type: 'none' };
    return shape(ra, dec, a, b, pa, containment, systematic);
  }
  const corners = source.rectangular_error_corners;
  if (Array.isArray(corners) && corners.length > 0) {
    const radius = Math.max(
      ...corners.map((c) => {
        const pair = numbers(c) ?? [NaN, NaN];
        return angularDistanceDeg(ra, dec, pair[0] ?? NaN, pair[1] ?? NaN);
      }),
    );
    return {
      type: 'circle',
      raDeg: ra,
      decDeg: dec,
      radiusDeg: radius,
      containment,
      systematicIncluded: systematic,
    };
  }
  const raErr = axisError(source.ra_uncertainty);
  const decErr = axisError(source.dec_uncertainty);
  if (raErr !== undefined || decErr !== undefined) {
    const alongDec = decErr ?? raErr ?? NaN;
    const alongRa = raErr ?? decErr ?? NaN;
    if (alongDec <= 0 || alongRa <= 0) return map() ?? { type: 'none' };
    // semi-axis along Dec has PA 0°, along RA PA 90°.
    return shape(ra, dec, alongDec, alongRa, 0, containment, systematic);
  }
  return map() ?? { type: 'none' };
}
