/**
 * An exact Avro `long`: decoded as a BigInt, never through a double.
 *
 * avsc's default long type reads into a JavaScript number and throws (or, with unsafe
 * options, rounds) past 2^53; ZTF `candid` and LSST `diaSourceId` / `diaObjectId` are
 * larger than that. avsc's documented hook for this is `LongType.__with(methods, noUnpack)`:
 * with `noUnpack` true it hands `fromBuffer` the raw zig-zag varint bytes (a view, no copy),
 * which we turn into a BigInt here.
 *
 * Avro long grammar (Avro 1.11 spec, "Binary encoding"):
 *   long   := varint(zigzag(n))           zigzag(n) = (n << 1) ^ (n >> 63)
 *   varint := 1..10 bytes, 7 bits each, least significant group first, high bit = "more"
 */
import avro from 'avsc';

/**
 * Decodes one zig-zag varint (the exact bytes of one Avro long) to a BigInt.
 * The low 28 bits (4 groups of 7) and the high bits (up to 36 more) are accumulated as
 * doubles, both exact below 2^53, and joined as BigInts: z = hi * 2^28 + lo.
 */
export function varintToBigInt(bytes: Uint8Array): bigint {
  let lo = 0;
  let hi = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const group = (bytes[i] as number) & 0x7f;
    if (i < 4) lo += group * 2 ** (7 * i);
    else hi += group * 2 ** (7 * (i - 4));
  }
  if (hi === 0) {
    // z < 2^28: zigzag decode with plain integer arithmetic (exact).
    const value = lo % 2 === 0 ? lo / 2 : -(lo + 1) / 2;
    return BigInt(value);
  }
  const z = (BigInt(hi) << 28n) + BigInt(lo);
  // zigzag decode: n = (z >> 1) ^ -(z & 1)
  return (z >> 1n) ^ -(z & 1n);
}

/** Encodes a BigInt (in the signed 64-bit range) as a zig-zag varint. */
export function bigIntToVarint(value: bigint): Buffer {
  const n = BigInt.asIntN(64, value);
  let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

function isInt64(value: unknown): value is bigint {
  return typeof value === 'bigint' && BigInt.asIntN(64, value) === value;
}

/** The avsc long type decoding to (and encoding from) BigInt. */
export const BIGINT_LONG_TYPE = avro.types.LongType.__with(
  {
    fromBuffer: (buf: Buffer) => varintToBigInt(buf),
    toBuffer: (n: bigint) => bigIntToVarint(n),
    fromJSON: (json: unknown) => {
      if (typeof json === 'bigint') return json;
      if (typeof json === 'number' && Number.isSafeInteger(json)) return BigInt(json);
      if (typeof json === 'string' && /^-?\d+$/.test(json)) return BigInt(json);
      throw new TypeError(`not a 64-bit integer: ${String(json)}`);
    },
    // JSON cannot hold a 64-bit integer exactly: decimal string.
    toJSON: (n: bigint) => n.toString(),
    isValid: isInt64,
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
);

/** Options for `avro.Type.forSchema` that make every `long` an exact BigInt. */
export function exactLongOptions(): { registry: Record<string, avro.Type> } {
  return { registry: { long: BIGINT_LONG_TYPE } };
}

/**
 * An Avro `long` for records that hold both small counters (JavaScript numbers) and 64-bit ids
 * (BigInt): encodes either; decodes to a number when it is a safe integer, else to a BigInt.
 * Never through a double past 2^53.
 */
export const MIXED_LONG_TYPE = avro.types.LongType.__with(
  {
    fromBuffer: (buf: Buffer) => {
      const n = varintToBigInt(buf);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    },
    toBuffer: (n: bigint | number) => bigIntToVarint(BigInt(n)),
    fromJSON: (json: unknown) => {
      if (typeof json === 'bigint' || (typeof json === 'number' && Number.isSafeInteger(json))) return json;
      if (typeof json === 'string' && /^-?\d+$/.test(json)) return BigInt(json);
      throw new TypeError(`not a 64-bit integer: ${String(json)}`);
    },
    toJSON: (n: bigint | number) => (typeof n === 'bigint' ? n.toString() : n),
    isValid: (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value)) || isInt64(value),
    compare: (a: bigint | number, b: bigint | number) => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
);

/** Options for `avro.Type.forSchema` that make every `long` a MIXED_LONG_TYPE. */
export function mixedLongOptions(): { registry: Record<string, avro.Type> } {
  return { registry: { long: MIXED_LONG_TYPE } };
}
