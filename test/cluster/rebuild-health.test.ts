/**
 * Cluster mode's start-up and rebuild reports, against the real broker (one in-process
 * instance, createApp with `--cluster`):
 *  - the retention check: an optical topic created with retention.ms of one day (less than the
 *    31 days a partition rebuild reads back) gives the RETENTION_TOO_SHORT warning in the log and
 *    `ok: false` under /healthz `cluster.retention`; a topic kept forever (retention.ms -1) passes;
 *  - /healthz during a partition rebuild: 8,000 alerts are on the partition before the instance
 *    starts; while they are read back, /healthz (admin) is `degraded` and shows the partition
 *    under `cluster.optical.rebuilding` (phase, messages read of the total); a GRB notice sent
 *    during the rebuild waits for it and then pairs with every alert of its field (none is
 *    missed for having been read after the notice arrived); afterwards the status is `ok` and
 *    `lastRebuilds` holds the partition with its 8,000 messages.
 * The rebuild is observed by polling (no timing assertion): on a quiet machine it takes seconds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { CompressionTypes } from 'kafkajs';
import { createMemoryLogger } from '../../src/logger.ts';
import { decodeCoincidenceMessage } from '../../src/sinks/kafka-coincidences.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { createNightEncoder, GBM_GND_SAMPLE, gbmNotice, type NightAlert } from '../helpers/night-alerts.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { startTestApp, type TestApp } from '../http/start-app.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';

const skip = skipUnlessShared() || skipUnlessKafka();
const ALERTS = 8_000;
const DAY_MS = 86_400_000;

interface ClusterReport {
  status: string;
  cluster: {
    status: string;
    retention: Array<{ topic: string; ok: boolean; message: string }>;
    optical: {
      owned: string[];
      rebuilding: Array<{ partition: string; phase: string; read?: number; total?: number }>;
      lastRebuilds: Array<{ partition: string; rebuildMs: number; messages: number }>;
    } | null;
  };
}

/** Polls `get` until it gives a value (at most timeoutMs). */
async function poll<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function report(app: TestApp): Promise<{ http: number; body: ClusterReport }> {
  const response = await fetch(`${app.httpUrl}/healthz`, {
    headers: { Authorization: `Bearer ${app.adminToken}` },
  });
  return { http: response.status, body: (await response.json()) as ClusterReport };
}

describe('cluster: retention warning and rebuild in /healthz', { skip, timeout: 300_000 }, () => {
  const apps: TestApp[] = [];
  after(async () => {
    for (const app of apps) await app.stop();
  });

  it('warns of a short retention and shows a partition rebuild while it runs', async () => {
    const kafka = testKafka();
    const short = uniqueName('rh-short');
    const forever = uniqueName('rh-forever');
    const noticeTopic = uniqueName('rh-notices');
    const coincidenceTopic = uniqueName('rh-coincidences');
    await createTopics(kafka, [
      { topic: short, configEntries: [{ name: 'retention.ms', value: String(DAY_MS) }] },
      { topic: forever, configEntries: [{ name: 'retention.ms', value: '-1' }] },
      { topic: noticeTopic },
      { topic: coincidenceTopic },
    ]);

    // A night's alerts on the short topic (event times are the survey's: retention counts the
    // broker's append time); a tenth of them in the GRB's field, each a new object after t0.
    // The others are south of dec −20°, far from the field.
    const t0Mjd = 61_000.2;
    const field = { raDeg: 210, decDeg: 15 };
    const encoder = createNightEncoder();
    const alerts: NightAlert[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const inField = i % 10 === 0;
      alerts.push({
        survey: i % 2 === 0 ? 'ZTF' : 'LSST',
        objectId:
          i % 2 === 0 ? `ZTF26rh${String(i).padStart(5, '0')}` : String(313853035700000000n + BigInt(i)),
        alertId: String(2600000000017000000n + BigInt(i)),
        raDeg: inField ? field.raDeg + ((i % 7) - 3) * 0.1 : (i * 37) % 360,
        decDeg: inField ? field.decDeg + ((i % 5) - 2) * 0.1 : -80 + ((i * 13) % 60),
        mjd: t0Mjd + 0.01 + (i / ALERTS) * 0.02,
      });
    }
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < alerts.length; i += 500) {
      await producer.send({
        topic: short,
        compression: CompressionTypes.GZIP,
        messages: alerts.slice(i, i + 500).map((a) => ({ key: a.objectId, value: encoder.encode(a) })),
      });
    }
    await producer.disconnect();

    const logger = createMemoryLogger();
    const group = uniqueName('rh-group');
    const app = await startTestApp({
      logger,
      flags: {
        cluster: 'true',
        'cluster-instance-id': `rh-${group}`,
        'kafka-out-brokers': testBrokers().join(','),
        'kafka-out-notice-topic': noticeTopic,
        'kafka-out-coincidence-topic': coincidenceTopic,
        'kafka-out-tier-topics': 'false',
        'cluster-skymap-topic': uniqueName('rh-skymaps'),
        'optical-kafka-brokers': testBrokers().join(','),
        'optical-kafka-topic': `${short},${forever}`,
        'optical-kafka-group': group,
        'optical-kafka-from-beginning': 'true',
      },
    });
    apps.push(app);

    // The retention check ran at start-up.
    const warning = logger.records.find((r) => r.code === 'RETENTION_TOO_SHORT');
    assert.ok(warning, 'a RETENTION_TOO_SHORT warning is logged');
    assert.equal(warning.level, 'warn');
    assert.match(String(warning.msg), new RegExp(`${short} keeps only 1\\.0 d`));
    const first = await report(app);
    const verdicts = new Map(first.body.cluster.retention.map((v) => [v.topic, v]));
    assert.equal(verdicts.get(short)?.ok, false);
    assert.match(verdicts.get(short)?.message ?? '', /retention\.ms=86400000/);
    assert.equal(verdicts.get(forever)?.ok, true);
    assert.match(verdicts.get(forever)?.message ?? '', /keeps forever/);
    assert.ok(
      !logger.records.some((r) => r.code === 'RETENTION_TOO_SHORT' && String(r.msg).includes(forever)),
    );

    // The rebuild, observed from /healthz while it runs.
    let seen: ClusterReport['cluster']['optical'] | undefined;
    let httpWhileRebuilding = 0;
    await poll('the rebuild of the short topic shows in /healthz', async () => {
      const { http, body } = await report(app);
      const rebuilding = body.cluster.optical?.rebuilding.find(
        (r) => r.partition === `${short}/0` && r.phase === 'rebuilding',
      );
      if (!rebuilding) return undefined;
      seen = body.cluster.optical;
      httpWhileRebuilding = http;
      assert.equal(body.status, 'degraded');
      assert.equal(body.cluster.status, 'degraded');
      return true;
    });
    const during = seen?.rebuilding.find((r) => r.partition === `${short}/0`);
    assert.equal(during?.total, ALERTS, 'the rebuild covers the whole partition');
    assert.ok((during?.read ?? -1) >= 0 && (during?.read ?? ALERTS + 1) <= ALERTS);
    assert.equal(httpWhileRebuilding, 503, 'a degraded /healthz answers 503');

    // A GRB over the field, sent during the rebuild: its join waits for it.
    const template = readFileSync(samplePath(GBM_GND_SAMPLE), 'utf8');
    await sendEvent({
      host: '127.0.0.1',
      port: app.ports.vtpReceiver,
      bytes: gbmNotice(template, 993_000_001, t0Mjd, field.raDeg, field.decDeg),
    });

    const done = await poll('the rebuild ends', async () => {
      const { http, body } = await report(app);
      const last = body.cluster.optical?.lastRebuilds.find((r) => r.partition === `${short}/0`);
      return last && body.cluster.optical?.rebuilding.length === 0 ? { http, body, last } : undefined;
    });
    assert.equal(done.last.messages, ALERTS);
    assert.equal(done.body.cluster.status, 'ok');
    assert.deepEqual(done.body.cluster.optical?.owned, [`${forever}/0`, `${short}/0`]);

    const objects = new Set<string>();
    const consumer = kafka.consumer({ groupId: uniqueName('rh-check') });
    await consumer.connect();
    await consumer.subscribe({ topics: [coincidenceTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const c = decodeCoincidenceMessage(message);
        if (c.pairType === 'mm-optical') objects.add((c.counterpart as { objectId: string }).objectId);
        await Promise.resolve();
      },
    });
    try {
      const expected = alerts.filter((_, i) => i % 10 === 0).map((a) => a.objectId);
      await poll('every alert of the field paired', () =>
        Promise.resolve(expected.every((o) => objects.has(o)) ? true : undefined),
      );
      assert.deepEqual([...objects].sort(), [...expected].sort());
    } finally {
      await consumer.disconnect();
    }
  });
});
