import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseLevels, parsePosition, runSkymap } from '../../src/cli/skymap.ts';
import { CoincideError } from '../../src/errors.ts';
import { writeMultiOrderSkyMap } from '../../src/sky/fits-writer.ts';
import { PROJECT_ROOT, samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { assertSkymapOutputAgrees, closeRel, readReference, type SkymapReference } from '../sky/reference.ts';
import { syntheticCells } from '../sky/synthetic-maps.ts';
import { SkyMap } from '../../src/sky/skymap.ts';

const ref = readReference('skymaps.json') as SkymapReference;

describe('coincide skymap agrees with ligo.skymap on every sample', { skip: skipUnlessShared() }, () => {
  for (const expected of ref.samples) {
    it(`prints the credible areas, mode and the level at a position of ${expected.sample}`, async () => {
      const p = expected.positions[1] ?? expected.positions[0];
      assert.ok(p);
      const out = await runSkymap({
        file: samplePath(expected.sample),
        levels: '50,90',
        contains: `${p.raDeg},${p.decDeg}`,
      });
      // coincide skymap reports on the normalised map (as the join uses it); ligo-skymap-stats
      // does not renormalise, so its levels and densities are the normalised ones × Σ P.
      const total = out.totalProbability as number;
      const asLigo = {
        ...out,
        credibleLevel: (out.credibleLevel as number) * total,
        probDensityPerDeg2: (out.probDensityPerDeg2 as number) * total,
      };
      assertSkymapOutputAgrees(asLigo, expected, p);
    });
  }
});

describe('coincide skymap command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-skymap-'));
  const file = join(dir, 'blob.fits');
  writeFileSync(
    file,
    writeMultiOrderSkyMap(syntheticCells({ name: 'c', raDeg: 120, decDeg: -30, sigmaDeg: 3, baseOrder: 6 })),
  );
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON object with the areas at the requested levels and exits 0', () => {
    const run = spawnSync(
      join(PROJECT_ROOT, 'bin', 'coincide.js'),
      ['skymap', file, '--levels', '50,90,95', '--contains', '120,-30'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    const synthetic = ref.synthetic.find((s) => s.spec.name === 'gauss-flat-o6');
    assert.ok(synthetic);
    assert.ok(closeRel(out.area90Deg2 as number, synthetic.area90Deg2, 1e-9));
    assert.ok((out.area95Deg2 as number) > (out.area90Deg2 as number));
    assert.ok((out.credibleLevel as number) < 0.05); // the most probable cell holds ~1.5 %
  });

  it('names the file and the problem on one stderr line and exits 2 for bad input', () => {
    const bad = join(dir, 'bad.fits');
    writeFileSync(bad, 'not a sky map');
    const run = spawnSync(join(PROJECT_ROOT, 'bin', 'coincide.js'), ['skymap', bad], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    const lines = run.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /bad\.fits: FITS_MALFORMED/);
  });

  it('parses levels in percent or fraction and positions in degrees, refusing others with USAGE', () => {
    assert.deepEqual(parseLevels('50,90'), [0.5, 0.9]);
    assert.deepEqual(parseLevels('0.68'), [0.68]);
    assert.deepEqual(parsePosition('10.5,-20'), { raDeg: 10.5, decDeg: -20 });
    for (const fn of [
      () => parseLevels('0,90'),
      () => parseLevels('x'),
      () => parsePosition('1'),
      () => parsePosition('1,95'),
    ]) {
      assert.throws(fn, (e: unknown) => e instanceof CoincideError && e.code === 'USAGE');
    }
  });
});

describe('coincide skymap renormalises', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-skymap-norm-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports areas of the normalised map and warns when the sum is off by more than 1e-3', async () => {
    const cells = syntheticCells({ name: 'n', raDeg: 40, decDeg: 10, sigmaDeg: 2, baseOrder: 6 });
    const scaled = { ...cells, densityPerSr: cells.densityPerSr.map((d) => d * 0.99) };
    const file = join(dir, 'low.fits');
    writeFileSync(file, writeMultiOrderSkyMap(scaled));
    const out = await runSkymap({ file, levels: '90' });
    const normalised = new SkyMap(scaled).normalised();
    assert.ok(closeRel(out.totalProbability as number, 0.99, 1e-6));
    assert.ok(closeRel(out.area90Deg2 as number, normalised.credibleAreaDeg2(0.9), 1e-12));
    assert.match((out.warnings as string[])[0] ?? '', /sum to 0\.990000/);
    const run = spawnSync(join(PROJECT_ROOT, 'bin', 'coincide.js'), ['skymap', file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /warning: sky map probabilities sum to 0\.99/);
    // Within 1e-3 of 1: renormalised, no warning.
    const close = join(dir, 'close.fits');
    writeFileSync(
      close,
      writeMultiOrderSkyMap({ ...cells, densityPerSr: cells.densityPerSr.map((d) => d * 0.9995) }),
    );
    assert.equal((await runSkymap({ file: close, levels: '90' })).warnings, undefined);
  });
});
