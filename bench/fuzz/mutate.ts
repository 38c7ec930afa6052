/**
 * Mutation of real samples as a fast-check arbitrary: a seed chosen among a target's samples,
 * then one to four edits drawn by fast-check (so a case is reproducible from the run's seed):
 *   flip       one bit flipped;
 *   byte       one byte set to a boundary value (0x00, 0x7f, 0x80, 0xff, '<', '&', '"'...);
 *   truncate   the input cut at a position;
 *   delete     a span removed;
 *   duplicate  a span repeated in place (repeated elements, frames, blocks);
 *   splice     a span of another seed inserted (mixing two documents);
 *   insert     random bytes, or a token of the format (e.g. "<!DOCTYPE", "]]>", "\"\\u0000\"");
 *   number     a decimal number of the text replaced by a boundary value (NaN, 1e309, -0,
 *              2^31, 2^53 + 1, 0x7fffffff...);
 *   int32      four bytes overwritten by a boundary 32-bit integer, big-endian (FITS, VTP
 *              lengths), or a boundary Avro varint.
 * Positions are drawn as fractions of the length, optionally limited to a prefix
 * (`focusBytes`: the header of a 2 MB sky map matters more than its pixels).
 */
import fc from 'fast-check';

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

export const BOUNDARY_NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  'inf',
  '1e309',
  '-1e309',
  '1e-400',
  '4.9e-324',
  '1.7976931348623157e308',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '18446744073709551616',
  '99999999999999999999999999999999',
  '0x7fffffff',
  '1e',
  '.',
  '-',
  '+1',
  '00000001',
  '360',
  '360.0000001',
  '-90.0000001',
  '90',
  '180',
  '1e5',
];

const BOUNDARY_BYTES = [
  0x00, 0x01, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x26, 0x27, 0x3c, 0x3e, 0x7f, 0x80, 0xbf, 0xc0, 0xfe, 0xff,
];

const BOUNDARY_INT32 = [
  0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe,
];

/** Zigzag varints at the edges of Avro ints and longs (and over-long encodings). */
const BOUNDARY_VARINTS: number[][] = [
  [0x00],
  [0x01],
  [0x7f],
  [0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xfe, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
];

type Edit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; times: number }
  | { kind: 'splice'; at: number; other: number; from: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'token'; at: number; token: string }
  | { kind: 'number'; which: number; value: string }
  | { kind: 'int32'; at: number; value: number }
  | { kind: 'varint'; at: number; bytes: number[] };

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

function editArbitrary(tokens: readonly string[]): fc.Arbitrary<Edit> {
  const span = fc.integer({ min: 1, max: 4096 });
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fraction, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({
      kind: fc.constant('byte' as const),
      at: fraction,
      value: fc.constantFrom(...BOUNDARY_BYTES),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
    fc.record({ kind: fc.constant('delete' as const), at: fraction, length: span }),
    fc.record({
      kind: fc.constant('duplicate' as const),
      at: fraction,
      length: span,
      times: fc.integer({ min: 1, max: 50 }),
    }),
    fc.record({
      kind: fc.constant('splice' as const),
      at: fraction,
      other: fc.nat(),
      from: fraction,
      length: span,
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fraction,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    ...(tokens.length > 0
      ? [fc.record({ kind: fc.constant('token' as const), at: fraction, token: fc.constantFrom(...tokens) })]
      : []),
    fc.record({
      kind: fc.constant('number' as const),
      which: fc.nat(),
      value: fc.constantFrom(...BOUNDARY_NUMBERS),
    }),
    fc.record({
      kind: fc.constant('int32' as const),
      at: fraction,
      value: fc.constantFrom(...BOUNDARY_INT32),
    }),
    fc.record({
      kind: fc.constant('varint' as const),
      at: fraction,
      bytes: fc.constantFrom(...BOUNDARY_VARINTS),
    }),
  );
}

/** Positions of decimal numbers in a seed (cached: found once per seed). */
const numberSpans = new WeakMap<Uint8Array, Array<[number, number]>>();
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;

function numbersOf(bytes: Uint8Array, limit: number): Array<[number, number]> {
  let spans = numberSpans.get(bytes);
  if (spans === undefined) {
    spans = [];
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, limit)).toString(
      'latin1',
    );
    for (const m of text.matchAll(NUMBER)) spans.push([m.index, m.index + m[0].length]);
    numberSpans.set(bytes, spans);
  }
  return spans;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function applyEdit(input: Uint8Array, edit: Edit, seeds: readonly Seed[], focus: number): Uint8Array {
  const limit = Math.min(input.length, focus);
  const pos = (at: number): number => Math.floor(at * (limit + 1));
  switch (edit.kind) {
    case 'flip': {
      if (input.length === 0) return input;
      const out = Uint8Array.from(input);
      const i = Math.min(pos(edit.at), input.length - 1);
      out[i] = (out[i] as number) ^ (1 << edit.bit);
      return out;
    }
    case 'byte': {
      if (input.length === 0) return input;
      const out = Uint8Array.from(input);
      out[Math.min(pos(edit.at), input.length - 1)] = edit.value;
      return out;
    }
    case 'truncate':
      return input.subarray(0, Math.floor(edit.at * (input.length + 1)));
    case 'delete': {
      const i = pos(edit.at);
      return concat([input.subarray(0, i), input.subarray(i + edit.length)]);
    }
    case 'duplicate': {
      const i = pos(edit.at);
      const piece = input.subarray(i, i + edit.length);
      return concat([
        input.subarray(0, i),
        ...Array.from({ length: edit.times + 1 }, () => piece),
        input.subarray(i + edit.length),
      ]);
    }
    case 'splice': {
      const other = (seeds[edit.other % seeds.length] as Seed).bytes;
      const from = Math.floor(edit.from * other.length);
      const i = pos(edit.at);
      return concat([input.subarray(0, i), other.subarray(from, from + edit.length), input.subarray(i)]);
    }
    case 'insert': {
      const i = pos(edit.at);
      return concat([input.subarray(0, i), edit.bytes, input.subarray(i)]);
    }
    case 'token': {
      const i = pos(edit.at);
      return concat([input.subarray(0, i), Buffer.from(edit.token, 'utf8'), input.subarray(i)]);
    }
    case 'number': {
      const spans = numbersOf(input, focus);
      const span = spans[edit.which % Math.max(1, spans.length)];
      if (span === undefined) return input;
      return concat([input.subarray(0, span[0]), Buffer.from(edit.value, 'latin1'), input.subarray(span[1])]);
    }
    case 'int32': {
      if (input.length < 4) return input;
      const out = Buffer.from(input);
      out.writeUInt32BE(edit.value, Math.min(pos(edit.at), input.length - 4));
      return out;
    }
    case 'varint': {
      const i = pos(edit.at);
      return concat([
        input.subarray(0, i),
        Uint8Array.from(edit.bytes),
        input.subarray(i + edit.bytes.length),
      ]);
    }
  }
}

export interface MutationOptions {
  /** Format tokens worth inserting (markup, keywords). */
  tokens?: readonly string[];
  /** Edit positions are drawn in the first `focusBytes` bytes (default: the whole input). */
  focusBytes?: number;
  maxEdits?: number;
}

/** A seed with 1 to `maxEdits` edits (numeric edits only count numbers inside the focus). */
export function mutatedSeeds(
  seeds: readonly Seed[],
  options: MutationOptions = {},
): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedSeeds: no seeds');
  const focus = options.focusBytes ?? Number.MAX_SAFE_INTEGER;
  return fc
    .tuple(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(editArbitrary(options.tokens ?? []), { minLength: 1, maxLength: options.maxEdits ?? 4 }),
    )
    .map(([index, edits]) => {
      let bytes = (seeds[index] as Seed).bytes;
      for (const edit of edits) bytes = applyEdit(bytes, edit, seeds, focus);
      return bytes;
    });
}

/** The seeds themselves, unchanged (every sample must still be read as before). */
export function pristineSeeds(seeds: readonly Seed[]): fc.Arbitrary<Uint8Array> {
  return fc.integer({ min: 0, max: seeds.length - 1 }).map((i) => (seeds[i] as Seed).bytes);
}

/** Printable bytes: the text when it is mostly text, else base64. */
export function showBytes(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // eslint-disable-next-line no-control-regex -- counting control characters is the point
  const control = (text.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g) ?? []).length;
  return control * 20 < text.length + 1
    ? `text(${bytes.length} B): ${JSON.stringify(text)}`
    : `base64(${bytes.length} B): ${Buffer.from(bytes).toString('base64')}`;
}
