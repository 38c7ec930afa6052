/**
 * The composition root: the only file that knows every module. `createApp(config)` builds the
 * service of `coincide serve` from a validated Config; `start()` opens the listeners and
 * `stop()` shuts down gracefully (stop intake, flush outputs, close the database).
 *
 * Data flow:
 *   VTP receiver / VTP subscribers ─► ingest (parse, validate, store durably, normalise)
 *        ├─► every accepted event, byte-identical ─► VTP broadcaster (relay)
 *        └─► Notice ─► outbox (durable seq) ─► WebSocket, JSONL
 *                  └─► join engine ◄─ OpticalAlert ◄─ optical files/folders
 *                          └─► Coincidence ─► outbox ─► WebSocket, JSONL
 *                                          └─► VOEvent 2.0 ─► VTP broadcaster, remote receivers
 */
import { join } from 'node:path';
import { createServiceArchive, type ServiceArchive } from './app/archive.ts';
import { createClusterMode, type ClusterMode } from './app/cluster.ts';
import { createOpticalKafkaInput, type OpticalKafkaInput } from './app/optical-kafka-input.ts';
import { needsSkyMapBus } from './cluster/skymap-bus.ts';
import {
  createOpticalFolderInput,
  type OpticalFileChunk,
  type OpticalFolderInput,
} from './app/optical-folder-input.ts';
import { startKafkaOutputs, type KafkaOutputs } from './app/kafka-out.ts';
import { createSkyMapLoader, skyMapFetchSettings, type SkyMapLoader } from './app/skymap-loader.ts';
import { createPriorityGate } from './app/priority-gate.ts';
import { createServeTrust } from './app/trust.ts';
import { createIngestThreads } from './app/ingest-threads.ts';
import { createWebhooks, type Webhooks } from './app/webhooks.ts';
import { createJoinDelivery, type JoinDelivery } from './app/join-delivery.ts';
import { collectInputGauges, createServiceHealth } from './app/service-health.ts';
import { createGcnInput, wantsGcnInput } from './app/gcn-input.ts';
import { createRetention, type Retention } from './app/retention.ts';
import { createTokenStore, type TokenStore } from './auth/tokens.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { describeError } from './errors.ts';
import type { FastifyInstance } from 'fastify';
import { createConsoleRoutes } from './app/console.ts';
import { createHttpApi } from './app/http.ts';
import { createHealthRegistry, type HealthRegistry } from './http/health.ts';
import { createMetricsListener, parseMetricsListen, type MetricsListener } from './http/metrics-listener.ts';
import { listenHttp } from './http/server.ts';
import { createServiceMetrics, type ServiceMetrics } from './http/service-metrics.ts';
import { createEventIngestor, type EventIngestor, type IngestedEvent } from './ingest/ingest-event.ts';
import type { ThreadedNormaliser } from './ingest/normalisation-thread.ts';
import { eventValidatorFromSchema } from './ingest/schema-adapter.ts';
import { createSchemaValidator, type SchemaValidator } from './voevent/schema-validator.ts';
import type { Coincidence } from './join/coincidence.ts';
import { createJoinEngine, type JoinEngine, type OpticalInputOptions } from './join/engine.ts';
import { joinOptionsFromConfig } from './join/score-config.ts';
import type { Logger } from './logger.ts';
import type { Notice } from './notices/notice.ts';
import type { GcnConsumer } from './gcn/gcn-consumer.ts';
import { OpticalAlertDecoder } from './optical/alert-decoder.ts';
import { PartitionEventTime } from './optical/partition-event-time.ts';
import type { OpticalAlert } from './optical/optical-alert.ts';
import { createJsonlSink, type JsonlSink } from './sinks/jsonl.ts';
import { createOutbox, type Outbox, type OutboxRecord } from './sinks/outbox.ts';
import { createVoEventOutSink, type VoEventOutSink } from './sinks/voevent-out-sink.ts';
import { createWebSocketSink, type WebSocketSink } from './sinks/websocket.ts';
import { openDatabase, type SqliteDatabase } from './store/database.ts';
import type { EventStore } from './store/event-store.ts';
import { createNoticeDelivery } from './store/notice-delivery.ts';
import { SqliteOpticalBuffer } from './store/optical-buffer.ts';
import { createOpticalFiles, type OpticalFiles } from './store/optical-files.ts';
import { createBroadcaster, type Broadcaster } from './vtp/broadcaster.ts';
import { createReceiver, type Receiver } from './vtp/receiver.ts';
import { sendEvent } from './vtp/sender.ts';
import { createSubscriber, type Subscriber } from './vtp/subscriber.ts';

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
}

export interface AppPorts {
  http: number;
  vtpReceiver: number;
  vtpBroadcaster: number;
}

export interface App {
  readonly config: Config;
  readonly metrics: ServiceMetrics;
  /** The detailed /healthz: subsystems add their figures with `health.register(name, provider)`. */
  readonly health: HealthRegistry;
  start(): Promise<AppPorts>;
  stop(): Promise<void>;
  /** Appends a Notice to the outbox and sends it to every sink. */
  publishNotice(notice: Notice): OutboxRecord;
  /** Appends a Coincidence (candidate or withdrawn) to the outbox and sends it to every sink. */
  publishCoincidence(coincidence: Coincidence): OutboxRecord;
  /** Feeds optical alerts to the join engine (what the optical inputs call). */
  onOpticalAlerts(alerts: readonly OpticalAlert[], options?: OpticalInputOptions): void;
}

/** The longest stop() waits for event submissions in flight to be stored and acked. */
export const STOP_SUBMISSIONS_WAIT_MS = 10_000;
/** The longest an optical file chunk waits for event submissions in flight (app/priority-gate.ts). */
export const OPTICAL_YIELD_MAX_MS = 250;

export function createApp(config: Config, options: AppOptions): App {
  const logger = options.logger;
  const clock = options.clock ?? systemClock;
  const metrics = createServiceMetrics();
  const startedMs = clock.nowMs();
  /** Unix ms of the last event of each input, for /healthz and the input-lag gauge. */
  const lastEventMs = new Map<string, number>();

  let db: SqliteDatabase | undefined;
  let outbox: Outbox | undefined;
  let tokens: TokenStore | undefined;
  let eventStore: EventStore | undefined;
  let archive: ServiceArchive | undefined;
  /** The ingest path of the running service, for stop() to wait on its post-ack work. */
  let runningIngestor: EventIngestor | undefined;
  let httpServer: FastifyInstance | undefined;
  /** The token-free /metrics on its own loopback address (metrics.listen), when configured. */
  let metricsListener: MetricsListener | undefined;
  let websocket: WebSocketSink | undefined;
  let jsonl: JsonlSink | undefined;
  let receiver: Receiver | undefined;
  let broadcaster: Broadcaster | undefined;
  let subscriber: Subscriber | undefined;
  let voeventOut: VoEventOutSink | undefined;
  let optical: OpticalFolderInput | undefined;
  let opticalKafka: OpticalKafkaInput | undefined;
  let gcn: GcnConsumer | undefined;
  let opticalBuffer: SqliteOpticalBuffer | undefined;
  let opticalFiles: OpticalFiles | undefined;
  let schemaValidator: SchemaValidator | undefined;
  let noticeNormaliser: ThreadedNormaliser | undefined;
  let kafkaOut: KafkaOutputs | undefined;
  let webhooks: Webhooks | undefined;
  /** Cluster mode (src/app/cluster.ts): notices are joined from the notice topic, not where ingested. */
  let cluster: ClusterMode | undefined;
  const joinsLocally = !config.cluster.enabled;
  let retention: Retention | undefined;
  let stopping = false;
  /** start() has finished: every listener is open and the optical folders have been read. */
  let started = false;
  /** The optical topic's partitions' event-time progress: it holds the join's watermark (issue 14). */
  const opticalEventTime = config.optical.kafka.brokers.length > 0 ? new PartitionEventTime() : undefined;
  /** Created in start(), over the SQLite optical buffer. */
  let engine: JoinEngine = createJoinEngine();
  let skymaps: SkyMapLoader | undefined;
  /** The join and delivery of notices and optical alerts (src/app/join-delivery.ts), from start(). */
  let joins: JoinDelivery | undefined;
  /** Event submissions in flight: the optical backlog waits for them (at most OPTICAL_YIELD_MAX_MS). */
  const submissions = createPriorityGate();

  const requireJoins = (): JoinDelivery => {
    if (!joins) throw new Error('the app is not started');
    return joins;
  };

  /** A committed outbox record to every stream output. */
  const fanOut = (record: OutboxRecord, data: unknown): void => {
    metrics.outboxSeq.set(record.seq);
    kafkaOut?.relay.notify();
    // In cluster mode the WebSocket serves the merged output topics instead (src/app/cluster.ts).
    if (!cluster) websocket?.publish(record, data);
    webhooks?.notify(record, data);
    if (jsonl) {
      jsonl.write(record);
      metrics.eventsOut.inc({ sink: 'jsonl' });
    }
  };

  /** A committed coincidence as a VOEvent (broadcaster, remote receivers). */
  const publishVoEvent = (record: OutboxRecord, coincidence: Coincidence): void => {
    voeventOut?.publish(record, coincidence).catch((error: unknown) => {
      logger.error('coincidence VOEvent not sent', { id: coincidence.id, error: describeError(error) });
    });
  };

  const onOpticalAlerts = (alerts: readonly OpticalAlert[], options?: OpticalInputOptions): void => {
    requireJoins().onOpticalAlerts(alerts, options);
  };

  /**
   * A chunk of an optical file: its join, its coincidences, its alerts' rows of the optical buffer
   * and the file's progress in one transaction (a crash loses or repeats none of them: the file
   * resumes after its last committed chunk, and no buffer row of an uncommitted chunk survives to
   * be found by the warm start), then the coincidences are sent.
   */
  const onOpticalFileChunk = (chunk: OpticalFileChunk): void => {
    const { path, signature, alertsDone, done } = chunk;
    requireJoins().onOpticalChunk(chunk.alerts, () => {
      opticalBuffer?.flush();
      opticalFiles?.mark({ path, signature, alertsDone, done }, clock.nowMs());
    });
  };

  /** Every accepted event: relayed byte-identical to our subscribers, its Notice published and joined. */
  const onIngested = (event: IngestedEvent): void => {
    lastEventMs.set(event.input, event.receivedAtMs);
    // Only VOEvent XML goes to VTP subscribers (GCN JSON notices are not VOEvents).
    if (broadcaster && event.format === 'voevent') {
      metrics.eventsOut.inc({ sink: 'vtp-broadcaster' }, broadcaster.broadcast(event.bytes, event.payload));
    }
    if (event.notice) {
      requireJoins().deliver(event.notice, {
        eventId: event.eventId,
        arrivedMs: event.receivedAtMs,
        rawEvent: event.bytes,
        trusted: event.trusted,
      });
      archive?.noticeStored();
    }
  };

  /** Counts every ingest outcome by input (events in, parse errors) around the shared ingestor. */
  const instrument = (ingestor: EventIngestor): EventIngestor => ({
    async ingest(bytes, ingestOptions) {
      // Submissions go before the optical backlog (app/priority-gate.ts).
      const leave = submissions.enter();
      const outcome = await ingestor.ingest(bytes, ingestOptions).finally(leave);
      metrics.eventsIn.inc({ source: ingestOptions.input, outcome: outcome.outcome });
      if (outcome.outcome === 'rejected') metrics.parseErrors.inc({ source: ingestOptions.input });
      return outcome;
    },
    resumePending: () => ingestor.resumePending(),
    idle: () => ingestor.idle(),
  });

  const healthRegistry = createHealthRegistry(
    createServiceHealth({
      clock,
      startedMs,
      lastEventMs,
      parts: () => ({
        started,
        engine,
        outboxSeq: outbox?.lastSeq() ?? 0,
        websocketClients: websocket?.clientCount() ?? 0,
        vtpSubscribers: broadcaster?.subscribers().length ?? 0,
        subscriber,
        gcn,
        opticalEventTime,
        opticalKafkaClient: opticalKafka?.client,
      }),
    }),
  );
  collectInputGauges(metrics, { clock, lastEventMs, gcn: () => gcn });

  const start = async (): Promise<AppPorts> => {
    // How long each step of the start-up took, ms (logged once listening: a slow start is visible).
    const startup: Record<string, number> = {};
    let stepMs = clock.nowMs();
    const step = (name: string): void => {
      const now = clock.nowMs();
      startup[name] = now - stepMs;
      stepMs = now;
    };
    const host = config.listenHost;
    db = openDatabase({ path: config.db.path });
    outbox = createOutbox({ db, clock });
    // Outbox appends that mark the notice they deliver, in one transaction (exactly-once).
    const delivery = createNoticeDelivery({ db, outbox });
    const undelivered = delivery.undelivered();
    tokens = createTokenStore({ db, clock });
    // The writer thread (commits) and the normalisation thread (notices after the ack), which
    // talk directly (src/app/ingest-threads.ts; issue 14).
    const { store, normaliser } = createIngestThreads(db);
    eventStore = store;
    noticeNormaliser = normaliser;
    metrics.outboxSeq.set(outbox.lastSeq());
    if (config.jsonl.path !== '') jsonl = createJsonlSink({ path: config.jsonl.path });
    opticalBuffer = new SqliteOpticalBuffer(db);
    const skymapFetch = skyMapFetchSettings(config);
    const skymapCacheDir = skymapFetch.cacheDir;
    if (config.cluster.enabled) {
      cluster = createClusterMode({
        skymapDir: join(skymapCacheDir, 'cluster'),
        config,
        db,
        buffer: opticalBuffer,
        logger,
        clock,
        health: healthRegistry,
        trustedOf: (n) =>
          store.eventsByIvorn(n.ivorn).find((e) => e.sha256 === n.source.sha256)?.trusted ?? true,
      });
    }
    engine = createJoinEngine({
      buffer: cluster?.buffer ?? opticalBuffer,
      logger: logger.child({ service: 'join' }),
      ...joinOptionsFromConfig(config.scores),
      ...(opticalEventTime ? { eventTimeHold: () => opticalEventTime.holdMjd() } : {}),
    });
    const clusterMaps = cluster;
    const loader = createSkyMapLoader({
      ...skymapFetch,
      clock,
      // Cluster mode: every map but a data: URI comes from the sky-map topic.
      ...(clusterMaps
        ? {
            published: (reference: string) =>
              needsSkyMapBus(reference)
                ? clusterMaps.maps.bytesFor(reference, clusterMaps.mapWaitMs)
                : undefined,
          }
        : {}),
      storedEventBytes: (ivorn) => store.eventsByIvorn(ivorn).map((e) => e.bytes),
    });
    skymaps = loader;
    const pipeline = createJoinDelivery({
      db,
      delivery,
      engine,
      skymaps: loader,
      cluster,
      joinWaitMs: config.skymap.joinWaitMs,
      metrics,
      logger,
      clock,
      stopping: () => stopping,
      markInput: (input, ms) => lastEventMs.set(input, ms),
      fanOut,
      publishVoEvent,
    });
    joins = pipeline;
    archive = createServiceArchive({
      db,
      logger: logger.child({ service: 'archive' }),
      clock,
      skymap: { ...config.skymap, cacheDir: skymapCacheDir },
      storedEventBytes: (ivorn) => store.eventsByIvorn(ivorn).map((e) => e.bytes),
    });
    archive.start();
    step('open');
    // In this thread (issue 14): one pre-scan and one libxml2 parse of the bytes cost ~50 µs per
    // event, less than a hand-off to a thread and back on a loaded machine (bench/vtp.ts).
    const validator = createSchemaValidator();
    schemaValidator = validator;
    // In cluster mode the notice bus re-reads the recent notices instead (src/cluster/notice-bus.ts).
    const warm = joinsLocally ? pipeline.warmStart(store, new Set(undelivered.map((u) => u.eventId))) : 0;
    step('warmStart');
    if (warm > 0) logger.info('join engine warm start', { notices: warm });
    const trust = createServeTrust(config, logger.child({ service: 'trust' }));
    const ingestor = instrument(
      createEventIngestor({
        store,
        // XML Schema validation (project schemas, libxml2-wasm) of author submissions.
        validator: eventValidatorFromSchema(validator, ['voevent-2.0', 'voevent-1.1', 'transport']),
        // Event bytes (VOEvent XML or GCN JSON) → Notice (notices/parse-notice.ts), in a thread
        // of its own (src/ingest/normalisation-thread.ts): JSON before the store, and what a
        // crash left pending; VOEvents after the ack, handed over by the writer thread.
        normalise: (bytes) => normaliser.normalise(bytes),
        logger: logger.child({ service: 'ingest' }),
        clock,
        onEvent: onIngested,
        trust: (ivorn, input, peer) => trust.judge(ivorn, input, peer),
      }),
    );
    runningIngestor = ingestor;

    // Outputs first, so nothing that arrives is lost for want of a sink.
    const streamOutbox = cluster?.stream.outbox ?? outbox;
    httpServer = await createHttpApi({
      outbox: streamOutbox,
      tokens,
      metrics: metrics.registry,
      health: healthRegistry,
      logger,
      store,
      archive: archive.search,
      eventGroups: archive.groups,
      // The web console at / and the sky pictures (src/app/console.ts).
      extraRoutes: createConsoleRoutes({ outbox: streamOutbox, store, logger, clock, skymap: skymapFetch }),
    });
    websocket = createWebSocketSink({
      server: httpServer.server,
      outbox: streamOutbox,
      ...(cluster ? { cursors: cluster.stream } : {}),
      tokens,
      clock,
      logger: logger.child({ service: 'websocket' }),
      heartbeatMs: config.stream.heartbeatMs,
      maxBufferedBytes: config.stream.maxBufferedBytes,
      onClientCount: (count) => {
        metrics.websocketClients.set(count);
      },
      onSent: (count) => {
        metrics.eventsOut.inc({ sink: 'websocket' }, count);
      },
      onSlowClose: () => {
        metrics.websocketSlowClosed.inc();
      },
    });
    const httpPort = await listenHttp(httpServer, config.http.port, host);
    logger.info('listening', { service: 'http', port: httpPort, host });
    if (config.metrics.listen !== '') {
      const address = parseMetricsListen(config.metrics.listen, config.metrics.allowNonLoopback);
      metricsListener = createMetricsListener({ address, registry: metrics.registry });
      const port = await metricsListener.start();
      logger.info('listening', { service: 'metrics', port, host: address.host });
    }

    broadcaster = createBroadcaster({
      localIvo: config.localIvo,
      logger: logger.child({ service: 'vtp-broadcaster' }),
      clock,
      port: config.vtp.broadcastPort,
      host,
      whitelist: config.vtp.subscriberWhitelist,
    });
    const broadcastPort = (await broadcaster.start()).port;
    logger.info('listening', { service: 'vtp-broadcaster', port: broadcastPort, host });
    const relay = broadcaster;
    voeventOut = createVoEventOutSink({
      db,
      localIvo: config.localIvo,
      clock,
      logger: logger.child({ service: 'voevent-out' }),
      broadcast: (bytes) => relay.broadcast(bytes),
      remotes: config.vtp.sendTo,
      send: (remote, bytes) => sendEvent({ host: remote.host, port: remote.port, bytes }),
      store: async (bytes, ivorn, role) => {
        await store.putEvent({
          bytes,
          ivorn,
          role,
          receivedAtMs: clock.nowMs(),
          peer: 'self',
          input: 'voevent-out',
        });
      },
      onSent: (sink, count) => {
        metrics.eventsOut.inc({ sink }, count);
      },
    });

    // Webhook subscriptions (configuration and `coincide webhooks add`), from the outbox.
    webhooks = createWebhooks(config, { db, outbox, clock, logger, metrics, health: healthRegistry });

    if (config.kafkaOut.brokers.length > 0) {
      kafkaOut = await startKafkaOutputs({
        config: config.kafkaOut,
        db,
        outbox,
        logger,
        clock,
        onSent: () => {
          metrics.eventsOut.inc({ sink: 'kafka' });
        },
        ...(cluster ? { cluster: cluster.kafkaOut } : {}),
      });
    }

    // The ingest threads (commits, validation, normalisation) started, so that the first
    // submissions do not wait for their start-up.
    await Promise.all([store.ready(), normaliser.ready()]);
    step('outputs');

    // Notices stored before a crash but not (or not wholly) in the outbox, oldest first; then
    // events acked before a crash but not yet normalised: their notices and outputs, now that
    // the outputs are ready and before any new input arrives.
    pipeline.redeliver(undelivered);
    if (undelivered.length > 0)
      logger.info('redelivered notices left undelivered by the last run', { notices: undelivered.length });
    const resumed = await ingestor.resumePending();
    step('redeliver');
    if (resumed > 0) logger.info('resumed events left pending by the last run', { events: resumed });

    // Inputs last: the notice bus first, so that the recent notices are known before alerts arrive.
    await cluster?.start({
      join: (notice, joinOptions) => pipeline.joinFromBus(notice, joinOptions),
      publish: (record) => {
        websocket?.publish(record);
      },
    });
    receiver = createReceiver({
      ingestor,
      localIvo: config.localIvo,
      logger: logger.child({ service: 'vtp-receiver' }),
      clock,
      port: config.vtp.receivePort,
      host,
      whitelist: config.vtp.receiveWhitelist,
      maxEventBytes: config.vtp.maxEventBytes,
      peerLimits: { concurrency: config.vtp.peerConcurrency, ratePerSec: config.vtp.peerRatePerSec },
    });
    const receivePort = (await receiver.start()).port;
    step('receiver');
    logger.info('listening', { service: 'vtp-receiver', port: receivePort, host, startupMs: startup });

    if (config.vtp.remotes.length > 0) {
      subscriber = createSubscriber({
        remotes: config.vtp.remotes,
        ingestor,
        localIvo: config.localIvo,
        logger: logger.child({ service: 'vtp-subscriber' }),
        clock,
      });
      await subscriber.start();
    }

    if (config.optical.paths.length > 0) {
      const files = createOpticalFiles(db);
      opticalFiles = files;
      // Reads the backlog in the background, a chunk at a time (app/optical-folder-input.ts).
      optical = createOpticalFolderInput({
        paths: config.optical.paths,
        pollMs: config.optical.pollMs,
        decoder: new OpticalAlertDecoder(),
        logger: logger.child({ service: 'optical-files' }),
        position: (path, signature) => files.position(path, signature),
        beforeChunk: () => submissions.clear(OPTICAL_YIELD_MAX_MS),
        onChunk: onOpticalFileChunk,
        onFailure: () => {
          metrics.parseErrors.inc({ source: 'optical' });
        },
      });
      await optical.start();
    }

    if (config.optical.kafka.brokers.length > 0) {
      opticalKafka = createOpticalKafkaInput(
        config.optical.kafka,
        { logger, clock, cluster: cluster !== undefined },
        {
          onAlert: (alert) => {
            onOpticalAlerts([alert]);
          },
          onDecodeError: () => {
            metrics.parseErrors.inc({ source: 'optical-kafka' });
          },
          ...(opticalEventTime ? { eventTime: opticalEventTime } : {}),
          ...cluster?.opticalSource(onOpticalAlerts),
        },
      );
      await opticalKafka.start();
      logger.info('consuming', {
        service: 'optical-kafka',
        topics: config.optical.kafka.topics,
        client: opticalKafka.client,
      });
    }

    if (wantsGcnInput(config.gcn)) {
      gcn = createGcnInput(config.gcn, {
        logger,
        clock,
        ingest: (bytes, ingestOptions) => ingestor.ingest(bytes, ingestOptions),
        lastSeenMs: () => lastEventMs.get('gcn-kafka'),
      });
      await gcn.start();
      logger.info('consuming', { service: 'gcn-kafka', topics: gcn.health().topics });
    }

    retention = createRetention({
      config,
      outbox,
      eventStore: store,
      clusterOutbox: cluster?.stream.outbox,
      afterEventsPruned: () => {
        archive?.afterPrune();
      },
      logger,
      clock,
    });
    retention.start();
    started = true;
    return { http: httpPort, vtpReceiver: receivePort, vtpBroadcaster: broadcastPort };
  };

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    retention?.stop();
    try {
      // 1. Stop intake (Kafka consumers commit their offsets as they leave).
      await gcn?.stop();
      await opticalKafka?.stop();
      await cluster?.stop();
      await optical?.stop();
      await subscriber?.stop();
      await receiver?.stop();
      // Submissions still being validated and stored when intake stopped (their ack comes after
      // it; bounded: a wedged one must not hold the exit), then the accepted events whose
      // normalisation and callbacks run after their ack: all before the store closes.
      await submissions.clear(STOP_SUBMISSIONS_WAIT_MS);
      await runningIngestor?.idle();
      // Notices waiting for their sky map join (and publish) before the outputs are flushed: on
      // their own regions, at once (no wait for a map, no download left running).
      joins?.closeWaits();
      skymaps?.close();
      await joins?.settle();
      // 2. Flush outputs.
      await voeventOut?.flush();
      await broadcaster?.stop();
      await kafkaOut?.stop();
      await webhooks?.stop();
      await websocket?.close();
      await httpServer?.close();
      await metricsListener?.stop();
      await jsonl?.close();
      opticalBuffer?.flush();
      await eventStore?.drain();
      await archive?.stop();
      await schemaValidator?.close();
      await noticeNormaliser?.close();
    } catch (error) {
      logger.error('error during shutdown', { error: describeError(error) });
    } finally {
      // 3. Close the database (every write above has committed).
      db?.close();
      logger.info('stopped');
    }
  };

  return {
    config,
    metrics,
    health: healthRegistry,
    start,
    stop,
    publishNotice: (notice) => requireJoins().publishNotice(notice),
    publishCoincidence: (coincidence) => requireJoins().publishCoincidence(coincidence),
    onOpticalAlerts,
  };
}
