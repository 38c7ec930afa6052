/**
 * Writer schemas by Confluent schema id, for Confluent-framed (LSST) Kafka messages.
 *
 * Two sources:
 *  - a local directory: `<id>.avsc` files (one self-contained schema each), and/or folders
 *    in the lsst/alert_packet layout, `vMAJOR_MINOR/` (or `MAJOR/MINOR/`) holding split .avsc
 *    files that reference each other by name (lsst.vM_m.alert, lsst.vM_m.diaSource, ...),
 *    registered under Rubin's id MAJOR * 100 + MINOR (7.4 -> 704, 10.0 -> 1000);
 *  - a Confluent Schema Registry URL: GET {url}/schemas/ids/{id} -> {"schema": "<json>"},
 *    cached per id (a failed fetch is not cached, so it is retried on the next message).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import avro from 'avsc';
import { CoincideError } from '../errors.ts';
import { exactLongOptions } from './avro-long.ts';

/** A writer schema as parsed JSON (object, array or type name). */
export type SchemaJson = unknown;

export interface SchemaRegistry {
  /** The writer schema registered under `schemaId`; rejects with AVRO_UNKNOWN_SCHEMA or FETCH_FAILED. */
  getSchema(schemaId: number): Promise<SchemaJson>;
}

/** Rubin's registry id for an alert_packet schema version: MAJOR * 100 + MINOR. */
export function rubinSchemaId(major: number, minor: number): number {
  return major * 100 + minor;
}

/**
 * Reads split .avsc files (named types referencing each other) and returns the schema of the
 * alert record (the file named `*.alert.avsc`, else the one type no other file references),
 * with every named type defined inline once.
 */
export function composeSchemaFiles(files: readonly string[]): SchemaJson {
  const pending = files.map((path) => ({ path, json: JSON.parse(readFileSync(path, 'utf8')) as unknown }));
  const options = exactLongOptions();
  const types = new Map<string, avro.Type>();
  // Parse in dependency order: retry the files that name a type not registered yet.
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length;) {
      const entry = pending[i] as { path: string; json: unknown };
      // A failed parse may leave half-registered names behind: parse against a copy of the
      // registry and keep it only on success.
      const attempt = { ...options, registry: { ...options.registry } };
      try {
        types.set(entry.path, avro.Type.forSchema(entry.json as avro.Schema, attempt));
        options.registry = attempt.registry;
        pending.splice(i, 1);
      } catch (error) {
        if (!/undefined type name|unknown type/i.test(String(error))) {
          throw new CoincideError('AVRO_UNKNOWN_SCHEMA', `${basename(entry.path)}: ${String(error)}`, {
            cause: error,
          });
        }
        i++;
      }
    }
    if (pending.length === before) {
      throw new CoincideError(
        'AVRO_UNKNOWN_SCHEMA',
        `unresolved type names in ${pending.map((p) => basename(p.path)).join(', ')}`,
      );
    }
  }
  const alertPath = files.find((p) => p.endsWith('.alert.avsc')) ?? files[files.length - 1];
  const alertType = alertPath === undefined ? undefined : types.get(alertPath);
  if (!alertType) throw new CoincideError('AVRO_UNKNOWN_SCHEMA', 'no alert schema among the files');
  return alertType.schema();
}

const VERSION_DIR = /^v?(\d+)[_.](\d+)$/;

/** Schemas from a local directory (see the module comment for the layouts). */
export class LocalSchemaRegistry implements SchemaRegistry {
  private readonly schemas = new Map<number, SchemaJson>();

  constructor(entries?: Iterable<readonly [number, SchemaJson]>) {
    for (const [id, schema] of entries ?? []) this.schemas.set(id, schema);
  }

  static fromDirectory(dir: string): LocalSchemaRegistry {
    if (!existsSync(dir))
      throw new CoincideError('AVRO_UNKNOWN_SCHEMA', `schema directory ${dir} does not exist`);
    const registry = new LocalSchemaRegistry();
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const idFile = /^(\d+)\.avsc$/.exec(name);
      if (idFile) {
        registry.add(Number(idFile[1]), JSON.parse(readFileSync(path, 'utf8')) as SchemaJson);
        continue;
      }
      if (!statSync(path).isDirectory()) continue;
      const version = VERSION_DIR.exec(name);
      if (version) {
        registry.addSplitFiles(rubinSchemaId(Number(version[1]), Number(version[2])), path);
      } else if (/^\d+$/.test(name)) {
        // alert_packet's own layout: schema/MAJOR/MINOR/*.avsc
        for (const minor of readdirSync(path).filter((m) => /^\d+$/.test(m))) {
          registry.addSplitFiles(rubinSchemaId(Number(name), Number(minor)), join(path, minor));
        }
      }
    }
    return registry;
  }

  add(schemaId: number, schema: SchemaJson): void {
    this.schemas.set(schemaId, schema);
  }

  private addSplitFiles(schemaId: number, dir: string): void {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.avsc'))
      .sort()
      .map((f) => join(dir, f));
    if (files.length > 0) this.add(schemaId, composeSchemaFiles(files));
  }

  ids(): number[] {
    return [...this.schemas.keys()].sort((a, b) => a - b);
  }

  getSchema(schemaId: number): Promise<SchemaJson> {
    const schema = this.schemas.get(schemaId);
    if (schema === undefined) {
      return Promise.reject(
        new CoincideError('AVRO_UNKNOWN_SCHEMA', `no local schema for id ${String(schemaId)}`),
      );
    }
    return Promise.resolve(schema);
  }
}

export interface HttpSchemaRegistryOptions {
  /** Base URL of a Confluent Schema Registry, e.g. http://127.0.0.1:8081 */
  url: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
}

/**
 * A Confluent Schema Registry client for GET /schemas/ids/{id}, cached per id. Redirects are not
 * followed (a 3xx answer is a failure, not retried): requests go to the configured host only.
 */
export class HttpSchemaRegistry implements SchemaRegistry {
  private readonly cache = new Map<number, Promise<SchemaJson>>();
  private readonly baseUrl: string;

  constructor(private readonly options: HttpSchemaRegistryOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
  }

  getSchema(schemaId: number): Promise<SchemaJson> {
    let pending = this.cache.get(schemaId);
    if (!pending) {
      pending = this.fetchSchema(schemaId);
      pending.catch(() => this.cache.delete(schemaId));
      this.cache.set(schemaId, pending);
    }
    return pending;
  }

  private async fetchSchema(schemaId: number): Promise<SchemaJson> {
    const url = `${this.baseUrl}/schemas/ids/${String(schemaId)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...this.options.headers,
        },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        redirect: 'manual',
      });
    } catch (error) {
      throw new CoincideError('FETCH_FAILED', `schema registry ${url}: ${String(error)}`, {
        cause: error,
        retriable: true,
      });
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new CoincideError(
        'FETCH_FAILED',
        `schema registry ${url}: HTTP ${String(response.status)} to ${response.headers.get('location') ?? '(no location)'} not followed (the configured host only)`,
      );
    }
    if (response.status === 404) {
      throw new CoincideError('AVRO_UNKNOWN_SCHEMA', `schema registry has no schema id ${String(schemaId)}`);
    }
    if (!response.ok) {
      throw new CoincideError('FETCH_FAILED', `schema registry ${url}: HTTP ${String(response.status)}`, {
        retriable: response.status >= 500 || response.status === 429,
      });
    }
    const body = (await response.json()) as { schema?: unknown; schemaType?: unknown };
    if (typeof body.schema !== 'string') {
      throw new CoincideError(
        'AVRO_UNKNOWN_SCHEMA',
        `schema registry answer for id ${String(schemaId)} has no schema`,
      );
    }
    if (body.schemaType !== undefined && body.schemaType !== 'AVRO') {
      throw new CoincideError(
        'AVRO_UNKNOWN_SCHEMA',
        `schema id ${String(schemaId)} is ${JSON.stringify(body.schemaType)}, not Avro`,
      );
    }
    return JSON.parse(body.schema) as SchemaJson;
  }
}
