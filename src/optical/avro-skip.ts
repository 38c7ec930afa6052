/**
 * Fast skipping of Avro values that a projected read does not need.
 *
 * avsc's resolvers skip unwanted writer fields generically: one virtual `_skip` call per value,
 * and a union (every ["null", "float"] field) reads its branch and dispatches again. On alert
 * packets, whose history arrays hold dozens of records of ~100 mostly-nullable fields each,
 * that is most of the decoding time (profiled: ~45 % in UnionType._skip and generated skip
 * functions). Here a writer type is compiled once into small "skip programs" (flat arrays of
 * opcodes, one program per record body / union branch / array item, with runs of identical
 * nullable fields merged), and each program into one straight-line JavaScript function, as
 * avsc itself does for its readers (`new Function`; the generated text holds only numbers
 * and fixed statements, never a name or string from the schema). An interpreter loop over
 * the opcodes was 3 to 4 times slower on Rubin packets.
 *
 * Avro binary encoding skipped here (Avro 1.11 spec):
 *   null: 0 bytes; boolean: 1; float: 4; double: 8; fixed(n): n
 *   int, long, enum: one varint;  string, bytes: varint length L then L bytes
 *   union: varint branch index, then the branch;  record: its fields in order
 *   array, map: blocks of (varint count [, varint byteSize when count < 0], items), 0 ends;
 *               map items are a string key then the value
 */
import { CoincideError } from '../errors.ts';

const OP_FIXED = 1; // n: skip n bytes
const OP_VARINT = 2; // skip one varint
const OP_LENGTH = 3; // varint length, then that many bytes
const OP_OPT_FIXED = 4; // nullIndex, n: nullable fixed-size value
const OP_OPT_VARINT = 5; // nullIndex: nullable int/long/enum
const OP_OPT_LENGTH = 6; // nullIndex: nullable string/bytes
const OP_UNION = 7; // k, prog_0 .. prog_k-1
const OP_ARRAY = 8; // itemProg
const OP_MAP = 9; // valueProg
const OP_OPT_FIXED_RUN = 10; // count, nullIndex, n: `count` nullable fixed-size values in a row

interface TypeLike {
  typeName: string;
  name?: string;
  fields?: Array<{ name: string; type: TypeLike }>;
  types?: TypeLike[];
  itemsType?: TypeLike;
  valuesType?: TypeLike;
  size?: number;
}

const FIXED_SIZES: Readonly<Record<string, number>> = { null: 0, boolean: 1, float: 4, double: 8 };
const VARINT_TYPES = new Set(['int', 'long', 'abstract:long', 'enum']);
const LENGTH_TYPES = new Set(['string', 'bytes']);

function truncated(): CoincideError {
  return new CoincideError('AVRO_MALFORMED', 'record is truncated');
}

/** Reads a zig-zag varint at `pos` of `buf`; returns [value, next position]. */
function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let b = buf[pos++] as number;
  let z = b & 0x7f;
  let scale = 128;
  while (b & 0x80) {
    b = buf[pos++] as number;
    z += (b & 0x7f) * scale;
    scale *= 128;
  }
  return [z % 2 === 0 ? z / 2 : -(z + 1) / 2, pos];
}

type SkipFunction = (buf: Uint8Array, pos: number) => number;

/** What generated skip functions call: varints, lengths and array/map blocks. */
export const SKIP_HELPERS = {
  /** Position after the varint read by the last `varint` call. */
  next: 0,
  varint(buf: Uint8Array, pos: number): number {
    const [value, next] = readVarint(buf, pos);
    SKIP_HELPERS.next = next;
    return value;
  },
  /** Skips a string or bytes: varint length L, then L bytes. */
  length(buf: Uint8Array, pos: number): number {
    const [length, next] = readVarint(buf, pos);
    if (length < 0) throw truncated();
    return next + length;
  },
  badBranch(index: number): never {
    throw new CoincideError('AVRO_MALFORMED', `union branch ${String(index)} out of range`);
  },
  /** Skips array blocks; `item` is null for items of size zero. */
  array(buf: Uint8Array, pos: number, item: SkipFunction | null): number {
    return skipBlocks(buf, pos, item, false);
  },
  map(buf: Uint8Array, pos: number, value: SkipFunction | null): number {
    return skipBlocks(buf, pos, value, true);
  },
};

function skipBlocks(buf: Uint8Array, start: number, item: SkipFunction | null, isMap: boolean): number {
  let pos = start;
  for (;;) {
    let [count, next] = readVarint(buf, pos);
    pos = next;
    if (count === 0) return pos;
    if (count < 0) {
      // A block with its byte size: jump over it whole.
      [count, next] = readVarint(buf, pos);
      pos = next + count;
      if (pos > buf.length) throw truncated();
      continue;
    }
    if (!item && !isMap) continue; // items of size zero
    for (let j = 0; j < count; j++) {
      // Every item takes at least one byte, so this also bounds a garbage count.
      if (pos >= buf.length) throw truncated();
      if (isMap) pos = SKIP_HELPERS.length(buf, pos);
      if (item) pos = item(buf, pos);
    }
  }
}

interface ProgramBuilder {
  ops: number[];
  /** Index of the last opcode emitted (to merge runs), -1 before the first. */
  last: number;
}

/** Skip programs for the types of one schema, built on demand. */
export class SkipCompiler {
  private readonly programs: Int32Array[] = [];
  private readonly functions: Array<SkipFunction | undefined> = [];
  private readonly inProgress = new Set<string>();

  /** The id of a program that skips one value of `types` in sequence (e.g. several fields). */
  compile(types: readonly TypeLike[]): number {
    const program: ProgramBuilder = { ops: [], last: -1 };
    for (const type of types) this.emit(type, program);
    this.programs.push(Int32Array.from(program.ops));
    return this.programs.length - 1;
  }

  /** Skips one value of program `id` starting at `pos`; returns the position after it. */
  skip(id: number, buf: Uint8Array, pos: number): number {
    const end = this.functionFor(id)(buf, pos);
    if (end > buf.length) throw truncated();
    return end;
  }

  /** The generated function of program `id` (no bounds check: the caller checks the end). */
  functionFor(id: number): SkipFunction {
    let fn = this.functions[id];
    if (!fn) {
      fn = this.generate(id);
      this.functions[id] = fn;
    }
    return fn;
  }

  /**
   * The statements of program `id` (advancing `p` over `b`, helpers in `h`, nested programs'
   * functions named by `dep`): the body of its function, or inlined by a generated record reader
   * (projected-codegen.ts), which then needs no function of its own compiled for it; `helpers`
   * names SKIP_HELPERS there.
   */
  statements(id: number, dep: (fn: SkipFunction) => string, helpers: string): string {
    return this.code(id, (program) => dep(this.functionFor(program)), helpers);
  }

  /** The JavaScript function for one program (see the module comment). */
  private generate(id: number): SkipFunction {
    const deps: SkipFunction[] = [];
    const code = this.code(id, (program) => {
      deps.push(this.functionFor(program));
      return `d[${String(deps.length - 1)}]`;
    });
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function(
      'h',
      'd',
      `'use strict'; return function skip(b, p) { ${code} return p; };`,
    ) as (helpers: typeof SKIP_HELPERS, deps: SkipFunction[]) => SkipFunction;
    return factory(SKIP_HELPERS, deps);
  }

  private code(id: number, dep: (program: number) => string, h = 'h'): string {
    const ops = this.programs[id] as Int32Array;
    const isEmpty = (program: number): boolean => (this.programs[program] as Int32Array).length === 0;
    const code: string[] = [];
    let i = 0;
    while (i < ops.length) {
      const a = ops[i + 1] as number;
      const b = ops[i + 2] as number;
      switch (ops[i]) {
        case OP_FIXED:
          code.push(`p += ${String(a)};`);
          i += 2;
          break;
        case OP_VARINT:
          code.push('while (b[p++] & 128);');
          i += 1;
          break;
        case OP_LENGTH:
          code.push(`p = ${h}.length(b, p);`);
          i += 1;
          break;
        case OP_OPT_FIXED:
          // A union index below 64 is one byte: zigzag(index) = 2 * index.
          code.push(`if (b[p++] !== ${String(2 * a)}) p += ${String(b)};`);
          i += 3;
          break;
        case OP_OPT_FIXED_RUN: {
          const line = `if (b[p++] !== ${String(2 * b)}) p += ${String(ops[i + 3])};`;
          if (a <= 8) for (let j = 0; j < a; j++) code.push(line);
          else code.push(`for (let j = 0; j < ${String(a)}; j++) ${line}`);
          i += 4;
          break;
        }
        case OP_OPT_VARINT:
          code.push(`if (b[p++] !== ${String(2 * a)}) while (b[p++] & 128);`);
          i += 2;
          break;
        case OP_OPT_LENGTH:
          code.push(`if (b[p++] !== ${String(2 * a)}) p = ${h}.length(b, p);`);
          i += 2;
          break;
        case OP_UNION: {
          const cases: string[] = [];
          for (let k = 0; k < a; k++) {
            const branch = ops[i + 2 + k] as number;
            cases.push(`case ${String(k)}: ${isEmpty(branch) ? '' : `p = ${dep(branch)}(b, p); `}break;`);
          }
          code.push(
            `{ const u = ${h}.varint(b, p); p = ${h}.next; switch (u) { ${cases.join(' ')} default: ${h}.badBranch(u); } }`,
          );
          i += 2 + a;
          break;
        }
        case OP_ARRAY:
          code.push(`p = ${h}.array(b, p, ${isEmpty(a) ? 'null' : dep(a)});`);
          i += 2;
          break;
        case OP_MAP:
          code.push(`p = ${h}.map(b, p, ${isEmpty(a) ? 'null' : dep(a)});`);
          i += 2;
          break;
        default:
          throw new Error(`bad skip opcode ${String(ops[i])}`);
      }
    }
    return code.join(' ');
  }

  private emit(type: TypeLike, program: ProgramBuilder): void {
    const ops = program.ops;
    const last = program.last;
    const op = (...codes: number[]): void => {
      program.last = ops.length;
      ops.push(...codes);
    };
    const fixed = type.typeName === 'fixed' ? (type.size ?? 0) : FIXED_SIZES[type.typeName];
    if (fixed !== undefined) {
      if (fixed === 0) return;
      // Merge consecutive fixed-size values into one jump.
      if (last >= 0 && ops[last] === OP_FIXED) ops[last + 1] = (ops[last + 1] as number) + fixed;
      else op(OP_FIXED, fixed);
      return;
    }
    if (VARINT_TYPES.has(type.typeName)) {
      op(OP_VARINT);
      return;
    }
    if (LENGTH_TYPES.has(type.typeName)) {
      op(OP_LENGTH);
      return;
    }
    if (type.typeName === 'record' || type.typeName === 'error') {
      const name = type.name ?? '';
      if (this.inProgress.has(name)) throw new Error(`recursive type ${name} cannot be compiled`);
      this.inProgress.add(name);
      for (const field of type.fields ?? []) this.emit(field.type, program);
      this.inProgress.delete(name);
      return;
    }
    if (type.typeName === 'array') {
      op(OP_ARRAY, this.compile([type.itemsType as TypeLike]));
      return;
    }
    if (type.typeName === 'map') {
      op(OP_MAP, this.compile([type.valuesType as TypeLike]));
      return;
    }
    if (type.types) {
      const branches = type.types;
      const nullIndex = branches.findIndex((b) => b.typeName === 'null');
      const other = branches.find((b) => b.typeName !== 'null');
      if (branches.length === 2 && nullIndex >= 0 && other) {
        const size = other.typeName === 'fixed' ? other.size : FIXED_SIZES[other.typeName];
        if (size !== undefined) {
          // Runs of identical nullable fixed-size fields (Rubin's ["null", "float"] columns)
          // become one opcode with a count.
          if (
            last >= 0 &&
            ops[last] === OP_OPT_FIXED &&
            ops[last + 1] === nullIndex &&
            ops[last + 2] === size
          ) {
            ops.splice(last, 3, OP_OPT_FIXED_RUN, 2, nullIndex, size);
          } else if (
            last >= 0 &&
            ops[last] === OP_OPT_FIXED_RUN &&
            ops[last + 2] === nullIndex &&
            ops[last + 3] === size
          ) {
            ops[last + 1] = (ops[last + 1] as number) + 1;
          } else {
            op(OP_OPT_FIXED, nullIndex, size);
          }
          return;
        }
        if (VARINT_TYPES.has(other.typeName)) {
          op(OP_OPT_VARINT, nullIndex);
          return;
        }
        if (LENGTH_TYPES.has(other.typeName)) {
          op(OP_OPT_LENGTH, nullIndex);
          return;
        }
      }
      const branchPrograms = branches.map((b) => this.compile([b]));
      op(OP_UNION, branches.length, ...branchPrograms);
      return;
    }
    throw new Error(`cannot compile a skip program for type ${type.typeName}`);
  }
}
