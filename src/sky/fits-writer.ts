/**
 * Writes HEALPix sky maps, so that tests and fixtures can make their own: multi-order (LVK
 * layout: a BINTABLE with int64 UNIQ, PROBDENSITY and optionally DISTMU, DISTSIGMA, DISTNORM;
 * ORDERING = 'NUNIQ') and flat (PROB per pixel, NESTED or RING, implicit or explicit
 * indexing). Pure: returns the bytes (gzip them with node:zlib if wanted).
 *
 * Card layout (FITS Standard 4.0 §4.2): keyword in columns 1–8, "= " in 9–10, then a fixed
 * format value (strings quoted and at least 8 characters, numbers and logicals right-justified
 * to column 30), then " / comment". Data: big-endian, rows of NAXIS1 bytes, padded with zeros.
 */
import { CoincideError } from '../errors.ts';
import { FITS_BLOCK } from './fits-reader.ts';
import { uniqFromNest } from './healpix.ts';
import type { SkyMapCells } from './skymap.ts';

export type HeaderValue = string | number | boolean;

function card(keyword: string, value?: HeaderValue, comment?: string): string {
  if (keyword.length > 8)
    throw new CoincideError('SKY_BAD_REGION', `FITS keyword ${keyword} is longer than 8`);
  let text = keyword.padEnd(8);
  if (value !== undefined) {
    let v: string;
    if (typeof value === 'string') v = `'${value.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
    else if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
    else if (Number.isInteger(value)) v = String(value).padStart(20);
    else v = value.toExponential(15).replace('e', 'E').padStart(20);
    text += `= ${v}`;
    if (comment) text += ` / ${comment}`;
  } else if (comment) {
    text += comment;
  }
  if (text.length > 80) text = text.slice(0, 80);
  if (/[^\x20-\x7e]/.test(text))
    throw new CoincideError('SKY_BAD_REGION', `FITS card for ${keyword} is not ASCII`);
  return text.padEnd(80);
}

function header(cards: string[]): Uint8Array {
  const text = [...cards, card('END')].join('');
  const size = Math.ceil(text.length / FITS_BLOCK) * FITS_BLOCK;
  return new TextEncoder().encode(text.padEnd(size, ' '));
}

/** A table column: 'K' int64 (values as bigint), 'D' float64 or 'E' float32. */
type ColumnSpec =
  | { name: string; unit?: string; form: 'K'; values: readonly bigint[] }
  | { name: string; unit?: string; form: 'D' | 'E'; values: Float64Array };

const FORM_BYTES = { K: 8, D: 8, E: 4 } as const;

/** A FITS file: empty primary HDU + one BINTABLE of the given columns and header cards. */
function writeBinTable(columns: ColumnSpec[], cards: string[], rowCount: number): Uint8Array {
  for (const c of columns) {
    if (c.values.length !== rowCount)
      throw new CoincideError('SKY_BAD_REGION', `column ${c.name} has the wrong length`);
  }
  const rowBytes = columns.reduce((sum, c) => sum + FORM_BYTES[c.form], 0);
  const primary = header([
    card('SIMPLE', true, 'conforms to FITS standard'),
    card('BITPIX', 8, 'array data type'),
    card('NAXIS', 0, 'number of array dimensions'),
    card('EXTEND', true),
  ]);
  const tableCards = [
    card('XTENSION', 'BINTABLE', 'binary table extension'),
    card('BITPIX', 8, 'array data type'),
    card('NAXIS', 2, 'number of array dimensions'),
    card('NAXIS1', rowBytes, 'length of dimension 1'),
    card('NAXIS2', rowCount, 'length of dimension 2'),
    card('PCOUNT', 0, 'number of group parameters'),
    card('GCOUNT', 1, 'number of groups'),
    card('TFIELDS', columns.length, 'number of table fields'),
  ];
  columns.forEach((c, i) => {
    tableCards.push(card(`TTYPE${i + 1}`, c.name), card(`TFORM${i + 1}`, c.form));
    if (c.unit) tableCards.push(card(`TUNIT${i + 1}`, c.unit));
  });
  const tableHeader = header([...tableCards, ...cards]);
  const dataSize = Math.ceil((rowBytes * rowCount) / FITS_BLOCK) * FITS_BLOCK;
  const out = new Uint8Array(primary.length + tableHeader.length + dataSize);
  out.set(primary, 0);
  out.set(tableHeader, primary.length);
  const view = new DataView(out.buffer, primary.length + tableHeader.length, dataSize);
  let offset = 0;
  for (const c of columns) {
    for (let i = 0; i < rowCount; i++) {
      const at = i * rowBytes + offset;
      if (c.form === 'K') view.setBigInt64(at, c.values[i] as bigint, false);
      else if (c.form === 'D') view.setFloat64(at, c.values[i] as number, false);
      else view.setFloat32(at, c.values[i] as number, false);
    }
    offset += FORM_BYTES[c.form];
  }
  return out;
}

function extraCards(extraHeader: Readonly<Record<string, HeaderValue>>): string[] {
  return Object.entries(extraHeader).map(([key, value]) => card(key, value));
}

/** The multi-order FITS bytes of a sky map's cells; `extraHeader` cards go in the table header. */
export function writeMultiOrderSkyMap(
  cells: SkyMapCells,
  extraHeader: Readonly<Record<string, HeaderValue>> = {},
): Uint8Array {
  const n = cells.orders.length;
  const uniq: bigint[] = [];
  let maxOrder = 0;
  for (let i = 0; i < n; i++) {
    const order = cells.orders[i] as number;
    maxOrder = Math.max(maxOrder, order);
    uniq.push(uniqFromNest(order, BigInt(cells.ipix[i] as number)));
  }
  const columns: ColumnSpec[] = [
    { name: 'UNIQ', form: 'K', values: uniq },
    { name: 'PROBDENSITY', unit: 'sr-1', form: 'D', values: cells.densityPerSr },
  ];
  if (cells.distMuMpc) columns.push({ name: 'DISTMU', unit: 'Mpc', form: 'D', values: cells.distMuMpc });
  if (cells.distSigmaMpc)
    columns.push({ name: 'DISTSIGMA', unit: 'Mpc', form: 'D', values: cells.distSigmaMpc });
  if (cells.distNormPerMpc2)
    columns.push({ name: 'DISTNORM', unit: 'Mpc-2', form: 'D', values: cells.distNormPerMpc2 });
  return writeBinTable(
    columns,
    [
      card('PIXTYPE', 'HEALPIX', 'HEALPIX pixelisation'),
      card('ORDERING', 'NUNIQ', 'Pixel ordering scheme: RING, NESTED, or NUNIQ'),
      card('COORDSYS', 'C', 'Ecliptic, Galactic or Celestial (equatorial)'),
      card('MOCORDER', maxOrder, 'MOC resolution (best order)'),
      card('INDXSCHM', 'EXPLICIT', 'Indexing: IMPLICIT or EXPLICIT'),
      ...extraCards(extraHeader),
    ],
    n,
  );
}

export interface FlatSkyMap {
  order: number;
  ordering: 'NESTED' | 'RING';
  /** Probability per pixel (column PROB). */
  probPerPixel: Float64Array;
  /** Explicit indexing: the pixel index of each row (INDXSCHM = 'EXPLICIT', column PIXEL). */
  pixels?: Float64Array;
  /** Write PROB as float32 ('E'), as Fermi GBM does. */
  singlePrecision?: boolean;
}

/** A flat HEALPix FITS sky map (PROB per pixel; implicit or explicit indexing). */
export function writeFlatSkyMap(
  map: FlatSkyMap,
  extraHeader: Readonly<Record<string, HeaderValue>> = {},
): Uint8Array {
  const n = map.probPerPixel.length;
  const columns: ColumnSpec[] = [];
  if (map.pixels)
    columns.push({ name: 'PIXEL', form: 'K', values: Array.from(map.pixels, (p) => BigInt(p)) });
  columns.push({
    name: 'PROB',
    unit: 'pix-1',
    form: map.singlePrecision ? 'E' : 'D',
    values: map.probPerPixel,
  });
  return writeBinTable(
    columns,
    [
      card('PIXTYPE', 'HEALPIX', 'HEALPIX pixelisation'),
      card('ORDERING', map.ordering, 'Pixel ordering scheme: RING, NESTED, or NUNIQ'),
      card('COORDSYS', 'C', 'Ecliptic, Galactic or Celestial (equatorial)'),
      card('NSIDE', 2 ** map.order, 'Resolution parameter of HEALPIX'),
      card('INDXSCHM', map.pixels ? 'EXPLICIT' : 'IMPLICIT', 'Indexing: IMPLICIT or EXPLICIT'),
      ...extraCards(extraHeader),
    ],
    n,
  );
}
