import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { createCircleRegion } from '../../src/join/circle-region.ts';
import { DEFAULT_CRITERIA } from '../../src/join/criteria.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { BUFFER_ORDER, MemoryOpticalBuffer } from '../../src/join/optical-buffer.ts';
import { createSkyMapRegion } from '../../src/join/skymap-region.ts';
import { angularDistanceDeg, RAD_PER_DEG } from '../../src/sky/angles.ts';
import { pix2angNest } from '../../src/sky/healpix.ts';
import { SkyMap } from '../../src/sky/skymap.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { openDatabase } from '../../src/store/database.ts';
import { ALL_MIGRATIONS } from '../../src/store/migrations/index.ts';
import { cellRanges, SELECT_RANGE_SQL, SqliteOpticalBuffer } from '../../src/store/optical-buffer.ts';
import { circle, makeAlert, makeNotice, seededRandom } from '../join/make-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-buffer-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every NESTED cell at BUFFER_ORDER. */
const ALL_CELLS: ReadonlySet<number> = new Set(Array.from({ length: 12 * 4 ** BUFFER_ORDER }, (_, i) => i));
/** First-detection windows for mayHoldBetween, MJD: inside, between and outside the alerts' times. */
const WINDOWS: ReadonlyArray<readonly [number, number]> = [
  [60_002, 60_008],
  [60_000.5, 60_000.51],
  [59_000, 59_999],
  [60_011, 60_020],
  [60_000, 60_000],
];

describe('SQLite optical buffer', () => {
  test('answers the same queries as the in-memory buffer, keeping the earliest alert per object', () => {
    const db = openDatabase({ path: join(dir, 'a.sqlite') });
    try {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              object: fc.integer({ min: 0, max: 30 }),
              raDeg: fc.double({ min: 0, max: 359.9, noNaN: true }),
              decDeg: fc.double({ min: -80, max: 80, noNaN: true }),
              t: fc.integer({ min: 0, max: 1000 }),
            }),
            { maxLength: 80 },
          ),
          fc.record({
            raDeg: fc.double({ min: 0, max: 359.9, noNaN: true }),
            decDeg: fc.double({ min: -60, max: 60, noNaN: true }),
          }),
          (rows, centre) => {
            db.exec('DELETE FROM join_optical_buffer');
            const sqlite = new SqliteOpticalBuffer(db, { batchSize: 7 });
            const memory = new MemoryOpticalBuffer();
            for (const r of rows) {
              const alert = makeAlert({
                objectId: `o${r.object}`,
                alertId: String(1000 + r.t),
                raDeg: r.raDeg,
                decDeg: r.decDeg,
                timeMjd: 60_000 + r.t / 100,
              });
              sqlite.add(alert);
              memory.add(alert);
            }
            const cells = createCircleRegion({ ...centre, radiusDeg: 60, containment: 0.9 }).coverCells(
              BUFFER_ORDER,
            );
            const key = (a: { objectId: string; alertId: string }) => `${a.objectId}/${a.alertId}`;
            assert.deepEqual(
              sqlite.query(cells, 60_002, 60_008).map(key).sort(),
              memory.query(cells, 60_002, 60_008).map(key).sort(),
            );
            assert.equal(sqlite.size, memory.size);
            // mayHoldBetween: exact for SQLite, never false for the memory buffer when an alert is there.
            for (const [from, to] of WINDOWS) {
              const held = memory.query(ALL_CELLS, from, to).length > 0;
              assert.equal(sqlite.mayHoldBetween(from, to), held, `[${from}, ${to}]`);
              if (held) assert.ok(memory.mayHoldBetween(from, to), `[${from}, ${to}]`);
            }
            assert.equal(sqlite.evictBefore(60_005), memory.evictBefore(60_005));
            assert.equal(sqlite.size, memory.size);
          },
        ),
        { numRuns: 40, seed: 5 },
      );
    } finally {
      db.close();
    }
  });

  test('raises the connection page cache to its size, and never lowers a larger one', () => {
    const db = openDatabase({ path: join(dir, 'cache.sqlite') });
    try {
      new SqliteOpticalBuffer(db, { cacheMiB: 16 });
      assert.equal(db.pragma('cache_size', { simple: true }), -16 * 1024);
      db.pragma(`cache_size = ${-100 * 1024}`);
      new SqliteOpticalBuffer(db, { cacheMiB: 16 });
      assert.equal(db.pragma('cache_size', { simple: true }), -100 * 1024);
    } finally {
      db.close();
    }
  });

  test('keeps its rows across a reopen of the database file', () => {
    const path = join(dir, 'b.sqlite');
    const db = openDatabase({ path });
    const buffer = new SqliteOpticalBuffer(db);
    buffer.add(
      makeAlert({
        objectId: 'ZTF26aaaaaaa',
        alertId: '2475433850015015022',
        raDeg: 10,
        decDeg: 10,
        timeMjd: 60_000.1,
      }),
    );
    buffer.flush();
    db.close();
    const reopened = openDatabase({ path });
    try {
      const again = new SqliteOpticalBuffer(reopened);
      const cells = createCircleRegion({ raDeg: 10, decDeg: 10, radiusDeg: 1, containment: 0.9 }).coverCells(
        BUFFER_ORDER,
      );
      assert.deepEqual(
        again.query(cells, 60_000, 60_001).map((a) => a.alertId),
        ['2475433850015015022'],
      );
    } finally {
      reopened.close();
    }
  });

  test('serves the engine backward join like the in-memory buffer', () => {
    const db = openDatabase({ path: join(dir, 'c.sqlite') });
    try {
      const engine = createJoinEngine({ buffer: new SqliteOpticalBuffer(db) });
      engine.onOpticalAlert(makeAlert({ objectId: 'x', raDeg: 150, decDeg: 20, timeMjd: 60_000.6 }));
      const out = engine.onNotice(
        makeNotice({ triggerId: 'GRB:1', timeMjd: 60_000.5, region: circle(150, 20, 3) }),
        { eventTimeMjd: 60_000.7 },
      );
      assert.equal(out.length, 1);
    } finally {
      db.close();
    }
  });

  test('keeps the rows of a buffer written before the table was clustered by cell', () => {
    const path = join(dir, 'd.sqlite');
    const before = openDatabase({
      path,
      migrations: ALL_MIGRATIONS.filter((m) => m.id !== 'join-003-optical-buffer-clustered'),
    });
    const old = new SqliteOpticalBuffer(before);
    for (let i = 0; i < 20; i++) {
      old.add(makeAlert({ objectId: `o${i}`, raDeg: 40 + i / 10, decDeg: -5, timeMjd: 60_000 + i / 100 }));
    }
    old.flush();
    before.close();
    const db = openDatabase({ path });
    try {
      const buffer = new SqliteOpticalBuffer(db);
      const cells = createCircleRegion({ raDeg: 41, decDeg: -5, radiusDeg: 3, containment: 0.9 }).coverCells(
        BUFFER_ORDER,
      );
      assert.equal(buffer.size, 20);
      assert.deepEqual(
        buffer
          .query(cells, 60_000.05, 60_000.1)
          .map((a) => a.objectId)
          .sort(),
        ['o10', 'o5', 'o6', 'o7', 'o8', 'o9'],
      );
      // A cell range is read along the table's own (cell, first detection) key, not another index.
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${SELECT_RANGE_SQL}`).all(1, 9, 0, 1) as Array<{
        detail: string;
      }>;
      assert.match(plan.map((row) => row.detail).join('\n'), /USING PRIMARY KEY \(cell>\? AND cell<\?\)/);
    } finally {
      db.close();
    }
  });

  test('gives a sky-map backward join the same records as the in-memory buffer', () => {
    const db = openDatabase({ path: join(dir, 'e.sqlite') });
    try {
      const random = seededRandom(3);
      const region = createSkyMapRegion(gaussianSkyMap(120, 30, 2), 0.9, 'test-map');
      const alerts = Array.from({ length: 4000 }, (_, i) => {
        const t = 60_010 + i / 40_000;
        return makeAlert({
          objectId: String(1_000_000 + (i % 3500)),
          alertId: String(2_000_000 + i),
          raDeg: 110 + 20 * random(),
          decDeg: 20 + 20 * random(),
          timeMjd: t,
          firstDetectionMjd: t - 12 * random(),
        });
      });
      const notice = makeNotice({
        triggerId: 'LVK:S1',
        messenger: 'gw',
        timeMjd: 60_004,
        region: { type: 'skymap', url: 'test:map' },
      });
      const joined = (engine: ReturnType<typeof createJoinEngine>) => {
        for (const a of alerts) engine.onOpticalAlert(a);
        return engine.onNotice(notice, { region, eventTimeMjd: 60_010.2 });
      };
      const memory = joined(createJoinEngine({ allowedLatenessSec: 86_400 }));
      const sqlite = joined(
        createJoinEngine({
          buffer: new SqliteOpticalBuffer(db, { batchSize: 333 }),
          allowedLatenessSec: 86_400,
        }),
      );
      assert.ok(memory.length > 100, `only ${memory.length} pairs`);
      assert.deepEqual(sqlite, memory);
    } finally {
      db.close();
    }
  });

  test('gives backward-join records byte for byte equal to the in-memory buffer, details included', () => {
    // The SQLite buffer's alerts become the records' counterparts as they are (returnsSummaries):
    // their keys must come in summariseAlert's order, with or without stored details.
    const db = openDatabase({ path: join(dir, 'f.sqlite') });
    try {
      const random = seededRandom(5);
      const alerts = Array.from({ length: 600 }, (_, i) => {
        const t = 60_010 + i / 10_000;
        const alert: OpticalAlert = makeAlert({
          survey: i % 2 === 0 ? 'ZTF' : 'LSST',
          objectId: String(5_000_000 + i),
          alertId: String(6_000_000 + i),
          raDeg: 140 + 10 * random(),
          decDeg: 10 * random(),
          timeMjd: t,
          firstDetectionMjd: t - 5 * random(),
        });
        if (i % 3 === 0) Object.assign(alert, { magnitude: 18 + random(), magnitudeErr: 0.05, rb: 0.8 });
        if (i % 5 === 0) alert.fink = { fink_class: 'SN candidate', rf_snia_vs_nonia: random() };
        if (i % 7 === 0) delete alert.reliability;
        return alert;
      });
      const notice = makeNotice({ triggerId: 'GRB:D', timeMjd: 60_008, region: circle(145, 5, 8) });
      const joined = (engine: ReturnType<typeof createJoinEngine>): string => {
        for (const a of alerts) engine.onOpticalAlert(a);
        return JSON.stringify(engine.onNotice(notice, { eventTimeMjd: 60_010.1 }));
      };
      const criteria = { ...DEFAULT_CRITERIA, requireReliability: false };
      const memory = joined(createJoinEngine({ allowedLatenessSec: 86_400, criteria }));
      const buffer = new SqliteOpticalBuffer(db, { batchSize: 97 });
      assert.equal(buffer.returnsSummaries, true);
      const sqlite = joined(createJoinEngine({ buffer, allowedLatenessSec: 86_400, criteria }));
      assert.ok(
        memory.includes('"fink"') && memory.includes('"magnitude"'),
        `details reached the records: ${memory.slice(0, 300)}`,
      );
      assert.equal(sqlite, memory);
    } finally {
      db.close();
    }
  });

  test('merges consecutive cells into ranges', () => {
    assert.deepEqual(cellRanges(new Set([5, 1, 2, 3, 9, 10])), [
      [1, 3],
      [5, 5],
      [9, 10],
    ]);
  });
});

/** A Gaussian sky map (σ in degrees): order-7 cells within 14° of the centre, order 3 elsewhere. */
function gaussianSkyMap(raDeg: number, decDeg: number, sigmaDeg: number): SkyMap {
  const sigma = sigmaDeg * RAD_PER_DEG;
  const orders: number[] = [];
  const ipix: number[] = [];
  const density: number[] = [];
  for (let p = 0; p < 768; p++) {
    const c = pix2angNest(3, p);
    const near = angularDistanceDeg(raDeg, decDeg, c.raDeg, c.decDeg) < 14;
    const cells = near ? Array.from({ length: 256 }, (_, k) => [7, p * 256 + k] as const) : [[3, p] as const];
    for (const [order, q] of cells) {
      const f = pix2angNest(order, q);
      const th = angularDistanceDeg(raDeg, decDeg, f.raDeg, f.decDeg) * RAD_PER_DEG;
      orders.push(order);
      ipix.push(q);
      density.push(Math.exp(-(th * th) / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma) + 1e-9);
    }
  }
  return new SkyMap({
    orders: Uint8Array.from(orders),
    ipix: Float64Array.from(ipix),
    densityPerSr: Float64Array.from(density),
  });
}
