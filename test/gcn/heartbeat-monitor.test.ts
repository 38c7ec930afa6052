import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { createHeartbeatMonitor } from '../../src/gcn/heartbeat-monitor.ts';
import { createMemoryLogger } from '../../src/logger.ts';

const beat = (iso: string): Buffer =>
  Buffer.from(
    JSON.stringify({
      $schema: 'https://gcn.nasa.gov/schema/main/gcn/notices/core/Alert.schema.json',
      alert_datetime: iso,
    }),
  );

describe('GCN heartbeat monitor', () => {
  test('waits, then is ok while heartbeats arrive, and reports their lag', () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const monitor = createHeartbeatMonitor({ clock, logger: createMemoryLogger(), silenceMs: 10_000 });
    assert.equal(monitor.health().status, 'waiting');
    clock.advance(1500);
    monitor.beat(beat('2026-01-01T00:00:01.000Z'));
    const health = monitor.health();
    assert.equal(health.status, 'ok');
    assert.equal(health.lagMs, 500);
    assert.equal(health.lastAlertDatetime, '2026-01-01T00:00:01.000Z');
    assert.equal(health.count, 1);
  });

  test('turns silent after the configured silence, warns once, and logs the recovery', () => {
    const clock = new ManualClock(0);
    const logger = createMemoryLogger();
    const monitor = createHeartbeatMonitor({ clock, logger, silenceMs: 10_000 });
    monitor.beat(beat('1970-01-01T00:00:00Z'));
    clock.advance(10_000);
    assert.equal(monitor.check(), 'ok', 'exactly the silence is still ok');
    clock.advance(1);
    assert.equal(monitor.check(), 'silent');
    clock.advance(5000);
    assert.equal(monitor.check(), 'silent');
    const warnings = logger.records.filter((r) => r.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.msg, 'GCN heartbeat silent');
    assert.equal(warnings[0]?.silentForMs, 10_001);
    assert.equal(monitor.health().silentForMs, 15_001);
    monitor.beat(null);
    assert.equal(monitor.health().status, 'ok');
    assert.equal(monitor.health().lastAlertDatetime, null, 'a heartbeat without a usable body still counts');
    assert.ok(logger.records.some((r) => r.msg === 'GCN heartbeat back'));
  });

  test('is silent when no heartbeat ever arrives within the silence', () => {
    const clock = new ManualClock(0);
    const monitor = createHeartbeatMonitor({ clock, logger: createMemoryLogger(), silenceMs: 1000 });
    clock.advance(1001);
    assert.equal(monitor.check(), 'silent');
    assert.equal(monitor.health().lastHeartbeatMs, null);
  });
});
