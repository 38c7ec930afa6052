/**
 * Coincidence ⇄ Avro record for coincidence-v3.avsc (written), coincidence-v2.avsc and
 * coincidence-v1.avsc (still read). The counterpart union (optical alert or another trigger) travels as two nullable
 * fields, exactly one set; optional fields travel as null and come back absent; `separationDeg`
 * and `tier`, which are nullable in the contract itself, come back as null. Version 2 adds the
 * optional trigger and optical details (position, error radius, magnitudes, real/bogus scores,
 * Fink's added values) and the top-level objectId/candid that fink-client names its files by.
 * Version 3 adds triples (pairType mm-mm-optical): `partners` (trigger summaries) and `pairIds`,
 * null for pairs; records of v1 and v2 decode to pairs as before.
 */
import type { Coincidence, OpticalSummary, TriggerSummary } from '../../join/coincidence.ts';
import { loadVersionedSchema, type VersionedSchema } from './versioned-schema.ts';

type CoincidenceV3Field =
  | 'kind'
  | 'id'
  | 'status'
  | 'pairType'
  | 'role'
  | 'trigger'
  | 'counterpart'
  | 'separationDeg'
  | 'credibleLevel'
  | 'dtSeconds'
  | 'pChance'
  | 'farHz'
  | 'tier'
  | 'provenance'
  | 'partners'
  | 'pairIds';
type Missing = Exclude<keyof Coincidence, CoincidenceV3Field>;
/** Compile-time guard: fails to compile (naming the field) when Coincidence gains a field the schema lacks. */
type AssertNever<T extends never> = T;
export type CoincidenceV3MissingFields = AssertNever<Missing>;

type Row = Record<string, unknown>;

function isOptical(counterpart: OpticalSummary | TriggerSummary): counterpart is OpticalSummary {
  return 'alertId' in counterpart;
}

/** Optional fields of the v2 summaries: null in Avro when absent, absent again when null. */
const TRIGGER_V2_OPTIONAL = [
  'revision',
  'instrument',
  'eventName',
  'raDeg',
  'decDeg',
  'errorRadiusDeg',
] as const;
const OPTICAL_V2_OPTIONAL = ['band', 'magnitude', 'magnitudeErr', 'rb', 'reliability', 'fink'] as const;
const OPTICAL_V1_FIELDS = [
  'survey',
  'objectId',
  'alertId',
  'raDeg',
  'decDeg',
  'timeMjd',
  'firstDetectionMjd',
] as const;

function withNulls(source: object, fields: readonly string[]): Row {
  const row: Row = { ...source };
  for (const field of fields) row[field] ??= null;
  return row;
}

function withoutNulls(row: Row, required: readonly string[], optional: readonly string[]): Row {
  const out: Row = {};
  for (const field of required) out[field] = row[field];
  for (const field of optional) {
    const value = row[field];
    if (value !== null && value !== undefined)
      out[field] = typeof value === 'object' ? { ...(value as Row) } : value;
  }
  return out;
}

const TRIGGER_V1_FIELDS = [
  'triggerId',
  'ivorn',
  'messenger',
  'observatory',
  'noticeType',
  'triggerTime',
] as const;

function triggerToRecordV1(t: TriggerSummary): Row {
  const row: Row = {};
  for (const field of TRIGGER_V1_FIELDS) row[field] = t[field];
  row.revision = t.revision ?? null;
  return row;
}

function triggerFromRecordV2(row: Row): TriggerSummary {
  return withoutNulls(row, TRIGGER_V1_FIELDS, TRIGGER_V2_OPTIONAL) as unknown as TriggerSummary;
}

function triggerFromRecord(row: Row): TriggerSummary {
  const t: Row = {
    triggerId: row.triggerId,
    ivorn: row.ivorn,
    messenger: row.messenger,
    observatory: row.observatory,
    noticeType: row.noticeType,
    triggerTime: row.triggerTime,
  };
  if (row.revision !== null && row.revision !== undefined) t.revision = row.revision;
  return t as unknown as TriggerSummary;
}

function provenanceToRecord(p: Coincidence['provenance']): Row {
  return {
    triggerIvorn: p.triggerIvorn,
    triggerRevision: p.triggerRevision ?? null,
    counterpartIvorn: p.counterpartIvorn ?? null,
    alertIds: p.alertIds,
    window: p.window,
    rates: p.rates,
    regionHash: p.regionHash,
    formulaVersion: p.formulaVersion,
  };
}

function coincidenceToRecordV2(c: Coincidence): Row {
  const optical = isOptical(c.counterpart) ? c.counterpart : undefined;
  return {
    ...coincidenceToRecord(c),
    trigger: withNulls(c.trigger, TRIGGER_V2_OPTIONAL),
    counterpartOptical: optical ? withNulls(optical, OPTICAL_V2_OPTIONAL) : null,
    counterpartTrigger: isOptical(c.counterpart) ? null : withNulls(c.counterpart, TRIGGER_V2_OPTIONAL),
    objectId: optical ? optical.objectId : (c.counterpart as TriggerSummary).triggerId,
    candid: optical && /^\d+$/.test(optical.alertId) ? BigInt(optical.alertId) : null,
  };
}

function coincidenceToRecord(c: Coincidence): Row {
  return {
    kind: c.kind,
    id: c.id,
    status: c.status,
    pairType: c.pairType,
    role: c.role,
    trigger: triggerToRecordV1(c.trigger),
    counterpartOptical: isOptical(c.counterpart)
      ? withoutNulls(c.counterpart as unknown as Row, OPTICAL_V1_FIELDS, [])
      : null,
    counterpartTrigger: isOptical(c.counterpart) ? null : triggerToRecordV1(c.counterpart),
    separationDeg: c.separationDeg,
    credibleLevel: c.credibleLevel ?? null,
    dtSeconds: c.dtSeconds,
    pChance: c.pChance,
    farHz: c.farHz ?? null,
    tier: c.tier,
    provenance: provenanceToRecord(c.provenance),
  };
}

function coincidenceToRecordV3(c: Coincidence): Row {
  return {
    ...coincidenceToRecordV2(c),
    partners: c.partners ? c.partners.map((p) => withNulls(p, TRIGGER_V2_OPTIONAL)) : null,
    pairIds: c.pairIds ? [...c.pairIds] : null,
  };
}

function coincidenceFromRecordV3(record: unknown): Coincidence {
  const row = record as Row;
  const c = coincidenceFromRecordV2(record);
  const partners = row.partners as Row[] | null;
  if (partners) c.partners = partners.map(triggerFromRecordV2);
  const pairIds = row.pairIds as string[] | null;
  if (pairIds) c.pairIds = [...pairIds];
  return c;
}

function coincidenceFromRecordV2(record: unknown): Coincidence {
  const row = record as Row;
  const c = coincidenceFromRecord(record) as unknown as Row;
  c.trigger = triggerFromRecordV2(row.trigger as Row);
  const o = row.counterpartOptical as Row | null;
  c.counterpart = o
    ? withoutNulls(o, OPTICAL_V1_FIELDS, OPTICAL_V2_OPTIONAL)
    : triggerFromRecordV2(row.counterpartTrigger as Row);
  return c as unknown as Coincidence;
}

function coincidenceFromRecord(record: unknown): Coincidence {
  const row = record as Row;
  const o = row.counterpartOptical as Row | null;
  const p = row.provenance as Row;
  const w = p.window as Row;
  const provenance: Row = {
    triggerIvorn: p.triggerIvorn,
    alertIds: [...(p.alertIds as string[])],
    window: { startSec: w.startSec, endSec: w.endSec },
    rates: { ...(p.rates as Row) },
    regionHash: p.regionHash,
    formulaVersion: p.formulaVersion,
  };
  if (p.triggerRevision !== null) provenance.triggerRevision = p.triggerRevision;
  if (p.counterpartIvorn !== null) provenance.counterpartIvorn = p.counterpartIvorn;
  const c: Row = {
    kind: row.kind,
    id: row.id,
    status: row.status,
    pairType: row.pairType,
    role: row.role,
    trigger: triggerFromRecord(row.trigger as Row),
    counterpart: o
      ? {
          survey: o.survey,
          objectId: o.objectId,
          alertId: o.alertId,
          raDeg: o.raDeg,
          decDeg: o.decDeg,
          timeMjd: o.timeMjd,
          firstDetectionMjd: o.firstDetectionMjd,
        }
      : triggerFromRecord(row.counterpartTrigger as Row),
    separationDeg: row.separationDeg,
    dtSeconds: row.dtSeconds,
    pChance: row.pChance,
    tier: row.tier,
    provenance,
  };
  if (row.credibleLevel !== null) c.credibleLevel = row.credibleLevel;
  if (row.farHz !== null) c.farHz = row.farHz;
  return c as unknown as Coincidence;
}

export const COINCIDENCE_SCHEMA_V1: VersionedSchema<Coincidence> = loadVersionedSchema(
  new URL('./coincidence-v1.avsc', import.meta.url),
  1,
  coincidenceToRecord,
  coincidenceFromRecord,
);

export const COINCIDENCE_SCHEMA_V2: VersionedSchema<Coincidence> = loadVersionedSchema(
  new URL('./coincidence-v2.avsc', import.meta.url),
  2,
  coincidenceToRecordV2,
  coincidenceFromRecordV2,
);

export const COINCIDENCE_SCHEMA_V3: VersionedSchema<Coincidence> = loadVersionedSchema(
  new URL('./coincidence-v3.avsc', import.meta.url),
  3,
  coincidenceToRecordV3,
  coincidenceFromRecordV3,
);

/** The version this build writes. */
export const COINCIDENCE_SCHEMA: VersionedSchema<Coincidence> = COINCIDENCE_SCHEMA_V3;

/** Every Coincidence schema version this build can read, newest first. */
export const COINCIDENCE_SCHEMAS: ReadonlyArray<VersionedSchema<Coincidence>> = [
  COINCIDENCE_SCHEMA_V3,
  COINCIDENCE_SCHEMA_V2,
  COINCIDENCE_SCHEMA_V1,
];
