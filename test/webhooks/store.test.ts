/**
 * The webhook subscriptions table on a real SQLite file: configuration sync, cursors, dead
 * deliveries, and the file's mode.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { isCoincideError } from '../../src/errors.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createWebhookStore } from '../../src/webhooks/store.ts';
import type { WebhookSubscription } from '../../src/webhooks/subscription.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-webhook-store-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sub = (id: string, overrides: Partial<WebhookSubscription> = {}): WebhookSubscription => ({
  id,
  url: `https://hooks.example.org/${id}`,
  format: 'json',
  filters: {},
  source: 'config',
  ...overrides,
});

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return isCoincideError(error) ? error.code : 'OTHER';
  }
  return 'NONE';
};

describe('webhook store', () => {
  it('syncs the configuration, keeps cursors, records dead deliveries, keeps the file 0600', () => {
    const path = join(dir, 'a.db');
    const db = openDatabase({ path });
    const clock = new ManualClock(1_000_000);
    const store = createWebhookStore({ db, clock });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);

    store.syncConfig([sub('a'), sub('b', { secret: 's'.repeat(20) })], 10);
    assert.deepEqual(
      store.list().map((r) => [r.id, r.cursorSeq, r.secret !== undefined]),
      [
        ['a', 10, false],
        ['b', 10, true],
      ],
    );
    store.saveCursors(new Map([['a', { seq: 15, delivered: 5 }]]));
    store.saveCursors(new Map([['a', { seq: 12, delivered: 0 }]]));
    assert.equal(store.get('a')?.cursorSeq, 15, 'a cursor never moves back');
    assert.equal(store.get('a')?.delivered, 5);

    clock.advance(1000);
    store.syncConfig([sub('a', { format: 'slack' })], 20);
    assert.equal(store.get('a')?.format, 'slack');
    assert.equal(store.get('a')?.cursorSeq, 15, 'an edited subscription keeps its cursor');
    assert.equal(store.get('a')?.updatedMs, 1_001_000);
    assert.equal(store.get('b'), undefined, 'no longer configured: removed');

    store.add(sub('c', { source: 'cli' }), 20);
    assert.equal(
      codeOf(() => store.add(sub('c', { source: 'cli' }), 20)),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => {
        store.syncConfig([sub('c')], 20);
      }),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => store.remove('a')),
      'CONFIG_INVALID',
      'configured: removed in the configuration',
    );

    store.recordDead({
      subscriptionId: 'c',
      seq: 21,
      type: 'notice',
      deadMs: 1_000,
      attempts: 3,
      error: 'HTTP 503',
    });
    store.recordDead({
      subscriptionId: 'c',
      seq: 22,
      type: 'notice',
      deadMs: 5_000,
      attempts: 1,
      error: 'HTTP 404',
    });
    assert.equal(store.get('c')?.cursorSeq, 22, 'past the dead delivery');
    assert.deepEqual(store.deadSummaries().get('c'), {
      count: 2,
      lastDeadMs: 5_000,
      lastSeq: 22,
      lastError: 'HTTP 404',
    });
    assert.equal(store.pruneDead(2_000), 1);
    assert.equal(store.deadSummaries().get('c')?.count, 1);
    assert.equal(store.remove('c'), true);
    assert.equal(store.deadSummaries().size, 0, 'its dead deliveries go with it');
    assert.equal(store.remove('c'), false);
    db.close();
  });
});
