/**
 * Cluster mode (`--cluster`, `cluster.enabled`; docs/scaling.md): several `coincide serve`
 * instances on one Kafka cluster give the coincidences one instance gives.
 *
 *  - Notices: what an instance ingests goes to the notice topic (the outbox relay of the Kafka
 *    outputs) and not to its own join; every instance joins every notice from that topic
 *    (src/cluster/notice-bus.ts), idempotent by the event's SHA-256. The relay marks notices from
 *    untrusted sources (header coincide-trusted: 0) so that no instance joins them.
 *  - Optical alerts: the instances share the optical consumer group; each partition's buffer
 *    rows follow its owner (src/cluster/partition-ownership.ts, partition-buffer.ts), rebuilt from
 *    the topic on assignment and dropped on revocation; notice joins wait for rebuilds.
 *  - Sky maps: the instance that ingests a sky-map notice publishes the map's bytes (or the
 *    failure to load them) on the sky-map topic before it commits the notice; every instance
 *    builds the notice's region from those bytes (src/cluster/skymap-bus.ts).
 *  - Outputs: coincidences keyed and partitioned by their (deterministic) id, with a content
 *    digest header, so copies from several instances merge as duplicates.
 *
 * Single-process mode never builds this module.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { describeError } from '../errors.ts';
import type { HealthRegistry } from '../http/health.ts';
import type { OpticalInputOptions } from '../join/engine.ts';
import type { OpticalBuffer } from '../join/optical-buffer.ts';
import { joinOptionsFromConfig } from '../join/score-config.ts';
import { DEFAULT_CRITERIA } from '../join/criteria.ts';
import { latestWindowEndSec, longestWindowSpanSec, TRIGGER_CLASSES } from '../join/windows.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import type { OpticalKafkaSourceOptions } from '../optical/kafka-source.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';
import { createNoticeBus, HEADER_TRUSTED, type NoticeBus } from '../cluster/notice-bus.ts';
import { PartitionTrackingBuffer } from '../cluster/partition-buffer.ts';
import { partitionKey, PartitionOwnership } from '../cluster/partition-ownership.ts';
import { checkRetention } from '../cluster/retention-check.ts';
import { createMergedStream, type MergedStream } from '../cluster/merged-stream.ts';
import { createSkyMapBus, type SkyMapBus } from '../cluster/skymap-bus.ts';
import type { OutboxRecord } from '../sinks/outbox.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { SqliteOpticalBuffer } from '../store/optical-buffer.ts';

const SEC_MS = 1000;

export interface ClusterDeps {
  config: Config;
  db: SqliteDatabase;
  buffer: SqliteOpticalBuffer;
  logger: Logger;
  clock: Clock;
  health: HealthRegistry;
  /** The trust verdict of a notice's stored event (true when unknown). */
  trustedOf: (notice: Notice) => boolean;
  /** Where the sky maps read from the sky-map topic are kept. */
  skymapDir: string;
}

export interface ClusterMode {
  readonly instanceId: string;
  /** The optical buffer the join engine must use. */
  readonly buffer: OpticalBuffer;
  /** The merged output topics: what WebSocket and REST serve in cluster mode. */
  readonly stream: MergedStream;
  /** The sky-map bus: maps published by the ingesting instance, read by every instance. */
  readonly maps: SkyMapBus;
  /** How long a join waits for its notice's map on the sky-map bus, ms. */
  readonly mapWaitMs: number;
  /** For startKafkaOutputs. */
  readonly kafkaOut: { noticeHeaders: (notice: Notice) => Record<string, string> };
  /** The optical Kafka source's hooks and alert handler. */
  opticalSource(
    onAlerts: (alerts: readonly OpticalAlert[], options?: OpticalInputOptions) => void,
  ): Pick<OpticalKafkaSourceOptions, 'onAlert' | 'attachConsumer' | 'beforeBatch'>;
  /** Starts the merged stream (each row to `publish`) and the notice bus (after the outputs). */
  start(deps: {
    join: (notice: Notice, options: { publish: boolean }) => Promise<void>;
    publish: (record: OutboxRecord) => void;
  }): Promise<void>;
  stop(): Promise<void>;
}

/** This instance's id: configured, else a random one kept in the database. */
function instanceIdOf(config: Config, db: SqliteDatabase): string {
  if (config.cluster.instanceId !== '') return config.cluster.instanceId;
  const row = db.prepare('SELECT id FROM cluster_instance LIMIT 1').get() as { id: string } | undefined;
  if (row) return row.id;
  const id = randomBytes(6).toString('hex');
  db.prepare('INSERT INTO cluster_instance (id) VALUES (?)').run(id);
  return id;
}

/**
 * The join's time spans: how far back a partition rebuild reads (the buffer's retention: the
 * longest window span plus the "new object" tolerance) and how far back the notice bus re-reads
 * (the longest time a trigger is kept), ms.
 */
export function clusterSpansMs(config: Config): { rebuildMs: number; noticeLookbackMs: number } {
  const { windows } = joinOptionsFromConfig(config.scores);
  const rebuildSec = longestWindowSpanSec(windows) + DEFAULT_CRITERIA.newToleranceSec;
  const keepSec = Math.max(...TRIGGER_CLASSES.map((c) => latestWindowEndSec(windows, c)));
  return { rebuildMs: rebuildSec * SEC_MS, noticeLookbackMs: keepSec * SEC_MS };
}

export function createClusterMode(deps: ClusterDeps): ClusterMode {
  const { config, db, logger, clock } = deps;
  const log = logger.child({ service: 'cluster' });
  const instanceId = instanceIdOf(config, db);
  const spans = clusterSpansMs(config);
  const buffer = new PartitionTrackingBuffer(db, deps.buffer);
  // Rows of an earlier run belong to partitions this instance may no longer own: every
  // partition is rebuilt on assignment.
  buffer.clear();

  const opticalBrokers = config.optical.kafka.brokers;
  const opticalAdmin =
    opticalBrokers.length > 0
      ? createKafkaClient(
          { brokers: [...opticalBrokers], clientId: 'coincide-cluster-admin' },
          { logger, clock },
        ).kafka.admin()
      : undefined;
  const ownership = opticalAdmin
    ? new PartitionOwnership({
        admin: opticalAdmin,
        windowMs: spans.rebuildMs,
        clock,
        logger: log,
        onRevoked: (key) => {
          const dropped = buffer.dropPartition(key);
          log.info('buffer rows dropped', { partition: key, rows: dropped });
        },
      })
    : undefined;
  const { kafka: outKafka } = createKafkaClient(
    { brokers: [...config.kafkaOut.brokers], clientId: `coincide-cluster-${instanceId}` },
    { logger, clock },
  );
  let bus: NoticeBus | undefined;
  const stream = createMergedStream({
    db,
    kafka: outKafka,
    noticeTopic: config.kafkaOut.noticeTopic,
    coincidenceTopic: config.kafkaOut.coincidenceTopic,
    groupId: `coincide-stream-${instanceId}`,
    clock,
    logger: log,
  });
  const maps = createSkyMapBus({
    kafka: outKafka,
    topic: config.cluster.skymapTopic,
    groupId: `coincide-skymaps-${instanceId}`,
    lookbackMs: spans.noticeLookbackMs,
    dir: deps.skymapDir,
    clock,
    logger: log,
  });
  const retention: Array<{ topic: string; ok: boolean; message: string }> = [];

  deps.health.register('cluster', () => {
    const own = ownership?.health();
    return {
      status: own?.status ?? 'ok',
      instanceId,
      rebuildWindowSec: spans.rebuildMs / SEC_MS,
      optical: own ?? null,
      noticeBus: bus?.health() ?? null,
      skymapBus: maps.health(),
      stream: stream.health(),
      retention,
    };
  });

  return {
    instanceId,
    buffer,
    stream,
    maps,
    // The map was acknowledged before its notice was committed: only a failed publish (logged
    // by the ingesting instance) or a map topic read from far behind waits this long.
    mapWaitMs: 2 * config.skymap.timeoutMs,
    kafkaOut: {
      noticeHeaders: (notice) => ({ [HEADER_TRUSTED]: deps.trustedOf(notice) ? '1' : '0' }),
    },
    opticalSource(onAlerts) {
      return {
        attachConsumer: (consumer) => ownership?.attach(consumer),
        beforeBatch: (topic, partition) => ownership?.beforeBatch(topic, partition),
        onAlert: (alert, meta) => {
          const rebuild = ownership?.isRebuild(meta.topic, meta.partition, Number(meta.offset)) ?? false;
          buffer.current = partitionKey(meta.topic, meta.partition);
          try {
            onAlerts([alert], rebuild ? { rebuild } : undefined);
          } finally {
            buffer.current = undefined;
          }
        },
      };
    },
    async start(startDeps) {
      if (opticalAdmin) {
        await opticalAdmin.connect();
        for (const topic of config.optical.kafka.topics) {
          try {
            const verdict = await checkRetention(opticalAdmin, topic, spans.rebuildMs);
            retention.push({ topic, ok: verdict.ok, message: verdict.message });
            if (verdict.ok) log.info(verdict.message);
            else log.warn(verdict.message, { code: 'RETENTION_TOO_SHORT' });
          } catch (error) {
            log.warn('optical topic retention not checked', { topic, error: describeError(error) });
          }
        }
      }
      await stream.start(startDeps.publish);
      await maps.start();
      bus = createNoticeBus({
        kafka: outKafka,
        topic: config.kafkaOut.noticeTopic,
        groupId: `coincide-bus-${instanceId}`,
        lookbackMs: spans.noticeLookbackMs,
        clock,
        logger: log,
        gate: () => ownership?.gate() ?? Promise.resolve(),
        join: startDeps.join,
      });
      await bus.start();
      log.info('cluster mode', { instanceId, noticeTopic: config.kafkaOut.noticeTopic });
    },
    async stop() {
      ownership?.close();
      await bus?.stop();
      await maps.stop();
      await stream.stop();
      await opticalAdmin?.disconnect();
    },
  };
}
