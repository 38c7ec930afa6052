import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGcnInput, wantsGcnInput } from '../../src/app/gcn-input.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';

describe('serve: the GCN Kafka input', () => {
  it('is wanted only when gcn.domain or gcn.brokers is given', () => {
    assert.equal(wantsGcnInput(loadConfig({ env: {} }).gcn), false);
    assert.equal(wantsGcnInput(loadConfig({ env: { COINCIDE_GCN_BROKERS: '127.0.0.1:9092' } }).gcn), true);
    const nasa = loadConfig({
      env: {
        COINCIDE_GCN_DOMAIN: 'gcn.nasa.gov',
        COINCIDE_GCN_CLIENT_ID: 'id',
        COINCIDE_GCN_CLIENT_SECRET: 's',
      },
    });
    assert.equal(wantsGcnInput(nasa.gcn), true);
  });

  it('builds a consumer of the configured group, not yet running (nothing connects before start)', () => {
    const config = loadConfig({
      env: { COINCIDE_GCN_BROKERS: '127.0.0.1:9', COINCIDE_GCN_GROUP: 'my-group' },
    });
    const consumer = createGcnInput(config.gcn, {
      logger: silentLogger,
      clock: systemClock,
      ingest: () => Promise.reject(new Error('no message is consumed in this test')),
      lastSeenMs: () => undefined,
    });
    const health = consumer.health();
    assert.equal(health.groupId, 'my-group');
    assert.equal(health.running, false);
    assert.deepEqual(health.messages, { received: 0, accepted: 0, duplicate: 0, rejected: 0, empty: 0 });
  });
});
