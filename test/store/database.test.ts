import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTokenStore } from '../../src/auth/tokens.ts';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/store/database.ts';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('openDatabase', () => {
  it('creates the database and its WAL and SHM files readable by the owner only (0600)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-db-mode-'));
    const previous = process.umask(0o022);
    try {
      const path = join(dir, 'coincide.db');
      const db = openDatabase({ path });
      createTokenStore({ db, clock: systemClock }).create('someone');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        assert.ok(existsSync(file), file);
        assert.equal(mode(file).toString(8), '600', file);
      }
      db.close();
    } finally {
      process.umask(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the mode of an existing database as the operator set it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-db-mode-'));
    try {
      const path = join(dir, 'coincide.db');
      openDatabase({ path }).close();
      chmodSync(path, 0o640);
      openDatabase({ path }).close();
      assert.equal(mode(path).toString(8), '640');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
