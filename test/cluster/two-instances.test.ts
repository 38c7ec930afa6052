/**
 * Cluster mode on the real broker, two in-process instances (createApp, `--cluster`): a GRB
 * notice sent over VTP to ONE instance is joined by BOTH (the notice bus), each against the
 * optical partition it owns; the same event sent to both is joined once by each (SHA-256);
 * coincidences on the output topic are keyed by their id and carry the content digest.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { CompressionTypes } from 'kafkajs';
import WebSocket from 'ws';
import { decodeCoincidenceMessage } from '../../src/sinks/kafka-coincidences.ts';
import { rawDataToText } from '../../src/sinks/websocket.ts';
import { HEADER_CONTENT_SHA256, headerText } from '../../src/sinks/content-digest.ts';
import { mjdToUnixMs } from '../../src/time/mjd.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createNightEncoder } from '../helpers/night-alerts.ts';
import { startTestApp, type TestApp } from '../http/start-app.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { until } from '../e2e/serve-process.ts';

const GBM_GND = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';
const skip = skipUnlessShared() || skipUnlessKafka();

/** A GBM ground position at (raDeg, decDeg), trigger time t0Mjd, trigger number n. */
export function gbmNotice(template: string, n: number, t0Mjd: number, raDeg: number, decDeg: number): Buffer {
  const iso = new Date(mjdToUnixMs(t0Mjd)).toISOString().slice(0, 22);
  return Buffer.from(
    template
      .replace(/GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/, `GBM_Gnd_Pos_${iso}_${n}_58-491`)
      .replace(/name="TrigID" value="716111594"/, `name="TrigID" value="${n}"`)
      .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`)
      .replace(/<C1>[^<]+<\/C1>/, `<C1>${raDeg.toFixed(4)}</C1>`)
      .replace(/<C2>[^<]+<\/C2>/, `<C2>${decDeg.toFixed(4)}</C2>`),
    'utf8',
  );
}

interface ClusterHealth {
  cluster: {
    instanceId: string;
    stream: { kept: number; duplicates: number };
    optical: { owned: string[]; rebuilding: unknown[] } | null;
    noticeBus: { joined: number; duplicates: number } | null;
  };
}

async function clusterHealth(app: TestApp): Promise<ClusterHealth['cluster']> {
  const response = await fetch(`${app.httpUrl}/healthz`, {
    headers: { Authorization: `Bearer ${app.adminToken}` },
  });
  return ((await response.json()) as ClusterHealth).cluster;
}

interface Frame {
  type: string;
  seq: number;
  cursor?: string;
  data: { id?: string; source?: { sha256: string }; status?: string };
}

/** The stream of one instance from `since` up to the first heartbeat (caught up). */
export async function readStream(app: TestApp, since: string | number): Promise<Frame[]> {
  const ws = new WebSocket(`${app.wsUrl}?since=${encodeURIComponent(String(since))}`, {
    headers: { Authorization: `Bearer ${app.token}` },
  });
  const frames: Frame[] = [];
  return new Promise((resolve, reject) => {
    ws.on('message', (raw) => {
      const frame = JSON.parse(rawDataToText(raw)) as Frame;
      if (frame.type === 'heartbeat') {
        ws.close();
        resolve(frames);
      } else frames.push(frame);
    });
    ws.on('error', reject);
    ws.on('close', (code, reason) => {
      if (code !== 1000 && code !== 1005) reject(new Error(`closed ${code} ${String(reason)}`));
    });
  });
}

/** What identifies a stream message across instances: its kind, id and content. */
export function messageKey(frame: Frame): string {
  const id = frame.type === 'notice' ? frame.data.source?.sha256 : frame.data.id;
  return `${frame.type}:${id ?? ''}:${JSON.stringify(frame.data)}`;
}

describe('cluster mode, two instances', { skip, timeout: 240_000 }, () => {
  const apps: TestApp[] = [];
  after(async () => {
    for (const app of apps) await app.stop();
  });

  it('joins a notice sent to one instance on both, once each, keyed by coincidence id', async () => {
    const kafka = testKafka();
    const opticalTopic = uniqueName('cl-optical');
    const noticeTopic = uniqueName('cl-notices');
    const coincidenceTopic = uniqueName('cl-coincidences');
    await createTopics(kafka, [
      { topic: opticalTopic, numPartitions: 2 },
      { topic: noticeTopic, numPartitions: 2 },
      { topic: coincidenceTopic, numPartitions: 2 },
    ]);
    const t0Mjd = 61_000.25;
    const raDeg = 150.0;
    const decDeg = 20.0;
    const encoder = createNightEncoder();
    // One alert per partition, 0.1 d after the trigger, inside the GBM circle.
    const alerts = [
      {
        survey: 'ZTF' as const,
        objectId: 'ZTF26aaaaaaa',
        alertId: '2600000000015015000',
        raDeg,
        decDeg: decDeg + 0.2,
        mjd: t0Mjd + 0.1,
      },
      {
        survey: 'LSST' as const,
        objectId: '313853035123999777',
        alertId: '313853035123777000',
        raDeg: raDeg + 0.2,
        decDeg,
        mjd: t0Mjd + 0.11,
      },
    ];
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: opticalTopic,
      compression: CompressionTypes.GZIP,
      messages: alerts.map((a, i) => ({ partition: i, key: a.objectId, value: encoder.encode(a) })),
    });
    await producer.disconnect();

    const group = uniqueName('cl-group');
    const flags = (id: string): Record<string, unknown> => ({
      cluster: 'true',
      'cluster-instance-id': `${id}-${group}`,
      'kafka-out-brokers': testBrokers().join(','),
      'kafka-out-notice-topic': noticeTopic,
      'kafka-out-coincidence-topic': coincidenceTopic,
      'kafka-out-tier-topics': 'false',
      'optical-kafka-brokers': testBrokers().join(','),
      'optical-kafka-topic': opticalTopic,
      'optical-kafka-group': group,
      'optical-kafka-from-beginning': 'true',
    });
    const a = await startTestApp({ flags: flags('a') });
    apps.push(a);
    const b = await startTestApp({ flags: flags('b') });
    apps.push(b);
    const owned = async (): Promise<boolean> => {
      const [ha, hb] = await Promise.all([clusterHealth(a), clusterHealth(b)]);
      return (
        ha.optical?.owned.length === 1 &&
        hb.optical?.owned.length === 1 &&
        ha.optical.rebuilding.length === 0 &&
        hb.optical.rebuilding.length === 0
      );
    };
    for (let i = 0; !(await owned()); i++) {
      if (i > 600) throw new Error('the optical partitions were never shared by both instances');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const template = readFileSync(samplePath(GBM_GND), 'utf8');
    const event = gbmNotice(template, 990_000_777, t0Mjd, raDeg, decDeg);
    await sendEvent({ host: '127.0.0.1', port: a.ports.vtpReceiver, bytes: event });
    await sendEvent({ host: '127.0.0.1', port: b.ports.vtpReceiver, bytes: event });

    const seen: Array<{ key: string; id: string; digest: string | undefined; objectId: string }> = [];
    const consumer = kafka.consumer({ groupId: uniqueName('cl-check') });
    await consumer.connect();
    await consumer.subscribe({ topics: [coincidenceTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const c = decodeCoincidenceMessage(message);
        seen.push({
          key: message.key?.toString() ?? '',
          id: c.id,
          digest: headerText(message.headers, HEADER_CONTENT_SHA256),
          objectId: (c.counterpart as { objectId: string }).objectId,
        });
        await Promise.resolve();
      },
    });
    try {
      await until('a coincidence for each partition', () =>
        new Set(seen.map((s) => s.objectId)).size === 2 ? true : undefined,
      );
      for (const s of seen) {
        assert.equal(s.key, s.id, 'the coincidence topic is keyed by the coincidence id');
        assert.match(s.digest ?? '', /^[0-9a-f]{64}$/);
      }
      // The event was ingested by both instances: two copies on the bus, each joined once per instance.
      let dup = 0;
      for (let i = 0; i < 300 && dup < 2; i++) {
        const hs = await Promise.all([clusterHealth(a), clusterHealth(b)]);
        dup = hs.filter((h) => h.noticeBus?.duplicates === 1).length;
        if (dup < 2) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(dup, 2, 'each instance skipped the second copy by its SHA-256');
      const final = await Promise.all([clusterHealth(a), clusterHealth(b)]);
      for (const h of final) assert.equal(h.noticeBus?.joined, 1);

      // One stream across instances: both merged logs hold the same messages, each once, and a
      // client moved from A to B with A's cursor gets the rest: no gap, no repeat.
      let kept: number[] = [];
      for (let i = 0; i < 300; i++) {
        kept = (await Promise.all([clusterHealth(a), clusterHealth(b)])).map((h) => h.stream.kept);
        if (kept[0] === kept[1] && seen.length > 0 && (kept[0] ?? 0) >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const fullA = await readStream(a, 0);
      const fullB = await readStream(b, 0);
      const keysA = fullA.map(messageKey);
      const keysB = fullB.map(messageKey);
      assert.equal(new Set(keysA).size, keysA.length, 'no duplicate on A');
      assert.deepEqual([...keysA].sort(), [...keysB].sort(), 'the same messages on both instances');
      assert.ok(
        fullA.filter((f) => f.type === 'notice').length === 1,
        'the notice once (two ingests, one event)',
      );
      assert.ok(fullA.every((f) => typeof f.cursor === 'string' && f.cursor.startsWith('c1.')));
      for (let cut = 0; cut < fullA.length; cut++) {
        const head = fullA.slice(0, cut + 1);
        const rest = await readStream(b, head.at(-1)?.cursor ?? '');
        const moved = [...head, ...rest].map(messageKey);
        assert.deepEqual(
          [...moved].sort(),
          [...keysA].sort(),
          `moved after message ${cut}: no gap, no repeat`,
        );
      }
    } finally {
      await consumer.disconnect();
    }
  });
});
