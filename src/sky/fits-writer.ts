/**
 * Writes a multi-order HEALPix sky map (LVK layout: a BINTABLE with int64 UNIQ, PROBDENSITY and
 * optionally DISTMU, DISTSIGMA, DISTNORM; ORDERING = 'NUNIQ'), so that tests and fixtures can
 * make their own maps. Pure: returns the bytes (gzip them with node:zlib if wanted).
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

interface ColumnSpec {
  name: string;
  unit: string;
  values: Float64Array;
}

/** The multi-order FITS bytes of a sky map's cells; `extraHeader` cards go in the table header. */
export function writeMultiOrderSkyMap(
  cells: SkyMapCells,
  extraHeader: Readonly<Record<string, HeaderValue>> = {},
): Uint8Array {
  const n = cells.orders.length;
  const columns: ColumnSpec[] = [{ name: 'PROBDENSITY', unit: 'sr-1', values: cells.densityPerSr }];
  if (cells.distMuMpc) columns.push({ name: 'DISTMU', unit: 'Mpc', values: cells.distMuMpc });
  if (cells.distSigmaMpc) columns.push({ name: 'DISTSIGMA', unit: 'Mpc', values: cells.distSigmaMpc });
  if (cells.distNormPerMpc2) columns.push({ name: 'DISTNORM', unit: 'Mpc-2', values: cells.distNormPerMpc2 });
  for (const c of columns) {
    if (c.values.length !== n)
      throw new CoincideError('SKY_BAD_REGION', `column ${c.name} has the wrong length`);
  }
  let maxOrder = 0;
  for (let i = 0; i < n; i++) maxOrder = Math.max(maxOrder, cells.orders[i] as number);
  const rowBytes = 8 + 8 * columns.length;
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
    card('NAXIS2', n, 'length of dimension 2'),
    card('PCOUNT', 0, 'number of group parameters'),
    card('GCOUNT', 1, 'number of groups'),
    card('TFIELDS', 1 + columns.length, 'number of table fields'),
    card('TTYPE1', 'UNIQ'),
    card('TFORM1', 'K'),
  ];
  columns.forEach((c, i) => {
    tableCards.push(card(`TTYPE${i + 2}`, c.name), card(`TFORM${i + 2}`, 'D'), card(`TUNIT${i + 2}`, c.unit));
  });
  tableCards.push(
    card('PIXTYPE', 'HEALPIX', 'HEALPIX pixelisation'),
    card('ORDERING', 'NUNIQ', 'Pixel ordering scheme: RING, NESTED, or NUNIQ'),
    card('COORDSYS', 'C', 'Ecliptic, Galactic or Celestial (equatorial)'),
    card('MOCORDER', maxOrder, 'MOC resolution (best order)'),
    card('INDXSCHM', 'EXPLICIT', 'Indexing: IMPLICIT or EXPLICIT'),
  );
  for (const [key, value] of Object.entries(extraHeader)) tableCards.push(card(key, value));
  const tableHeader = header(tableCards);
  const dataSize = Math.ceil((rowBytes * n) / FITS_BLOCK) * FITS_BLOCK;
  const out = new Uint8Array(primary.length + tableHeader.length + dataSize);
  out.set(primary, 0);
  out.set(tableHeader, primary.length);
  const view = new DataView(out.buffer, primary.length + tableHeader.length, dataSize);
  for (let i = 0; i < n; i++) {
    const at = i * rowBytes;
    view.setBigInt64(at, uniqFromNest(cells.orders[i] as number, BigInt(cells.ipix[i] as number)), false);
    columns.forEach((c, j) => {
      view.setFloat64(at + 8 + 8 * j, c.values[i] as number, false);
    });
  }
  return out;
}
