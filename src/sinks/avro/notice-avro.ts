/**
 * Notice ⇄ Avro record for notice-v2.avsc (written) and notice-v1.avsc (still read); v2 is v1
 * plus the top-level objectId and candid that fink-client names its files by. Optional Notice fields travel as null and come back
 * absent; the region is one record with a `type` and the fields of every kind (see the schema).
 * NOTICE_V1_FIELDS must list every Notice field: the type check below fails to compile when
 * the Notice gains one, so the schema cannot silently drop it (add it, in a new version if it
 * changes the shape incompatibly).
 */
import type { Notice, NoticeRegion, ParamValue } from '../../notices/notice.ts';
import { loadVersionedSchema, type VersionedSchema } from './versioned-schema.ts';

const NOTICE_V1_FIELDS = [
  'ivorn',
  'role',
  'messenger',
  'observatory',
  'instrument',
  'noticeType',
  'triggerId',
  'eventName',
  'alertType',
  'revision',
  'triggerTime',
  'triggerTimeMjd',
  'issuedTime',
  'region',
  'farHz',
  'pAstro',
  'classification',
  'classificationProbabilities',
  'hasNs',
  'hasRemnant',
  'hasMassGap',
  'significant',
  'energyTeV',
  'mock',
  'flags',
  'params',
  'citations',
  'source',
] as const satisfies ReadonlyArray<keyof Notice>;
type Missing = Exclude<keyof Notice, (typeof NOTICE_V1_FIELDS)[number]>;
/** Compile-time guard: fails to compile (naming the field) when a Notice field is missing here. */
type AssertNever<T extends never> = T;
export type NoticeV1MissingFields = AssertNever<Missing>;

/** The optional Notice fields (null in Avro when absent). */
const OPTIONAL_FIELDS = [
  'eventName',
  'revision',
  'issuedTime',
  'farHz',
  'pAstro',
  'classification',
  'classificationProbabilities',
  'hasNs',
  'hasRemnant',
  'hasMassGap',
  'significant',
  'energyTeV',
  'mock',
  'flags',
] as const satisfies ReadonlyArray<(typeof NOTICE_V1_FIELDS)[number]>;

const REGION_FIELDS = [
  'raDeg',
  'decDeg',
  'radiusDeg',
  'containment',
  'systematicIncluded',
  'semiMajorDeg',
  'semiMinorDeg',
  'posAngleDeg',
  'url',
] as const;

type Row = Record<string, unknown>;

function regionToRecord(region: NoticeRegion): Row {
  const row: Row = { type: region.type };
  const source = region as unknown as Row;
  for (const field of REGION_FIELDS) row[field] = source[field] ?? null;
  return row;
}

function regionFromRecord(row: Row): NoticeRegion {
  const region: Row = { type: row.type };
  for (const field of REGION_FIELDS)
    if (row[field] !== null && row[field] !== undefined) region[field] = row[field];
  return region as unknown as NoticeRegion;
}

function noticeToRecord(notice: Notice): Row {
  const source = notice as unknown as Row;
  const row: Row = {
    ...source,
    region: regionToRecord(notice.region),
    params: Object.entries(notice.params).map(([name, value]) => ({ name, value })),
  };
  for (const field of OPTIONAL_FIELDS) row[field] = source[field] ?? null;
  return row;
}

function noticeFromRecord(record: unknown): Notice {
  const row = record as Row;
  const notice: Row = {};
  for (const field of NOTICE_V1_FIELDS) {
    const value = row[field];
    if (value === null || value === undefined) continue;
    notice[field] = value;
  }
  notice.region = regionFromRecord(row.region as Row);
  // avsc decodes records into class instances; rebuild plain objects. Object.fromEntries
  // defines own properties, so a param named "__proto__" stays a param.
  notice.params = Object.fromEntries(
    (row.params as Array<{ name: string; value: ParamValue }>).map((p) => [p.name, p.value]),
  );
  notice.citations = (row.citations as Row[]).map((c) => ({ ivorn: c.ivorn, cite: c.cite }));
  notice.source = { format: (row.source as Row).format, sha256: (row.source as Row).sha256 };
  if (row.classificationProbabilities)
    notice.classificationProbabilities = { ...(row.classificationProbabilities as Row) };
  if (row.flags) notice.flags = [...(row.flags as string[])];
  return notice as unknown as Notice;
}

export const NOTICE_SCHEMA_V1: VersionedSchema<Notice> = loadVersionedSchema(
  new URL('./notice-v1.avsc', import.meta.url),
  1,
  noticeToRecord,
  noticeFromRecord,
);

/** A notice version's id for fink-client's file names: the first 63 bits of its source SHA-256. */
export function noticeCandid(notice: Pick<Notice, 'source'>): bigint {
  return BigInt(`0x${notice.source.sha256.slice(0, 16)}`) & 0x7fff_ffff_ffff_ffffn;
}

function noticeToRecordV2(notice: Notice): Row {
  return { ...noticeToRecord(notice), objectId: notice.triggerId, candid: noticeCandid(notice) };
}

export const NOTICE_SCHEMA_V2: VersionedSchema<Notice> = loadVersionedSchema(
  new URL('./notice-v2.avsc', import.meta.url),
  2,
  noticeToRecordV2,
  noticeFromRecord,
);

/** The version this build writes. */
export const NOTICE_SCHEMA: VersionedSchema<Notice> = NOTICE_SCHEMA_V2;

/** Every Notice schema version this build can read, newest first. */
export const NOTICE_SCHEMAS: ReadonlyArray<VersionedSchema<Notice>> = [NOTICE_SCHEMA_V2, NOTICE_SCHEMA_V1];
