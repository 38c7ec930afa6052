/**
 * The base report of `serve`'s /healthz (http/health.ts shows it to admin tokens; anyone sees
 * only the status), and the input gauges of /metrics that come from the same figures. Split
 * from src/app.ts: it reads the running parts through `parts()`, which src/app.ts answers with
 * whatever start() has created so far.
 *
 * Inputs:
 *   - each input's last event (ISO time, lag in seconds);
 *   - each VTP subscriber link (connected, events received, lag);
 *   - GCN Kafka (running, topics, heartbeat, messages behind, lag, last error);
 *   - the optical Kafka topic's partitions: the latest event time each delivered, whether it is
 *     caught up (at its end), and the event-time hold they put on the join's watermark
 *     (optical/partition-event-time.ts): a backlog that holds the join back shows here.
 */
import type { Clock } from '../clock.ts';
import type { GcnConsumer } from '../gcn/gcn-consumer.ts';
import type { HealthReport } from '../http/health.ts';
import type { ServiceMetrics } from '../http/service-metrics.ts';
import type { JoinEngine } from '../join/engine.ts';
import type { PartitionEventTime } from '../optical/partition-event-time.ts';
import { mjdToIso } from '../time/mjd.ts';
import type { Subscriber } from '../vtp/subscriber.ts';

/** What start() has created so far (undefined before, or when not configured). */
export interface HealthParts {
  started: boolean;
  engine: JoinEngine;
  outboxSeq: number;
  websocketClients: number;
  vtpSubscribers: number;
  subscriber?: Subscriber | undefined;
  gcn?: GcnConsumer | undefined;
  opticalEventTime?: PartitionEventTime | undefined;
  /** The optical Kafka client in use, once started. */
  opticalKafkaClient?: 'librdkafka' | 'kafkajs' | undefined;
}

export interface ServiceHealthDeps {
  clock: Clock;
  /** Unix ms at which the service was created. */
  startedMs: number;
  /** Unix ms of the last event of each input. */
  lastEventMs: ReadonlyMap<string, number>;
  parts: () => HealthParts;
}

/** An MJD as ISO 8601, or null when it is not a finite time (no alert yet; nothing holds). */
const isoOrNull = (mjd: number | null): string | null =>
  mjd === null || !Number.isFinite(mjd) ? null : mjdToIso(mjd);

/**
 * The hold the partitions put on the join's event time: the time it may not pass while a
 * partition catches up, or whether nothing or everything is held.
 */
function describeHold(holdMjd: number): string {
  if (holdMjd === Infinity) return 'nothing held (every partition caught up)';
  if (holdMjd === -Infinity) return 'everything held (a partition not heard from yet)';
  return mjdToIso(holdMjd);
}

export function opticalKafkaHealth(
  eventTime: PartitionEventTime,
  client: string | undefined,
): Record<string, unknown> {
  return {
    ...(client ? { client } : {}),
    // The join's event time goes no further than this while a partition catches up.
    eventTimeHold: describeHold(eventTime.holdMjd()),
    partitions: eventTime.describe().map((p) => ({
      partition: p.partition,
      latestEventTime: isoOrNull(p.latestMjd),
      caughtUp: p.caughtUp,
    })),
  };
}

export function createServiceHealth(deps: ServiceHealthDeps): () => HealthReport {
  const { clock, lastEventMs } = deps;
  return () => {
    const parts = deps.parts();
    const nowMs = clock.nowMs();
    const inputs: Record<string, unknown> = {};
    for (const [input, ms] of lastEventMs) {
      inputs[input] = { lastEventAt: new Date(ms).toISOString(), lagSec: (nowMs - ms) / 1000 };
    }
    for (const remote of parts.subscriber?.status() ?? []) {
      inputs[`vtp-subscriber ${remote.remote}`] = {
        connected: remote.connected,
        eventsReceived: remote.eventsReceived,
        ...(remote.lastMessageMs === undefined ? {} : { lagSec: (nowMs - remote.lastMessageMs) / 1000 }),
      };
    }
    if (parts.gcn) {
      const h = parts.gcn.health();
      inputs['gcn-kafka'] = {
        running: h.running,
        topics: h.topics,
        heartbeat: h.heartbeat,
        lagMessages: Object.values(h.lagByPartition).reduce((a, b) => a + b, 0),
        ...(h.lastMessageMs === null ? {} : { lagSec: (nowMs - h.lastMessageMs) / 1000 }),
        lastError: h.lastError,
      };
    }
    if (parts.opticalEventTime) {
      inputs['optical-kafka'] = opticalKafkaHealth(parts.opticalEventTime, parts.opticalKafkaClient);
    }
    return {
      // Not ready ("degraded", 503) until start() has opened every input and read the optical
      // folders: the README's walkthrough waits on /healthz before it sends its notices.
      status: parts.started ? 'ok' : 'degraded',
      started: parts.started,
      uptimeSec: (nowMs - deps.startedMs) / 1000,
      outboxSeq: parts.outboxSeq,
      websocketClients: parts.websocketClients,
      vtpSubscribers: parts.vtpSubscribers,
      join: parts.engine.stats(),
      inputs,
    };
  };
}

/** The input-lag and GCN Kafka lag gauges of /metrics, refreshed at each scrape. */
export function collectInputGauges(
  metrics: ServiceMetrics,
  deps: { clock: Clock; lastEventMs: ReadonlyMap<string, number>; gcn: () => GcnConsumer | undefined },
): void {
  metrics.registry.onCollect(() => {
    const nowMs = deps.clock.nowMs();
    for (const [input, ms] of deps.lastEventMs) metrics.inputLag.set((nowMs - ms) / 1000, { input });
    for (const [key, lag] of Object.entries(deps.gcn()?.health().lagByPartition ?? {})) {
      const [topic = key, partition = ''] = key.split('/');
      metrics.kafkaLag.set(lag, { input: 'gcn-kafka', topic, partition });
    }
  });
}
