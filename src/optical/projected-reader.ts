/**
 * The projected reader: decodes only the fields of a Projection from writer-encoded bytes.
 *
 * For each record of the writer schema a plan is built once: kept scalar fields are read
 * directly (doubles, floats, ints, exact BigInt longs, strings, nullable unions of those),
 * nested projections recurse, whole complex fields go to avsc, and every run of unwanted
 * fields is jumped over with one skip program (avro-skip.ts). Each plan is compiled to one
 * straight-line function (projected-codegen.ts). The top-level record may stop
 * after its last wanted field: a ZTF packet's candidate comes before its prv_candidates,
 * fp_hists and cutouts, so a one-alert message never touches them. Values are plain objects
 * holding the kept fields, with the same values avsc gives for them (tests check both).
 */
import type avro from 'avsc';
import { CoincideError } from '../errors.ts';
import { isScalarType, type Projection } from './avro-projection.ts';
import { SkipCompiler } from './avro-skip.ts';
import {
  compileRecordReader,
  HELPERS,
  type RecordPlan,
  type RecordReader,
  type Scalar,
  type Step,
} from './projected-codegen.ts';
import type { AvroRecord } from './record-fields.ts';

interface TypeLike {
  typeName: string;
  fields?: Array<{ name: string; type: TypeLike }>;
  types?: TypeLike[];
  itemsType?: TypeLike;
  symbols?: string[];
  size?: number;
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
  private readonly reader: RecordReader;

  constructor(writerType: avro.Type, projection: Projection) {
    this.plan = this.buildPlan(writerType, projection);
    this.reader = compileRecordReader(this.plan);
  }

  private buildPlan(record: TypeLike, projection: Projection): RecordPlan {
    if (record.typeName !== 'record' && record.typeName !== 'error')
      throw new Error('projection of a non-record');
    const steps: Step[] = [];
    let pendingSkip: TypeLike[] = [];
    const flush = (): void => {
      if (pendingSkip.length > 0) {
        const id = this.skips.compile(pendingSkip);
        steps.push({ op: 'skip', statements: (dep, helpers) => this.skips.statements(id, dep, helpers) });
      }
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
    const value = this.reader(buf, pos, needEnd);
    const end = HELPERS.next;
    if (end > buf.length) throw malformed('record is truncated');
    return { value, offset: needEnd || this.plan.lastRead === this.plan.steps.length - 1 ? end : -1 };
  }
}
