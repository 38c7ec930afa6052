import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoincideError } from '../../src/errors.ts';
import type { IngestedEvent } from '../../src/ingest/ingest-event.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import {
  eventually,
  makeVoEvent,
  officialSchemaValidator,
  openTempStore,
  testIngestor,
} from '../vtp/helpers.ts';

const fakeNotice = (ivorn: string): Notice =>
  ({ ivorn, triggerId: 'Test:1', noticeType: 'Test', revision: 1 }) as Notice;

describe('ingest path', () => {
  it('stores an accepted event, then calls onEvent and onNotice once, after resolving', async () => {
    const t = openTempStore();
    try {
      const events: IngestedEvent[] = [];
      const notices: Notice[] = [];
      let resolved = false;
      const ingestor = testIngestor(t.store, {
        normalise: (bytes, sha) => {
          assert.equal(sha.length, 64);
          return fakeNotice('ivo://test.coincide/a#1');
        },
        onEvent: (e) => {
          assert.equal(resolved, true, 'callbacks run after the caller is answered');
          events.push(e);
        },
        onNotice: (n) => {
          notices.push(n);
        },
      });
      const bytes = makeVoEvent('ivo://test.coincide/a#1');
      const first = await ingestor.ingest(bytes, { input: 'replay', peer: 'file.xml' });
      resolved = true;
      assert.equal(first.outcome, 'accepted');
      await eventually(() => events.length === 1 && notices.length === 1, 5000, 'callbacks');
      const second = await ingestor.ingest(bytes, { input: 'replay', peer: 'file.xml' });
      assert.equal(second.outcome, 'duplicate');
      await sleep(100);
      assert.equal(events.length, 1, 'a duplicate is never processed twice');
      assert.ok(events[0]?.bytes.equals(bytes));
      assert.equal(notices.length, 1);
      assert.equal(t.store.noticesByTriggerId('Test:1').length, 1);
    } finally {
      t.close();
    }
  });

  it('answers duplicate for bytes already stored, also when the checks would now refuse them', async () => {
    const t = openTempStore();
    try {
      // Stored first from an upstream broker: not schema-checked, no IVOID rule, any source.
      const upstream = Buffer.from(
        makeVoEvent('ivo://test.coincide/no-local-id').toString('utf8').replace('<Who>', '<Unknown/><Who>'),
      );
      let refuseSources = false;
      let validations = 0;
      const ingestor = testIngestor(t.store, {
        validator: (bytes) => {
          validations += 1;
          return officialSchemaValidator()(bytes);
        },
        trust: () =>
          refuseSources ? { accepted: false, reason: 'source refused' } : { accepted: true, trusted: true },
      });
      const first = await ingestor.ingest(upstream, { input: 'vtp-subscriber', peer: 'broker:8099' });
      assert.equal(first.outcome, 'accepted');
      assert.equal(validations, 0);
      // An author re-submits the same bytes: the IVOID rule (no local ID) and the schema
      // (an unknown element) would refuse them, but they were seen: 'duplicate', as before.
      const author = { input: 'vtp-receiver', peer: '127.0.0.1:5000', validate: true, checkIvoid: true };
      const again = await ingestor.ingest(upstream, author);
      assert.equal(again.outcome, 'duplicate');
      assert.equal(again.ivorn, 'ivo://test.coincide/no-local-id');
      const valid = makeVoEvent('ivo://test.coincide/dup#1');
      const stored = await ingestor.ingest(valid, author);
      assert.equal(stored.outcome, 'accepted');
      assert.equal(validations, 1);
      // The schema refuses the upstream copy (checked when there is no other refusal first).
      const other = { ...author, checkIvoid: false };
      assert.equal((await ingestor.ingest(upstream, other)).outcome, 'duplicate');
      assert.equal(validations, 2);
      // The source is no longer accepted: still 'duplicate' for what it sent before.
      refuseSources = true;
      const refusedAgain = await ingestor.ingest(valid, author);
      assert.equal(refusedAgain.outcome, 'duplicate');
      assert.equal(
        refusedAgain.outcome === 'duplicate' ? refusedAgain.eventId : NaN,
        stored.outcome === 'accepted' ? stored.eventId : -1,
      );
      const fresh = await ingestor.ingest(makeVoEvent('ivo://test.coincide/dup#2'), author);
      assert.equal(fresh.outcome, 'rejected');
      assert.equal(fresh.outcome === 'rejected' ? fresh.code : '', 'TRUST_REFUSED');
      // A re-submission that passes every check is found a duplicate by the store's insert.
      refuseSources = false;
      const passing = await ingestor.ingest(valid, author);
      assert.equal(passing.outcome, 'duplicate');
      assert.equal(t.store.countEvents(), 2);
    } finally {
      t.close();
    }
  });

  it('stores and relays a non-notice event without a Notice when the normaliser says NOTICE_UNSUPPORTED', async () => {
    const t = openTempStore();
    try {
      const events: IngestedEvent[] = [];
      const ingestor = testIngestor(t.store, {
        normalise: () => {
          throw new CoincideError('NOTICE_UNSUPPORTED', 'not a notice');
        },
        onEvent: (e) => {
          events.push(e);
        },
      });
      const result = await ingestor.ingest(makeVoEvent('ivo://test.coincide/a#1'), {
        input: 'replay',
        peer: 'p',
      });
      assert.equal(result.outcome, 'accepted');
      await eventually(() => events.length === 1, 5000, 'onEvent');
      assert.equal(events[0]?.notice, undefined);
    } finally {
      t.close();
    }
  });

  it('rejects with codes: unparsable, not a VOEvent, no ivorn, bad IVOID, no local ID', async () => {
    const t = openTempStore();
    try {
      const ingestor = testIngestor(t.store);
      const opts = { input: 'vtp-receiver', peer: 'p', checkIvoid: true } as const;
      const cases: Array<[string, string]> = [
        ['<a', 'XML_MALFORMED'],
        ['<Transport role="iamalive"/>', 'VOEVENT_NOT_VOEVENT'],
        ['<VOEvent role="test"/>', 'VOEVENT_MISSING_FIELD'],
        ['<VOEvent role="test" ivorn="ivo://au/x#1"/>', 'VTP_INVALID_IVOID'],
        ['<VOEvent role="test" ivorn="ivo://nasa.gsfc.gcn/gcn"/>', 'VTP_NO_LOCAL_ID'],
      ];
      for (const [xml, code] of cases) {
        const result = await ingestor.ingest(Buffer.from(xml), opts);
        assert.equal(result.outcome, 'rejected', xml);
        assert.equal(result.outcome === 'rejected' && result.code, code, xml);
      }
      assert.equal(t.store.countEvents(), 0);
    } finally {
      t.close();
    }
  });

  it(
    'refuses as unparsable (no ivorn, so no nak) a VOEvent whose root tag is fine but whose body is not XML, validated or not',
    { skip: skipUnlessShared() },
    async () => {
      const t = openTempStore();
      try {
        const ingestor = testIngestor(t.store, { validator: officialSchemaValidator() });
        const broken = Buffer.from(
          '<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" ivorn="ivo://a.b/c#1"><Who></voe:VOEvent>',
        );
        for (const validate of [true, false]) {
          const result = await ingestor.ingest(broken, { input: 'vtp-receiver', peer: 'p', validate });
          assert.equal(result.outcome, 'rejected');
          assert.equal(result.outcome === 'rejected' && result.code, 'XML_MALFORMED', `validate ${validate}`);
          assert.equal(result.ivorn, '');
        }
        assert.equal(t.store.countEvents(), 0);
      } finally {
        t.close();
      }
    },
  );

  it(
    'validates against the VOEvent 2.0 schema only when asked (author submissions)',
    { skip: skipUnlessShared() },
    async () => {
      const t = openTempStore();
      try {
        const ingestor = testIngestor(t.store, {
          validator: officialSchemaValidator(),
          logger: createMemoryLogger(),
        });
        const v11 = readFileSync(samplePath('voevent/grb/gbm_flt_pos.xml'));
        const rejected = await ingestor.ingest(v11, { input: 'vtp-receiver', peer: 'p', validate: true });
        assert.equal(rejected.outcome, 'rejected');
        assert.equal(rejected.outcome === 'rejected' && rejected.code, 'SCHEMA_INVALID');
        const relayed = await ingestor.ingest(v11, { input: 'vtp-subscriber', peer: 'p', validate: false });
        assert.equal(relayed.outcome, 'accepted', 'events from upstream are not schema-checked, as in Comet');
        const v20 = readFileSync(samplePath('voevent/grb/SWIFT_bat_position_v2.0_example.xml'));
        assert.equal(
          (await ingestor.ingest(v20, { input: 'vtp-receiver', peer: 'p', validate: true })).outcome,
          'accepted',
        );
      } finally {
        t.close();
      }
    },
  );

  it('logs and survives a failing handler', async () => {
    const t = openTempStore();
    try {
      const logger = createMemoryLogger();
      const ingestor = testIngestor(t.store, {
        logger,
        onEvent: () => {
          throw new Error('handler broke');
        },
      });
      assert.equal(
        (await ingestor.ingest(makeVoEvent('ivo://test.coincide/a#1'), { input: 'replay', peer: 'p' }))
          .outcome,
        'accepted',
      );
      await eventually(
        () => logger.records.some((r) => r.level === 'error' && String(r.error).includes('handler broke')),
        5000,
        'error logged',
      );
    } finally {
      t.close();
    }
  });
});

describe('ingest path for JSON notices', () => {
  it(
    'normalises, stores and de-duplicates a GCN Kafka JSON notice with the project normaliser',
    { skip: skipUnlessShared() },
    async () => {
      const t = openTempStore();
      try {
        const { parseNoticeDocument } = await import('../../src/notices/parse-notice.ts');
        const events: IngestedEvent[] = [];
        const ingestor = testIngestor(t.store, {
          normalise: (bytes) => parseNoticeDocument(bytes),
          onEvent: (e) => {
            events.push(e);
          },
        });
        const bytes = readFileSync(samplePath('gcn-json/einstein-probe/EP240508.json'));
        const first = await ingestor.ingest(bytes, {
          input: 'gcn-kafka',
          peer: 'gcn.notices.einstein_probe.wxt.alert',
        });
        assert.equal(first.outcome, 'accepted');
        assert.ok(first.outcome === 'accepted' && first.notice);
        const second = await ingestor.ingest(bytes, {
          input: 'gcn-kafka',
          peer: 'gcn.notices.einstein_probe.wxt.alert',
        });
        assert.equal(second.outcome, 'duplicate');
        await eventually(() => events.length === 1, 5000, 'onEvent');
        assert.equal(events[0]?.format, 'json');
        assert.equal(events[0]?.payload, undefined);
        const stored = t.store.eventsByIvorn(first.ivorn);
        assert.equal(stored.length, 1);
        assert.ok(stored[0]?.bytes.equals(bytes));
        assert.equal(stored[0]?.input, 'gcn-kafka');
        assert.equal(t.store.noticesByIvorn(first.ivorn).length, 1);
      } finally {
        t.close();
      }
    },
  );

  it('rejects JSON that is not a notice with a code, and JSON when no normaliser is configured', async () => {
    const t = openTempStore();
    try {
      const failing = testIngestor(t.store, {
        normalise: () => {
          throw new CoincideError('NOTICE_UNSUPPORTED', 'not a notice');
        },
      });
      const result = await failing.ingest(Buffer.from(' {"hello": 1}'), { input: 'gcn-kafka', peer: 't' });
      assert.equal(result.outcome === 'rejected' && result.code, 'NOTICE_UNSUPPORTED');
      const bare = testIngestor(t.store);
      const none = await bare.ingest(Buffer.from('{"a": 1}'), { input: 'gcn-kafka', peer: 't' });
      assert.equal(none.outcome, 'rejected');
      assert.equal(t.store.countEvents(), 0);
    } finally {
      t.close();
    }
  });
});
