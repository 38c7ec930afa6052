import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServiceHealth, opticalKafkaHealth } from '../../src/app/service-health.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { PartitionEventTime } from '../../src/optical/partition-event-time.ts';
import { mjdToIso } from '../../src/time/mjd.ts';

describe('service health: optical Kafka partition progress', () => {
  it('shows each partition’s latest event time, whether it is caught up, and the hold on the join', () => {
    const progress = new PartitionEventTime();
    assert.deepEqual(opticalKafkaHealth(progress, 'kafkajs'), {
      client: 'kafkajs',
      eventTimeHold: 'everything held (a partition not heard from yet)',
      partitions: [],
    });

    progress.assign({ ztf: [0, 1] });
    progress.batchStarted('ztf', 0);
    progress.observe('ztf', 0, 61_000.25);
    progress.observe('ztf', 0, 61_000.5);
    const catchingUp = opticalKafkaHealth(progress, undefined);
    assert.equal(
      catchingUp.eventTimeHold,
      'everything held (a partition not heard from yet)',
      'partition 1 has not been heard from: it holds everything',
    );
    assert.deepEqual(catchingUp.partitions, [
      { partition: 'ztf/0', latestEventTime: mjdToIso(61_000.5), caughtUp: false },
      { partition: 'ztf/1', latestEventTime: null, caughtUp: false },
    ]);

    progress.knownAtEnd('ztf', 1);
    assert.equal(
      opticalKafkaHealth(progress, undefined).eventTimeHold,
      mjdToIso(61_000.5),
      'the partition catching up holds the join at its progress',
    );

    progress.caughtUp('ztf', 0);
    const live = opticalKafkaHealth(progress, 'librdkafka');
    assert.equal(live.eventTimeHold, 'nothing held (every partition caught up)');
    assert.deepEqual(live.partitions, [
      { partition: 'ztf/0', latestEventTime: mjdToIso(61_000.5), caughtUp: true },
      { partition: 'ztf/1', latestEventTime: null, caughtUp: true },
    ]);
  });

  it('puts the optical Kafka progress under inputs, and reports degraded until started', () => {
    const progress = new PartitionEventTime();
    progress.assign({ lsst: [3] });
    let nowMs = 1_000_000;
    let started = false;
    const health = createServiceHealth({
      clock: { nowMs: () => nowMs },
      startedMs: 1_000_000,
      lastEventMs: new Map([['optical', 1_000_500]]),
      parts: () => ({
        started,
        engine: createJoinEngine(),
        outboxSeq: 7,
        websocketClients: 2,
        vtpSubscribers: 1,
        opticalEventTime: progress,
        opticalKafkaClient: 'kafkajs',
      }),
    });
    assert.equal(health().status, 'degraded');
    started = true;
    nowMs = 1_002_000;
    const report = health();
    assert.equal(report.status, 'ok');
    assert.equal(report.uptimeSec, 2);
    assert.equal(report.outboxSeq, 7);
    const inputs = report.inputs as Record<string, Record<string, unknown>>;
    assert.deepEqual(inputs.optical, { lastEventAt: new Date(1_000_500).toISOString(), lagSec: 1.5 });
    assert.deepEqual(inputs['optical-kafka']?.partitions, [
      { partition: 'lsst/3', latestEventTime: null, caughtUp: false },
    ]);
  });
});
