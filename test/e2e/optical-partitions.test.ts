/**
 * `coincide serve` catching up a backlog on a multi-partition optical topic (issue 14): the
 * coincidences must be those of a naive scan (every alert against every notice: region, window,
 * "new object"), however unequally the partitions progress.
 *
 * The backlog spans 6 h of event time (more than the 1 h allowed lateness) in every one of 4
 * partitions, unequally filled (40/20/20/20 %): a fetch hands the consumer one partition's
 * 6 hours before the next's, and a notice late in the night is joined (warm start) before any
 * alert. With one event-time watermark for the whole stream, the alerts of the partitions read
 * second were dropped as late (bench/night.ts: 382 of 684 pairs with 4 partitions); each
 * partition's progress now holds the watermark (src/optical/partition-event-time.ts).
 *
 * Run 1: two GRB notices over VTP (one early, one late in the night), stored; the service stops.
 * The backlog is produced. Run 2 (same database): the warm start joins the two notices, the
 * backlog is consumed (forward joins), then two more notices arrive (backward joins against the
 * buffer). Real broker, real processes, the real GBM sample (../shared).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SCOPES } from '../../src/auth/scopes.ts';
import { DEFAULT_CRITERIA, isNewInWindow } from '../../src/join/criteria.ts';
import { defaultRegionResolver } from '../../src/join/region-resolver.ts';
import { classifyNotice, DEFAULT_WINDOWS, opticalWindow } from '../../src/join/windows.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { taiMjdToUtcMjd } from '../../src/optical/tai-utc.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { seededRandom } from '../../scripts/optical/packets.ts';
import {
  createNightEncoder,
  GBM_GND_SAMPLE,
  gbmNotice,
  type NightAlert,
  ztfObjectId,
} from '../helpers/night-alerts.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const skip = skipUnlessShared() || skipUnlessKafka();
const START_MJD = 61_000.1;
const SPAN_DAYS = 6 / 24;
const ALERTS = 800;
const PARTITIONS = 4;

interface Grb {
  n: number;
  t0Mjd: number;
  raDeg: number;
  decDeg: number;
}

/** The live optical pairs "triggerId|survey:objectId" in the service's JSONL output. */
function foundPairs(path: string): Set<string> {
  const pairs = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const { data } = JSON.parse(line) as {
      data?: { pairType: string; status: string; trigger: { triggerId: string }; counterpart: unknown };
    };
    if (data?.pairType !== 'mm-optical') continue;
    const counterpart = data.counterpart as { survey: string; objectId: string };
    const key = `${data.trigger.triggerId}|${counterpart.survey}:${counterpart.objectId}`;
    if (data.status === 'withdrawn') pairs.delete(key);
    else pairs.add(key);
  }
  return pairs;
}

describe(
  'serve: a multi-partition optical backlog gives the naive scan’s pairs',
  { skip, timeout: 600_000 },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-partitions-'));
    const serves: ServeProcess[] = [];
    after(async () => {
      for (const s of serves) await s.stop('SIGKILL').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });

    it('finds every pair while partitions progress unequally, notices before and after', async () => {
      const random = seededRandom(14);
      const grbs: Grb[] = [0, 1, 2, 3].map((i) => ({
        n: 991_400_000 + i,
        t0Mjd: START_MJD + (i + 0.5) * 0.2 * SPAN_DAYS,
        raDeg: 30 + 80 * i,
        decDeg: -40 + 25 * i,
      }));
      const template = readFileSync(samplePath(GBM_GND_SAMPLE), 'utf8');
      const noticeBytes = grbs.map((g) => gbmNotice(template, g.n, g.t0Mjd, g.raDeg, g.decDeg));
      // Alerts in event-time order per partition; 40 % near a GRB; every object new (first detected then).
      const alerts: Array<NightAlert & { partition: number }> = [];
      for (let i = 0; i < ALERTS; i++) {
        const near = random() < 0.4 ? grbs[Math.floor(random() * grbs.length)] : undefined;
        const survey = random() < 0.5 ? 'ZTF' : 'LSST';
        const r = random();
        alerts.push({
          survey,
          objectId: survey === 'ZTF' ? ztfObjectId(1_400_000 + i) : String(313853036000000000n + BigInt(i)),
          alertId:
            survey === 'ZTF'
              ? String(2600000000014014000n + BigInt(i))
              : String(313853036500000000n + BigInt(i)),
          raDeg: near ? (near.raDeg + (random() - 0.5) * 16 + 360) % 360 : random() * 360,
          decDeg: near ? near.decDeg + (random() - 0.5) * 16 : (Math.asin(2 * random() - 1) * 180) / Math.PI,
          mjd: START_MJD + (i / ALERTS) * SPAN_DAYS,
          partition: r < 0.4 ? 0 : 1 + Math.floor((r - 0.4) / 0.2),
        });
      }

      // The naive scan.
      const expected = new Set<string>();
      for (const bytes of noticeBytes) {
        const notice = parseNoticeDocument(bytes, { fileName: 'grb.xml' });
        const window = opticalWindow(DEFAULT_WINDOWS, classifyNotice(notice));
        const region = defaultRegionResolver(notice, 0.9);
        assert.ok(window && region, 'a GRB notice has an optical window and a region');
        for (const a of alerts) {
          // The LSST time is written as TAI (night-alerts.ts); the join works in UTC.
          const firstMjd = a.survey === 'LSST' ? taiMjdToUtcMjd(a.mjd) : a.mjd;
          if (!isNewInWindow(firstMjd, notice.triggerTimeMjd, window, DEFAULT_CRITERIA)) continue;
          if (region.contains(a.raDeg, a.decDeg))
            expected.add(`${notice.triggerId}|${a.survey}:${a.objectId}`);
        }
      }
      for (const g of grbs) {
        assert.ok(
          [...expected].some((k) => k.startsWith(`Fermi:${g.n}|`)),
          `GRB ${g.n} has counterparts in the naive scan`,
        );
      }

      const kafka = testKafka();
      const topic = uniqueName('partitions-optical');
      await createTopics(kafka, [{ topic, numPartitions: PARTITIONS }]);
      const dbPath = join(dir, 'serve.db');
      const token = createTestToken(dbPath, 'test', { scopes: [...SCOPES] });
      const send = async (serve: ServeProcess, i: number): Promise<void> => {
        await sendEvent({
          host: '127.0.0.1',
          port: serve.ports['vtp-receiver'] ?? 0,
          bytes: noticeBytes[i] ?? Buffer.alloc(0),
        });
      };

      // Run 1: an early and a late notice, stored (joined at the next start by the warm start).
      const first = await startServe({ dbPath, timeoutMs: 120_000 });
      serves.push(first);
      await send(first, 0);
      await send(first, 3);
      assert.equal(await first.stop('SIGTERM'), 0);

      // The backlog, every partition spanning the whole night.
      const encoder = createNightEncoder();
      const producer = kafka.producer();
      await producer.connect();
      for (let p = 0; p < PARTITIONS; p++) {
        const mine = alerts.filter((a) => a.partition === p);
        for (let i = 0; i < mine.length; i += 200) {
          await producer.send({
            topic,
            messages: mine.slice(i, i + 200).map((a) => ({ partition: p, value: encoder.encode(a) })),
          });
        }
      }
      await producer.disconnect();

      // Run 2: the backlog from the beginning, then two more notices.
      const jsonl = join(dir, 'serve.jsonl');
      const second = await startServe({
        dbPath,
        timeoutMs: 120_000,
        args: [
          '--jsonl',
          jsonl,
          '--optical-kafka-brokers',
          testBrokers().join(','),
          '--optical-kafka-topic',
          topic,
          '--optical-kafka-group',
          uniqueName('partitions-group'),
          '--optical-kafka-from-beginning',
          'true',
        ],
      });
      serves.push(second);
      const opticalAccepted = async (): Promise<number> => {
        const text = await (
          await fetch(`http://127.0.0.1:${second.ports.http ?? 0}/metrics`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).text();
        return Number(
          /coincide_events_in_total\{outcome="accepted",source="optical"\} (\d+)/.exec(text)?.[1] ?? 0,
        );
      };
      const deadline = Date.now() + 240_000;
      while ((await opticalAccepted()) < ALERTS) {
        assert.ok(Date.now() < deadline, `serve consumed ${await opticalAccepted()} of ${ALERTS} alerts`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // /healthz (admin) shows each partition's progress: its latest event time, caught up
      // (polled: a partition's batch is marked caught up just after its last alert is counted).
      const partitionsShown = async (): Promise<Array<Record<string, unknown>>> => {
        const healthz = (await (
          await fetch(`http://127.0.0.1:${second.ports.http ?? 0}/healthz`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { inputs: Record<string, { partitions?: Array<Record<string, unknown>> }> };
        return healthz.inputs['optical-kafka']?.partitions ?? [];
      };
      let shown = await partitionsShown();
      const caughtUpBy = Date.now() + 30_000;
      while (shown.some((e) => e.caughtUp !== true) && Date.now() < caughtUpBy) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        shown = await partitionsShown();
      }
      assert.equal(shown.length, PARTITIONS, 'every partition is in /healthz');
      for (let p = 0; p < PARTITIONS; p++) {
        const latestMjd = Math.max(
          ...alerts
            .filter((a) => a.partition === p)
            .map((a) => (a.survey === 'LSST' ? taiMjdToUtcMjd(a.mjd) : a.mjd)),
        );
        const entry = shown.find((e) => e.partition === `${topic}/${p}`);
        assert.ok(entry, `partition ${p} is in /healthz`);
        assert.equal(entry.caughtUp, true, `partition ${p} is caught up`);
        const shownMs = Date.parse(String(entry.latestEventTime));
        assert.ok(
          Math.abs(shownMs - (latestMjd - 40_587) * 86_400_000) < 1000,
          `partition ${p}: latest event time ${String(entry.latestEventTime)}`,
        );
      }
      await send(second, 1);
      await send(second, 2);
      // The joins of the last notices follow their acks; wait until the output holds every pair (or settles).
      const settle = Date.now() + 30_000;
      while (Date.now() < settle && ![...expected].every((k) => foundPairs(jsonl).has(k))) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(await second.stop('SIGTERM'), 0);

      const found = foundPairs(jsonl);
      const missing = [...expected].filter((k) => !found.has(k));
      const extra = [...found].filter((k) => !expected.has(k));
      console.log(
        `partitions: ${ALERTS} alerts in ${PARTITIONS} partitions, ${expected.size} pairs expected, ` +
          `${found.size} found, ${missing.length} missing, ${extra.length} extra; load ${loadavg()
            .map((x) => x.toFixed(1))
            .join(' ')}`,
      );
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    });
  },
);
