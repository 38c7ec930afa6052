/**
 * Helpers for the optical tests: the reference ids computed with fastavro, sample loading, and
 * an Avro container writer built on avsc's own BlockEncoder (an encoder independent of the
 * reader under test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { OpticalAlertDecoder, type CompiledSchema } from '../../src/optical/alert-decoder.ts';
import type { AvroRecord } from '../../src/optical/record-fields.ts';
import { PROJECT_ROOT, samplePath } from '../helpers/shared.ts';

export interface ZtfReference {
  survey: 'ZTF';
  objectId: string;
  candid: string;
  candidateCandid: string;
  ra: number;
  dec: number;
  jd: number;
  fid: number;
  magpsf: number;
  isdiffpos: string;
  jdstarthist: number | null;
  drb: number | null;
  rb: number | null;
  ssdistnr: number | null;
  nPrvCandidates: number;
}

export interface LsstReference {
  survey: 'LSST';
  diaSourceId: string;
  diaSourceDiaObjectId: string | null;
  diaObjectId: string | null;
  prvDiaSourceIds: string[];
  ra: number;
  dec: number;
  midpointMjdTai: number;
  band: string | null;
  psfFlux: number;
}

export interface OpticalReference {
  generatedBy: string;
  samples: Record<string, Array<ZtfReference | LsstReference>>;
  taiToUtc: Array<{ mjdTai: number; mjdUtc: number }>;
}

export function loadReference(): OpticalReference {
  return JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'test', 'reference', 'optical-ids.json'), 'utf8'),
  ) as OpticalReference;
}

/** The full (unprojected) records of a sample container, with the compiled writer schema. */
export function sampleRecords(relativePath: string): { compiled: CompiledSchema; records: AvroRecord[] } {
  return new OpticalAlertDecoder({ projected: false }).containerRecords(
    readFileSync(samplePath(relativePath)),
  );
}

/** Writes records as an Avro container with avsc's BlockEncoder (codec null or deflate; optionally a fixed sync marker). */
export async function encodeContainer(
  type: avro.Type,
  records: readonly unknown[],
  options: { codec?: 'null' | 'deflate'; blockSize?: number; syncMarker?: Buffer } = {},
): Promise<Buffer> {
  const encoder = new avro.streams.BlockEncoder(type, {
    codec: options.codec ?? 'null',
    ...(options.blockSize === undefined ? {} : { blockSize: options.blockSize }),
    // A fixed marker makes the bytes reproducible (avsc draws a random one).
    ...(options.syncMarker === undefined ? {} : { syncMarker: options.syncMarker }),
  });
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    encoder.on('end', resolve);
    encoder.on('error', reject);
  });
  for (const record of records) encoder.write(record);
  encoder.end();
  await done;
  return Buffer.concat(chunks);
}
