/**
 * The service's join and delivery (src/app/join-delivery.ts) over a real SQLite database: a
 * stored notice is published and joined with its outputs in one commit, its coincidences reach
 * the stream outputs and the VOEvent output, and a notice from an untrusted source is published
 * but never joined. (The whole service around it: test/app.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJoinDelivery } from '../../src/app/join-delivery.ts';
import { ManualClock } from '../../src/clock.ts';
import { createServiceMetrics } from '../../src/http/service-metrics.ts';
import type { Coincidence } from '../../src/join/coincidence.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOutbox, type OutboxRecord } from '../../src/sinks/outbox.ts';
import { createNoticeDelivery } from '../../src/store/notice-delivery.ts';
import { circle, makeAlert, makeNotice } from '../join/make-records.ts';
import { makeVoEvent, openTempStore } from '../vtp/helpers.ts';

const T0 = 60_000.5;
const HOUR = 1 / 24;

/** A join and delivery over the temporary store's database, its outputs recorded. */
function joinDeliveryOver(t: ReturnType<typeof openTempStore>, clock: ManualClock) {
  const outbox = createOutbox({ db: t.db, clock });
  const delivery = createNoticeDelivery({ db: t.db, outbox });
  const streamed: Array<{ record: OutboxRecord; data: unknown }> = [];
  const voevents: Coincidence[] = [];
  const inputs: string[] = [];
  const joins = createJoinDelivery({
    db: t.db,
    delivery,
    engine: createJoinEngine(),
    joinWaitMs: 1_000,
    metrics: createServiceMetrics(),
    logger: silentLogger,
    clock,
    stopping: () => false,
    markInput: (input) => inputs.push(input),
    fanOut: (record, data) => streamed.push({ record, data }),
    publishVoEvent: (_record, coincidence) => voevents.push(coincidence),
  });
  return { joins, outbox, delivery, streamed, voevents, inputs };
}

describe('join and delivery', () => {
  it('publishes and joins a trusted notice, sends its coincidences to every output, and never joins an untrusted one', async () => {
    const t = openTempStore();
    try {
      const { joins, outbox, delivery, streamed, voevents, inputs } = joinDeliveryOver(
        t,
        new ManualClock(1_000),
      );
      const stored = async (ivorn: string): Promise<number> =>
        (
          await t.store.putEvent({
            bytes: makeVoEvent(ivorn),
            ivorn,
            role: 'observation',
            receivedAtMs: 1_000,
            peer: '127.0.0.1',
            input: 'vtp-receiver',
          })
        ).eventId;

      const trusted = makeNotice({ triggerId: 'GRB:1', timeMjd: T0, region: circle(150, 20, 5) });
      const untrusted = makeNotice({ triggerId: 'GRB:2', timeMjd: T0, region: circle(30, -10, 5) });
      joins.deliver(trusted, { eventId: await stored('ivo://test/a#1'), arrivedMs: 1_000, trusted: true });
      joins.deliver(untrusted, { eventId: await stored('ivo://test/b#1'), arrivedMs: 1_000, trusted: false });
      assert.deepEqual(
        streamed.map((s) => [s.record.type, (s.data as { triggerId: string }).triggerId]),
        [
          ['notice', 'GRB:1'],
          ['notice', 'GRB:2'],
        ],
      );
      assert.deepEqual(delivery.undelivered(), [], 'both notices are published and marked joined');

      // One alert in each circle: only the trusted notice's coincides.
      joins.onOpticalAlerts([
        makeAlert({ objectId: 'in-1', raDeg: 151, decDeg: 20.5, timeMjd: T0 + HOUR }),
        makeAlert({ objectId: 'in-2', raDeg: 30.5, decDeg: -10, timeMjd: T0 + HOUR }),
      ]);
      const coincidences = streamed.filter((s) => s.record.type === 'coincidence');
      assert.equal(coincidences.length, 1);
      const coincidence = coincidences[0]?.data as Coincidence;
      assert.equal(coincidence.trigger.triggerId, 'GRB:1');
      assert.deepEqual(voevents, [coincidence], 'the same coincidence goes out as a VOEvent');
      assert.deepEqual(inputs, ['optical']);

      // Everything sent was committed, in order, before it was sent.
      assert.deepEqual(
        outbox.readAfter(0, 10).map((r) => r.seq),
        streamed.map((s) => s.record.seq),
      );
      await joins.settle();
    } finally {
      t.close();
    }
  });

  it('publishes a notice alone, committed before it is sent', () => {
    const t = openTempStore();
    try {
      const { joins, outbox, streamed } = joinDeliveryOver(t, new ManualClock(0));
      const record = joins.publishNotice(makeNotice({ triggerId: 'GRB:9', timeMjd: T0 }));
      assert.equal(record.type, 'notice');
      assert.deepEqual(
        streamed.map((s) => s.record.seq),
        [record.seq],
      );
      assert.equal(outbox.lastSeq(), record.seq);
    } finally {
      t.close();
    }
  });
});
