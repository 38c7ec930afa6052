/**
 * `coincide archive import|export` and `coincide search` as a user runs them (real processes,
 * real SQLite files): the GRB samples are imported, found by filter and by position, exported
 * and imported into a second database with the same notices and receipt times; an import never
 * reaches the outbox (nothing would be streamed or joined live); bad input exits 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-archive-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function coincide(args: string[]) {
  return spawnSync(process.execPath, [...CLI_NODE_ARGS, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const jsonLines = (
  text: string,
): Array<{ noticeId: number; receivedAt: string; notice: { ivorn: string; observatory: string } }> =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) =>
        JSON.parse(l) as {
          noticeId: number;
          receivedAt: string;
          notice: { ivorn: string; observatory: string };
        },
    );

describe('coincide archive and search', { skip: skipUnlessShared() }, () => {
  const db = join(dir, 'a.db');
  test('imports the GRB samples without emitting anything, and searches them', () => {
    const imported = coincide(['archive', 'import', '--db', db, samplePath('voevent/grb')]);
    assert.equal(imported.status, 0, imported.stderr);
    const m = /(\d+) documents, (\d+) notices stored/.exec(imported.stderr);
    assert.ok(m, imported.stderr);
    const stored = Number(m[2]);
    assert.ok(stored > 10);
    const check = openDatabase({ path: db });
    assert.equal(check.prepare('SELECT count(*) FROM serve_outbox').pluck().get(), 0);
    assert.equal(
      check.prepare('SELECT count(*) FROM notices WHERE outbox_seq IS NULL OR joined IS NULL').pluck().get(),
      0,
    );
    check.close();
    // A second import of the same files stores nothing new.
    const again = coincide(['archive', 'import', '--db', db, samplePath('voevent/grb')]);
    assert.match(again.stderr, new RegExp(`0 notices stored, ${stored} duplicates`));

    const all = coincide(['search', '--db', db, '--all', '--limit', '7']);
    assert.equal(all.status, 0, all.stderr);
    assert.equal(jsonLines(all.stdout).length, stored);
    const fermi = jsonLines(coincide(['search', '--db', db, '--all', '--observatory', 'fermi']).stdout);
    assert.ok(fermi.length > 0 && fermi.every((h) => h.notice.observatory === 'Fermi'));
    const csv = coincide(['search', '--db', db, '--format', 'csv', '--limit', '3']);
    assert.equal(csv.stdout.trim().split('\r\n').length, 4);
    assert.match(csv.stderr, /next cursor: /);
    const cone = jsonLines(
      coincide(['search', '--db', db, '--all', '--ra', '74.74', '--dec', '-9.31']).stdout,
    );
    assert.ok(cone.some((h) => h.notice.ivorn.includes('532871')));
    const out = join(dir, 'raw');
    const raw = coincide(['search', '--db', db, '--format', 'voevent', '--out-dir', out, '--all']);
    assert.equal(raw.status, 0, raw.stderr);
    assert.equal(readdirSync(out).length, stored);
  });

  test('exports and imports an export with the same notices and receipt times', () => {
    const file = join(dir, 'export.tar.gz');
    const exported = coincide(['archive', 'export', '--db', db, file]);
    assert.equal(exported.status, 0, exported.stderr);
    const db2 = join(dir, 'b.db');
    const imported = coincide(['archive', 'import', '--db', db2, file]);
    assert.equal(imported.status, 0, imported.stderr);
    const before = jsonLines(coincide(['search', '--db', db, '--all']).stdout);
    const after2 = jsonLines(coincide(['search', '--db', db2, '--all']).stdout);
    assert.deepEqual(
      after2.map((h) => [h.notice.ivorn, h.receivedAt]),
      before.map((h) => [h.notice.ivorn, h.receivedAt]),
    );
  });

  test('bad queries and paths exit 2 with one line', () => {
    for (const args of [
      ['search', '--db', db, '--ra', '10'],
      ['search', '--db', db, '--format', 'voevent'],
      ['archive', 'import', '--db', db, join(dir, 'missing.xml')],
    ]) {
      const result = coincide(args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^coincide (search|archive import): /);
    }
  });
});
