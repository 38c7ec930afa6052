/**
 * Typed reads of untrusted JSON notice fields, and the flattening of a JSON notice into the
 * Notice's `params` (every field by name; nested objects also by dotted path; arrays as
 * JSON text; embedded base64 files replaced by their "embedded:sha256:<hex>" reference).
 */
import { createHash } from 'node:crypto';
import type { ParamValue } from '../notice.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

export function numberField(obj: JsonObject, key: string): number | undefined {
  const v = obj[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function stringField(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  if (typeof v === 'string') return v.trim().length > 0 ? v.trim() : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A string, or the first string of a list (gcn-schema `id` and `event_name` may be either). */
export function firstString(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  if (Array.isArray(v)) {
    const first: unknown = v[0];
    return typeof first === 'string' || typeof first === 'number'
      ? String(first).trim() || undefined
      : undefined;
  }
  return stringField(obj, key);
}

export function booleanField(obj: JsonObject, key: string): boolean | undefined {
  const v = obj[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** A {name: probability} dictionary of finite numbers, or undefined. */
export function probabilityField(obj: JsonObject, key: string): Record<string, number> | undefined {
  const v = obj[key];
  if (!isObject(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [name, p] of Object.entries(v)) if (typeof p === 'number' && Number.isFinite(p)) out[name] = p;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Fields that hold whole base64 files: never copied into params. */
export const EMBEDDED_FILE_FIELDS = new Set(['skymap', 'healpix_file', 'combined_skymap']);

/** The bytes of an embedded file: base64 text (JSON) or raw bytes (Avro). */
export function embeddedBytes(value: string | Uint8Array): Uint8Array {
  if (typeof value !== 'string') return value;
  const buffer = Buffer.from(value, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** "embedded:sha256:<hex>", the SHA-256 of an embedded file's bytes: its stable reference. */
export function embeddedReference(value: string | Uint8Array): string {
  return `embedded:sha256:${createHash('sha256').update(embeddedBytes(value)).digest('hex')}`;
}

/** A field holding an embedded file (base64 text or bytes), or undefined. */
export function embeddedField(obj: JsonObject, key: string): string | Uint8Array | undefined {
  const v = obj[key];
  if (typeof v === 'string' && v.length > 0) return v;
  if (v instanceof Uint8Array && v.byteLength > 0) return v;
  return undefined;
}

/** Flattens a JSON notice into params (see the file comment). */
export function flattenParams(root: JsonObject): Record<string, ParamValue> {
  // A Map, then own data properties: a key may be "__proto__" or "toString" (JSON.parse makes
  // them own keys), which `out[key] = v` would have set as the prototype, and `key in {}`
  // reported as present.
  const out = new Map<string, ParamValue>();
  const bare: Array<[string, ParamValue]> = [];
  const walk = (obj: JsonObject, prefix: string): void => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix.length === 0 ? key : `${prefix}.${key}`;
      let leaf: ParamValue | undefined;
      if (EMBEDDED_FILE_FIELDS.has(key) && (typeof value === 'string' || value instanceof Uint8Array)) {
        leaf = embeddedReference(value);
      } else if (value instanceof Uint8Array) leaf = `${value.byteLength} bytes`;
      else if (isObject(value)) {
        walk(value, path);
        continue;
      } else if (Array.isArray(value)) leaf = JSON.stringify(value);
      else if (typeof value === 'string' || typeof value === 'boolean' || value === null) leaf = value;
      else if (typeof value === 'number') leaf = Number.isFinite(value) ? value : null;
      if (leaf === undefined) continue;
      out.set(path, leaf);
      if (prefix.length > 0) bare.push([key, leaf]);
    }
  };
  walk(root, '');
  for (const [key, leaf] of bare) if (!out.has(key)) out.set(key, leaf);
  return Object.fromEntries(out);
}
