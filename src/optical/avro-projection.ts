/**
 * Reader schemas for projected decoding.
 *
 * Avro schema resolution lets a reader schema omit writer fields: the decoder then skips
 * them (bytes by their length, records field by field) without building any value. Given a
 * writer type and a projection (which fields to keep, recursively), `projectSchema` builds
 * such a reader schema. A projected record gets a new name with the writer's name as an
 * alias, so one writer record type can be projected differently at different places.
 */
import type avro from 'avsc';

/** Which fields of a record to keep: `true` keeps the whole field, a nested projection keeps
 *  part of a record (or of the records inside a union or array). */
export interface Projection {
  fields: Readonly<Record<string, true | Projection>>;
  /** Also keep every other field whose type is a scalar (or a union of null and a scalar). */
  keepOtherScalars?: boolean;
}

type SchemaJson = string | SchemaJson[] | { [key: string]: unknown };

interface RecordLike {
  typeName: string;
  name?: string;
  fields: Array<{ name: string; type: TypeLike }>;
}
interface TypeLike {
  typeName: string;
  name?: string;
  fields?: Array<{ name: string; type: TypeLike }>;
  types?: TypeLike[];
  itemsType?: TypeLike;
  valuesType?: TypeLike;
  symbols?: string[];
  size?: number;
}

const SCALARS = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'abstract:long',
  'float',
  'double',
  'string',
  'enum',
]);

/** True for a scalar type or a union of scalars (e.g. ["null", "string"]). */
export function isScalarType(type: avro.Type): boolean {
  const t = type as unknown as TypeLike;
  if (t.types) return t.types.every((u) => SCALARS.has(u.typeName));
  return SCALARS.has(t.typeName);
}

class SchemaWriter {
  private readonly emitted = new Set<string>();
  private projections = 0;

  /** The JSON schema of a type, with named types defined once and referenced afterwards. */
  full(type: TypeLike): SchemaJson {
    switch (type.typeName) {
      case 'null':
      case 'boolean':
      case 'int':
      case 'float':
      case 'double':
      case 'bytes':
      case 'string':
        return type.typeName;
      case 'long':
      case 'abstract:long':
        return 'long';
      case 'array':
        return { type: 'array', items: this.full(type.itemsType as TypeLike) };
      case 'map':
        return { type: 'map', values: this.full(type.valuesType as TypeLike) };
      case 'union:unwrapped':
      case 'union:wrapped':
        return (type.types ?? []).map((u) => this.full(u));
      default:
        break;
    }
    const name = type.name;
    if (name === undefined) throw new Error(`cannot write a schema for type ${type.typeName}`);
    if (this.emitted.has(name)) return name;
    this.emitted.add(name);
    if (type.typeName === 'enum') return { type: 'enum', name, symbols: type.symbols ?? [] };
    if (type.typeName === 'fixed') return { type: 'fixed', name, size: type.size ?? 0 };
    if (type.typeName === 'record' || type.typeName === 'error') {
      return {
        type: 'record',
        name,
        fields: (type.fields ?? []).map((f) => ({ name: f.name, type: this.full(f.type) })),
      };
    }
    throw new Error(`cannot write a schema for type ${type.typeName}`);
  }

  /** The projected schema of a type: records reduced to the projection's fields. */
  projected(type: TypeLike, projection: Projection): SchemaJson {
    if (type.typeName === 'record' || type.typeName === 'error')
      return this.record(type as RecordLike, projection);
    if (type.types) return type.types.map((u) => this.projected(u, projection));
    if (type.typeName === 'array')
      return { type: 'array', items: this.projected(type.itemsType as TypeLike, projection) };
    if (type.typeName === 'map')
      return { type: 'map', values: this.projected(type.valuesType as TypeLike, projection) };
    return this.full(type);
  }

  private record(type: RecordLike, projection: Projection): SchemaJson {
    const writerName = type.name ?? 'anonymous';
    this.projections += 1;
    const fields: Array<{ name: string; type: SchemaJson }> = [];
    for (const field of type.fields) {
      const keep = projection.fields[field.name];
      if (keep === true) fields.push({ name: field.name, type: this.full(field.type) });
      else if (keep !== undefined) fields.push({ name: field.name, type: this.projected(field.type, keep) });
      else if (projection.keepOtherScalars === true && isScalarType(field.type as unknown as avro.Type)) {
        fields.push({ name: field.name, type: this.full(field.type) });
      }
    }
    return {
      type: 'record',
      name: `${writerName}_projected${String(this.projections)}`,
      aliases: [writerName],
      fields,
    };
  }
}

/** The reader schema (JSON) that keeps only the projected fields of a writer record type. */
export function projectSchema(writerType: avro.Type, projection: Projection): SchemaJson {
  return new SchemaWriter().projected(writerType, projection);
}

/** The writer type's own schema as JSON (named types defined once), e.g. to re-encode. */
export function fullSchema(writerType: avro.Type): SchemaJson {
  return new SchemaWriter().full(writerType);
}
