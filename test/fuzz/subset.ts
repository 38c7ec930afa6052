/**
 * The npm-test subset of the fuzzing suite: a hundred seeded cases of each target
 * (bench/fuzz/targets/), all in one worker thread (its start-up is most of the time) under the
 * same watchdog as `npm run fuzz`.
 *
 * Each target's test asserts no finding: no crash, no refusal without a known code, no broken
 * property, no gross hang (the watchdog, 20 s per case) and no heap blow-up (the thread's
 * 512 MB cap). Case times are recorded and printed, never asserted (machines are loaded);
 * `npm run fuzz` asserts the 1 s bound over 100,000 cases per target. Without ../shared the
 * fixtures are the only seeds, and the tests say so (under CI, ../shared missing is a failure).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { superviseFuzzTargets, type SupervisedStats } from '../../bench/fuzz/supervise.ts';
import { skipUnlessShared } from '../helpers/shared.ts';

export const SUBSET_SEED = 1;

export function fuzzSubset(title: string, targets: readonly string[], cases = 100): void {
  describe(title, () => {
    let results = new Map<string, SupervisedStats>();
    let skip: false | string = false;
    before(async () => {
      skip = skipUnlessShared();
      results = await superviseFuzzTargets(targets, {
        cases,
        seed: SUBSET_SEED,
        sharedSeeds: skip === false,
        watchdogMs: 20_000,
        maxHeapMb: 512,
      });
    });
    for (const target of targets) {
      test(`${target}: ${cases} seeded cases, every refusal coded, no crash, no hang, bounded heap`, (t) => {
        if (skip !== false)
          t.diagnostic(`${skip}: the shared seeds are skipped, fuzzing from the project's fixtures`);
        const stats = results.get(target);
        assert.ok(stats, `no result for ${target}`);
        t.diagnostic(
          `${stats.cases} cases: ${stats.accepted} accepted, refusals ${JSON.stringify(stats.refusals)}; ` +
            `max case ${stats.maxCaseMs.toFixed(1)} ms (recorded, not asserted); seeds ${JSON.stringify(stats.seedCounts)}`,
        );
        assert.deepEqual(
          stats.findings.map(
            (f) => `${f.kind} at case ${f.caseIndex}: ${f.message}\n  input ${f.input.slice(0, 400)}`,
          ),
          [],
        );
        assert.equal(stats.cases, cases);
      });
    }
  });
}
