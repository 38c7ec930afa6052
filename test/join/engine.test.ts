import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJoinEngine } from '../../src/join/engine.ts';
import type { Coincidence, OpticalSummary } from '../../src/join/coincidence.ts';
import { circle, makeAlert, makeNotice } from './make-records.ts';

const T0 = 60_000.5;
const HOUR = 1 / 24;

describe('join engine, messenger × optical', () => {
  test('an alert first detected after the trigger inside its circle becomes a candidate', () => {
    const engine = createJoinEngine();
    assert.deepEqual(
      engine.onNotice(makeNotice({ triggerId: 'GRB:1', timeMjd: T0, region: circle(150, 20, 5) })),
      [],
    );
    const out = engine.onOpticalAlert(
      makeAlert({ objectId: 'o1', raDeg: 151, decDeg: 20.5, timeMjd: T0 + HOUR }),
    );
    assert.equal(out.length, 1);
    const c = out[0] as Coincidence;
    assert.equal(c.kind, 'coincidence');
    assert.equal(c.status, 'candidate');
    assert.equal(c.pairType, 'mm-optical');
    assert.equal(c.role, 'observation');
    assert.equal(c.trigger.triggerId, 'GRB:1');
    assert.equal((c.counterpart as OpticalSummary).objectId, 'o1');
    assert.ok(Math.abs(c.dtSeconds - 3600) < 1e-3);
    assert.ok(c.pChance > 0 && c.pChance < 1);
    assert.deepEqual(c.provenance.window, { startSec: 0, endSec: 3 * 86_400 });
    assert.equal(c.provenance.alertIds.length, 1);
    assert.match(c.provenance.regionHash, /^[0-9a-f]{64}$/);
    assert.ok(c.separationDeg !== null && c.separationDeg > 0.9 && c.separationDeg < 1.2);
  });

  test('alerts outside the region, before the trigger, after the window, bogus, negative or solar-system never match', () => {
    const engine = createJoinEngine();
    engine.onNotice(makeNotice({ triggerId: 'GRB:1', timeMjd: T0, region: circle(150, 20, 5) }));
    const rejected = [
      makeAlert({ objectId: 'far', raDeg: 170, decDeg: 20, timeMjd: T0 + HOUR }),
      makeAlert({ objectId: 'old', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR, firstDetectionMjd: T0 - 1 }),
      makeAlert({ objectId: 'late', raDeg: 150, decDeg: 20, timeMjd: T0 + 3.5 }),
      makeAlert({ objectId: 'bogus', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR, reliability: 0.1 }),
      makeAlert({ objectId: 'neg', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR, isPositive: false }),
      makeAlert({ objectId: 'sso', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR, solarSystem: true }),
    ];
    for (const alert of rejected) assert.deepEqual(engine.onOpticalAlert(alert), [], alert.objectId);
  });

  test('a notice arriving after the optical data is joined backwards against the buffer', () => {
    const engine = createJoinEngine();
    engine.onOpticalAlert(makeAlert({ objectId: 'early', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR }));
    engine.onOpticalAlert(makeAlert({ objectId: 'elsewhere', raDeg: 10, decDeg: -20, timeMjd: T0 + HOUR }));
    const out = engine.onNotice(makeNotice({ triggerId: 'GRB:2', timeMjd: T0, region: circle(150, 20, 3) }), {
      eventTimeMjd: T0 + 2 * HOUR,
    });
    assert.deepEqual(
      out.map((c) => (c.counterpart as OpticalSummary).objectId),
      ['early'],
    );
  });

  test('the same object matched again keeps one id, and an earlier detection of it replaces the counterpart', () => {
    const engine = createJoinEngine({ allowedLatenessSec: 4 * 3600 });
    engine.onNotice(makeNotice({ triggerId: 'GRB:3', timeMjd: T0, region: circle(150, 20, 5) }));
    const first = engine.onOpticalAlert(
      makeAlert({
        objectId: 'o',
        alertId: '2',
        raDeg: 150,
        decDeg: 20,
        timeMjd: T0 + 2 * HOUR,
        firstDetectionMjd: T0 + HOUR,
      }),
    );
    assert.equal(first.length, 1);
    assert.deepEqual(
      engine.onOpticalAlert(
        makeAlert({
          objectId: 'o',
          alertId: '3',
          raDeg: 150,
          decDeg: 20,
          timeMjd: T0 + 3 * HOUR,
          firstDetectionMjd: T0 + HOUR,
        }),
      ),
      [],
    );
    const earlier = engine.onOpticalAlert(
      makeAlert({
        objectId: 'o',
        alertId: '1',
        raDeg: 150,
        decDeg: 20,
        timeMjd: T0 + HOUR,
        firstDetectionMjd: T0 + HOUR,
      }),
    );
    assert.equal(earlier.length, 1);
    assert.equal(earlier[0]?.id, first[0]?.id);
    assert.equal((earlier[0]?.counterpart as OpticalSummary).alertId, '1');
  });

  test('64-bit alert ids travel as exact decimal strings', () => {
    const engine = createJoinEngine();
    engine.onNotice(makeNotice({ triggerId: 'GRB:4', timeMjd: T0, region: circle(150, 20, 5) }));
    const out = engine.onOpticalAlert(
      makeAlert({
        objectId: '170055002004449',
        alertId: '2475433850015015022',
        raDeg: 150,
        decDeg: 20,
        timeMjd: T0 + HOUR,
      }),
    );
    assert.equal((out[0]?.counterpart as OpticalSummary).alertId, '2475433850015015022');
    assert.deepEqual(out[0]?.provenance.alertIds, ['2475433850015015022']);
  });
});

describe('join engine, revisions and retractions', () => {
  test('a revision that moves the region withdraws the pairs that fell out and emits the new ones', () => {
    const engine = createJoinEngine();
    engine.onNotice(makeNotice({ triggerId: 'GRB:5', timeMjd: T0, region: circle(150, 20, 4), revision: 1 }));
    const a = engine.onOpticalAlert(makeAlert({ objectId: 'a', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR }));
    engine.onOpticalAlert(makeAlert({ objectId: 'b', raDeg: 160, decDeg: 20, timeMjd: T0 + HOUR }));
    assert.equal(a.length, 1);
    const out = engine.onNotice(
      makeNotice({ triggerId: 'GRB:5', timeMjd: T0, region: circle(160, 20, 2), revision: 2 }),
      {
        eventTimeMjd: T0 + 2 * HOUR,
      },
    );
    const byObject = new Map(out.map((c) => [(c.counterpart as OpticalSummary).objectId, c]));
    assert.equal(byObject.get('a')?.status, 'withdrawn');
    assert.equal(byObject.get('a')?.id, a[0]?.id);
    assert.equal(byObject.get('a')?.trigger.revision, 2);
    assert.equal(byObject.get('b')?.status, 'candidate');
    assert.equal(byObject.get('b')?.trigger.revision, 2);
  });

  test('an older revision arriving after a newer one is ignored', () => {
    const engine = createJoinEngine();
    engine.onNotice(makeNotice({ triggerId: 'GRB:6', timeMjd: T0, region: circle(160, 20, 2), revision: 3 }));
    engine.onOpticalAlert(makeAlert({ objectId: 'b', raDeg: 160, decDeg: 20, timeMjd: T0 + HOUR }));
    assert.deepEqual(
      engine.onNotice(
        makeNotice({ triggerId: 'GRB:6', timeMjd: T0, region: circle(100, 20, 2), revision: 2 }),
      ),
      [],
    );
    assert.equal(engine.stats().staleNotices, 1);
  });

  test('a retraction withdraws every coincidence of the trigger, optical and messenger pairs alike', () => {
    const engine = createJoinEngine();
    engine.onNotice(
      makeNotice({
        triggerId: 'LVK:S1',
        messenger: 'gw',
        timeMjd: T0,
        region: circle(150, 20, 10),
        farHz: 1e-9,
      }),
    );
    const grb = engine.onNotice(
      makeNotice({ triggerId: 'GRB:7', timeMjd: T0 + 2 / 86_400, region: circle(151, 21, 5) }),
    );
    assert.equal(grb.length, 1);
    engine.onOpticalAlert(makeAlert({ objectId: 'x', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR }));
    const out = engine.onNotice(
      makeNotice({ triggerId: 'LVK:S1', messenger: 'gw', timeMjd: T0, alertType: 'retraction', revision: 2 }),
      {
        eventTimeMjd: T0 + 2 * HOUR,
      },
    );
    assert.deepEqual(out.map((c) => [c.pairType, c.status, c.trigger.triggerId, c.trigger.ivorn]).sort(), [
      ['mm-mm', 'withdrawn', 'LVK:S1', 'ivo://test/LVK:S1#2-retraction'],
      // The triple GW + GRB + x (test/join/triples.test.ts).
      ['mm-mm-optical', 'withdrawn', 'LVK:S1', 'ivo://test/LVK:S1#2-retraction'],
      ['mm-optical', 'withdrawn', 'LVK:S1', 'ivo://test/LVK:S1#2-retraction'],
    ]);
    assert.deepEqual(
      engine
        .onOpticalAlert(makeAlert({ objectId: 'y', raDeg: 150, decDeg: 20, timeMjd: T0 + 3 * HOUR }))
        .map((c) => c.trigger.triggerId),
      ['GRB:7'],
    );
  });

  test('role=test notices pair only with role=test notices and produce role=test records', () => {
    const engine = createJoinEngine();
    engine.onNotice(
      makeNotice({
        triggerId: 'LVK:MS1',
        messenger: 'gw',
        timeMjd: T0,
        role: 'test',
        region: circle(150, 20, 10),
      }),
    );
    assert.deepEqual(
      engine.onNotice(
        makeNotice({ triggerId: 'GRB:8', timeMjd: T0 + 1 / 86_400, region: circle(150, 20, 5) }),
      ),
      [],
    );
    const pair = engine.onNotice(
      makeNotice({ triggerId: 'GRB:9', role: 'test', timeMjd: T0 + 1 / 86_400, region: circle(150, 20, 5) }),
    );
    assert.deepEqual(
      pair.map((c) => [c.role, c.trigger.triggerId]),
      [['test', 'LVK:MS1']],
    );
    const optical = engine.onOpticalAlert(
      makeAlert({ objectId: 'z', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR }),
    );
    assert.deepEqual(optical.map((c) => [c.trigger.triggerId, c.role]).sort(), [
      ['GRB:8', 'observation'],
      ['GRB:9', 'test'],
      ['LVK:MS1', 'test'],
    ]);
  });
});

describe('join engine, messenger × messenger', () => {
  test('a GRB 1.7 s after a compact-binary GW pairs with the GW as trigger and a RAVEN joint FAR', () => {
    const engine = createJoinEngine();
    engine.onNotice(
      makeNotice({
        triggerId: 'LVK:S2',
        messenger: 'gw',
        timeMjd: T0,
        region: circle(197, -23, 10),
        farHz: 1e-10,
      }),
    );
    const out = engine.onNotice(
      makeNotice({ triggerId: 'GRB:10', timeMjd: T0 + 1.7 / 86_400, region: circle(190, -30, 10, 0.68) }),
    );
    assert.equal(out.length, 1);
    const c = out[0] as Coincidence;
    assert.equal(c.pairType, 'mm-mm');
    assert.equal(c.trigger.triggerId, 'LVK:S2');
    assert.ok(Math.abs(c.dtSeconds - 1.7) < 1e-3);
    assert.deepEqual(c.provenance.window, { startSec: -1, endSec: 5 });
    const temporal = c.provenance.rates.temporalFarHz as number;
    assert.ok(Math.abs(temporal - 6 * (325 / 31_536_000) * 1e-10) < 1e-25);
    assert.equal(c.farHz, temporal / (c.provenance.rates.overlapIntegral as number));
  });

  test('the pair is the same whichever notice arrives first', () => {
    const gw = makeNotice({
      triggerId: 'LVK:S3',
      messenger: 'gw',
      timeMjd: T0,
      region: circle(10, 10, 10),
      farHz: 1e-9,
    });
    const grb = makeNotice({ triggerId: 'GRB:11', timeMjd: T0 - 0.5 / 86_400, region: circle(12, 10, 8) });
    const e1 = createJoinEngine();
    e1.onNotice(gw);
    const a = e1.onNotice(grb);
    const e2 = createJoinEngine();
    e2.onNotice(grb);
    const b = e2.onNotice(gw);
    assert.deepEqual(a, b);
  });

  test('a GRB outside the compact-binary window but inside the burst window pairs only with a Burst GW', () => {
    const engine = createJoinEngine();
    engine.onNotice(makeNotice({ triggerId: 'LVK:S4', messenger: 'gw', timeMjd: T0 }));
    engine.onNotice(makeNotice({ triggerId: 'LVK:S5', messenger: 'gw', timeMjd: T0, group: 'Burst' }));
    const out = engine.onNotice(makeNotice({ triggerId: 'GRB:12', timeMjd: T0 + 30 / 86_400 }));
    assert.deepEqual(
      out.map((c) => c.trigger.triggerId),
      ['LVK:S5'],
    );
    assert.equal(out[0]?.separationDeg, null);
  });
});

describe('join engine, watermarks', () => {
  test('a notice leaves the index when its window closes and late alerts are dropped', () => {
    const engine = createJoinEngine({ allowedLatenessSec: 600 });
    engine.onNotice(makeNotice({ triggerId: 'GRB:13', timeMjd: T0, region: circle(150, 20, 5) }));
    assert.equal(engine.stats().indexedRegions, 1);
    engine.advanceWatermark(T0 + 3.1);
    assert.equal(engine.stats().indexedRegions, 0);
    engine.onOpticalAlert(makeAlert({ objectId: 'l', raDeg: 150, decDeg: 20, timeMjd: T0 + 1 }));
    assert.equal(engine.stats().lateAlerts, 1);
  });

  test('the event-time hold keeps the watermark back: a lagging input’s alerts are not late', () => {
    let holdMjd = -Infinity;
    const engine = createJoinEngine({ allowedLatenessSec: 3600, eventTimeHold: () => holdMjd });
    engine.onNotice(makeNotice({ triggerId: 'GRB:14', timeMjd: T0, region: circle(150, 20, 5) }));
    // A notice and an alert hours ahead in event time, while another input still holds at −∞.
    engine.onNotice(makeNotice({ triggerId: 'GRB:15', timeMjd: T0 + 5 * HOUR, region: circle(10, 20, 5) }));
    engine.onOpticalAlert(makeAlert({ objectId: 'ahead', raDeg: 10, decDeg: 20, timeMjd: T0 + 6 * HOUR }));
    assert.equal(engine.watermarkMjd, -Infinity);
    // The lagging input delivers: held at its progress, its alert is joined.
    holdMjd = T0 + HOUR;
    const out = engine.onOpticalAlert(
      makeAlert({ objectId: 'lag', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR }),
    );
    assert.equal(out.length, 1);
    assert.ok(Math.abs(engine.watermarkMjd - T0) < 1e-9);
    assert.equal(engine.stats().lateAlerts, 0);
    // Nothing holds any more: the watermark follows the latest event time seen.
    holdMjd = Infinity;
    engine.onOpticalAlert(makeAlert({ objectId: 'x', raDeg: 300, decDeg: 20, timeMjd: T0 + 2 * HOUR }));
    assert.ok(Math.abs(engine.watermarkMjd - (T0 + 5 * HOUR)) < 1e-9);
    engine.onOpticalAlert(makeAlert({ objectId: 'late', raDeg: 150, decDeg: 20, timeMjd: T0 + 2 * HOUR }));
    assert.equal(engine.stats().lateAlerts, 1);
  });

  test('without a hold the watermark follows the latest event time, as before', () => {
    const engine = createJoinEngine({ allowedLatenessSec: 3600 });
    engine.onOpticalAlert(makeAlert({ objectId: 'a', raDeg: 10, decDeg: 20, timeMjd: T0 + 6 * HOUR }));
    engine.onOpticalAlert(makeAlert({ objectId: 'b', raDeg: 150, decDeg: 20, timeMjd: T0 + HOUR }));
    assert.ok(Math.abs(engine.watermarkMjd - (T0 + 5 * HOUR)) < 1e-9);
    assert.equal(engine.stats().lateAlerts, 1);
  });
});
