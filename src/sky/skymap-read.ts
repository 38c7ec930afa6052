/**
 * Sky map bytes → SkyMap. Pure (bytes in, map out): files and URLs are read elsewhere.
 *
 * Layouts understood (the first BINTABLE of the file):
 *  - multi-order (ORDERING = 'NUNIQ', or a UNIQ column): UNIQ (K or J) + PROBDENSITY (sr⁻¹)
 *    + optional DISTMU, DISTSIGMA (Mpc), DISTNORM (Mpc⁻²);
 *  - flat HEALPix (ORDERING = 'NESTED' or 'RING', NSIDE): PROB / PROBABILITY (per pixel) or,
 *    failing those, the first column; implicit indexing (row r, element j is pixel
 *    r·repeat + j; vector rows allowed, as Fermi GBM writes) or explicit (INDXSCHM =
 *    'EXPLICIT' with a PIXEL column); density = probability / pixel area. Full-sky flat maps
 *    are merged into multi-order cells where uniform, exactly as ligo.skymap reads them.
 * gzip-compressed bytes (magic 1f 8b) are inflated first.
 */
import { gunzipSync } from 'node:zlib';
import { CoincideError } from '../errors.ts';
import { MAX_NUMBER_ORDER } from './healpix-deep.ts';
import { MAX_LIBRARY_ORDER, nsideToOrder, pixelCount, ring2nest } from './healpix.ts';
import {
  findColumn,
  readIntegerColumn,
  readFits,
  readNumberColumn,
  type FitsHdu,
  type FitsTable,
  type FitsValue,
} from './fits-reader.ts';
import { derasterize } from './derasterize.ts';
import { SkyMap, type SkyMapCells } from './skymap.ts';

export interface ReadSkyMapOptions {
  /** Largest inflated size accepted, bytes (default 512 MiB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/** 4^k for k = 0…MAX_NUMBER_ORDER (exact doubles). */
const POW4 = Float64Array.from({ length: MAX_NUMBER_ORDER + 1 }, (_, k) => 4 ** k);

function malformed(message: string): CoincideError {
  return new CoincideError('FITS_MALFORMED', message);
}

/** Inflates gzip bytes (if gzipped), refusing outputs beyond maxBytes. */
export function maybeGunzip(bytes: Uint8Array, maxBytes: number = DEFAULT_MAX_BYTES): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      throw new CoincideError('FITS_MALFORMED', 'gzip data is corrupt or too large', { cause: error });
    }
  }
  return bytes;
}

function headerRecord(hdus: FitsHdu[]): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const hdu of hdus) {
    for (const [key, value] of hdu.header) {
      if (key in out) continue;
      out[key] = typeof value === 'bigint' ? value.toString() : value;
    }
  }
  return out;
}

function optionalColumn(table: FitsTable, name: string): Float64Array | undefined {
  const column = findColumn(table, name);
  return column ? readNumberColumn(table, column) : undefined;
}

function readMultiOrder(table: FitsTable): SkyMapCells {
  const uniqColumn = findColumn(table, 'UNIQ');
  const densityColumn = findColumn(table, 'PROBDENSITY');
  if (!uniqColumn || !densityColumn)
    throw malformed('multi-order sky map needs UNIQ and PROBDENSITY columns');
  const uniq = readIntegerColumn(table, uniqColumn);
  const n = uniq.length;
  const orders = new Uint8Array(n);
  const ipix = new Float64Array(n);
  // Cells of order ≤ 24 have uniq < 16·4^24 = 2^52: the split is done in doubles, exactly.
  // 4·4^order ≤ uniq < 16·4^order, so ⌊log₂ uniq⌋ is 2·order + 2 or 2·order + 3, found with
  // Math.clz32 on the high or the low 32 bits (no float logarithm, no BigInt).
  const maxExactUniq = 16 * 4 ** MAX_NUMBER_ORDER;
  for (let i = 0; i < n; i++) {
    const u = uniq[i] as number;
    if (!(u >= 4) || u >= maxExactUniq) {
      throw malformed(
        `row ${i}: UNIQ ${Number.isNaN(u) ? 'beyond 2^53' : u} is not a cell of order 0…${MAX_NUMBER_ORDER}`,
      );
    }
    const high = Math.floor(u / 4294967296);
    const floorLog2 = high > 0 ? 63 - Math.clz32(high) : 31 - Math.clz32(u);
    const order = (floorLog2 >> 1) - 1;
    orders[i] = order;
    ipix[i] = u - 4 * (POW4[order] as number);
  }
  const distMuMpc = optionalColumn(table, 'DISTMU');
  const distSigmaMpc = optionalColumn(table, 'DISTSIGMA');
  const distNormPerMpc2 = optionalColumn(table, 'DISTNORM');
  return {
    orders,
    ipix,
    densityPerSr: readNumberColumn(table, densityColumn),
    ...(distMuMpc ? { distMuMpc } : {}),
    ...(distSigmaMpc ? { distSigmaMpc } : {}),
    ...(distNormPerMpc2 ? { distNormPerMpc2 } : {}),
  };
}

function readFlat(table: FitsTable, header: Map<string, FitsValue>, ordering: string): SkyMapCells {
  const probColumn = findColumn(table, 'PROB') ?? findColumn(table, 'PROBABILITY') ?? table.columns[0];
  if (!probColumn) throw malformed('flat sky map has no columns');
  const prob = readNumberColumn(table, probColumn);
  const explicit = String(header.get('INDXSCHM') ?? 'IMPLICIT').toUpperCase() === 'EXPLICIT';
  const nsideValue = header.get('NSIDE');
  let order: number;
  try {
    order = nsideToOrder(typeof nsideValue === 'number' ? nsideValue : Math.sqrt(prob.length / 12));
  } catch (error) {
    throw new CoincideError('FITS_MALFORMED', 'flat sky map has no valid NSIDE', { cause: error });
  }
  const npix = pixelCount(order);
  if (ordering === 'RING' && order > MAX_LIBRARY_ORDER)
    throw malformed(`RING map order ${order} is deeper than 15`);
  const n = prob.length;
  /** Each row's NESTED pixel; undefined for an implicit NESTED map (row i is pixel i). */
  let ipix: Float64Array | undefined;
  let pixel: Float64Array | undefined;
  if (explicit) {
    const pixelColumn = findColumn(table, 'PIXEL');
    if (!pixelColumn) throw malformed('explicit-index sky map has no PIXEL column');
    pixel = readNumberColumn(table, pixelColumn);
    if (pixel.length !== n) throw malformed('PIXEL and probability columns differ in length');
    ipix = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = pixel[i] as number;
      if (!Number.isInteger(p) || p < 0 || p >= npix)
        throw malformed(`pixel index ${p} is outside NSIDE ${2 ** order}`);
      ipix[i] = ordering === 'RING' ? ring2nest(order, p) : p;
    }
  } else {
    if (n !== npix) throw malformed(`implicit sky map has ${n} pixels, NSIDE needs ${npix}`);
    if (ordering === 'RING') {
      ipix = new Float64Array(n);
      for (let i = 0; i < n; i++) ipix[i] = ring2nest(order, i);
    }
  }
  // Density ρ = P · N_pix / 4π, computed as ligo.skymap does (`PROB *= len / (4π)`), in
  // single precision when the column is single precision (numpy keeps float32 in place), so
  // that credible levels agree with ligo-skymap-stats to the last bit.
  const scale = npix / (4 * Math.PI);
  const density =
    probColumn.type === 'E'
      ? prob.map((p) => Math.fround(p * Math.fround(scale)))
      : prob.map((p) => p * scale);
  // Every numeric column with one value per pixel (vector rows flattened), density first.
  const columns: Float64Array[] = [density];
  const names: string[] = [probColumn.name.toUpperCase()];
  for (const column of table.columns) {
    if (column === probColumn || column.name.toUpperCase() === 'PIXEL' || !NUMERIC.has(column.type)) continue;
    if (column.repeat * table.rowCount !== n) continue;
    columns.push(readNumberColumn(table, column));
    names.push(column.name.toUpperCase());
  }
  const layerIndex = (name: string): number | undefined => {
    const i = names.indexOf(name);
    return i > 0 ? i : undefined;
  };
  const layers = {
    distMu: layerIndex('DISTMU'),
    distSigma: layerIndex('DISTSIGMA'),
    distNorm: layerIndex('DISTNORM'),
  };
  if (ipix && explicit && n !== npix) {
    // A partial map: keep its pixels as they are.
    const pick = (i: number | undefined): Float64Array | undefined =>
      i === undefined ? undefined : columns[i];
    const distMuMpc = pick(layers.distMu);
    const distSigmaMpc = pick(layers.distSigma);
    const distNormPerMpc2 = pick(layers.distNorm);
    return {
      orders: new Uint8Array(n).fill(order),
      ipix,
      densityPerSr: columns[0] as Float64Array,
      ...(distMuMpc ? { distMuMpc } : {}),
      ...(distSigmaMpc ? { distSigmaMpc } : {}),
      ...(distNormPerMpc2 ? { distNormPerMpc2 } : {}),
    };
  }
  // A full-sky map (implicit, or explicit with every pixel once): reorder every column to
  // NESTED (nothing to do for an implicit NESTED map), then merge uniform blocks like ligo.skymap.
  let nested = columns;
  if (ipix) {
    const to = ipix;
    const seen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (seen[to[i] as number]) throw malformed(`pixel ${pixel?.[i] ?? i} appears twice`);
      seen[to[i] as number] = 1;
    }
    nested = columns.map((column) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[to[i] as number] = column[i] as number;
      return out;
    });
  }
  return derasterize(order, nested, layers);
}

const NUMERIC = new Set(['B', 'I', 'J', 'K', 'E', 'D']);

/** Parses sky map bytes (FITS, optionally gzipped). Throws FITS_MALFORMED. */
export function readSkyMap(bytes: Uint8Array, options: ReadSkyMapOptions = {}): SkyMap {
  const raw = maybeGunzip(bytes, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const hdus = readFits(raw);
  const hdu = hdus.find((h) => h.table !== undefined);
  if (!hdu?.table) throw malformed('no BINTABLE extension');
  const declared = String(hdu.header.get('ORDERING') ?? '').toUpperCase();
  const isMultiOrder =
    declared === 'NUNIQ' || (declared === '' && findColumn(hdu.table, 'UNIQ') !== undefined);
  let cells: SkyMapCells;
  let ordering: string;
  if (isMultiOrder) {
    cells = readMultiOrder(hdu.table);
    ordering = 'NUNIQ';
  } else if (declared === 'NESTED' || declared === 'RING') {
    cells = readFlat(hdu.table, hdu.header, declared);
    ordering = declared;
  } else {
    throw malformed(`unknown ORDERING '${declared}'`);
  }
  return new SkyMap(cells, { ordering, header: headerRecord(hdus) });
}

/** Parses a base64 sky map (the `event.skymap` field of LVK Kafka JSON alerts). */
export function readSkyMapBase64(base64: string, options: ReadSkyMapOptions = {}): SkyMap {
  if (!/^[A-Za-z0-9+/=\s]*$/.test(base64) || base64.trim() === '') throw malformed('sky map is not base64');
  return readSkyMap(Buffer.from(base64, 'base64'), options);
}
