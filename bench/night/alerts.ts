/**
 * Optical alerts of a generated night for bench/night.ts: ZTF- and LSST-shaped Avro packets at
 * production size, written to a temp folder (never committed).
 *
 * Shapes come from the upstream samples through scripts/optical/packets.ts: the 13 real ZTF
 * packets (schema 3.3 / 4.01, real cutouts and prv_candidates) and Rubin 11.0 packets grown to
 * production size (three 28 kB cutouts, 30 prvDiaSources, 30 prvDiaForcedSources). Each alert
 * takes one template and gets its own ids, position, times and quality values.
 *
 * Encoding a whole ~60-90 kB record with avsc costs 3-10 ms, so every packet is assembled from
 * bytes instead: a record's Avro encoding is the concatenation of its fields' encodings, so the
 * constant fields (cutouts, histories, most candidate columns) are encoded once per template
 * and only the fields that vary are encoded per alert (`compileRecord`). The result is the
 * same bytes avsc would write for the whole record.
 */
import avro from 'avsc';
import { buildLsstRecords, buildZtfRecords } from '../../scripts/optical/packets.ts';
import type { AvroRecord } from '../../src/optical/record-fields.ts';
import { JD_MINUS_MJD } from '../../src/optical/ztf-alert.ts';

/** TAI − UTC since 2017-01-01, days (the night is far after the last leap second). */
const TAI_MINUS_UTC_DAYS = 37 / 86_400;

/** What varies from alert to alert; the benchmark's naive scan reads the same values. */
export interface AlertSpec {
  survey: 'ZTF' | 'LSST';
  /** Sequence number in the night, also the object number. */
  index: number;
  raDeg: number;
  decDeg: number;
  /** Detection time, MJD (UTC). */
  timeMjd: number;
  /** First detection of the object, MJD (UTC). */
  firstDetectionMjd: number;
  reliability: number;
  positive: boolean;
  /** Which template (cutouts, history) the packet copies. */
  template: number;
}

export function objectIdOf(spec: Pick<AlertSpec, 'survey' | 'index'>): string {
  return spec.survey === 'ZTF'
    ? `ZTF26${base26(spec.index)}`
    : String(313_853_035_123_000_000n + BigInt(spec.index));
}

/** ZTF-style object names: lower-case letters, fixed width. */
function base26(n: number): string {
  let out = '';
  let x = n;
  for (let i = 0; i < 7; i++) {
    out = String.fromCharCode(97 + (x % 26)) + out;
    x = Math.floor(x / 26);
  }
  return out;
}

type Part = Buffer | ((spec: AlertSpec) => Buffer);
type Varying = { [field: string]: ((spec: AlertSpec) => unknown) | Varying };

interface AvroField {
  name: string;
  type: avro.Type;
}

/** Zig-zag varint of a small non-negative union branch index. */
function unionIndex(i: number): Buffer {
  return Buffer.from([i * 2]);
}

/**
 * Parts of a record's encoding: constant runs of the template's bytes, and functions for the
 * fields named in `varying` (a nested object recurses into a record, or a union's record branch).
 */
function compileRecord(type: avro.Type, template: AvroRecord, varying: Varying): Part[] {
  const fields = (type as unknown as { fields: AvroField[] }).fields;
  const names = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(varying)) {
    if (!names.has(name)) throw new Error(`${String(type.name)} has no field ${name}`);
  }
  const parts: Part[] = [];
  for (const field of fields) {
    const v = varying[field.name];
    if (v === undefined) {
      parts.push(field.type.toBuffer(template[field.name]));
    } else if (typeof v === 'function') {
      const fieldType = field.type;
      parts.push((spec) => fieldType.toBuffer(v(spec)));
    } else {
      const value = template[field.name] as AvroRecord;
      const branches = (field.type as unknown as { types?: avro.Type[] }).types;
      if (branches) {
        const i = branches.findIndex((b) => b.typeName === 'record');
        parts.push(unionIndex(i), ...compileRecord(branches[i] as avro.Type, value, v));
      } else {
        parts.push(...compileRecord(field.type, value, v));
      }
    }
  }
  // Merge adjacent constant runs.
  const merged: Part[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (Buffer.isBuffer(p) && Buffer.isBuffer(last)) merged[merged.length - 1] = Buffer.concat([last, p]);
    else merged.push(p);
  }
  return merged;
}

function assemble(parts: readonly Part[], spec: AlertSpec): Buffer {
  return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : p(spec))));
}

export interface SurveyPackets {
  writerType: avro.Type;
  /** The Avro encoding of one alert record (no framing). */
  encode(spec: AlertSpec): Buffer;
  templates: number;
}

const NO_CUTOUTS = { cutoutScience: null, cutoutTemplate: null, cutoutDifference: null };

/** ZTF packets; `cutouts` false writes the cutout fields as null (the compact archive). */
export function ztfPackets(cutouts: boolean): SurveyPackets[] {
  // One writer schema per ZTF schema version among the samples: group templates by schema.
  const samples = buildZtfRecords(13);
  const bySchema = new Map<string, { writerType: avro.Type; records: AvroRecord[] }>();
  for (const { writerType, record } of samples) {
    const key = JSON.stringify(writerType.schema());
    let group = bySchema.get(key);
    if (!group) bySchema.set(key, (group = { writerType, records: [] }));
    group.records.push(cutouts ? record : { ...record, ...NO_CUTOUTS });
  }
  const candid = (s: AlertSpec): bigint => 2_600_000_000_015_015_000n + BigInt(s.index);
  const varying: Varying = {
    objectId: (s) => objectIdOf(s),
    candid,
    candidate: {
      candid,
      jd: (s) => s.timeMjd + JD_MINUS_MJD,
      ra: (s) => s.raDeg,
      dec: (s) => s.decDeg,
      isdiffpos: (s) => (s.positive ? 't' : 'f'),
      drb: (s) => s.reliability,
      rb: (s) => s.reliability,
      ssdistnr: () => -999,
      ssmagnr: () => -999,
      ssnamenr: () => null,
      jdstarthist: (s) => s.firstDetectionMjd + JD_MINUS_MJD,
    },
  };
  return [...bySchema.values()].map(({ writerType, records }) => {
    const compiled = records.map((r) => compileRecord(writerType, r, varying));
    return {
      writerType,
      templates: compiled.length,
      encode: (spec) => assemble(compiled[spec.template % compiled.length] as Part[], spec),
    };
  });
}

/** LSST (Rubin 11.0) packets; `cutouts` false writes the cutout fields as null. */
export function lsstPackets(cutouts: boolean, templates = 8): SurveyPackets {
  const { writerType, records } = buildLsstRecords({ count: templates, seed: 11 });
  const diaSourceId = (s: AlertSpec): bigint => 170_000_000_000_000_000n + BigInt(s.index);
  const diaObjectId = (s: AlertSpec): bigint => 313_853_035_123_000_000n + BigInt(s.index);
  const tai = (mjd: number): number => mjd + TAI_MINUS_UTC_DAYS;
  const varying: Varying = {
    diaSourceId,
    diaSource: {
      diaSourceId,
      diaObjectId,
      midpointMjdTai: (s) => tai(s.timeMjd),
      ra: (s) => s.raDeg,
      dec: (s) => s.decDeg,
      psfFlux: (s) => (s.positive ? 2500 : -2500),
      reliability: (s) => s.reliability,
      ssObjectId: () => null,
    },
    diaObject: {
      diaObjectId,
      firstDiaSourceMjdTai: (s) => tai(s.firstDetectionMjd),
    },
  };
  const compiled = records.map((r) =>
    compileRecord(writerType, cutouts ? r : { ...r, ...NO_CUTOUTS }, varying),
  );
  return {
    writerType,
    templates: compiled.length,
    encode: (spec) => assemble(compiled[spec.template % compiled.length] as Part[], spec),
  };
}

const METADATA = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const LONG = avro.Type.forSchema('long');

/** An Avro object container header (codec null) for `writerType`, with its sync marker. */
export function containerHeader(writerType: avro.Type, sync: Buffer): Buffer {
  const meta = METADATA.toBuffer({
    'avro.schema': Buffer.from(JSON.stringify(writerType.schema()), 'utf8'),
    'avro.codec': Buffer.from('null', 'utf8'),
  });
  return Buffer.concat([Buffer.from('Obj\x01', 'latin1'), meta, sync]);
}

/** One container block: count, byte size, the records, the sync marker. */
export function containerBlock(records: readonly Buffer[], sync: Buffer): Buffer {
  const size = records.reduce((n, r) => n + r.length, 0);
  return Buffer.concat([LONG.toBuffer(records.length), LONG.toBuffer(size), ...records, sync]);
}
