/**
 * Checks for callers that need more than the schema requires of a VOEvent (a notice needs a
 * time; a localised notice needs a position). They throw VOEVENT_MISSING_FIELD.
 */
import { CoincideError } from '../errors.ts';
import type { ParsedVoEvent, VoEventWhereWhen } from './voevent.ts';

export type TimedWhereWhen = VoEventWhereWhen & { isoTime: string; timeUnixMs: number };

/** The WhereWhen with its time; VOEVENT_MISSING_FIELD when WhereWhen or its ISOTime is absent. */
export function requireWhereWhen(event: ParsedVoEvent): TimedWhereWhen {
  const whereWhen = event.whereWhen;
  if (event.hasWhereWhen === false) {
    throw new CoincideError('VOEVENT_MISSING_FIELD', `${event.ivorn} has no WhereWhen`);
  }
  if (whereWhen.isoTime === undefined || whereWhen.timeUnixMs === undefined) {
    throw new CoincideError('VOEVENT_MISSING_FIELD', `${event.ivorn} has no WhereWhen ISOTime`);
  }
  return whereWhen as TimedWhereWhen;
}

/** Whether the WhereWhen carries both coordinates (C1, C2). */
export function hasPosition(event: ParsedVoEvent): boolean {
  return event.whereWhen.ra !== undefined && event.whereWhen.dec !== undefined;
}
