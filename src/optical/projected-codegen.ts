/**
 * Read plans of the projected reader (projected-reader.ts) compiled to straight-line
 * JavaScript, one function per record plan, as avro-skip.ts does for skips and avsc for its own
 * readers (`new Function`). A plan is a list of steps: jump over unwanted fields, read a kept
 * scalar, read a kept nested record or array of records, or hand a whole complex field to avsc.
 * The generated function reads every kept field into a local and returns one object literal,
 * so every record of one plan has the same shape. The generated text holds numbers, fixed
 * statements and field names written as JSON string literals; nothing else from the schema.
 *
 * A generated reader is `(b, p, e) => record`: bytes, start position, and whether the end of
 * the record is needed (`e` false lets the top-level record stop after its last kept field).
 * The position after the read is left in `HELPERS.next`. Reading past the end of `b` reads
 * undefined bytes as 0 (bitwise operators), so a truncated record stops cleanly and is caught
 * by the bounds checks (strings, floats, skips) or by the caller's final position check.
 */
import type avro from 'avsc';
import { CoincideError } from '../errors.ts';
import { SKIP_HELPERS } from './avro-skip.ts';
import type { AvroRecord } from './record-fields.ts';

/** How one scalar is read: a primitive, an enum, or a union of those (by branch). */
export type Scalar =
  | { kind: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes' }
  | { kind: 'enum'; symbols: string[] }
  | { kind: 'union'; branches: Scalar[] };

export type Step =
  /**
   * A run of unwanted fields, inlined into the reader: the statements of its skip program
   * (avro-skip.ts), nested programs' functions named through `dep`, skip helpers through `helpers`.
   */
  | { op: 'skip'; statements: (dep: (fn: SkipFunction) => string, helpers: string) => string }
  | { op: 'scalar'; name: string; scalar: Scalar }
  | { op: 'record'; name: string; plan: RecordPlan; nullIndex: number; recordIndex: number }
  | { op: 'array'; name: string; plan: RecordPlan; nullIndex: number; arrayIndex: number }
  | { op: 'avsc'; name: string; type: avro.Type };

export interface RecordPlan {
  steps: Step[];
  /** Index of the last step that reads something; later steps only skip. */
  lastRead: number;
}

export type SkipFunction = (buf: Uint8Array, pos: number) => number;
export type RecordReader = (buf: Buffer, pos: number, needEnd: boolean) => AvroRecord;

function malformed(message: string): CoincideError {
  return new CoincideError('AVRO_MALFORMED', message);
}

/** What generated readers call. */
export const HELPERS = {
  /** Position after the last helper read or generated record read. */
  next: 0,
  /** A zig-zag varint as a number (exact below 2^53: lengths, counts, ints, union indexes). */
  varint(buf: Buffer, start: number): number {
    let pos = start;
    let b = buf[pos++] as number;
    let z = b & 0x7f;
    let scale = 128;
    while (b & 0x80) {
      b = buf[pos++] as number;
      z += (b & 0x7f) * scale;
      scale *= 128;
    }
    HELPERS.next = pos;
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  },
  /** An Avro long, exactly: low 28 bits and high bits accumulated apart, then joined (avro-long.ts). */
  long(buf: Buffer, start: number): bigint {
    let pos = start;
    let lo = 0;
    let hi = 0;
    let scale = 1;
    let b: number;
    let i = 0;
    do {
      b = buf[pos++] as number;
      if (i === 4) scale = 1;
      if (i < 4) lo += (b & 0x7f) * scale;
      else hi += (b & 0x7f) * scale;
      scale *= 128;
      i++;
    } while (b & 0x80 && i < 10);
    HELPERS.next = pos;
    if (hi === 0) return BigInt(lo % 2 === 0 ? lo / 2 : -(lo + 1) / 2);
    const z = (BigInt(hi) << 28n) + BigInt(lo);
    return (z >> 1n) ^ -(z & 1n);
  },
  truncated(): never {
    throw malformed('record is truncated');
  },
  badBranch(index: number): never {
    throw malformed(`union branch ${String(index)} out of range`);
  },
  badEnum(index: number): never {
    throw malformed(`enum index ${String(index)} out of range`);
  },
  /** One whole field decoded by avsc. */
  avsc(type: avro.Type, name: string, buf: Buffer, pos: number): unknown {
    let result: { value: unknown; offset: number };
    try {
      result = type.decode(buf, pos);
    } catch (error) {
      throw malformed(`field ${name} does not decode: ${String(error)}`);
    }
    if (result.offset < 0) throw malformed('record is truncated');
    HELPERS.next = result.offset;
    return result.value;
  },
  /** An array of records: blocks of (count [, byte size when count < 0], items), 0 ends. */
  array(buf: Buffer, start: number, item: RecordReader): AvroRecord[] {
    const items: AvroRecord[] = [];
    let pos = start;
    for (;;) {
      let count = HELPERS.varint(buf, pos);
      pos = HELPERS.next;
      if (count === 0) break;
      if (count < 0) {
        count = -count;
        HELPERS.varint(buf, pos); // block byte size
        pos = HELPERS.next;
      }
      for (let j = 0; j < count; j++) {
        if (pos > buf.length) HELPERS.truncated();
        items.push(item(buf, pos, true));
        pos = HELPERS.next;
      }
    }
    HELPERS.next = pos;
    return items;
  },
};

/** The object-literal key for a field name (a computed key for __proto__, never a prototype). */
function key(name: string): string {
  return name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name);
}

class Generator {
  readonly deps: unknown[] = [];
  private locals = 0;

  dep(value: unknown): string {
    this.deps.push(value);
    return `d[${String(this.deps.length - 1)}]`;
  }

  local(): string {
    return `v${String(this.locals++)}`;
  }

  /** Statements reading one scalar into `target`. */
  scalar(s: Scalar, target: string): string {
    switch (s.kind) {
      case 'null':
        return `${target} = null;`;
      case 'boolean':
        return `${target} = b[p++] === 1;`;
      case 'int':
        return `${target} = h.varint(b, p); p = h.next;`;
      case 'long':
        return `${target} = h.long(b, p); p = h.next;`;
      case 'float':
        return `if (p + 4 > b.length) h.truncated(); ${target} = b.readFloatLE(p); p += 4;`;
      case 'double':
        return `if (p + 8 > b.length) h.truncated(); ${target} = b.readDoubleLE(p); p += 8;`;
      case 'string':
      case 'bytes': {
        const read = s.kind === 'string' ? `b.toString('utf8', p, q)` : 'b.subarray(p, q)';
        return `{ const n = h.varint(b, p); p = h.next; const q = p + n; if (n < 0 || q > b.length) h.truncated(); ${target} = ${read}; p = q; }`;
      }
      case 'enum':
        return `{ const i = h.varint(b, p); p = h.next; ${target} = ${this.dep(s.symbols)}[i]; if (${target} === undefined) h.badEnum(i); }`;
      case 'union': {
        const cases = s.branches.map(
          (branch, i) => `case ${String(i)}: ${this.scalar(branch, target)} break;`,
        );
        return `{ const u = h.varint(b, p); p = h.next; switch (u) { ${cases.join(' ')} default: h.badBranch(u); } }`;
      }
    }
  }

  /** Statements reading `present ? reader : null` for an optional nested record or array. */
  private optional(nullIndex: number, presentIndex: number, target: string, read: string): string {
    if (nullIndex === -1) return `${target} = ${read}; p = h.next;`;
    return (
      `{ const u = h.varint(b, p); p = h.next; if (u < 0 || u > 1) h.badBranch(u); ` +
      `if (u === ${String(presentIndex)}) { ${target} = ${read}; p = h.next; } else ${target} = null; }`
    );
  }

  step(step: Step, target: string, compile: (plan: RecordPlan) => RecordReader): string {
    switch (step.op) {
      case 'skip':
        // Inlined rather than called: one function fewer for TurboFan to compile on its own
        // (it compiled each hot skip function apart and again inlined into its reader).
        return `${step.statements((fn) => this.dep(fn), 's')} if (p > b.length) h.truncated();`;
      case 'scalar':
        return this.scalar(step.scalar, target);
      case 'record':
        return this.optional(
          step.nullIndex,
          step.recordIndex,
          target,
          `${this.dep(compile(step.plan))}(b, p, true)`,
        );
      case 'array':
        return this.optional(
          step.nullIndex,
          step.arrayIndex,
          target,
          `h.array(b, p, ${this.dep(compile(step.plan))})`,
        );
      case 'avsc':
        return `${target} = h.avsc(${this.dep(step.type)}, ${this.dep(step.name)}, b, p); p = h.next;`;
    }
  }
}

/** Compiles a plan (and the plans nested in it) to a reader function. */
export function compileRecordReader(plan: RecordPlan): RecordReader {
  const gen = new Generator();
  const reads: string[] = [];
  const tail: string[] = [];
  const fields: string[] = [];
  plan.steps.forEach((step, i) => {
    const target = step.op === 'skip' ? '' : gen.local();
    const code = gen.step(step, target, compileRecordReader);
    if (i <= plan.lastRead) reads.push(code);
    else tail.push(code);
    if (step.op !== 'skip') fields.push(`${key(step.name)}: ${target}`);
  });
  const locals = fields.length > 0 ? `let ${fields.map((_, i) => `v${String(i)}`).join(', ')};` : '';
  const body =
    `${locals} ${reads.join(' ')} ` +
    (tail.length > 0 ? `if (e) { ${tail.join(' ')} } ` : '') +
    `h.next = p; return { ${fields.join(', ')} };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('h', 's', 'd', `'use strict'; return function read(b, p, e) { ${body} };`) as (
    helpers: typeof HELPERS,
    skipHelpers: typeof SKIP_HELPERS,
    deps: unknown[],
  ) => RecordReader;
  return factory(HELPERS, SKIP_HELPERS, gen.deps);
}
