/**
 * Rows of archive_coincidences (migrations/archive.ts): the columns searched and grouped on,
 * and the coincidence's JSON as published. Written by the capture of live coincidences
 * (archive-index.ts) and by imports that replay (import-coincidences.ts).
 */
import type { Coincidence } from '../join/coincidence.ts';

export const INSERT_ARCHIVE_COINCIDENCE = `INTO archive_coincidences
  (seq, id, status, pair_type, tier, trigger_id, counterpart_trigger_id, created_ms, json)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The values of INSERT_ARCHIVE_COINCIDENCE, in order. */
export function archiveCoincidenceValues(
  seq: number,
  c: Coincidence,
  createdMs: number,
  json: string,
): unknown[] {
  return [
    seq,
    c.id,
    c.status,
    c.pairType,
    c.tier,
    c.trigger.triggerId,
    'triggerId' in c.counterpart ? c.counterpart.triggerId : null,
    createdMs,
    json,
  ];
}
