/**
 * The reference comparison, live: runs scripts/reference/sky_reference.py with ligo.skymap,
 * mocpy and healpy from .venv on every sky map sample in ../shared, then checks that
 * `coincide skymap` agrees with what ligo.skymap computes now, and that the committed
 * reference values (test/reference/sky/skymaps.json, which the fast tests use) are still what
 * the reference libraries give. Skipped, saying so, when .venv lacks the reference libraries
 * outside CI; a failure in CI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runSkymap } from '../../src/cli/skymap.ts';
import { runVenvPython, skipUnlessVenvModules } from '../helpers/python.ts';
import { PROJECT_ROOT, SHARED_DIR, samplePath, skipUnlessShared } from '../helpers/shared.ts';
import {
  assertSkymapOutputAgrees,
  closeRel,
  readReference,
  type SampleStats,
  type SkymapReference,
} from './reference.ts';

const SCRIPT = join(PROJECT_ROOT, 'scripts', 'reference', 'sky_reference.py');

function runReferenceScript(outDir: string): Promise<void> {
  return runVenvPython(SCRIPT, ['--only', 'skymaps', '--out', outDir, '--shared', SHARED_DIR]);
}

const skip =
  skipUnlessShared() || skipUnlessVenvModules(['ligo.skymap', 'mocpy', 'healpy', 'astropy_healpix']);

describe('live reference: coincide skymap against ligo.skymap run now', { skip }, () => {
  const outDir = mkdtempSync(join(tmpdir(), 'coincide-live-reference-'));
  let live: SkymapReference | undefined;
  const committed = readReference('skymaps.json') as SkymapReference;

  before(async () => {
    await runReferenceScript(outDir);
    live = JSON.parse(readFileSync(join(outDir, 'skymaps.json'), 'utf8')) as SkymapReference;
  });
  after(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  function liveSamples(): SampleStats[] {
    assert.ok(live, 'the reference script produced no output');
    return live.samples;
  }

  it('covers every sky map sample the committed reference covers', () => {
    assert.deepEqual(
      liveSamples().map((s) => s.sample),
      committed.samples.map((s) => s.sample),
    );
    assert.ok(liveSamples().length >= 8);
  });

  it('coincide skymap agrees with ligo.skymap on every sample, at every test position', async () => {
    for (const expected of liveSamples()) {
      for (const position of expected.positions) {
        const out = await runSkymap({
          file: samplePath(expected.sample),
          levels: '50,90',
          contains: `${position.raDeg},${position.decDeg}`,
        });
        try {
          assertSkymapOutputAgrees(out, expected, position);
        } catch (error) {
          throw new Error(
            `${expected.sample} at (${position.raDeg}, ${position.decDeg}): ${(error as Error).message}`,
          );
        }
      }
    }
  });

  it('the committed reference values are still what ligo.skymap gives (to 1e-9)', () => {
    for (const [i, now] of liveSamples().entries()) {
      const then = committed.samples[i];
      assert.ok(then);
      assert.ok(closeRel(now.area50Deg2, then.area50Deg2, 1e-9), `${now.sample} A50`);
      assert.ok(closeRel(now.area90Deg2, then.area90Deg2, 1e-9), `${now.sample} A90`);
      assert.ok(closeRel(now.maxDensityPerSr, then.maxDensityPerSr, 1e-9), `${now.sample} max density`);
      assert.equal(now.positions.length, then.positions.length);
      for (const [j, p] of now.positions.entries()) {
        const q = then.positions[j];
        assert.ok(q);
        assert.ok(Math.abs(p.searchedProb - q.searchedProb) < 1e-9, `${now.sample} searched prob ${j}`);
        assert.ok(closeRel(p.probDensityPerSr, q.probDensityPerSr, 1e-9), `${now.sample} density ${j}`);
      }
    }
  });
});
