import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTokenStore } from '../../src/auth/tokens.ts';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/store/database.ts';
import { runCoincide } from '../e2e/serve-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-tokens-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function verify(dbPath: string, token: string): boolean {
  const db = openDatabase({ path: dbPath });
  try {
    return createTokenStore({ db, clock: systemClock }).verify(token) !== undefined;
  } finally {
    db.close();
  }
}

describe('coincide tokens', () => {
  it('creates a token, prints it as the last line of stdout, lists it and revokes it', async () => {
    const db = join(dir, 'cli.db');
    const created = await runCoincide(['tokens', 'create', '--name', 'svom-team', '--db', db]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(token, /^cct_/);
    assert.ok(verify(db, token));

    const listed = await runCoincide(['tokens', 'list', '--db', db]);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^1\tsvom-team\t\S+\tactive$/m);
    assert.ok(!listed.stdout.includes(token), 'list never prints a token');

    const revoked = await runCoincide(['tokens', 'revoke', 'svom-team', '--db', db]);
    assert.equal(revoked.code, 0);
    assert.ok(!verify(db, token));
    const again = await runCoincide(['tokens', 'revoke', '1', '--db', db]);
    assert.equal(again.code, 1);
  });

  it('takes the database from COINCIDE_DB', async () => {
    const db = join(dir, 'env.db');
    const created = await runCoincide(['tokens', 'create', '--name', 'env'], { COINCIDE_DB: db });
    assert.equal(created.code, 0, created.stderr);
    assert.ok(verify(db, created.stdout.trim().split('\n').at(-1) ?? ''));
  });

  it('refuses create without a name with exit code 2 and one line on stderr', async () => {
    const result = await runCoincide(['tokens', 'create', '--db', join(dir, 'x.db')]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
