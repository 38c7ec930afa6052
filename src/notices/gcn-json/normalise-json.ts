/**
 * A parsed JSON document -> Notice: an LVK `igwn.gwalert`, or a GCN unified-schema notice
 * (by $schema, or by `mission` for schema-less gwcelery copies). Valid JSON that is not a
 * notice is refused with NOTICE_UNSUPPORTED and the reason: GCN Circulars (with or without
 * $schema), gcn.heartbeat messages, gcn-schema core
 * fragments, BOOM broker cross-match summaries, HEASARC archive alerts, GraceDB superevent
 * records, and anything that is not an object.
 */
import { CoincideError } from '../../errors.ts';
import type { Notice } from '../notice.ts';
import { isIgwnAlert, normaliseIgwnAlert } from './igwn-alert.ts';
import { isObject, stringField } from './json-values.ts';
import { schemaPath } from './missions.ts';
import { normaliseUnifiedNotice } from './unified.ts';

const NOT_NOTICES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^circulars$/, 'a GCN Circular (human-written text), not a machine notice'],
  [/^core\//, 'a gcn-schema core fragment example, not a complete notice'],
  [/^boom\//, 'a BOOM broker cross-match summary of optical targets, not a trigger notice'],
  [/^heasarc\//, 'a HEASARC archive data-availability alert, not a transient notice'],
];

export function normaliseGcnJson(json: unknown, sourceSha256: string): Notice {
  if (!isObject(json)) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      `a JSON ${Array.isArray(json) ? 'array' : typeof json}, not a notice object`,
    );
  }
  if (isIgwnAlert(json)) return normaliseIgwnAlert(json, sourceSha256);
  if ('circularId' in json && 'subject' in json) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      'a GCN Circular (human-written text), not a machine notice',
    );
  }
  const keys = Object.keys(json).filter((k) => k !== '$schema');
  if (keys.length === 1 && keys[0] === 'alert_datetime') {
    throw new CoincideError('NOTICE_UNSUPPORTED', 'a gcn.heartbeat message, not a notice');
  }
  if (typeof json.superevent_id === 'string') {
    throw new CoincideError('NOTICE_UNSUPPORTED', 'a GraceDB superevent record, not an igwn.gwalert notice');
  }
  const schema = stringField(json, '$schema');
  const path = schema === undefined ? undefined : schemaPath(schema);
  if (schema !== undefined && /json-schema\.org/.test(schema)) {
    throw new CoincideError('NOTICE_UNSUPPORTED', 'a JSON Schema document (a schema, not a notice)');
  }
  if (schema !== undefined && path === undefined) {
    throw new CoincideError('NOTICE_UNSUPPORTED', `unknown $schema ${schema}`);
  }
  for (const [pattern, reason] of NOT_NOTICES) {
    if (path !== undefined && pattern.test(path)) throw new CoincideError('NOTICE_UNSUPPORTED', reason);
  }
  if (path === undefined && stringField(json, 'mission') === undefined) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      'a JSON object with neither a GCN notice $schema, a mission nor an LVK superevent',
    );
  }
  return normaliseUnifiedNotice(json, path, sourceSha256);
}
