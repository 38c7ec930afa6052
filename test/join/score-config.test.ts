/**
 * Windows, rates, trials factors and tier thresholds from the configuration file, the
 * environment and flags (src/config/options.ts scores.*), into the join engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { joinOptionsFromConfig } from '../../src/join/score-config.ts';
import { DEFAULT_SCORE_SETTINGS } from '../../src/join/searches.ts';
import { DEFAULT_WINDOWS } from '../../src/join/windows.ts';
import { circle, makeNotice } from './make-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-score-config-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('scores configuration', () => {
  test('the defaults are the engine defaults', () => {
    const options = joinOptionsFromConfig(loadConfig().scores);
    assert.deepEqual(options.windows, DEFAULT_WINDOWS);
    assert.deepEqual(options.scores, DEFAULT_SCORE_SETTINGS);
  });

  test('file, environment and flags each set their part, and reach the engine', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ scores: { goldMargin: 1000, henRatePerYear: 20 } }));
    const config = loadConfig({
      configFile: file,
      env: { COINCIDE_SCORES_TRIALS_FACTOR_CBC: '4', COINCIDE_SCORES_GRB_RATE_PER_YEAR: '300' },
      flags: { 'scores-window': ['gw-cbc/grb=-2..6', 'gw-burst/snews=-20..20'] },
    });
    const options = joinOptionsFromConfig(config.scores);
    assert.deepEqual(options.windows['gw-cbc×grb'], { startSec: -2, endSec: 6 });
    assert.deepEqual(options.windows['gw-burst×snews'], { startSec: -20, endSec: 20 });
    assert.equal(options.scores.trialsFactors.CBC.AllSky, 4);
    assert.equal(options.scores.goldMargin, 1000);
    assert.equal(options.scores.henRatePerYear, 20);
    const engine = createJoinEngine(options);
    engine.onNotice(
      makeNotice({
        triggerId: 'LVK:S1',
        messenger: 'gw',
        timeMjd: 60_000,
        farHz: 1e-9,
        region: circle(1, 1, 5),
      }),
    );
    const [pair] = engine.onNotice(
      makeNotice({ triggerId: 'Fermi:1', timeMjd: 60_000 + 5.5 / 86_400, region: circle(2, 1, 5) }),
    );
    assert.ok(pair, 'Δt = 5.5 s is inside the configured [−2, 6] s window');
    assert.equal(pair.provenance.rates.trialsFactor, 4);
    assert.equal(pair.provenance.rates.windowLengthSec, 8);
    assert.equal(pair.provenance.rates.counterpartRateHz, 300 / 31_536_000);
  });

  test('a bad window or threshold stops the start with CONFIG_INVALID', () => {
    for (const flags of [
      { 'scores-window': ['gw-cbc/grb=5..-1'] },
      { 'scores-window': ['gw-cbc/nothing=-1..5'] },
      { 'scores-window': ['gw-cbc grb -1 5'] },
      { 'scores-optical-gold-pchance': '0.5' },
    ]) {
      assert.throws(
        () => loadConfig({ flags }),
        (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID',
      );
    }
  });
});
