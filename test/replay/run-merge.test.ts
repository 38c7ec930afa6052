/**
 * The replay's merge of sorted runs (issue 14): released in the order the full sort gives, while
 * runs still arrive when they come in order; a run out of order is detected and the whole input
 * is then given again, in order.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplayRecord } from '../../src/replay/decode-input.ts';
import { sortRecords } from '../../src/replay/replay.ts';
import { RunMerge, sortedRun, WINDOW_RUNS } from '../../src/replay/run-merge.ts';
import { makeAlert, seededRandom } from '../join/make-records.ts';

const T0 = 61_000.1;

/** `files` files of `each` alerts; file f spans [T0 + f·step, T0 + f·step + span) (overlapping when span > step). */
function files(count: number, each: number, stepDays: number, spanDays: number): ReplayRecord[][] {
  const random = seededRandom(7);
  let id = 0;
  return Array.from({ length: count }, (_, f) =>
    Array.from({ length: each }, () => {
      const alert = makeAlert({
        objectId: `o${id}`,
        alertId: String(1_000_000 + id++),
        raDeg: 360 * random(),
        decDeg: 0,
        timeMjd: T0 + f * stepDays + spanDays * random(),
      });
      return { kind: 'alert' as const, eventTimeMjd: alert.timeMjd, alert, source: `f${f}` };
    }),
  );
}

describe('replay run merge', () => {
  test('files through the night, several per stretch: released early, in the order of the full sort', () => {
    // 3 files per stretch (interleaved in time within it), 30 stretches; plus notices decoded first.
    const stretches = files(90, 40, 0.01, 0.01).map((records, f) =>
      records.map((r) => ({ ...r, eventTimeMjd: r.eventTimeMjd - (f % 3) * 0.01 })),
    );
    const merge = new RunMerge({ windowRuns: WINDOW_RUNS, windowRecords: 100 });
    const out: ReplayRecord[] = [];
    let releasedBeforeEnd = 0;
    for (const [f, records] of stretches.entries()) {
      assert.ok(merge.add(sortedRun(records, f)), `file ${f} in order`);
      for (const r of merge.release(false)) out.push(r);
      if (f < stretches.length - 1) releasedBeforeEnd = out.length;
    }
    for (const r of merge.release(true)) out.push(r);
    assert.equal(merge.speculationFailed, false);
    assert.ok(releasedBeforeEnd > out.length / 2, `released before the last file: ${releasedBeforeEnd}`);
    assert.deepEqual(out, sortRecords(stretches.flat()));
  });

  test('a file that starts before what was released: detected, and everything given again in order', () => {
    const runs = files(WINDOW_RUNS * 4, 20, 0.02, 0.01);
    const late = runs.splice(2, 1)[0] as ReplayRecord[];
    runs.push(late); // the third stretch named last
    const merge = new RunMerge({ windowRuns: WINDOW_RUNS, windowRecords: 100 });
    const verdicts = runs.map((records, f) => {
      const ok = merge.add(sortedRun(records, f));
      for (const record of merge.release(false)) assert.ok(record);
      return ok;
    });
    assert.equal(verdicts.at(-1), false);
    assert.equal(merge.speculationFailed, true);
    assert.deepEqual([...merge.release(true)], [], 'nothing more is released once broken');
    assert.deepEqual([...merge.all()], sortRecords(runs.flat()));
  });

  test('runs outside the speculation (notices) never move what may be released', () => {
    const [a, b] = files(2, 10, 0.5, 0.1);
    const merge = new RunMerge({ windowRuns: WINDOW_RUNS, windowRecords: 100 });
    const notice = (a ?? []).map((r) => ({ ...r, eventTimeMjd: r.eventTimeMjd + 5 }));
    assert.ok(merge.add(sortedRun(notice, 0), false));
    assert.deepEqual([...merge.release(false)], [], 'nothing ordered yet: nothing released');
    assert.ok(merge.add(sortedRun(a ?? [], 1)));
    assert.ok(merge.add(sortedRun(b ?? [], 2)));
    const out = [...merge.release(false), ...merge.release(true)];
    assert.deepEqual(out, sortRecords([...notice, ...(a ?? []), ...(b ?? [])]));
  });
});
