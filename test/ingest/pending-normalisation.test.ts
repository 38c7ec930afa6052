import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestedEvent } from '../../src/ingest/ingest-event.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { makeVoEvent, openTempStore, testIngestor } from '../vtp/helpers.ts';

const fakeNotice = (ivorn: string): Notice =>
  ({ ivorn, triggerId: `Test:${ivorn}`, noticeType: 'Test', revision: 1 }) as Notice;

describe('normalisation after the ack', () => {
  it('answers once the raw event is committed, then stores its notice and runs the callbacks', async () => {
    const t = openTempStore();
    try {
      const ivorn = 'ivo://test.coincide/n#1';
      let normalised = 0;
      const events: IngestedEvent[] = [];
      const ingestor = testIngestor(t.store, {
        normalise: () => {
          normalised += 1;
          return fakeNotice(ivorn);
        },
        onEvent: (e) => {
          events.push(e);
        },
      });
      const outcome = await ingestor.ingest(makeVoEvent(ivorn), { input: 'replay', peer: 'p' });
      assert.equal(outcome.outcome, 'accepted');
      // Answered: the raw event is durable, its normalisation has not run yet.
      assert.equal(normalised, 0);
      assert.equal(t.store.eventsByIvorn(ivorn).length, 1);
      assert.deepEqual(
        t.store.pendingNormalisation().map((e) => e.ivorn),
        [ivorn],
      );
      await ingestor.idle();
      assert.equal(normalised, 1);
      assert.deepEqual(t.store.pendingNormalisation(), []);
      assert.equal(t.store.noticesByIvorn(ivorn).length, 1);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.notice?.ivorn, ivorn, 'onEvent sees the notice');
    } finally {
      t.close();
    }
  });

  it('resumes, at the next start, the events a crash left stored but not normalised', async () => {
    const t = openTempStore();
    try {
      // What a crash between the ack and the notice leaves: raw rows marked pending.
      const ivorns = ['ivo://test.coincide/r#1', 'ivo://test.coincide/r#2', 'ivo://test.coincide/r#3'];
      for (const [i, ivorn] of ivorns.entries()) {
        await t.store.putEvent({
          bytes: makeVoEvent(ivorn),
          ivorn,
          role: 'observation',
          receivedAtMs: i,
          peer: 'p',
          input: 'vtp-receiver',
          pendingNormalisation: true,
        });
      }
      const seen: string[] = [];
      const notices: Notice[] = [];
      const ingestor = testIngestor(t.store, {
        // The second one is not a notice: it is only marked done.
        normalise: (bytes) => {
          const ivorn = ivorns.find((v) => bytes.includes(v)) ?? '';
          if (ivorn === ivorns[1]) throw Object.assign(new Error('not a notice'), { code: 'OTHER' });
          return fakeNotice(ivorn);
        },
        onEvent: (e) => {
          seen.push(e.ivorn);
          assert.equal(e.format, 'voevent');
          assert.ok(e.payload, 'relayed with its parsed payload');
        },
        onNotice: (n) => {
          notices.push(n);
        },
      });
      assert.equal(await ingestor.resumePending(), 3);
      assert.deepEqual(seen, ivorns, 'oldest first, each once');
      assert.deepEqual(
        notices.map((n) => n.ivorn),
        [ivorns[0], ivorns[2]],
      );
      assert.deepEqual(t.store.pendingNormalisation(), []);
      assert.equal(t.store.noticesByIvorn(ivorns[0] ?? '').length, 1);
      assert.equal(await ingestor.resumePending(), 0, 'nothing is resumed twice');
    } finally {
      t.close();
    }
  });

  it('resumes them at its first ingest, before the new event, when it was not told to', async () => {
    const t = openTempStore();
    try {
      const left = 'ivo://test.coincide/l#1';
      await t.store.putEvent({
        bytes: makeVoEvent(left),
        ivorn: left,
        role: 'observation',
        receivedAtMs: 0,
        peer: 'p',
        input: 'vtp-receiver',
        pendingNormalisation: true,
      });
      const seen: string[] = [];
      const ingestor = testIngestor(t.store, {
        normalise: (bytes) => fakeNotice(bytes.includes(left) ? left : 'ivo://test.coincide/l#2'),
        onEvent: (e) => {
          seen.push(e.ivorn);
        },
      });
      const outcome = await ingestor.ingest(makeVoEvent('ivo://test.coincide/l#2'), {
        input: 'replay',
        peer: 'p',
      });
      assert.equal(outcome.outcome, 'accepted');
      await ingestor.idle();
      assert.deepEqual(seen, [left, 'ivo://test.coincide/l#2'], 'the one left pending first, each once');
      assert.deepEqual(t.store.pendingNormalisation(), []);
      assert.equal(await ingestor.resumePending(), 0, 'already resumed');
    } finally {
      t.close();
    }
  });

  it('leaves an event pending, and runs no callback, when its notice cannot be committed', async () => {
    const t = openTempStore();
    try {
      const ivorn = 'ivo://test.coincide/f#1';
      const events: IngestedEvent[] = [];
      const ingestor = testIngestor(t.store, {
        normalise: () => fakeNotice(ivorn),
        onEvent: (e) => {
          events.push(e);
        },
      });
      const outcome = await ingestor.ingest(makeVoEvent(ivorn), { input: 'replay', peer: 'p' });
      assert.equal(outcome.outcome, 'accepted');
      await t.store.drain(); // the store stops taking writes before the notice is written
      await ingestor.idle();
      assert.equal(events.length, 0);
      assert.deepEqual(
        t.store.pendingNormalisation().map((e) => e.ivorn),
        [ivorn],
      );
    } finally {
      t.close();
    }
  });
});
