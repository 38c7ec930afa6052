import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { archiveCompression, readArchive } from '../../src/replay/archive.ts';
import { expandInputPaths, readInputs } from '../../src/replay/inputs.ts';
import { listFiles, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-archive-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('replay archives', { skip: skipUnlessShared() }, () => {
  // A 4PiSky-like dump: real VOEvents rewritten as single-line XML, packed with the system tar.
  const samples = listFiles(join(SAMPLES_DIR, 'voevent', 'grb'), ['.xml']).slice(0, 12);
  const folder = join(dir, 'dump');
  execFileSync('mkdir', ['-p', folder]);
  for (const path of samples) {
    writeFileSync(join(folder, basename(path)), readFileSync(path, 'utf8').replace(/\r?\n\s*/g, ' '));
  }
  const names = samples.map((p) => basename(p)).sort();
  for (const [flag, ext] of [
    ['-cf', 'tar'],
    ['-czf', 'tar.gz'],
    ['-cjf', 'tar.bz2'],
  ] as const) {
    execFileSync('tar', [flag, join(dir, `dump.${ext}`), '-C', folder, ...names]);
  }

  for (const ext of ['tar', 'tar.gz', 'tar.bz2']) {
    test(`a .${ext} archive yields every member with its bytes`, async () => {
      const path = join(dir, `dump.${ext}`);
      const compression = archiveCompression(path);
      assert.ok(compression);
      const entries = [];
      for await (const entry of readArchive(path, compression)) entries.push(entry);
      assert.deepEqual(
        entries.map((e) => e.name),
        names.map((n) => `${path}!${n}`),
      );
      for (const entry of entries) {
        const name = entry.name.split('!')[1] ?? '';
        assert.ok(entry.bytes.equals(readFileSync(join(folder, name))), name);
      }
    });
  }

  test('folders are read recursively in name order, archives inside them opened', async () => {
    const got: string[] = [];
    for await (const doc of readInputs([folder, join(dir, 'dump.tar.gz')]))
      got.push(basename(doc.name.split('!').pop() ?? ''));
    assert.deepEqual(got, [...names, ...names]);
  });

  test('a corrupt bzip2 archive is a coded error, and a missing path is NOT_FOUND', async () => {
    const bad = join(dir, 'bad.tar.bz2');
    writeFileSync(bad, 'BZh9 not really');
    await assert.rejects(
      async () => {
        for await (const entry of readArchive(bad, 'bzip2')) assert.fail(entry.name);
      },
      { code: 'INPUT_BINARY' },
    );
    assert.throws(() => expandInputPaths([join(dir, 'missing')]), { code: 'NOT_FOUND' });
  });
});
