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
    assert.match(listed.stdout, /^1\tsvom-team\t\S+\tactive\tscopes=stream,notices,coincidences,events$/m);
    assert.ok(!listed.stdout.includes(token), 'list never prints a token');

    const revoked = await runCoincide(['tokens', 'revoke', 'svom-team', '--db', db]);
    assert.equal(revoked.code, 0);
    assert.ok(!verify(db, token));
    const again = await runCoincide(['tokens', 'revoke', '1', '--db', db]);
    assert.equal(again.code, 1);
  });

  it('creates a token with scopes and limits (--scope, --authority, --role, --observatory) and lists them', async () => {
    const db = join(dir, 'scoped.db');
    const created = await runCoincide([
      'tokens',
      'create',
      '--name',
      'public-alerts',
      '--scope',
      'read',
      '--scope',
      'events',
      '--authority',
      'nasa.gsfc.gcn,*.example.org',
      '--role',
      'observation',
      '--observatory',
      'Fermi',
      '--observatory',
      'Swift',
      '--db',
      db,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim().split('\n').at(-1) ?? '';
    const store = openDatabase({ path: db });
    try {
      const info = createTokenStore({ db: store, clock: systemClock }).verify(token);
      assert.deepEqual(info?.scopes, ['stream', 'notices', 'coincidences', 'events']);
      assert.deepEqual(info?.limits, {
        roles: ['observation'],
        observatories: ['fermi', 'swift'],
        authorities: ['nasa.gsfc.gcn', '*.example.org'],
      });
    } finally {
      store.close();
    }
    const listed = await runCoincide(['tokens', 'list', '--db', db]);
    assert.match(
      listed.stdout,
      /\tscopes=stream,notices,coincidences,events roles=observation observatories=fermi,swift authorities=nasa\.gsfc\.gcn,\*\.example\.org$/m,
    );
    const admin = await runCoincide(['tokens', 'create', '--name', 'ops', '--scope', 'admin', '--db', db]);
    assert.equal(admin.code, 0, admin.stderr);
    assert.match(admin.stdout, /scopes=admin/);
  });

  it('refuses an unknown scope with exit code 2 and one line on stderr naming it', async () => {
    const result = await runCoincide([
      'tokens',
      'create',
      '--name',
      'x',
      '--scope',
      'everything',
      '--db',
      join(dir, 'bad-scope.db'),
    ]);
    assert.equal(result.code, 2);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /unknown scope "everything"/);
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
