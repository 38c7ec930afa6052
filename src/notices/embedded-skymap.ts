/**
 * Sky maps embedded as base64 in JSON notices: LVK `igwn.gwalert` `event.skymap`
 * (multi-order FITS) and `external_coinc.combined_skymap`, and gcn-schema `healpix_file`.
 * The Notice refers to such a map as "embedded:sha256:<hex of the decoded bytes>"; this
 * module gives the sky layer the bytes themselves.
 */
import { CoincideError } from '../errors.ts';
import { checkJsonDepth } from '../text/json-depth.ts';
import { decodeIgwnAvro, isAvroContainer } from './gcn-json/igwn-avro.ts';
import { embeddedBytes, isObject, type JsonObject } from './gcn-json/json-values.ts';

export type EmbeddedSkymapKind = 'skymap' | 'combined';

function asObject(json: string | Uint8Array | JsonObject): JsonObject | undefined {
  if (!(json instanceof Uint8Array) && typeof json !== 'string') return json;
  if (json instanceof Uint8Array && isAvroContainer(json)) return decodeIgwnAvro(json);
  const bytes = typeof json === 'string' ? new TextEncoder().encode(json) : json;
  checkJsonDepth(bytes);
  const text = typeof json === 'string' ? json : new TextDecoder('utf-8').decode(json);
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch (error) {
    throw new CoincideError('JSON_MALFORMED', 'the notice is not valid JSON', { cause: error });
  }
}

/**
 * The decoded bytes of the sky map embedded in a JSON notice (text, bytes or parsed object):
 * or the Avro igwn.gwalert container; `kind` "skymap" (default) reads `event.skymap` or `healpix_file`; "combined" reads
 * `external_coinc.combined_skymap`. Undefined when there is none.
 */
export function extractEmbeddedSkymap(
  json: string | Uint8Array | JsonObject,
  kind: EmbeddedSkymapKind = 'skymap',
): Uint8Array | undefined {
  const obj = asObject(json);
  if (obj === undefined) return undefined;
  let value: unknown;
  if (kind === 'combined')
    value = isObject(obj.external_coinc) ? obj.external_coinc.combined_skymap : undefined;
  else value = isObject(obj.event) ? obj.event.skymap : obj.healpix_file;
  if (typeof value === 'string' && value.length > 0) return embeddedBytes(value);
  if (value instanceof Uint8Array && value.byteLength > 0) return value;
  return undefined;
}
