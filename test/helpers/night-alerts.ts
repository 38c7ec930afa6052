/**
 * Optical alerts in the real ZTF and Rubin/LSST packet layouts (the upstream samples' writer
 * schemas, read from ../shared), with chosen object, position and time, for the cluster tests
 * and bench/cluster.ts. Each alert is one Avro object container (as ZTF publishes on Kafka; the
 * LSST records are framed the same way, since `coincide serve` has no schema registry
 * configured here). Cutouts and history are left out (null), so that a night of 50,000 alerts
 * stays small enough for a CI broker; every field the join reads is set:
 *  - ZTF: objectId, candid, candidate.{jd, jdstarthist (the object's first detection), ra, dec,
 *    isdiffpos 't', rb/drb 0.9, ssdistnr -999};
 *  - LSST: diaSourceId, diaSource.{diaObjectId, midpointMjdTai, ra, dec, psfFlux > 0,
 *    reliability 0.9}, diaObject.firstDiaSourceMjdTai (the object's first detection).
 * The container bytes are built by hand (header once per schema, one block per alert):
 * avsc's BlockEncoder is a stream and costs a tick per alert.
 */
import { randomBytes } from 'node:crypto';
import type avro from 'avsc';
import { LSST_SAMPLE_FILE, readSample, ZTF_SAMPLE_FILES } from '../../scripts/optical/packets.ts';
import type { AvroRecord } from '../../src/optical/record-fields.ts';
import { mjdToUnixMs } from '../../src/time/mjd.ts';

/** The real GBM ground-position VOEvent the notices are made from (../shared). */
export const GBM_GND_SAMPLE = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';

/**
 * A GBM ground position from the sample at (raDeg, decDeg), trigger time t0Mjd, trigger number n,
 * published (Who/Date) at publishedMjd (default: the sample's date, which replay ignores as it is
 * before the trigger).
 */
export function gbmNotice(
  template: string,
  n: number,
  t0Mjd: number,
  raDeg: number,
  decDeg: number,
  publishedMjd?: number,
): Buffer {
  const iso = new Date(mjdToUnixMs(t0Mjd)).toISOString().slice(0, 22);
  const published =
    publishedMjd === undefined ? undefined : new Date(mjdToUnixMs(publishedMjd)).toISOString().slice(0, 19);
  return Buffer.from(
    template
      .replace(/<Date>[^<]+<\/Date>/, (date) =>
        published === undefined ? date : `<Date>${published}</Date>`,
      )
      .replace(/GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/, `GBM_Gnd_Pos_${iso}_${n}_58-491`)
      .replace(/name="TrigID" value="716111594"/, `name="TrigID" value="${n}"`)
      .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`)
      .replace(/<C1>[^<]+<\/C1>/, `<C1>${raDeg.toFixed(4)}</C1>`)
      .replace(/<C2>[^<]+<\/C2>/, `<C2>${decDeg.toFixed(4)}</C2>`),
    'utf8',
  );
}

const JD_MINUS_MJD = 2_400_000.5;

/** A ZTF-style object id for object number n: "ZTF26" + 7 letters (base 26, distinct for n < 26⁷). */
export function ztfObjectId(n: number): string {
  let letters = '';
  let rest = n;
  for (let k = 0; k < 7; k++) {
    letters = String.fromCharCode(97 + (rest % 26)) + letters;
    rest = Math.floor(rest / 26);
  }
  return `ZTF26${letters}`;
}

export interface NightAlert {
  survey: 'ZTF' | 'LSST';
  /** ZTF objectId (e.g. ZTF26aaaaaab) or the LSST diaObjectId as a decimal string. */
  objectId: string;
  /** candid / diaSourceId, decimal. */
  alertId: string;
  raDeg: number;
  decDeg: number;
  /** Detection time (UTC for ZTF; the LSST time is written as TAI = this value). */
  mjd: number;
  /** The object's first detection (default: this detection, a new object). */
  firstMjd?: number;
}

/** zigzag varint of an Avro long. */
function avroLong(value: number): Buffer {
  let n = BigInt(value);
  n = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const bytes: number[] = [];
  while (n >= 0x80n) {
    bytes.push(Number((n & 0x7fn) | 0x80n));
    n >>= 7n;
  }
  bytes.push(Number(n));
  return Buffer.from(bytes);
}

function avroString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([avroLong(bytes.length), bytes]);
}

class ContainerWriter {
  private readonly header: Buffer;
  private readonly sync = randomBytes(16);

  constructor(private readonly type: avro.Type) {
    // The writer schema without its doc strings (7 kB for ZTF instead of 20 kB): every
    // container on the topic carries it, as ZTF's do.
    const schema = JSON.stringify(type.schema());
    this.header = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      avroLong(2),
      avroString('avro.schema'),
      avroString(schema),
      avroString('avro.codec'),
      avroString('null'),
      avroLong(0),
      this.sync,
    ]);
  }

  /** One container holding the records (one block). */
  write(...records: AvroRecord[]): Buffer {
    const data = Buffer.concat(records.map((r) => this.type.toBuffer(r)));
    return Buffer.concat([this.header, avroLong(records.length), avroLong(data.length), data, this.sync]);
  }
}

export interface NightEncoder {
  /** One alert as one container (a Kafka message). */
  encode(alert: NightAlert): Buffer;
  /** Alerts of one survey as one container (a file for `coincide replay`). */
  encodeFile(survey: NightAlert['survey'], alerts: readonly NightAlert[]): Buffer;
}

/** An encoder for both surveys, from the first ZTF sample and the LSST 11.0 sample. */
export function createNightEncoder(): NightEncoder {
  const ztf = readSample(ZTF_SAMPLE_FILES[0] ?? '');
  const lsst = readSample(LSST_SAMPLE_FILE);
  const ztfTemplate = ztf.records[0] as AvroRecord;
  const lsstTemplate = lsst.records[0] as AvroRecord;
  const ztfWriter = new ContainerWriter(ztf.compiled.writerType);
  const lsstWriter = new ContainerWriter(lsst.compiled.writerType);
  const ztfCandidate = ztfTemplate.candidate as AvroRecord;
  const lsstSource = lsstTemplate.diaSource as AvroRecord;
  const lsstObject = lsstTemplate.diaObject as AvroRecord | null;
  const recordOf = (alert: NightAlert): AvroRecord => {
    if (alert.survey === 'ZTF') {
      const jd = alert.mjd + JD_MINUS_MJD;
      const candid = BigInt(alert.alertId);
      return {
        ...ztfTemplate,
        objectId: alert.objectId,
        candid,
        candidate: {
          ...ztfCandidate,
          candid,
          jd,
          jdstarthist: (alert.firstMjd ?? alert.mjd) + JD_MINUS_MJD,
          jdendhist: jd,
          ndethist: 1,
          ra: alert.raDeg,
          dec: alert.decDeg,
          isdiffpos: 't',
          rb: 0.9,
          drb: 0.9,
          ssdistnr: -999,
          ssmagnr: -999,
          ssnamenr: null,
        },
        prv_candidates: null,
        fp_hists: 'fp_hists' in ztfTemplate ? null : undefined,
        cutoutScience: null,
        cutoutTemplate: null,
        cutoutDifference: null,
      };
    }
    const diaSourceId = BigInt(alert.alertId);
    const diaObjectId = BigInt(alert.objectId);
    return {
      ...lsstTemplate,
      diaSourceId,
      diaSource: {
        ...lsstSource,
        diaSourceId,
        diaObjectId,
        midpointMjdTai: alert.mjd,
        ra: alert.raDeg,
        dec: alert.decDeg,
        psfFlux: 1500,
        reliability: 0.9,
      },
      prvDiaSources: null,
      prvDiaForcedSources: null,
      diaObject: lsstObject
        ? { ...lsstObject, diaObjectId, firstDiaSourceMjdTai: alert.firstMjd ?? alert.mjd, nDiaSources: 1 }
        : null,
      cutoutDifference: null,
      cutoutScience: null,
      cutoutTemplate: null,
    };
  };
  return {
    encode: (alert) => (alert.survey === 'ZTF' ? ztfWriter : lsstWriter).write(recordOf(alert)),
    encodeFile: (survey, alerts) =>
      (survey === 'ZTF' ? ztfWriter : lsstWriter).write(
        ...alerts.filter((a) => a.survey === survey).map(recordOf),
      ),
  };
}

/** The real LVK Kafka alert (igwn.gwalert JSON, the map embedded as base64) the GW notices are made from. */
export const LVK_PRELIMINARY_SAMPLE = 'gcn-json/igwn/MS181101ab-preliminary.json';

/**
 * An LVK preliminary alert from the sample as a real (not mock) superevent `supereventId`, merger
 * time t0Mjd, created (time_created) at publishedMjd, its map replaced by `mapBytes` when given
 * (a multi-order FITS file, base64 as LVK sends it).
 */
export function lvkAlert(
  template: string,
  supereventId: string,
  t0Mjd: number,
  publishedMjd: number,
  mapBytes?: Uint8Array,
): Buffer {
  const alert = JSON.parse(template) as {
    superevent_id: string;
    time_created: string;
    event: { time: string; search: string; skymap: string };
  };
  alert.superevent_id = supereventId;
  alert.time_created = new Date(mjdToUnixMs(publishedMjd)).toISOString().replace(/\.\d+Z$/, 'Z');
  alert.event.time = new Date(mjdToUnixMs(t0Mjd)).toISOString();
  // "MDC" and an "MS" id would make it a mock (role test), which never joins.
  alert.event.search = 'AllSky';
  if (mapBytes) alert.event.skymap = Buffer.from(mapBytes).toString('base64');
  return Buffer.from(JSON.stringify(alert), 'utf8');
}
