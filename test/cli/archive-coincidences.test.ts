/**
 * `coincide archive import --coincidences` as a user runs it (real processes, real SQLite
 * files): the demo GW170817 pair (LVK S170817dm with its embedded sky map, Fermi GBM
 * 524666471) is imported, and the coincidence `coincide replay` finds in the same files is
 * stored in the archive, to the byte, below every live outbox seq, and links the two triggers
 * into one event group; nothing reaches the live outbox; importing the same files again stores
 * and replays nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createEventGroups } from '../../src/archive/event-groups.ts';
import { REPLAY_SEQ_BASE } from '../../src/archive/import-coincidences.ts';
import { openDatabase } from '../../src/store/database.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-archive-coinc-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function coincide(args: string[]) {
  return spawnSync(process.execPath, [...CLI_NODE_ARGS, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const FILES = [
  join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml'),
  join(PROJECT_ROOT, 'fixtures', 'demo', 'lvk-S170817dm-initial.json'),
];

describe('coincide archive import --coincidences', () => {
  const db = join(dir, 'a.db');

  it('stores the coincidences coincide replay finds in the same files, and emits none', () => {
    const replay = coincide(['replay', ...FILES]);
    assert.equal(replay.status, 0, replay.stderr);
    const expected = replay.stdout.trim().split('\n');
    assert.ok(expected.length >= 1, 'the demo pair is a coincidence');

    const imported = coincide(['archive', 'import', '--db', db, '--coincidences', ...FILES]);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stderr, new RegExp(`replayed 2 notices: ${expected.length} coincidences stored`));
    const check = openDatabase({ path: db });
    try {
      const rows = check
        .prepare(
          'SELECT seq, id, pair_type, trigger_id, counterpart_trigger_id, json FROM archive_coincidences ORDER BY seq',
        )
        .all() as Array<{
        seq: number;
        id: string;
        pair_type: string;
        trigger_id: string;
        counterpart_trigger_id: string;
        json: string;
      }>;
      assert.deepEqual(
        rows.map((r) => r.json),
        expected,
      );
      assert.ok(rows.every((r) => r.seq >= REPLAY_SEQ_BASE && r.seq < 0));
      assert.equal(rows[0]?.pair_type, 'mm-mm');
      assert.equal(check.prepare('SELECT count(*) FROM serve_outbox').pluck().get(), 0);
      // The coincidence links the GW and the GRB into one event.
      const group = createEventGroups(check).ofTrigger('LVK:S170817dm');
      assert.ok(group);
      assert.deepEqual(group.triggers.map((t) => t.triggerId).sort(), ['Fermi:524666471', 'LVK:S170817dm']);
      assert.ok(group.links.some((l) => l.kind === 'coincidence' && l.value === rows[0]?.id));
      assert.ok(group.timeline.some((e) => e.type === 'coincidence'));
    } finally {
      check.close();
    }
  });

  it('stores and replays nothing when the same files are imported again', () => {
    const again = coincide(['archive', 'import', '--db', db, '--coincidences', ...FILES]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /replayed 0 notices: 0 coincidences/);
    assert.match(again.stderr, /0 notices stored, 2 duplicates/);
    const check = openDatabase({ path: db });
    assert.equal(check.prepare('SELECT count(*) FROM archive_coincidences').pluck().get(), 1);
    check.close();
  });
});
