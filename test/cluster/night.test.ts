/**
 * The cluster check of issue 15, against the real broker and real `coincide serve` processes:
 *
 *  - three `coincide serve --cluster` instances share a 6-partition optical topic;
 *  - a scripted night of alerts (NIGHT_ALERTS, default 50,000; real ZTF 4.x and Rubin 11.0
 *    packet layouts, test/helpers/night-alerts.ts), keyed by object;
 *  - GRB notices (Fermi GBM VOEvents made from the real sample) over VTP to one instance and
 *    over a GCN-like Kafka topic (every instance consumes it, with its own group), some before
 *    the alerts they match (forward joins) and some after (backward joins against the buffers);
 *  - GW notices (LVK Kafka alerts made from the real sample, each with a real multi-order sky
 *    map embedded, 777,600 bytes) over a GCN-like topic that only instance one consumes, one
 *    before and one after the alerts: the other instances have the maps only from the sky-map
 *    topic (src/cluster/skymap-bus.ts); 2 % of the alerts fall in the maps' cells;
 *  - mid-night one instance is killed with SIGKILL and a new one (new database, new id) joins;
 *  - the set of coincidence ids on the output topic must equal the set `coincide replay` gives
 *    for the same inputs in one process, and each id's content the replay's, field by field;
 *    every repeat of an id must carry the same content digest (byte-identical);
 *  - a WebSocket client moved between instances mid-night (by its cursor) receives that same
 *    set, with no gap and no repeated message.
 * The figures (alerts, notices, ids, repeats, timings) are printed for the closing note.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CompressionTypes, type Producer } from 'kafkajs';
import WebSocket from 'ws';
import { decodeCoincidenceMessage } from '../../src/sinks/kafka-coincidences.ts';
import { HEADER_CONTENT_SHA256, headerText } from '../../src/sinks/content-digest.ts';
import { rawDataToText } from '../../src/sinks/websocket.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { seededRandom } from '../../scripts/optical/packets.ts';
import { createSkyMapRegion } from '../../src/join/skymap-region.ts';
import { pix2angNest } from '../../src/sky/healpix.ts';
import { readSkyMap } from '../../src/sky/skymap-read.ts';
import {
  createNightEncoder,
  GBM_GND_SAMPLE,
  gbmNotice,
  LVK_PRELIMINARY_SAMPLE,
  lvkAlert,
  type NightAlert,
  ztfObjectId,
} from '../helpers/night-alerts.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { runCoincide, startServe, type ServeProcess } from '../e2e/serve-process.ts';

const skip = skipUnlessShared() || skipUnlessKafka();
const ALERTS = Number(process.env.NIGHT_ALERTS ?? 50_000);
const NIGHT_START_MJD = 61_000.1;
/** The alerts span 50 minutes of event time: never later than the allowed lateness (1 h). */
const NIGHT_SPAN_DAYS = 50 / 1440;

interface Grb {
  n: number;
  t0Mjd: number;
  raDeg: number;
  decDeg: number;
  /** When and how it is sent. */
  when: 'before' | 'mid' | 'after';
  via: 'vtp-1' | 'vtp-2' | 'gcn';
}

interface Gw {
  supereventId: string;
  t0Mjd: number;
  when: 'before' | 'after';
  /** The sky map embedded in the alert (upstream-samples/skymaps). */
  mapFile: string;
}

const GWS: readonly Gw[] = [
  {
    supereventId: 'S261207a',
    t0Mjd: NIGHT_START_MJD + 0.05 * NIGHT_SPAN_DAYS,
    when: 'before',
    mapFile: 'skymaps/bayestar.multiorder.fits',
  },
  {
    supereventId: 'S261207b',
    t0Mjd: NIGHT_START_MJD + 0.3 * NIGHT_SPAN_DAYS,
    when: 'after',
    mapFile: 'skymaps/combined-ext.multiorder.fits',
  },
];
/** Order of the cells the GW-field alerts are placed in. */
const GW_CELL_ORDER = 6;

/**
 * The scripted night: GRBs, and alerts in event-time order (10 % in the GRB fields, 2 % in
 * `gwCells`, NESTED cells at GW_CELL_ORDER).
 */
function scriptNight(gwCells: readonly number[]): { grbs: Grb[]; alerts: NightAlert[] } {
  const random = seededRandom(15);
  const grbs: Grb[] = [];
  const plan: Array<Pick<Grb, 'when' | 'via'>> = [
    { when: 'before', via: 'vtp-1' },
    { when: 'before', via: 'vtp-1' },
    { when: 'before', via: 'gcn' },
    { when: 'mid', via: 'vtp-2' },
    { when: 'mid', via: 'gcn' },
    { when: 'after', via: 'vtp-2' },
    { when: 'after', via: 'vtp-1' },
    { when: 'after', via: 'gcn' },
  ];
  plan.forEach((p, i) => {
    grbs.push({
      n: 991_500_000 + i,
      // Triggers spread over the first half of the night: later alerts are their counterparts.
      t0Mjd: NIGHT_START_MJD + (i / plan.length) * NIGHT_SPAN_DAYS * 0.5,
      raDeg: 20 + i * 40,
      decDeg: -30 + i * 8,
      ...p,
    });
  });
  const alerts: NightAlert[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const mjd = NIGHT_START_MJD + (i / ALERTS) * NIGHT_SPAN_DAYS;
    const repeat = i > 100 && random() < 0.1;
    const survey = random() < 0.5 ? 'ZTF' : 'LSST';
    let raDeg: number;
    let decDeg: number;
    const field = random();
    if (field < 0.02) {
      const cell = gwCells[Math.floor(random() * gwCells.length)] ?? 0;
      const centre = pix2angNest(GW_CELL_ORDER, cell);
      raDeg = (centre.raDeg + (random() - 0.5) * 0.8 + 360) % 360;
      decDeg = centre.decDeg + (random() - 0.5) * 0.8;
    } else if (field < 0.12) {
      const g = grbs[Math.floor(random() * grbs.length)] as Grb;
      raDeg = (g.raDeg + (random() - 0.5) * 10 + 360) % 360;
      decDeg = Math.max(-89, Math.min(89, g.decDeg + (random() - 0.5) * 10));
    } else {
      raDeg = random() * 360;
      decDeg = (Math.asin(2 * random() - 1) * 180) / Math.PI;
    }
    // A second detection of an earlier object: same object id (same partition), later time.
    const previous = repeat ? alerts[Math.floor(random() * alerts.length)] : undefined;
    const base: NightAlert = previous
      ? { ...previous, mjd, firstMjd: previous.firstMjd ?? previous.mjd }
      : {
          survey,
          objectId: survey === 'ZTF' ? ztfObjectId(i) : String(313853035000000000n + BigInt(i)),
          alertId: '',
          raDeg,
          decDeg,
          mjd,
        };
    alerts.push({
      ...base,
      alertId:
        base.survey === 'ZTF'
          ? String(2600000000015015000n + BigInt(i))
          : String(313853035500000000n + BigInt(i)),
    });
  }
  return { grbs, alerts };
}

interface Health {
  cluster?: {
    optical: {
      owned: string[];
      rebuilding: unknown[];
      lastRebuilds: Array<{ rebuildMs: number; messages: number }>;
    } | null;
    noticeBus?: Record<string, unknown> | null;
    skymapBus?: Record<string, unknown>;
  };
}

describe(
  'cluster: three instances, a night, a kill and a join, equal to replay',
  { skip, timeout: 900_000 },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-cluster-night-'));
    const serves: ServeProcess[] = [];
    after(async () => {
      for (const s of serves) await s.stop('SIGKILL').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });

    it('gives the coincidence ids of a one-process replay, through SIGKILL and a new instance', async () => {
      const started = Date.now();
      const figures: Record<string, unknown> = {
        alerts: ALERTS,
        loadavgStart: loadavg().map((x) => x.toFixed(1)),
      };
      const gwMaps = new Map(GWS.map((g) => [g.supereventId, readFileSync(samplePath(g.mapFile))]));
      const gwCells = new Set<number>();
      for (const map of gwMaps.values())
        for (const c of createSkyMapRegion(readSkyMap(map)).coverCells(GW_CELL_ORDER)) gwCells.add(c);
      const { grbs, alerts } = scriptNight([...gwCells].sort((a, b) => a - b));
      const encoder = createNightEncoder();
      const template = readFileSync(samplePath(GBM_GND_SAMPLE), 'utf8');
      const lvkTemplate = readFileSync(samplePath(LVK_PRELIMINARY_SAMPLE), 'utf8');
      const gwBytes = new Map(
        GWS.map((g) => [
          g.supereventId,
          lvkAlert(
            lvkTemplate,
            g.supereventId,
            g.t0Mjd,
            g.when === 'before' ? g.t0Mjd + 60 / 86_400 : NIGHT_START_MJD + NIGHT_SPAN_DAYS + 90 / 86_400,
            gwMaps.get(g.supereventId),
          ),
        ]),
      );
      // Publication times as sent: `coincide replay` orders a notice by it, so the replay joins each
      // notice in the same direction as the cluster does (forwards before its alerts, backwards after).
      const publishedMjd = (g: Grb): number =>
        g.when === 'before'
          ? g.t0Mjd + 30 / 86_400
          : g.when === 'mid'
            ? NIGHT_START_MJD + 0.6 * NIGHT_SPAN_DAYS
            : NIGHT_START_MJD + NIGHT_SPAN_DAYS + 60 / 86_400;
      const noticeBytes = new Map(
        grbs.map((g) => [g.n, gbmNotice(template, g.n, g.t0Mjd, g.raDeg, g.decDeg, publishedMjd(g))]),
      );

      // The same inputs for `coincide replay`, in one process.
      const replayDir = join(dir, 'replay-in');
      mkdirSync(replayDir);
      for (const g of grbs) writeFileSync(join(replayDir, `grb-${g.n}.xml`), noticeBytes.get(g.n) ?? '');
      for (const [id, bytes] of gwBytes) writeFileSync(join(replayDir, `gw-${id}.json`), bytes);
      writeFileSync(join(replayDir, 'night-ztf.avro'), encoder.encodeFile('ZTF', alerts));
      writeFileSync(join(replayDir, 'night-lsst.avro'), encoder.encodeFile('LSST', alerts));
      const replayStarted = Date.now();
      const replay = await runCoincide(['replay', replayDir, '--out', join(dir, 'replay.jsonl')]);
      assert.equal(replay.code, 0, replay.stderr);
      figures.replayMs = Date.now() - replayStarted;
      const replayLines = readFileSync(join(dir, 'replay.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { id: string; trigger: { triggerId: string } });
      const replayIds = new Set(replayLines.map((c) => c.id));
      figures.replayIds = replayIds.size;
      const gwIds = new Set(
        replayLines
          .filter((c) => GWS.some((g) => c.trigger.triggerId.includes(g.supereventId)))
          .map((c) => c.id),
      );
      figures.replayGwIds = gwIds.size;
      for (const g of GWS)
        assert.ok(
          replayLines.some((c) => c.trigger.triggerId.includes(g.supereventId)),
          `the replay joins GW ${g.supereventId} (${g.when} the alerts) with its map`,
        );
      assert.ok(replayIds.size > 50, `the night has coincidences (${replayIds.size})`);

      const kafka = testKafka();
      const optical = uniqueName('night-optical');
      const notices = uniqueName('night-notices');
      const coincidences = uniqueName('night-coincidences');
      const gcnTopic = `gcn.classic.voevent.${uniqueName('NIGHT').replace(/-/g, '_')}`;
      // GW alerts: a topic only instance one consumes (the others get the maps from the sky-map topic).
      const gwTopic = `igwn.gwalert.${uniqueName('NIGHT').replace(/-/g, '_')}`;
      const skymapTopic = uniqueName('night-skymaps');
      await createTopics(kafka, [
        { topic: optical, numPartitions: 6 },
        { topic: notices, numPartitions: 3 },
        { topic: coincidences, numPartitions: 3 },
        { topic: gcnTopic },
        { topic: gwTopic },
      ]);
      const topicPattern = (t: string): string => t.replace(/\./g, '\\.');
      const brokers = testBrokers().join(',');
      const group = uniqueName('night-group');
      const start = async (name: string): Promise<ServeProcess & { token: string; admin: string }> => {
        const dbPath = join(dir, `${name}.db`);
        const token = createTestToken(dbPath);
        const admin = createTestToken(dbPath, 'admin', { scopes: ['admin'] });
        const serve = await startServe({
          dbPath,
          timeoutMs: 120_000,
          args: [
            '--cluster',
            'true',
            '--cluster-instance-id',
            `${name}-${group}`,
            '--kafka-out-brokers',
            brokers,
            '--kafka-out-notice-topic',
            notices,
            '--kafka-out-coincidence-topic',
            coincidences,
            '--kafka-out-tier-topics',
            'false',
            '--optical-kafka-brokers',
            brokers,
            '--optical-kafka-topic',
            optical,
            '--optical-kafka-group',
            group,
            '--optical-kafka-from-beginning',
            'true',
            '--gcn-brokers',
            brokers,
            '--cluster-skymap-topic',
            skymapTopic,
            '--gcn-topic',
            name === 'one'
              ? `^(${topicPattern(gcnTopic)}|${topicPattern(gwTopic)})$`
              : `^${topicPattern(gcnTopic)}$`,
            '--gcn-group',
            uniqueName(`night-gcn-${name}`),
          ],
        });
        serves.push(serve);
        return Object.assign(serve, { token, admin });
      };
      const health = async (s: { ports: Record<string, number>; admin: string }): Promise<Health> =>
        (await (
          await fetch(`http://127.0.0.1:${s.ports.http ?? 0}/healthz`, {
            headers: { Authorization: `Bearer ${s.admin}` },
          })
        ).json()) as Health;
      const settled = async (
        instances: Array<{ ports: Record<string, number>; admin: string }>,
      ): Promise<void> => {
        for (let i = 0; ; i++) {
          const hs = await Promise.all(instances.map(health));
          const owned = hs.flatMap((h) => h.cluster?.optical?.owned ?? []);
          // Every instance owns partitions: until the group has rebalanced for the latest member,
          // the others still own all six, and alerts produced then would race the rebalance.
          if (
            new Set(owned).size === 6 &&
            owned.length === 6 &&
            hs.every((h) => (h.cluster?.optical?.owned.length ?? 0) > 0) &&
            hs.every((h) => h.cluster?.optical?.rebuilding.length === 0)
          )
            return;
          if (i > 1200)
            throw new Error(`partitions never settled: ${JSON.stringify(hs.map((h) => h.cluster?.optical))}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };

      const [one, two, three] = [await start('one'), await start('two'), await start('three')];
      await settled([one, two, three]);
      figures.startedMs = Date.now() - started;

      const producer = kafka.producer();
      await producer.connect();
      const sendNotice = async (g: Grb): Promise<void> => {
        const bytes = noticeBytes.get(g.n) ?? Buffer.alloc(0);
        if (g.via === 'gcn') await producer.send({ topic: gcnTopic, messages: [{ value: bytes }] });
        else
          await sendEvent({
            host: '127.0.0.1',
            port: (g.via === 'vtp-1' ? one : two).ports['vtp-receiver'] ?? 0,
            bytes,
          });
      };
      const produce = async (p: Producer, batch: NightAlert[]): Promise<void> => {
        for (let i = 0; i < batch.length; i += 500) {
          await p.send({
            topic: optical,
            compression: CompressionTypes.GZIP,
            messages: batch
              .slice(i, i + 500)
              .map((a) => ({ key: `${a.survey}:${a.objectId}`, value: encoder.encode(a) })),
          });
        }
      };

      // The WebSocket client starts on instance one, from the beginning.
      const client = followStream(`ws://127.0.0.1:${one.ports.http ?? 0}/v1/stream`, one.token, '0');

      const sendGw = async (g: Gw): Promise<void> => {
        // ~1 MB of JSON: gzip keeps the batch under the broker's message.max.bytes.
        await producer.send({
          topic: gwTopic,
          compression: CompressionTypes.GZIP,
          messages: [{ value: gwBytes.get(g.supereventId) ?? Buffer.alloc(0) }],
        });
      };
      for (const g of grbs.filter((x) => x.when === 'before')) await sendNotice(g);
      for (const g of GWS.filter((x) => x.when === 'before')) await sendGw(g);
      const half = Math.floor(alerts.length / 2);
      const produceStarted = Date.now();
      await produce(producer, alerts.slice(0, half));

      // Mid-night: SIGKILL one instance; notices arrive while its partitions have no owner.
      await three.stop('SIGKILL');
      for (const g of grbs.filter((x) => x.when === 'mid')) await sendNotice(g);
      await produce(producer, alerts.slice(half, half + Math.floor(alerts.length / 10)));
      // The client moves from instance one to instance two, by its cursor.
      const moved = await client.moveTo(`ws://127.0.0.1:${two.ports.http ?? 0}/v1/stream`, two.token);
      figures.clientMovedAfterMessages = moved;
      const four = await start('four');
      await produce(producer, alerts.slice(half + Math.floor(alerts.length / 10)));
      figures.produceMs = Date.now() - produceStarted;
      await settled([one, two, four]);
      for (const g of grbs.filter((x) => x.when === 'after')) await sendNotice(g);
      for (const g of GWS.filter((x) => x.when === 'after')) await sendGw(g);
      await producer.disconnect();

      // The output topic, read whole until it holds the replay's ids (or stops growing).
      const byId = new Map<string, Set<string>>();
      const copies = new Map<string, number>();
      const firstCopy = new Map<string, string>();
      /** The last copy of each id, decoded. */
      const lastContent = new Map<string, unknown>();
      let messages = 0;
      const consumer = kafka.consumer({ groupId: uniqueName('night-check') });
      await consumer.connect();
      await consumer.subscribe({ topics: [coincidences], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const c = decodeCoincidenceMessage(message);
          messages++;
          const digests = byId.get(c.id) ?? new Set<string>();
          digests.add(headerText(message.headers, HEADER_CONTENT_SHA256) ?? '');
          byId.set(c.id, digests);
          copies.set(c.id, (copies.get(c.id) ?? 0) + 1);
          lastContent.set(c.id, c);
          if (!firstCopy.has(c.id))
            firstCopy.set(c.id, `${c.trigger.triggerId} ${JSON.stringify(c.counterpart).slice(0, 300)}`);
          await Promise.resolve();
        },
      });
      let stableSince = Date.now();
      let lastCount = -1;
      for (;;) {
        const complete = [...replayIds].every((id) => byId.has(id));
        if (messages !== lastCount) {
          lastCount = messages;
          stableSince = Date.now();
        }
        if ((complete && Date.now() - stableSince > 5_000) || Date.now() - stableSince > 90_000) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await consumer.disconnect();
      figures.outputMessages = messages;
      figures.clusterIds = byId.size;
      figures.idsWithRepeats = [...copies.values()].filter((n) => n > 1).length;
      const missing = [...replayIds].filter((id) => !byId.has(id));
      const extra = [...byId.keys()].filter((id) => !replayIds.has(id));
      const differing = [...byId.entries()].filter(([, d]) => d.size > 1).map(([id]) => id);
      // Contents: the last record of each id, the cluster's against the replay's, field by field.
      const replayLast = new Map<string, unknown>(replayLines.map((c) => [c.id, c]));
      const differingFields = new Map<string, number>();
      for (const [id, content] of lastContent) {
        const expected = replayLast.get(id);
        if (expected === undefined) continue;
        for (const path of differingPaths(expected, content, ''))
          differingFields.set(path, (differingFields.get(path) ?? 0) + 1);
      }
      figures.contentDifferences = Object.fromEntries(differingFields);
      figures.clusterGwIds = [...byId.keys()].filter((id) => gwIds.has(id)).length;
      figures.missing = missing.length;
      figures.extra = extra.length;
      figures.repeatsNotIdentical = differing.length;
      const hs = await Promise.all([one, two, four].map(health));
      figures.rebuilds = hs
        .flatMap((h) => h.cluster?.optical?.lastRebuilds ?? [])
        .filter((r) => r.messages > 0);
      figures.buses = hs.map((h) => ({ notices: h.cluster?.noticeBus, maps: h.cluster?.skymapBus }));
      const missingByTrigger = new Map<string, number>();
      for (const c of replayLines)
        if (missing.includes(c.id))
          missingByTrigger.set(c.trigger.triggerId, (missingByTrigger.get(c.trigger.triggerId) ?? 0) + 1);
      figures.missingByTrigger = Object.fromEntries(missingByTrigger);

      // The client on instance two, caught up: the same set, each message once.
      const received = await client.finish();
      figures.clientMessages = received.length;
      const keys = received.map(
        (f) => `${f.type}:${f.data.id ?? f.data.source?.sha256 ?? ''}:${JSON.stringify(f.data)}`,
      );
      figures.clientRepeats = keys.length - new Set(keys).size;
      const clientIds = new Set(received.filter((f) => f.type !== 'notice').map((f) => f.data.id ?? ''));
      figures.clientMissing = [...replayIds].filter((id) => !clientIds.has(id)).length;
      figures.elapsedMs = Date.now() - started;
      figures.loadavgEnd = loadavg().map((x) => x.toFixed(1));
      console.log(`cluster night: ${JSON.stringify(figures)}`);
      if (missing.length > 0 || extra.length > 0) {
        const lines = readFileSync(join(dir, 'replay.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l !== '');
        const brief = (l: string): string => {
          const c = JSON.parse(l) as {
            id: string;
            trigger: { triggerId: string };
            counterpart: Record<string, unknown>;
          };
          return `${c.id} ${c.trigger.triggerId} ${JSON.stringify(c.counterpart).slice(0, 300)}`;
        };
        for (const l of lines
          .filter((x) => missing.includes((JSON.parse(x) as { id: string }).id))
          .slice(0, 15))
          console.log(`missing: ${brief(l)}`);
        for (const id of extra.slice(0, 15)) console.log(`extra: ${id} ${firstCopy.get(id) ?? ''}`);
      }

      assert.deepEqual(missing, [], `ids of the replay missing on the output topic (${missing.length})`);
      assert.deepEqual(extra, [], `ids on the output topic that the replay does not give (${extra.length})`);
      assert.deepEqual(differing, [], 'every repeat of an id is byte-identical (one content digest)');
      assert.deepEqual(
        figures.contentDifferences,
        {},
        "each id's content on the output topic equals the replay's, field by field",
      );
      assert.equal(figures.clientRepeats, 0, 'the moved client received no message twice');
      assert.equal(figures.clientMissing, 0, 'the moved client received every id');
      assert.deepEqual(clientIds, replayIds);
    });
  },
);

interface Frame {
  type: string;
  cursor?: string;
  data: { id?: string; source?: { sha256: string } };
}

/** A stream client that keeps the last cursor and can move to another instance with it. */
function followStream(
  url: string,
  token: string,
  since: string,
): { moveTo(url: string, token: string): Promise<number>; finish(): Promise<Frame[]> } {
  const frames: Frame[] = [];
  let cursor = since;
  let ws: WebSocket;
  const open = (u: string, t: string, from: string): void => {
    ws = new WebSocket(`${u}?since=${encodeURIComponent(from)}`, {
      headers: { Authorization: `Bearer ${t}` },
    });
    ws.on('message', (raw) => {
      const frame = JSON.parse(rawDataToText(raw)) as Frame;
      if (frame.cursor !== undefined) cursor = frame.cursor;
      if (frame.type !== 'heartbeat') frames.push(frame);
    });
    ws.on('error', () => undefined);
  };
  open(url, token, since);
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) resolve();
      else {
        ws.once('close', () => {
          resolve();
        });
        ws.close();
      }
    });
  let current = { url, token };
  return {
    async moveTo(u, t) {
      await close();
      current = { url: u, token: t };
      open(u, t, cursor);
      return frames.length;
    },
    async finish() {
      // Reconnect once more with the cursor and read until the first heartbeat (caught up).
      await close();
      await new Promise<void>((resolve, reject) => {
        const w = new WebSocket(`${current.url}?since=${encodeURIComponent(cursor)}`, {
          headers: { Authorization: `Bearer ${current.token}` },
        });
        w.on('message', (raw) => {
          const frame = JSON.parse(rawDataToText(raw)) as Frame;
          if (frame.type === 'heartbeat') {
            w.close();
            resolve();
          } else frames.push(frame);
        });
        w.on('error', reject);
      });
      return frames;
    },
  };
}

/** The paths of the leaves where two JSON values differ ('' for the root). */
function differingPaths(a: unknown, b: unknown, path: string): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differingPaths(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        Array.isArray(a) ? `${path}[]` : `${path}.${k}`,
      ),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}
