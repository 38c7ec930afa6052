import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { createCircleRegion } from '../../src/join/circle-region.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { BUFFER_ORDER, MemoryOpticalBuffer } from '../../src/join/optical-buffer.ts';
import { openDatabase } from '../../src/store/database.ts';
import { cellRanges, SqliteOpticalBuffer } from '../../src/store/optical-buffer.ts';
import { circle, makeAlert, makeNotice } from '../join/make-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-buffer-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

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

  test('merges consecutive cells into ranges', () => {
    assert.deepEqual(cellRanges(new Set([5, 1, 2, 3, 9, 10])), [
      [1, 3],
      [5, 5],
      [9, 10],
    ]);
  });
});
