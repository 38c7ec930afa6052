/**
 * A small FITS reader: header cards of every HDU and the columns of BINTABLE extensions.
 *
 * Written by hand because no maintained npm package reads FITS binary tables with 64-bit
 * integer (K) columns and vector (repeat > 1) columns (what LVK multi-order and GBM HEALPix
 * maps use); the format is simple and fully specified (FITS Standard 4.0, §4 and §7.3).
 *
 * Grammar: a file is a sequence of HDUs; an HDU is a header of 2880-byte blocks holding
 * 80-character cards "KEYWORD = value / comment" up to an END card, then a data unit padded to
 * a multiple of 2880 bytes. A BINTABLE's data unit is NAXIS2 rows of NAXIS1 bytes (big-endian
 * fields, laid out in TFORMn order, each `rT` = repeat count r and type T), then a heap of
 * PCOUNT bytes. Parsing never trusts sizes: every offset is checked against the buffer.
 */
import { CoincideError } from '../errors.ts';

export const FITS_BLOCK = 2880;
const CARD = 80;

export type FitsValue = string | number | boolean | bigint | null;

export interface FitsColumn {
  name: string;
  /** The TFORM type letter (L X B I J K A E D C M P Q). */
  type: string;
  repeat: number;
  /** Byte offset of the field within a row. */
  offset: number;
  unit?: string;
}

export interface FitsHdu {
  /** Header values by keyword (the first occurrence wins; COMMENT/HISTORY are not kept). */
  header: Map<string, FitsValue>;
  /** 'primary', 'BINTABLE', 'TABLE', 'IMAGE'… */
  kind: string;
  /** Present for BINTABLE extensions. */
  table?: FitsTable;
}

export interface FitsTable {
  rowCount: number;
  rowBytes: number;
  columns: FitsColumn[];
  /** The table rows (without the heap). */
  data: DataView;
}

const TYPE_BYTES: Record<string, number> = {
  L: 1,
  B: 1,
  A: 1,
  I: 2,
  J: 4,
  K: 8,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
  P: 8,
  Q: 16,
};

function malformed(message: string): CoincideError {
  return new CoincideError('FITS_MALFORMED', message);
}

/** Parses a card's value field (after "= "): string, logical, integer or real. */
function parseValue(raw: string): FitsValue {
  const text = raw.trimStart();
  if (text.startsWith("'")) {
    // Quoted string; '' inside is one quote; trailing spaces are not significant.
    let out = '';
    let i = 1;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        return out.trimEnd();
      }
      out += ch;
      i++;
    }
    return out.trimEnd();
  }
  const slash = text.indexOf('/');
  const value = (slash >= 0 ? text.slice(0, slash) : text).trim();
  if (value === '') return null;
  if (value === 'T') return true;
  if (value === 'F') return false;
  if (/^[+-]?\d+$/.test(value)) {
    const big = BigInt(value);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big;
  }
  const num = Number(value.replace(/[dD]/, 'E'));
  return Number.isFinite(num) ? num : value;
}

function readHeader(bytes: Uint8Array, start: number): { header: Map<string, FitsValue>; dataStart: number } {
  const header = new Map<string, FitsValue>();
  const decoder = new TextDecoder('latin1');
  let pos = start;
  for (;;) {
    if (pos + FITS_BLOCK > bytes.length) throw malformed(`header at byte ${start} has no END card`);
    const block = decoder.decode(bytes.subarray(pos, pos + FITS_BLOCK));
    pos += FITS_BLOCK;
    for (let c = 0; c < FITS_BLOCK; c += CARD) {
      const card = block.slice(c, c + CARD);
      const keyword = card.slice(0, 8).trimEnd();
      if (keyword === 'END') return { header, dataStart: pos };
      if (card.slice(8, 10) !== '= ' || header.has(keyword)) continue;
      header.set(keyword, parseValue(card.slice(10)));
    }
  }
}

function intValue(header: Map<string, FitsValue>, key: string, fallback?: number): number {
  const v = header.get(key);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw malformed(`header keyword ${key} is missing or not an integer`);
}

/** A size or count keyword (NAXISn, PCOUNT, GCOUNT, TFIELDS): a negative one gave a negative
 * DataView length (an uncoded RangeError) or moved the HDU scan backwards (fuzz findings). */
function countValue(header: Map<string, FitsValue>, key: string, fallback?: number): number {
  const value = intValue(header, key, fallback);
  if (value < 0) throw malformed(`header keyword ${key} is negative (${value})`);
  return value;
}

function parseTform(tform: string, index: number): { type: string; repeat: number } {
  const m = /^\s*(\d*)([LXBIJKAEDCMPQ])/.exec(tform);
  if (!m) throw malformed(`column ${index} has an unsupported TFORM '${tform}'`);
  return { type: m[2] as string, repeat: m[1] ? Number(m[1]) : 1 };
}

function readTable(header: Map<string, FitsValue>, bytes: Uint8Array, dataStart: number): FitsTable {
  const rowBytes = countValue(header, 'NAXIS1');
  const rowCount = countValue(header, 'NAXIS2');
  const fieldCount = countValue(header, 'TFIELDS');
  const columns: FitsColumn[] = [];
  let offset = 0;
  for (let i = 1; i <= fieldCount; i++) {
    const tform = header.get(`TFORM${i}`);
    if (typeof tform !== 'string') throw malformed(`column ${i} has no TFORM`);
    const { type, repeat } = parseTform(tform, i);
    const name = header.get(`TTYPE${i}`);
    const unit = header.get(`TUNIT${i}`);
    const width = type === 'X' ? Math.ceil(repeat / 8) : repeat * (TYPE_BYTES[type] ?? 0);
    columns.push({
      name: typeof name === 'string' ? name : `COL${i}`,
      type,
      repeat,
      offset,
      ...(typeof unit === 'string' ? { unit } : {}),
    });
    offset += width;
  }
  if (offset !== rowBytes) throw malformed(`TFORMs add up to ${offset} bytes but NAXIS1 is ${rowBytes}`);
  const size = rowBytes * rowCount;
  if (dataStart + size > bytes.length)
    throw malformed(`table of ${rowCount} rows runs past the end of the file`);
  const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart, size);
  return { rowCount, rowBytes, columns, data };
}

/** Parses every HDU of a FITS file (uncompressed bytes). */
export function readFits(bytes: Uint8Array): FitsHdu[] {
  if (bytes.length < FITS_BLOCK || new TextDecoder('latin1').decode(bytes.subarray(0, 9)) !== 'SIMPLE  =') {
    throw malformed('not a FITS file (no SIMPLE card)');
  }
  const hdus: FitsHdu[] = [];
  let pos = 0;
  while (pos + FITS_BLOCK <= bytes.length) {
    const { header, dataStart } = readHeader(bytes, pos);
    const xtension = header.get('XTENSION');
    const kind = pos === 0 ? 'primary' : typeof xtension === 'string' ? xtension.trim() : 'unknown';
    const bitpix = Math.abs(intValue(header, 'BITPIX', 8));
    const naxis = countValue(header, 'NAXIS', 0);
    let elements = naxis > 0 ? 1 : 0;
    for (let i = 1; i <= naxis; i++) elements *= countValue(header, `NAXIS${i}`);
    const pcount = countValue(header, 'PCOUNT', 0);
    const gcount = countValue(header, 'GCOUNT', 1);
    const dataBytes = (bitpix / 8) * gcount * (pcount + elements);
    const hdu: FitsHdu = { header, kind };
    if (kind === 'BINTABLE') hdu.table = readTable(header, bytes, dataStart);
    hdus.push(hdu);
    pos = dataStart + Math.ceil(dataBytes / FITS_BLOCK) * FITS_BLOCK;
  }
  return hdus;
}

export function findColumn(table: FitsTable, name: string): FitsColumn | undefined {
  const upper = name.toUpperCase();
  return table.columns.find((c) => c.name.toUpperCase() === upper);
}

/**
 * A numeric column as doubles, vector cells flattened row by row (length rows × repeat).
 * 64-bit integers are converted only when exact; see readIntegerColumn for indices.
 */
export function readNumberColumn(table: FitsTable, column: FitsColumn): Float64Array {
  const { data, rowBytes, rowCount } = table;
  const out = new Float64Array(rowCount * column.repeat);
  const size = TYPE_BYTES[column.type] ?? 0;
  let k = 0;
  for (let r = 0; r < rowCount; r++) {
    let at = r * rowBytes + column.offset;
    for (let j = 0; j < column.repeat; j++, at += size) {
      switch (column.type) {
        case 'D':
          out[k++] = data.getFloat64(at, false);
          break;
        case 'E':
          out[k++] = data.getFloat32(at, false);
          break;
        case 'J':
          out[k++] = data.getInt32(at, false);
          break;
        case 'I':
          out[k++] = data.getInt16(at, false);
          break;
        case 'B':
          out[k++] = data.getUint8(at);
          break;
        case 'K': {
          const v = exactInt64(data, at);
          if (Number.isNaN(v))
            throw malformed(
              `column ${column.name} holds ${data.getBigInt64(at, false)}, beyond exact doubles`,
            );
          out[k++] = v;
          break;
        }
        default:
          throw malformed(`column ${column.name} of type ${column.type} is not numeric`);
      }
    }
  }
  return out;
}

/**
 * The big-endian 64-bit integer at `at` as an exact double, or NaN beyond ±(2^53 − 1)
 * (Number.MAX_SAFE_INTEGER), read as two 32-bit halves (no BigInt: several times faster).
 */
function exactInt64(data: DataView, at: number): number {
  const hi = data.getInt32(at, false);
  const lo = data.getUint32(at + 4, false);
  // hi·2^32 + lo is exact for hi in [−2^21, 2^21); the safe range excludes −2^53 itself.
  if (hi >= 0x200000 || hi < -0x200000 || (hi === -0x200000 && lo === 0)) return Number.NaN;
  return hi * 4294967296 + lo;
}

/**
 * An integer column (K, J, I, B; repeat 1) as exact doubles, e.g. sky map indices; a 64-bit value
 * beyond ±(2^53 − 1) is given as NaN, for the caller to refuse with its own reason.
 */
export function readIntegerColumn(table: FitsTable, column: FitsColumn): Float64Array {
  if (column.repeat !== 1) throw malformed(`column ${column.name} is a vector, not an index column`);
  if (column.type === 'K') {
    const { data, rowBytes, rowCount } = table;
    const out = new Float64Array(rowCount);
    for (let r = 0; r < rowCount; r++) out[r] = exactInt64(data, r * rowBytes + column.offset);
    return out;
  }
  if (column.type !== 'J' && column.type !== 'I' && column.type !== 'B')
    throw malformed(`column ${column.name} of type ${column.type} is not an integer column`);
  return readNumberColumn(table, column);
}
