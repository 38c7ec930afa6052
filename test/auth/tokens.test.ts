import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTokenStore, hashToken } from '../../src/auth/tokens.ts';
import { ManualClock } from '../../src/clock.ts';
import { CoincideError } from '../../src/errors.ts';
import { DEFAULT_SCOPES } from '../../src/auth/scopes.ts';
import { openDatabase } from '../../src/store/database.ts';
import { ALL_MIGRATIONS } from '../../src/store/migrations/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-tokens-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('token store', () => {
  it('verifies a created token and refuses unknown or altered ones', () => {
    const db = openDatabase({ path: join(dir, 'verify.db') });
    const tokens = createTokenStore({ db, clock: new ManualClock(5) });
    const { token, info } = tokens.create('grandma');
    assert.match(token, /^cct_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(tokens.verify(token), info);
    assert.equal(tokens.verify(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), undefined);
    assert.equal(tokens.verify('cct_nothing'), undefined);
    assert.equal(tokens.verify(''), undefined);
    db.close();
  });

  it('stores only the SHA-256 of a token, never the token itself', () => {
    const path = join(dir, 'hash.db');
    const db = openDatabase({ path });
    const { token } = createTokenStore({ db, clock: new ManualClock() }).create('svom');
    const rows = db.prepare('SELECT * FROM serve_tokens').all() as Array<Record<string, unknown>>;
    assert.equal(rows[0]?.sha256, hashToken(token));
    db.close();
    for (const file of [path, `${path}-wal`]) {
      try {
        assert.ok(!readFileSync(file).includes(Buffer.from(token)), `${file} holds the clear token`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  });

  it('revokes by id or by name, and lists revoked tokens with their revocation time', () => {
    const db = openDatabase({ path: join(dir, 'revoke.db') });
    const clock = new ManualClock(100);
    const tokens = createTokenStore({ db, clock });
    const a = tokens.create('a');
    const b = tokens.create('b');
    clock.set(200);
    assert.equal(tokens.revoke(a.info.id), 1);
    assert.equal(tokens.revoke('b'), 1);
    assert.equal(tokens.revoke('b'), 0);
    assert.equal(tokens.verify(a.token), undefined);
    assert.equal(tokens.verify(b.token), undefined);
    assert.deepEqual(
      tokens.list().map((t) => [t.name, t.revokedMs]),
      [
        ['a', 200],
        ['b', 200],
      ],
    );
    db.close();
  });

  it('refuses an empty name with USAGE', () => {
    const db = openDatabase({ path: join(dir, 'empty.db') });
    const tokens = createTokenStore({ db, clock: new ManualClock() });
    assert.throws(
      () => tokens.create('  '),
      (error: unknown) => error instanceof CoincideError && error.code === 'USAGE',
    );
    db.close();
  });

  it('keeps tokens made before scopes existed working, with the default scopes and no limits (migration http-001)', () => {
    const path = join(dir, 'before-scopes.db');
    const before = ALL_MIGRATIONS.slice(
      0,
      ALL_MIGRATIONS.findIndex((m) => m.id === 'http-001-token-scopes'),
    );
    const old = openDatabase({ path, migrations: before });
    const token = 'cct_' + 'x'.repeat(43);
    old
      .prepare('INSERT INTO serve_tokens (name, sha256, created_ms) VALUES (?, ?, ?)')
      .run('old', hashToken(token), 1);
    old.close();
    const db = openDatabase({ path });
    const info = createTokenStore({ db, clock: new ManualClock(5) }).verify(token);
    assert.deepEqual(info?.scopes, [...DEFAULT_SCOPES]);
    assert.deepEqual(info?.limits, {});
    db.close();
  });

  it('refuses a token with no scope', () => {
    const db = openDatabase({ path: join(dir, 'no-scope.db') });
    assert.throws(
      () => createTokenStore({ db, clock: new ManualClock(5) }).create('x', { scopes: [] }),
      (error: unknown) => error instanceof CoincideError && error.code === 'USAGE',
    );
    db.close();
  });
});
