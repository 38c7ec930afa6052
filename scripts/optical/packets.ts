/**
 * Realistic full-size alert packets for tests and bench/optical.ts, built from the upstream
 * samples (read from ../shared, never copied into the project):
 *  - ZTF: the real sample packets as they are (each ~60-90 kB with three cutouts and up to a
 *    few dozen prv_candidates; schema 3.3 and 4.01), with candid/objectId varied per copy;
 *  - LSST: the Rubin schema 11.0 sample (which has no cutouts and 2 previous sources) grown
 *    to production size: three cutouts of `cutoutBytes` seeded random bytes (Rubin's design
 *    note gives ~100 kB alerts dominated by cutouts), `nPrvDiaSources` previous diaSources and
 *    `nPrvForcedSources` forced-photometry rows (12 months of history).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type avro from 'avsc';
import { OpticalAlertDecoder, type CompiledSchema } from '../../src/optical/alert-decoder.ts';
import type { AvroRecord } from '../../src/optical/record-fields.ts';
import { seededRandom } from '../../src/seeded-random.ts';
export { seededRandom };

export const SAMPLES_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'upstream-samples');

export const ZTF_SAMPLE_FILES = [
  '1127495406315015005.avro',
  '1127536316315015004.avro',
  '1127561440015015001.avro',
  '2475433850015015000.avro',
  '2475433850015015001.avro',
  '2475433850015015022.avro',
  '2475433850215010008.avro',
  '2475433850315015009.avro',
  '2475433850415015004.avro',
  '472263571115115000.avro',
  'ZTF19acihgng.avro',
  'ZTF19acxxwrs.avro',
  'ZTF19acyfkzd.avro',
].map((name) => join('ztf-avro', name));

export const LSST_SAMPLE_FILE = join('lsst-avro', 'v11_0', 'fakeAlert.avro');
/** Rubin's registry id for schema 11.0 (MAJOR * 100 + MINOR). */
export const LSST_SCHEMA_ID = 1100;

function randomBytes(random: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** The full records of one sample container, with its compiled writer schema. */
export function readSample(relativePath: string): { compiled: CompiledSchema; records: AvroRecord[] } {
  return new OpticalAlertDecoder({ projected: false }).containerRecords(
    readFileSync(join(SAMPLES_DIR, relativePath)),
  );
}

export interface LsstPacketOptions {
  count: number;
  seed?: number;
  nPrvDiaSources?: number;
  nPrvForcedSources?: number;
  cutoutBytes?: number;
}

/** `count` distinct full-size LSST alert records (writer type: schema 11.0). */
export function buildLsstRecords(options: LsstPacketOptions): {
  writerType: avro.Type;
  records: AvroRecord[];
} {
  const { compiled, records } = readSample(LSST_SAMPLE_FILE);
  const sample = records[0] as AvroRecord;
  const random = seededRandom(options.seed ?? 1);
  const nPrv = options.nPrvDiaSources ?? 30;
  const nForced = options.nPrvForcedSources ?? 30;
  const cutoutBytes = options.cutoutBytes ?? 28_000;
  const source = sample.diaSource as AvroRecord;
  const forced = (sample.prvDiaForcedSources as AvroRecord[] | null)?.[0];
  const out: AvroRecord[] = [];
  for (let i = 0; i < options.count; i++) {
    const diaSourceId = 313853035123000000n + BigInt(i) * 1000n;
    const diaObjectId = 313853035123999000n + BigInt(i);
    const t = 60950 + i * 1e-4;
    const ra = (source.ra as number) + (random() - 0.5);
    const dec = (source.dec as number) + (random() - 0.5);
    const previous = Array.from({ length: nPrv }, (_, k) => ({
      ...source,
      diaSourceId: diaSourceId - BigInt(k + 1),
      diaObjectId,
      midpointMjdTai: t - 3 * (k + 1),
      ra,
      dec,
      psfFlux: 1000 * random(),
    }));
    const forcedRows = forced
      ? Array.from({ length: nForced }, (_, k) => ({
          ...forced,
          diaObjectId,
          midpointMjdTai: t - 2 * (k + 1),
        }))
      : null;
    out.push({
      ...sample,
      diaSourceId,
      diaSource: {
        ...source,
        diaSourceId,
        diaObjectId,
        midpointMjdTai: t,
        ra,
        dec,
        psfFlux: 2000 * random() - 500,
      },
      prvDiaSources: previous,
      prvDiaForcedSources: forcedRows,
      diaObject: sample.diaObject
        ? {
            ...(sample.diaObject as AvroRecord),
            diaObjectId,
            firstDiaSourceMjdTai: t - 3 * nPrv,
            nDiaSources: nPrv + 1,
          }
        : null,
      cutoutDifference: randomBytes(random, cutoutBytes),
      cutoutScience: randomBytes(random, cutoutBytes),
      cutoutTemplate: randomBytes(random, cutoutBytes),
    });
  }
  return { writerType: compiled.writerType, records: out };
}

/** `count` ZTF records cycling through the real samples, each with its own candid. */
export function buildZtfRecords(count: number): Array<{ writerType: avro.Type; record: AvroRecord }> {
  const samples = ZTF_SAMPLE_FILES.map((file) => {
    const { compiled, records } = readSample(file);
    return { writerType: compiled.writerType, record: records[0] as AvroRecord };
  });
  const out: Array<{ writerType: avro.Type; record: AvroRecord }> = [];
  for (let i = 0; i < count; i++) {
    const { writerType, record } = samples[i % samples.length] as {
      writerType: avro.Type;
      record: AvroRecord;
    };
    const candid = 2500000000015015000n + BigInt(i);
    out.push({
      writerType,
      record: { ...record, candid, candidate: { ...(record.candidate as AvroRecord), candid } },
    });
  }
  return out;
}
