import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { createNoticeDelivery } from '../../src/store/notice-delivery.ts';
import { createOutbox } from '../../src/sinks/outbox.ts';
import { makeVoEvent, openTempStore, type TempStore } from '../vtp/helpers.ts';

function notice(ivorn: string): Notice {
  return {
    ivorn,
    role: 'observation',
    messenger: 'gamma',
    observatory: 'Test',
    instrument: 'T',
    noticeType: 'Test_Pos',
    triggerId: ivorn,
    alertType: 'initial',
    revision: 1,
    triggerTime: '2026-11-25T09:00:00.000Z',
    triggerTimeMjd: 61004.375,
    region: { type: 'none' },
  } as Notice;
}

/** Stores an event with its notice (as a JSON notice is stored: one transaction); its id. */
async function putNotice(t: TempStore, ivorn: string): Promise<number> {
  const put = await t.store.putEvent({
    bytes: makeVoEvent(ivorn),
    ivorn,
    role: 'observation',
    receivedAtMs: 1,
    peer: '127.0.0.1:1',
    input: 'vtp-receiver',
    notice: notice(ivorn),
  });
  return put.eventId;
}

describe('notice delivery (exactly-once from commit to stream)', () => {
  it('lists stored notices without their stream message or join, oldest first, until marked', async () => {
    const t = openTempStore();
    try {
      const outbox = createOutbox({ db: t.db, clock: systemClock });
      const delivery = createNoticeDelivery({ db: t.db, outbox });
      const ids: number[] = [];
      for (const name of ['a', 'b', 'c']) ids.push(await putNotice(t, `ivo://test.coincide/d#${name}`));
      const [a = 0, b = 0, c = 0] = ids;
      assert.deepEqual(
        delivery.undelivered().map((u) => [u.eventId, u.published, u.joined, u.trusted]),
        [
          [a, false, false, true],
          [b, false, false, true],
          [c, false, false, true],
        ],
      );
      // a: published and joined in one commit; b: published only; c: untouched.
      const [recordA] = delivery.commit([{ type: 'notice', data: notice('x') }], {
        eventId: a,
        noticeIndex: 0,
        joined: true,
      });
      delivery.commit([{ type: 'notice', data: notice('y') }], { eventId: b, noticeIndex: 0 });
      assert.equal(recordA?.seq, 1);
      assert.deepEqual(
        delivery.undelivered().map((u) => [u.eventId, u.published, u.joined]),
        [
          [b, true, false],
          [c, false, false],
        ],
      );
      // b's join with no output still commits its mark.
      assert.deepEqual(delivery.commit([], { eventId: b, joined: true }), []);
      assert.deepEqual(
        delivery.undelivered().map((u) => u.eventId),
        [c],
      );
      assert.equal(outbox.lastSeq(), 2);
    } finally {
      t.close();
    }
  });

  it('commits nothing when the transaction fails: neither rows nor marks', async () => {
    const t = openTempStore();
    try {
      const outbox = createOutbox({ db: t.db, clock: systemClock });
      const delivery = createNoticeDelivery({ db: t.db, outbox });
      const ivorn = 'ivo://test.coincide/d#fail';
      const eventId = await putNotice(t, ivorn);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      assert.throws(() =>
        delivery.commit(
          [
            { type: 'notice', data: notice(ivorn) },
            { type: 'coincidence', data: cyclic },
          ],
          { eventId, noticeIndex: 0, joined: true },
        ),
      );
      assert.equal(outbox.lastSeq(), 0);
      assert.deepEqual(
        delivery.undelivered().map((u) => [u.published, u.joined]),
        [[false, false]],
      );
    } finally {
      t.close();
    }
  });
});
