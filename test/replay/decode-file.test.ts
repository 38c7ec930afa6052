import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildLsstRecords } from '../../scripts/optical/packets.ts';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { AlertFileReader, PREFIX_BYTES } from '../../src/replay/decode-file.ts';
import { encodeContainer } from '../optical/avro-fixtures.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-decode-file-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What decoding the whole file gives (the verdict the prefix read must reproduce). */
function wholeVerdict(path: string): unknown {
  try {
    return { kind: 'alerts', alerts: new OpticalAlertDecoder().decodeContainer(readFileSync(path)) };
  } catch (error) {
    return { kind: 'failed', code: (error as { code?: string }).code };
  }
}

describe('replay alert file reader', { skip: skipUnlessShared() }, async () => {
  // Full-size Rubin alerts: 3 × 30 kB of cutouts after the alert, one alert per container.
  const full = buildLsstRecords({ count: 2, cutoutBytes: 30_000, nPrvDiaSources: 5 });
  const oneAlert = await encodeContainer(full.writerType, full.records.slice(0, 1));
  // A history too long for the prefix: the alert's last kept field lies past PREFIX_BYTES.
  const long = buildLsstRecords({ count: 1, cutoutBytes: 30_000, nPrvDiaSources: 400 });
  const longHistory = await encodeContainer(long.writerType, long.records);
  const write = (name: string, bytes: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  /** A reader that has read one full-size alert (this sample's 34 kB schema grew its prefix to 64 kB). */
  const warmReader = (): AlertFileReader => {
    const reader = new AlertFileReader(new OpticalAlertDecoder());
    reader.decode(write('warm.avro', oneAlert));
    assert.equal(reader.prefixBytes, 2 * PREFIX_BYTES);
    return reader;
  };

  test('a full-size alert is decoded from its first bytes, as from the whole file', () => {
    assert.ok(oneAlert.length > 3 * PREFIX_BYTES);
    const path = write('one.avro', oneAlert);
    const reader = warmReader();
    const result = reader.decode(path);
    assert.deepEqual(result, wholeVerdict(path));
    assert.equal(result.kind, 'alerts');
    assert.deepEqual(reader.counts, { prefix: 1, whole: 1 });
  });

  test('what the prefix cannot settle is read whole, with the same verdict', () => {
    const sync = oneAlert.subarray(oneAlert.length - 16);
    const badSync = Buffer.from(oneAlert);
    badSync[badSync.length - 1] = (sync[15] as number) ^ 0xff;
    const cases: Array<[string, Buffer]> = [
      ['bad-sync.avro', badSync],
      ['truncated.avro', oneAlert.subarray(0, oneAlert.length - 400)],
      ['trailing.avro', Buffer.concat([oneAlert, Buffer.from('garbage')])],
      // One byte after the sync marker: the size is not asked for, so the reader must see it.
      ['one-trailing-byte.avro', Buffer.concat([oneAlert, Buffer.from([0])])],
    ];
    for (const [name, bytes] of cases) {
      const path = write(name, bytes);
      const reader = warmReader();
      const result = reader.decode(path);
      assert.equal(result.kind, 'failed', name);
      assert.match(result.kind === 'failed' ? result.message : '', /^AVRO_MALFORMED: /, name);
      assert.deepEqual(wholeVerdict(path), { kind: 'failed', code: 'AVRO_MALFORMED' }, name);
      assert.deepEqual(reader.counts, { prefix: 0, whole: 2 }, name);
    }
  });

  test('a prefix too short for one-alert files grows, and the next such files are read from it', () => {
    // A history of 400 diaSources puts the alert's last kept field past the first 32 kB.
    const reader = new AlertFileReader(new OpticalAlertDecoder());
    const paths = [0, 1, 2].map((i) => write(`long-${i}.avro`, longHistory));
    const first = reader.decode(paths[0] as string);
    assert.deepEqual(first, wholeVerdict(paths[0] as string));
    assert.equal(first.kind, 'alerts');
    assert.deepEqual(reader.counts, { prefix: 0, whole: 1 });
    assert.ok(reader.prefixBytes > PREFIX_BYTES);
    for (const path of paths) assert.deepEqual(reader.decode(path), first);
    assert.ok(reader.prefixBytes < longHistory.length);
    assert.equal(reader.counts.prefix + reader.counts.whole, 4);
    assert.ok(reader.counts.prefix >= 1);
  });

  test('a container of several alerts and a notice are read whole', async () => {
    const reader = new AlertFileReader(new OpticalAlertDecoder());
    const two = write('two.avro', await encodeContainer(full.writerType, full.records));
    const notice = write('gw.json', readFileSync(samplePath('gcn-json/igwn/initial.txt')));
    const twoResult = reader.decode(two);
    assert.deepEqual(twoResult, wholeVerdict(two));
    assert.equal(twoResult.kind === 'alerts' ? twoResult.alerts.length : 0, 2);
    assert.deepEqual(reader.decode(notice), { kind: 'other' });
    assert.equal(reader.decode(join(dir, 'missing.avro')).kind, 'failed');
    assert.deepEqual(reader.counts, { prefix: 0, whole: 2 });
  });

  test('every real ZTF alert file gives what the whole file gives', () => {
    const folder = samplePath('ztf-avro');
    const names = readdirSync(folder).filter((name) => name.endsWith('.avro'));
    assert.ok(names.length >= 10);
    const reader = new AlertFileReader(new OpticalAlertDecoder());
    for (const name of names)
      assert.deepEqual(reader.decode(join(folder, name)), wholeVerdict(join(folder, name)), name);
    // The archive's one-alert files (~70 kB, cutouts last) are read from their first 32 kB.
    assert.equal(reader.counts.prefix, names.length);
  });
});
