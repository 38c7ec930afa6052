/**
 * Coincidence ⇄ Avro record for coincidence-v1.avsc. The counterpart union (optical alert or
 * another trigger) travels as two nullable fields, exactly one set; optional fields travel as
 * null and come back absent; `separationDeg` and `tier`, which are nullable in the contract
 * itself, come back as null.
 */
import type { Coincidence, OpticalSummary, TriggerSummary } from '../../join/coincidence.ts';
import { loadVersionedSchema, type VersionedSchema } from './versioned-schema.ts';

type CoincidenceV1Field =
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
  | 'provenance';
type Missing = Exclude<keyof Coincidence, CoincidenceV1Field>;
/** Compile-time guard: fails to compile (naming the field) when Coincidence gains a field the schema lacks. */
type AssertNever<T extends never> = T;
export type CoincidenceV1MissingFields = AssertNever<Missing>;

type Row = Record<string, unknown>;

function isOptical(counterpart: OpticalSummary | TriggerSummary): counterpart is OpticalSummary {
  return 'alertId' in counterpart;
}

function triggerToRecord(t: TriggerSummary): Row {
  return { ...t, revision: t.revision ?? null };
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

function coincidenceToRecord(c: Coincidence): Row {
  const p = c.provenance;
  return {
    kind: c.kind,
    id: c.id,
    status: c.status,
    pairType: c.pairType,
    role: c.role,
    trigger: triggerToRecord(c.trigger),
    counterpartOptical: isOptical(c.counterpart) ? { ...c.counterpart } : null,
    counterpartTrigger: isOptical(c.counterpart) ? null : triggerToRecord(c.counterpart),
    separationDeg: c.separationDeg,
    credibleLevel: c.credibleLevel ?? null,
    dtSeconds: c.dtSeconds,
    pChance: c.pChance,
    farHz: c.farHz ?? null,
    tier: c.tier,
    provenance: {
      triggerIvorn: p.triggerIvorn,
      triggerRevision: p.triggerRevision ?? null,
      counterpartIvorn: p.counterpartIvorn ?? null,
      alertIds: p.alertIds,
      window: p.window,
      rates: p.rates,
      regionHash: p.regionHash,
      formulaVersion: p.formulaVersion,
    },
  };
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

/** Every Coincidence schema version this build can read, newest first. */
export const COINCIDENCE_SCHEMAS: ReadonlyArray<VersionedSchema<Coincidence>> = [COINCIDENCE_SCHEMA_V1];
