/**
 * Cluster mode scale-out (issue 15; never part of the tests): 1, 2 and 3 `coincide serve
 * --cluster` processes in the same run, on one local broker (scripts/kafka), over a 6-partition
 * optical topic.
 *
 *   npx tsx bench/cluster.ts                 # 30,000 alerts per configuration
 *   npx tsx bench/cluster.ts --quick         # 6,000 alerts (< 3 minutes on a quiet machine)
 *   npx tsx bench/cluster.ts --alerts 50000 --notices 5
 *
 * For each instance count N:
 *  - alerts/s: N instances settle (every partition owned, no rebuild), then the alerts (real ZTF
 *    and Rubin packet layouts, test/helpers/night-alerts.ts, pre-encoded) are produced and timed
 *    from the first send to the moment the instances together have joined them all (the engine's
 *    alert count in each /healthz). Same-run baseline: the producer alone into an unconsumed
 *    topic (the broker and producer ceiling on this machine), and the ratio of each N to N = 1.
 *  - backward-join latency: GRB notices (GBM circles, 3.4°) sent over VTP to instance 1 after the
 *    alerts, each over a field holding buffered alerts; latency = send → the last of its
 *    coincidences on the output topic (through the notice bus and every instance's join).
 *  - rebuild: one more instance joins; the partitions it is given are rebuilt from the topic
 *    (offsets for times) and the time and messages of each rebuild are read from its /healthz,
 *    with the time from its start (listening) to every partition it owns rebuilt (the rebalance,
 *    the plan and the rebuilds).
 * Prints os.loadavg() at the start and the end: on a shared 2-core machine every figure must be
 * read with it, and N > 2 processes can only share the same two cores.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { seededRandom } from '../scripts/optical/packets.ts';
import { decodeCoincidenceMessage } from '../src/sinks/kafka-coincidences.ts';
import { sendEvent } from '../src/vtp/sender.ts';
import {
  createNightEncoder,
  GBM_GND_SAMPLE,
  gbmNotice,
  type NightAlert,
  ztfObjectId,
} from '../test/helpers/night-alerts.ts';
import { samplePath } from '../test/helpers/shared.ts';
import { createTestToken } from '../test/http/start-app.ts';
import { startServe, type ServeProcess } from '../test/e2e/serve-process.ts';
import { numberArg } from './number-arg.ts';

const QUICK = process.argv.includes('--quick');
const ALERTS = numberArg('alerts', QUICK ? 6_000 : 30_000);
const NOTICES = numberArg('notices', QUICK ? 3 : 5);
const PARTITIONS = 6;
const START_MJD = 61_000.1;
const SPAN_DAYS = 50 / 1440;
/** The fields the GRBs point at: 20 % of the alerts fall in them. */
const FIELDS = [
  { raDeg: 40, decDeg: 10 },
  { raDeg: 120, decDeg: -20 },
  { raDeg: 250, decDeg: 30 },
];

interface Instance extends ServeProcess {
  admin: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

function night(seed: number): NightAlert[] {
  const random = seededRandom(seed);
  const out: NightAlert[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const survey = random() < 0.5 ? 'ZTF' : 'LSST';
    const field = random() < 0.2 ? FIELDS[i % FIELDS.length] : undefined;
    const raDeg = field ? field.raDeg + (random() - 0.5) * 6 : random() * 360;
    const decDeg = field
      ? field.decDeg + (random() - 0.5) * 6
      : (Math.asin(2 * random() - 1) * 180) / Math.PI;
    out.push({
      survey,
      objectId:
        survey === 'ZTF' ? ztfObjectId(seed * 1e6 + i) : String(313853035000000000n + BigInt(seed * 1e6 + i)),
      alertId: String(2600000000015015000n + BigInt(seed * 1e6 + i)),
      raDeg: (raDeg + 360) % 360,
      decDeg,
      mjd: START_MJD + (i / ALERTS) * SPAN_DAYS,
    });
  }
  return out;
}

async function produceAll(
  producer: Producer,
  topic: string,
  messages: Array<{ key: string; value: Buffer }>,
): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: messages.slice(i, i + 500) });
  }
}

async function main(): Promise<void> {
  console.log(
    `bench/cluster: ${ALERTS} alerts, ${NOTICES} notices, ${PARTITIONS} partitions, ${cpus().length} cores, load ${load()}`,
  );
  const { startBroker } = await import('../scripts/kafka/broker.ts');
  const broker = await startBroker({ saslPort: null, log: () => undefined });
  const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-cluster-'));
  const kafka = new Kafka({
    clientId: 'coincide-bench',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  const encoder = createNightEncoder();
  const template = readFileSync(samplePath(GBM_GND_SAMPLE), 'utf8');
  const live: Instance[] = [];
  const rows: string[] = [];
  try {
    // Baseline: the producer alone, same messages, a topic nobody reads.
    const baseAlerts = night(9).map((a) => ({ key: `${a.survey}:${a.objectId}`, value: encoder.encode(a) }));
    await admin.createTopics({ topics: [{ topic: 'bench-baseline', numPartitions: PARTITIONS }] });
    let t = performance.now();
    await produceAll(producer, 'bench-baseline', baseAlerts);
    const baselineRate = ALERTS / ((performance.now() - t) / 1000);
    console.log(`baseline: producer alone ${baselineRate.toFixed(0)} alerts/s (load ${load()})`);

    let rateOne = 0;
    for (const n of [1, 2, 3]) {
      const tag = `n${n}`;
      const topics = {
        optical: `bench-optical-${tag}`,
        notices: `bench-notices-${tag}`,
        coincidences: `bench-co-${tag}`,
      };
      await admin.createTopics({
        topics: [
          { topic: topics.optical, numPartitions: PARTITIONS },
          { topic: topics.notices, numPartitions: 3 },
          { topic: topics.coincidences, numPartitions: 3 },
        ],
      });
      const start = async (name: string): Promise<Instance> => {
        const dbPath = join(dir, `${tag}-${name}.db`);
        const adminToken = createTestToken(dbPath, 'admin', { scopes: ['admin'] });
        const serve = await startServe({
          dbPath,
          timeoutMs: 180_000,
          args: [
            '--cluster',
            'true',
            '--cluster-instance-id',
            `${tag}-${name}`,
            '--kafka-out-brokers',
            broker.bootstrap,
            '--kafka-out-notice-topic',
            topics.notices,
            '--kafka-out-coincidence-topic',
            topics.coincidences,
            '--kafka-out-tier-topics',
            'false',
            '--optical-kafka-brokers',
            broker.bootstrap,
            '--optical-kafka-topic',
            topics.optical,
            '--optical-kafka-group',
            `bench-${tag}`,
            '--optical-kafka-from-beginning',
            'true',
            // Info level: startServe learns the ports from the 'listening' lines.
          ],
          services: ['http', 'vtp-receiver', 'vtp-broadcaster'],
        });
        const instance = Object.assign(serve, { admin: adminToken });
        live.push(instance);
        return instance;
      };
      const health = async (
        s: Instance,
      ): Promise<{
        join?: { alerts: number };
        cluster?: {
          optical: {
            owned: string[];
            rebuilding: unknown[];
            lastRebuilds: Array<{ partition: string; rebuildMs: number; messages: number }>;
          };
        };
      }> =>
        (await (
          await fetch(`http://127.0.0.1:${s.ports.http ?? 0}/healthz`, {
            headers: { Authorization: `Bearer ${s.admin}` },
          })
        ).json()) as never;
      const settle = async (instances: Instance[]): Promise<void> => {
        for (;;) {
          const hs = await Promise.all(instances.map(health));
          const owned = hs.flatMap((h) => h.cluster?.optical.owned ?? []);
          if (owned.length === PARTITIONS && hs.every((h) => h.cluster?.optical.rebuilding.length === 0))
            return;
          await sleep(200);
        }
      };
      const instances: Instance[] = [];
      for (let i = 0; i < n; i++) instances.push(await start(`i${i}`));
      await settle(instances);

      const alerts = night(n);
      const messages = alerts.map((a) => ({ key: `${a.survey}:${a.objectId}`, value: encoder.encode(a) }));
      t = performance.now();
      await produceAll(producer, topics.optical, messages);
      for (;;) {
        const hs = await Promise.all(instances.map(health));
        const joined = hs.reduce((sum, h) => sum + (h.join?.alerts ?? 0), 0);
        if (joined >= ALERTS) break;
        await sleep(100);
      }
      const rate = ALERTS / ((performance.now() - t) / 1000);
      if (n === 1) rateOne = rate;

      // Backward joins: notices after the alerts, over the fields.
      const seen = new Map<string, number>();
      const consumer = kafka.consumer({ groupId: `bench-check-${tag}` });
      await consumer.connect();
      await consumer.subscribe({ topics: [topics.coincidences], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const c = decodeCoincidenceMessage(message);
          seen.set(c.trigger.triggerId, performance.now());
          await Promise.resolve();
        },
      });
      const latencies: number[] = [];
      for (let k = 0; k < NOTICES; k++) {
        const field = FIELDS[k % FIELDS.length] ?? { raDeg: 0, decDeg: 0 };
        const trig = 992_000_000 + n * 100 + k;
        const sent = performance.now();
        await sendEvent({
          host: '127.0.0.1',
          port: instances[0]?.ports['vtp-receiver'] ?? 0,
          bytes: gbmNotice(template, trig, START_MJD - 0.001, field.raDeg, field.decDeg),
        });
        // The last coincidence of the trigger: none new for 2 s.
        for (;;) {
          await sleep(250);
          const last = [...seen.entries()].find(([id]) => id.endsWith(`:${trig}`))?.[1];
          if (last !== undefined && performance.now() - last > 2_000) {
            latencies.push(last - sent);
            break;
          }
          if (performance.now() - sent > 120_000) break;
        }
      }
      await consumer.disconnect();
      latencies.sort((a, b) => a - b);
      const p50 = latencies[Math.floor(latencies.length / 2)] ?? NaN;

      // Rebuild: one more instance joins; the rebalance gives it partitions, which it rebuilds.
      // Waited for until the joiner owns partitions and each has a finished rebuild (the others
      // still own all six until the rebalance, so `settle` alone would return before it).
      const joiner = await start('joiner');
      const joinedAt = performance.now();
      for (;;) {
        const optical = (await health(joiner)).cluster?.optical;
        const owned = optical?.owned ?? [];
        if (
          owned.length > 0 &&
          optical?.rebuilding.length === 0 &&
          owned.every((p) => optical.lastRebuilds.some((r) => r.partition === p))
        )
          break;
        await sleep(200);
      }
      const rebalanceMs = performance.now() - joinedAt;
      await settle([...instances, joiner]);
      const rebuilds = ((await health(joiner)).cluster?.optical.lastRebuilds ?? []).filter(
        (r) => r.messages > 0,
      );
      const rebuildMs = rebuilds.map((r) => r.rebuildMs);
      const rebuildMsgs = rebuilds.reduce((s, r) => s + r.messages, 0);
      const rebuildRate = rebuildMsgs / (Math.max(1, ...rebuildMs) / 1000);
      const row = `N=${n}: ${rate.toFixed(0)} alerts/s (×${(rate / rateOne).toFixed(2)} of N=1, ${(rate / baselineRate).toFixed(2)} of the producer baseline); backward join p50 ${p50.toFixed(0)} ms over ${latencies.length} notices (all: ${latencies.map((l) => l.toFixed(0)).join(', ')}); joiner rebuilt ${rebuilds.length} partitions, ${rebuildMsgs} messages, max ${Math.max(0, ...rebuildMs)} ms (${rebuildRate.toFixed(0)} messages/s), ready ${rebalanceMs.toFixed(0)} ms after it listened; load ${load()}`;
      console.log(row);
      rows.push(row);
      for (const s of [...instances, joiner]) await s.stop('SIGTERM', 20_000);
      live.length = 0;
    }
    console.log('\nsummary');
    for (const row of rows) console.log(`  ${row}`);
    console.log(`  baseline producer alone: ${baselineRate.toFixed(0)} alerts/s; load at end ${load()}`);
  } finally {
    for (const s of live) await s.stop('SIGKILL').catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
