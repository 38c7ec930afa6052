/**
 * Optical alerts in the real ZTF and Rubin/LSST packet layouts (the upstream samples' writer
 * schemas, read from ../shared), with chosen object, position and time, for the cluster tests
 * and bench/cluster.ts. Each alert is one Avro object container (as ZTF publishes on Kafka; the
 * LSST records are framed the same way, since `coincide serve` has no schema registry
 * configured here). Cutouts and history are left out (null), so that a night of 50,000 alerts
 * stays small enough for a CI broker; every field the join reads is set:
 *  - ZTF: objectId, candid, candidate.{jd, jdstarthist (= jd: a new object), ra, dec,
 *    isdiffpos 't', rb/drb 0.9, ssdistnr -999};
 *  - LSST: diaSourceId, diaSource.{diaObjectId, midpointMjdTai, ra, dec, psfFlux > 0,
 *    reliability 0.9}, diaObject.firstDiaSourceMjdTai (= the detection: new).
 * The container bytes are built by hand (header once per schema, one block per alert):
 * avsc's BlockEncoder is a stream and costs a tick per alert.
 */
import { randomBytes } from 'node:crypto';
import type avro from 'avsc';
import { LSST_SAMPLE_FILE, readSample, ZTF_SAMPLE_FILES } from '../../scripts/optical/packets.ts';
import type { AvroRecord } from '../../src/optical/record-fields.ts';

const JD_MINUS_MJD = 2_400_000.5;

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
    const schema = JSON.stringify(type.schema({ exportAttrs: true }));
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

  /** One container holding one record. */
  write(record: AvroRecord): Buffer {
    const data = this.type.toBuffer(record);
    return Buffer.concat([this.header, avroLong(1), avroLong(data.length), data, this.sync]);
  }
}

export interface NightEncoder {
  encode(alert: NightAlert): Buffer;
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
  return {
    encode(alert) {
      if (alert.survey === 'ZTF') {
        const jd = alert.mjd + JD_MINUS_MJD;
        const candid = BigInt(alert.alertId);
        return ztfWriter.write({
          ...ztfTemplate,
          objectId: alert.objectId,
          candid,
          candidate: {
            ...ztfCandidate,
            candid,
            jd,
            jdstarthist: jd,
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
        });
      }
      const diaSourceId = BigInt(alert.alertId);
      const diaObjectId = BigInt(alert.objectId);
      return lsstWriter.write({
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
          ? { ...lsstObject, diaObjectId, firstDiaSourceMjdTai: alert.mjd, nDiaSources: 1 }
          : null,
        cutoutDifference: null,
        cutoutScience: null,
        cutoutTemplate: null,
      });
    },
  };
}
