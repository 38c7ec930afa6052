import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Coincidence } from '../../src/join/coincidence.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { feedRecord, loadRecords, runReplay, sortRecords } from '../../src/replay/replay.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { makeAlert, seededRandom } from '../join/make-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-replay-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** S230518h (initial.txt, update.txt): t0 = 2023-05-18T12:59:08.167Z = MJD 60082.54107. */
const T0 = 60_082.541_066_7;
const LATENESS_SEC = 3600;

function writeSyntheticAlerts(): string {
  // Optical alerts around the GW's most probable region, over 7 nights before and 10 after.
  const random = seededRandom(17);
  const lines: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const t = T0 - 8 + 18 * random();
    lines.push(
      JSON.stringify(
        makeAlert({
          objectId: `ZTF23a${String(i).padStart(6, '0')}`,
          alertId: String(2_475_433_850_015_015_000n + BigInt(i)),
          raDeg: 85 + 20 * random(),
          decDeg: -25 + 30 * random(),
          timeMjd: t,
          survey: 'ZTF',
        }),
      ),
    );
  }
  const path = join(dir, 'alerts.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('replay', { skip: skipUnlessShared() }, () => {
  const alertsPath = writeSyntheticAlerts();
  const inputs = [
    samplePath('gcn-json/igwn/initial.txt'),
    samplePath('gcn-json/igwn/update.txt'),
    samplePath('voevent/gw/G298048-1-Initial.xml'),
    samplePath('voevent/grb'),
    alertsPath,
  ];

  test('two runs on the same inputs write byte-identical output', async () => {
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      let out = '';
      const summary = await runReplay({
        paths: inputs,
        engine: { allowedLatenessSec: LATENESS_SEC },
        write: (line) => void (out += line),
      });
      assert.ok(summary.notices > 50 && summary.alerts === 1500);
      runs.push(out);
    }
    assert.ok((runs[0] ?? '').split('\n').length > 10, 'the replay finds coincidences');
    assert.equal(runs[0], runs[1]);
    const records = (runs[0] ?? '')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Coincidence);
    assert.ok(
      records.some(
        (c) =>
          c.pairType === 'mm-optical' &&
          c.trigger.triggerId.includes('S230518h') &&
          c.credibleLevel !== undefined,
      ),
    );
    assert.ok(records.every((c) => c.kind === 'coincidence' && /^[0-9a-f]{32}$/.test(c.id)));
  });

  test('feeding the same inputs live, in arrival order within the allowed lateness, gives the same coincidences', async () => {
    const { records } = await loadRecords(inputs, { credibleLevel: 0.9 });
    const finalState = (stream: typeof records): Map<string, string> => {
      const engine = createJoinEngine({ allowedLatenessSec: LATENESS_SEC });
      const state = new Map<string, string>();
      for (const record of stream) {
        for (const c of feedRecord(engine, record)) {
          if (c.status === 'candidate') state.set(c.id, JSON.stringify(c));
          else state.delete(c.id);
        }
      }
      return state;
    };
    const replayed = finalState(sortRecords(records));
    // Live: each record arrives after its event time by a random delay below the lateness.
    const random = seededRandom(99);
    const live = sortRecords(records)
      .map((record) => ({ record, arrival: record.eventTimeMjd + (random() * 0.95 * LATENESS_SEC) / 86_400 }))
      .sort((a, b) => a.arrival - b.arrival)
      .map((x) => x.record);
    assert.notDeepEqual(
      live.map((r) => r.source),
      sortRecords(records).map((r) => r.source),
      'the live order differs from the replay order',
    );
    const streamed = finalState(live);
    assert.ok(replayed.size > 5);
    assert.deepEqual([...streamed.keys()].sort(), [...replayed.keys()].sort());
    for (const [id, json] of replayed) assert.equal(streamed.get(id), json, id);
  });
});
