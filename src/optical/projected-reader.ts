/**
 * The projected reader: decodes only the fields of a Projection from writer-encoded bytes.
 *
 * For each record of the writer schema a plan is built once: kept scalar fields are read
 * directly (doubles, floats, ints, exact BigInt longs, strings, nullable unions of those),
 * nested projections recurse, whole complex fields go to avsc, and every run of unwanted
 * fields is jumped over with one skip program (avro-skip.ts). The top-level record may stop
 * after its last wanted field: a ZTF packet's candidate comes before its prv_candidates,
 * fp_hists and cutouts, so a one-alert message never touches them. Values are plain objects
 * holding the kept fields, with the same values avsc gives for them (tests check both).
 */
import type avro from 'avsc';
import { CoincideError } from '../errors.ts';
import { isScalarType, type Projection } from './avro-projection.ts';
import { SkipCompiler } from './avro-skip.ts';
import type { AvroRecord } from './record-fields.ts';

interface TypeLike {
  typeName: string;
  fields?: Array<{ name: string; type: TypeLike }>;
  types?: TypeLike[];
  itemsType?: TypeLike;
  symbols?: string[];
  size?: number;
}

/** How one scalar is read: a primitive, an enum, or a union of those (by branch). */
type Scalar =
  | { kind: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes' }
  | { kind: 'enum'; symbols: string[] }
  | { kind: 'union'; branches: Scalar[] };

type Step =
  | { op: 'skip'; program: number }
  | { op: 'scalar'; name: string; scalar: Scalar }
  | { op: 'record'; name: string; plan: RecordPlan; nullIndex: number; recordIndex: number }
  | { op: 'array'; name: string; plan: RecordPlan; nullIndex: number; arrayIndex: number }
  | { op: 'avsc'; name: string; type: avro.Type };

interface RecordPlan {
  steps: Step[];
  /** Index of the last step that reads something; later steps only skip. */
  lastRead: number;
}

function malformed(message: string): CoincideError {
  return new CoincideError('AVRO_MALFORMED', message);
}

function scalarOf(type: TypeLike): Scalar {
  if (type.types) return { kind: 'union', branches: type.types.map(scalarOf) };
  switch (type.typeName) {
    case 'null':
    case 'boolean':
    case 'int':
    case 'float':
    case 'double':
    case 'string':
    case 'bytes':
      return { kind: type.typeName };
    case 'long':
    case 'abstract:long':
      return { kind: 'long' };
    case 'enum':
      return { kind: 'enum', symbols: type.symbols ?? [] };
    default:
      throw new Error(`not a scalar type: ${type.typeName}`);
  }
}

/** [index of the null branch or -1, the other branch] for T, ["null", T] and [T, "null"]. */
function optional(type: TypeLike): [number, TypeLike] | undefined {
  if (!type.types) return [-1, type];
  if (type.types.length !== 2) return undefined;
  const nullIndex = type.types.findIndex((t) => t.typeName === 'null');
  const other = type.types[1 - nullIndex];
  return nullIndex >= 0 && other ? [nullIndex, other] : undefined;
}

export class ProjectedReader {
  private readonly skips = new SkipCompiler();
  private readonly plan: RecordPlan;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(writerType: avro.Type, projection: Projection) {
    this.plan = this.buildPlan(writerType, projection);
  }

  private buildPlan(record: TypeLike, projection: Projection): RecordPlan {
    if (record.typeName !== 'record' && record.typeName !== 'error')
      throw new Error('projection of a non-record');
    const steps: Step[] = [];
    let pendingSkip: TypeLike[] = [];
    const flush = (): void => {
      if (pendingSkip.length > 0) steps.push({ op: 'skip', program: this.skips.compile(pendingSkip) });
      pendingSkip = [];
    };
    for (const field of record.fields ?? []) {
      let keep = projection.fields[field.name];
      if (
        keep === undefined &&
        projection.keepOtherScalars === true &&
        isScalarType(field.type as unknown as avro.Type)
      ) {
        keep = true;
      }
      if (keep === undefined) {
        pendingSkip.push(field.type);
        continue;
      }
      flush();
      steps.push(this.stepFor(field.name, field.type, keep));
    }
    flush();
    let lastRead = -1;
    steps.forEach((step, i) => {
      if (step.op !== 'skip') lastRead = i;
    });
    return { steps, lastRead };
  }

  private stepFor(name: string, type: TypeLike, keep: true | Projection): Step {
    if (keep === true) {
      if (isScalarType(type as unknown as avro.Type)) return { op: 'scalar', name, scalar: scalarOf(type) };
      return { op: 'avsc', name, type: type as unknown as avro.Type };
    }
    const opt = optional(type);
    if (opt) {
      const [nullIndex, inner] = opt;
      const recordIndex = nullIndex === -1 ? -1 : 1 - nullIndex;
      if (inner.typeName === 'record' || inner.typeName === 'error') {
        return { op: 'record', name, plan: this.buildPlan(inner, keep), nullIndex, recordIndex };
      }
      if (inner.typeName === 'array' && inner.itemsType) {
        return {
          op: 'array',
          name,
          plan: this.buildPlan(inner.itemsType, keep),
          nullIndex,
          arrayIndex: recordIndex,
        };
      }
    }
    throw new Error(`cannot project field ${name} of type ${type.typeName}`);
  }

  /**
   * Reads one record at `pos`. With `needEnd` false the read may stop after the last kept
   * field, and the returned offset is then -1 (unknown end).
   */
  read(buf: Buffer, pos: number, needEnd: boolean): { value: AvroRecord; offset: number } {
    this.buf = buf;
    this.pos = pos;
    const value = this.readRecord(this.plan, needEnd);
    if (this.pos > buf.length) throw malformed('record is truncated');
    return { value, offset: needEnd || this.plan.lastRead === this.plan.steps.length - 1 ? this.pos : -1 };
  }

  private readRecord(plan: RecordPlan, needEnd: boolean): AvroRecord {
    const out: Record<string, unknown> = {};
    const steps = plan.steps;
    const last = needEnd ? steps.length - 1 : plan.lastRead;
    for (let i = 0; i <= last; i++) {
      const step = steps[i] as Step;
      switch (step.op) {
        case 'skip':
          this.pos = this.skips.skip(step.program, this.buf, this.pos);
          break;
        case 'scalar':
          out[step.name] = this.readScalar(step.scalar);
          break;
        case 'record': {
          const present = step.nullIndex === -1 || this.readUnionIndex(2) === step.recordIndex;
          out[step.name] = present ? this.readRecord(step.plan, true) : null;
          break;
        }
        case 'array': {
          const present = step.nullIndex === -1 || this.readUnionIndex(2) === step.arrayIndex;
          out[step.name] = present ? this.readArray(step.plan) : null;
          break;
        }
        case 'avsc': {
          let result: { value: unknown; offset: number };
          try {
            result = step.type.decode(this.buf, this.pos);
          } catch (error) {
            throw malformed(`field ${step.name} does not decode: ${String(error)}`);
          }
          if (result.offset < 0) throw malformed('record is truncated');
          out[step.name] = result.value;
          this.pos = result.offset;
          break;
        }
      }
    }
    return out;
  }

  private readArray(plan: RecordPlan): AvroRecord[] {
    const items: AvroRecord[] = [];
    for (;;) {
      let count = this.readVarint();
      if (count === 0) return items;
      if (count < 0) {
        count = -count;
        this.readVarint(); // block byte size
      }
      for (let j = 0; j < count; j++) {
        if (this.pos > this.buf.length) throw malformed('record is truncated');
        items.push(this.readRecord(plan, true));
      }
    }
  }

  private readUnionIndex(branches: number): number {
    const index = this.readVarint();
    if (index < 0 || index >= branches) throw malformed(`union branch ${String(index)} out of range`);
    return index;
  }

  /** A zig-zag varint as a number (exact below 2^53: lengths, counts, ints, union indexes). */
  private readVarint(): number {
    const buf = this.buf;
    let b = buf[this.pos++] as number;
    let z = b & 0x7f;
    let scale = 128;
    while (b & 0x80) {
      b = buf[this.pos++] as number;
      z += (b & 0x7f) * scale;
      scale *= 128;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** An Avro long, exactly: low 28 bits and high bits accumulated apart, then joined (avro-long.ts). */
  private readLong(): bigint {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let scale = 1;
    let b: number;
    let i = 0;
    do {
      b = buf[this.pos++] as number;
      if (i === 4) scale = 1;
      if (i < 4) lo += (b & 0x7f) * scale;
      else hi += (b & 0x7f) * scale;
      scale *= 128;
      i++;
    } while (b & 0x80 && i < 10);
    if (hi === 0) return BigInt(lo % 2 === 0 ? lo / 2 : -(lo + 1) / 2);
    const z = (BigInt(hi) << 28n) + BigInt(lo);
    return (z >> 1n) ^ -(z & 1n);
  }

  private readScalar(scalar: Scalar): unknown {
    const buf = this.buf;
    switch (scalar.kind) {
      case 'null':
        return null;
      case 'boolean':
        return buf[this.pos++] === 1;
      case 'int':
        return this.readVarint();
      case 'long':
        return this.readLong();
      case 'float': {
        if (this.pos + 4 > buf.length) throw malformed('record is truncated');
        const v = buf.readFloatLE(this.pos);
        this.pos += 4;
        return v;
      }
      case 'double': {
        if (this.pos + 8 > buf.length) throw malformed('record is truncated');
        const v = buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case 'string':
      case 'bytes': {
        const length = this.readVarint();
        const end = this.pos + length;
        if (length < 0 || end > buf.length) throw malformed('record is truncated');
        const v =
          scalar.kind === 'string' ? buf.toString('utf8', this.pos, end) : buf.subarray(this.pos, end);
        this.pos = end;
        return v;
      }
      case 'enum': {
        const index = this.readVarint();
        const symbol = scalar.symbols[index];
        if (symbol === undefined) throw malformed(`enum index ${String(index)} out of range`);
        return symbol;
      }
      case 'union': {
        const branch = scalar.branches[this.readUnionIndex(scalar.branches.length)] as Scalar;
        return this.readScalar(branch);
      }
    }
  }
}
