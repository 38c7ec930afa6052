/**
 * Optical alerts in Avro (src/optical/alert-decoder.ts, avro-container.ts, projected-reader.ts,
 * avro-skip.ts, wire-format.ts): ZTF containers and Confluent-framed LSST records, read by the
 * projected decoder (the default: skips cutouts and histories) and by the full avsc decoder.
 * Property beyond "coded refusal" (documented in alert-decoder.ts): when both decoders read a
 * message, they give the same OpticalAlerts.
 *
 * Seeds: the ZTF and LSST samples of ../shared (LSST records re-framed Confluent-style, their
 * schemas in a LocalSchemaRegistry), and a ZTF-shaped container written here with avsc from a
 * small schema of the fields the mapping reads (so that a clone without ../shared has seeds).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import fc from 'fast-check';
import { OpticalAlertDecoder } from '../../../src/optical/alert-decoder.ts';
import { exactLongOptions } from '../../../src/optical/avro-long.ts';
import { LocalSchemaRegistry } from '../../../src/optical/schema-registry.ts';
import { encodeConfluentMessage } from '../../../src/optical/wire-format.ts';
import { encodeContainer } from '../../../test/optical/avro-fixtures.ts';
import { listFiles, SAMPLES_DIR } from '../../../test/helpers/shared.ts';
import { mutatedSeeds, pristineSeeds, showBytes, type Seed } from '../mutate.ts';
import { countSeeds, madeSeed, sharedSeeds } from '../seeds.ts';
import { FuzzFinding, type FuzzTarget } from '../target.ts';

const nullable = (type: unknown): unknown => ['null', type];

/** The fields the ZTF mapping reads, plus a history and a cutout (skipped by the projected reader). */
export const SMALL_ZTF_SCHEMA = {
  type: 'record',
  name: 'alert',
  namespace: 'ztf',
  fields: [
    { name: 'schemavsn', type: 'string' },
    { name: 'publisher', type: 'string' },
    { name: 'objectId', type: 'string' },
    { name: 'candid', type: 'long' },
    {
      name: 'candidate',
      type: {
        type: 'record',
        name: 'candidate',
        fields: [
          { name: 'jd', type: 'double' },
          { name: 'fid', type: 'int' },
          { name: 'candid', type: 'long' },
          { name: 'isdiffpos', type: 'string' },
          { name: 'ra', type: 'double' },
          { name: 'dec', type: 'double' },
          { name: 'magpsf', type: 'float' },
          { name: 'sigmapsf', type: 'float' },
          { name: 'jdstarthist', type: nullable('double') },
          { name: 'drb', type: nullable('float') },
          { name: 'rb', type: nullable('float') },
          { name: 'ssdistnr', type: nullable('float') },
          { name: 'ssmagnr', type: nullable('float') },
          { name: 'ssnamenr', type: nullable('string') },
          { name: 'ndethist', type: 'int' },
        ],
      },
    },
    {
      name: 'prv_candidates',
      type: nullable({
        type: 'array',
        items: {
          type: 'record',
          name: 'prv',
          fields: [
            { name: 'jd', type: 'double' },
            { name: 'magpsf', type: nullable('float') },
          ],
        },
      }),
    },
    {
      name: 'cutoutScience',
      type: nullable({
        type: 'record',
        name: 'cutout',
        fields: [
          { name: 'fileName', type: 'string' },
          { name: 'stampData', type: 'bytes' },
        ],
      }),
    },
  ],
};

function smallZtfRecord(i: number): unknown {
  return {
    schemavsn: '4.02',
    publisher: 'fuzz',
    objectId: `ZTF26aaaa${String(i).padStart(3, 'a')}`,
    candid: 2_475_433_850_015_015_000n + BigInt(i),
    candidate: {
      jd: 2_461_000.5 + i,
      fid: 1 + (i % 3),
      candid: 2_475_433_850_015_015_000n + BigInt(i),
      isdiffpos: i % 2 === 0 ? 't' : 'f',
      ra: (i * 37) % 360,
      dec: ((i * 17) % 180) - 90,
      magpsf: 18.5,
      sigmapsf: 0.1,
      jdstarthist: i % 2 === 0 ? 2_460_990.5 : null,
      drb: 0.99,
      rb: null,
      ssdistnr: i % 3 === 0 ? 1.5 : -999,
      ssmagnr: 19,
      ssnamenr: i % 3 === 0 ? '1234' : null,
      ndethist: i,
    },
    prv_candidates: Array.from({ length: i % 4 }, (_, k) => ({
      jd: 2_460_999.5 - k,
      magpsf: k % 2 ? null : 19,
    })),
    cutoutScience: { fileName: 'x.fits.gz', stampData: Buffer.alloc(64, i) },
  };
}

/** Alerts comparable as JSON (exact 64-bit ids as strings). */
const json = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

async function lsstConfluentSeeds(registry: LocalSchemaRegistry): Promise<Seed[]> {
  const seeds: Seed[] = [];
  const full = new OpticalAlertDecoder({ projected: false, registry });
  for (const path of listFiles(join(SAMPLES_DIR, 'lsst-avro'), ['.avro'])) {
    const version = /v(\d+)_(\d+)/.exec(path);
    if (!version) continue;
    const id = Number(version[1]) * 100 + Number(version[2]);
    const compiled = await full.compiledForId(id);
    const { records } = full.containerRecords(readFileSync(path));
    for (const record of records.slice(0, 2)) {
      seeds.push(
        madeSeed(
          `${path} as Confluent id ${id}`,
          encodeConfluentMessage(id, compiled.writerType.toBuffer(record)),
        ),
      );
    }
  }
  return seeds;
}

export const avroAlertsTarget: FuzzTarget<Uint8Array> = {
  name: 'avro-alerts',
  covers:
    'src/optical/alert-decoder.ts, avro-container.ts, projected-reader.ts, avro-skip.ts, wire-format.ts',
  async setup({ sharedSeeds: useShared }) {
    const smallType = avro.Type.forSchema(SMALL_ZTF_SCHEMA as avro.Schema, exactLongOptions());
    const records = Array.from({ length: 4 }, (_, i) => smallZtfRecord(i));
    const registry = useShared
      ? LocalSchemaRegistry.fromDirectory(join(SAMPLES_DIR, 'lsst-avro'))
      : new LocalSchemaRegistry();
    registry.add(1, SMALL_ZTF_SCHEMA);
    const made = [
      madeSeed('small ZTF container, 1 alert', await encodeContainer(smallType, records.slice(0, 1))),
      madeSeed(
        'small ZTF container, 4 alerts in 2 blocks',
        await encodeContainer(smallType, records, { blockSize: 300 }),
      ),
      madeSeed(
        'small ZTF container, deflate',
        await encodeContainer(smallType, records, { codec: 'deflate' }),
      ),
      madeSeed('small ZTF record, Confluent id 1', encodeConfluentMessage(1, smallType.toBuffer(records[1]))),
    ];
    const shared = [
      ...sharedSeeds(useShared, 'ztf-avro', ['.avro']),
      ...sharedSeeds(useShared, 'lsst-avro', ['.avro']),
      ...(useShared ? await lsstConfluentSeeds(registry) : []),
    ];
    const all = [...made, ...shared];
    const projected = new OpticalAlertDecoder({ projected: true, registry });
    const full = new OpticalAlertDecoder({ projected: false, registry });
    // Every registered schema compiled up front: the synchronous path then serves every id.
    for (const id of [1, ...(useShared ? [704, 900, 1000, 1100] : [])]) {
      await projected.compiledForId(id).catch(() => undefined);
      await full.compiledForId(id).catch(() => undefined);
    }
    return {
      arbitrary: fc.oneof(
        { weight: 8, arbitrary: mutatedSeeds(all, { focusBytes: 32 * 1024 }) },
        { weight: 2, arbitrary: mutatedSeeds(all) },
        { weight: 1, arbitrary: pristineSeeds(all) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
      ),
      async run(bytes) {
        const fromProjected = projected.decodeMessageSync(bytes) ?? (await projected.decodeMessage(bytes));
        let fromFull: unknown;
        try {
          fromFull = full.decodeMessageSync(bytes) ?? (await full.decodeMessage(bytes));
        } catch {
          return; // the full decoder reads to the end of every record: it may refuse what the projected one need not read
        }
        if (json(fromProjected) !== json(fromFull)) {
          throw new FuzzFinding(
            `projected and full decoders differ: ${json(fromProjected).slice(0, 300)} vs ${json(fromFull).slice(0, 300)}`,
          );
        }
      },
      show: showBytes,
      seedCounts: countSeeds({ made, shared }),
    };
  },
};
