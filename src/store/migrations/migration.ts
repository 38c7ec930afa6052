/**
 * A versioned schema change. Ids are stable strings "<area>-<NNN>-<what>"; a released
 * migration is never edited, only followed by a new one.
 */
export interface Migration {
  id: string;
  sql: string;
}
