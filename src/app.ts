/**
 * The composition root: the only file that knows every module. `createApp(config)` builds the
 * service of `coincide serve` from a validated Config; `start()` opens the listeners and
 * `stop()` shuts down gracefully (stop intake, flush, close).
 *
 * Data flow:  inputs (VTP receiver/subscribers, optical files) → ingest (parse, validate,
 * store, normalise) → Notice → outbox (durable, seq) → WebSocket / JSONL;
 *             Notice & OpticalAlert → join engine → Coincidence → outbox → WebSocket / JSONL,
 *             and → VOEvent → VTP broadcaster + remote receivers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenStore, type TokenStore } from './auth/tokens.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { describeError } from './errors.ts';
import { createApiHandler, type HealthReport } from './http/api.ts';
import { createServiceMetrics, type ServiceMetrics } from './http/service-metrics.ts';
import type { Coincidence } from './join/coincidence.ts';
import type { Logger } from './logger.ts';
import type { Notice } from './notices/notice.ts';
import { createJsonlSink, type JsonlSink } from './sinks/jsonl.ts';
import { createOutbox, type Outbox, type OutboxRecord } from './sinks/outbox.ts';
import { createWebSocketSink, type WebSocketSink } from './sinks/websocket.ts';
import { openDatabase, type SqliteDatabase } from './store/database.ts';
import { EventStore } from './store/event-store.ts';
import {
  createEventIngestor,
  type EventIngestor,
  type EventNormaliser,
  type IngestedEvent,
} from './ingest/ingest-event.ts';
import { parseVoEvent } from './voevent/parse.ts';
import { normaliseVoEvent } from './notices/parse-notice.ts';
import { createReceiver, type Receiver } from './vtp/receiver.ts';

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
}

export interface AppPorts {
  http: number;
  vtpReceiver: number;
}

export interface App {
  readonly config: Config;
  readonly metrics: ServiceMetrics;
  start(): Promise<AppPorts>;
  stop(): Promise<void>;
  /** Appends a Notice to the outbox and sends it to every sink. */
  publishNotice(notice: Notice): OutboxRecord;
  /** Appends a Coincidence (candidate or withdrawn) to the outbox and sends it to every sink. */
  publishCoincidence(coincidence: Coincidence): OutboxRecord;
}

/** How often old outbox rows and events are pruned. */
export const PRUNE_INTERVAL_MS = 3600_000;
const MS_PER_DAY = 86_400_000;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

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
  let httpServer: Server | undefined;
  let websocket: WebSocketSink | undefined;
  let jsonl: JsonlSink | undefined;
  let receiver: Receiver | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  const requireOutbox = (): Outbox => {
    if (!outbox) throw new Error('the app is not started');
    return outbox;
  };

  const fanOut = (record: OutboxRecord, data: unknown): void => {
    metrics.outboxSeq.set(record.seq);
    websocket?.publish(record, data);
    if (jsonl) {
      jsonl.write(record);
      metrics.eventsOut.inc({ sink: 'jsonl' });
    }
  };

  const publishNotice = (notice: Notice): OutboxRecord => {
    const record = requireOutbox().append('notice', notice, notice.triggerId);
    fanOut(record, notice);
    return record;
  };

  const publishCoincidence = (coincidence: Coincidence): OutboxRecord => {
    const type = coincidence.status === 'withdrawn' ? 'withdrawn' : 'coincidence';
    const record = requireOutbox().append(type, coincidence, coincidence.trigger.triggerId);
    fanOut(record, coincidence);
    return record;
  };

  const health = (): HealthReport => {
    const nowMs = clock.nowMs();
    const inputs: Record<string, { lastEventAt: string; lagSec: number }> = {};
    for (const [input, ms] of lastEventMs) {
      inputs[input] = { lastEventAt: new Date(ms).toISOString(), lagSec: (nowMs - ms) / 1000 };
    }
    return {
      status: 'ok',
      uptimeSec: (nowMs - startedMs) / 1000,
      outboxSeq: outbox?.lastSeq() ?? 0,
      websocketClients: websocket?.clientCount() ?? 0,
      inputs,
    };
  };

  metrics.registry.onCollect(() => {
    const nowMs = clock.nowMs();
    for (const [input, ms] of lastEventMs) metrics.inputLag.set((nowMs - ms) / 1000, { input });
  });

  /** VOEvent bytes → Notice (notices/), for the shared ingest path. */
  const normalise: EventNormaliser = (bytes, sha256) => normaliseVoEvent(parseVoEvent(bytes), sha256);

  const onIngested = (event: IngestedEvent): void => {
    lastEventMs.set(event.input, event.receivedAtMs);
    if (event.notice) publishNotice(event.notice);
  };

  /** Counts every ingest outcome by input (events in, parse errors) around the shared ingestor. */
  const instrument = (ingestor: EventIngestor): EventIngestor => ({
    async ingest(bytes, ingestOptions) {
      const outcome = await ingestor.ingest(bytes, ingestOptions);
      metrics.eventsIn.inc({ source: ingestOptions.input, outcome: outcome.outcome });
      if (outcome.outcome === 'rejected') metrics.parseErrors.inc({ source: ingestOptions.input });
      return outcome;
    },
  });

  const prune = (): void => {
    if (!outbox || config.outbox.retentionDays === 0) return;
    const removed = outbox.prune(clock.nowMs() - config.outbox.retentionDays * MS_PER_DAY);
    const events = eventStore?.prune(clock.nowMs()) ?? 0;
    if (removed > 0 || events > 0) logger.info('pruned', { outboxRows: removed, events });
  };

  const start = async (): Promise<AppPorts> => {
    db = openDatabase({ path: config.db.path });
    outbox = createOutbox({ db, clock });
    tokens = createTokenStore({ db, clock });
    eventStore = new EventStore({ db });
    metrics.outboxSeq.set(outbox.lastSeq());
    const ingestor = instrument(
      createEventIngestor({
        store: eventStore,
        normalise,
        logger: logger.child({ service: 'ingest' }),
        clock,
        onEvent: onIngested,
      }),
    );
    if (config.jsonl.path !== '') jsonl = createJsonlSink({ path: config.jsonl.path });

    const store = eventStore;
    const handler = createApiHandler({
      outbox,
      tokens,
      metrics: metrics.registry,
      logger,
      health,
      noticesByTriggerId: (triggerId) => store.noticesByTriggerId(triggerId).map((n) => n.notice),
      rawEventByIvorn: (ivorn) => store.eventsByIvorn(ivorn)[0]?.bytes,
    });
    httpServer = createServer(handler);
    websocket = createWebSocketSink({
      server: httpServer,
      outbox,
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
    const httpPort = await listen(httpServer, config.http.port, config.listenHost);
    logger.info('listening', { service: 'http', port: httpPort, host: config.listenHost });

    receiver = createReceiver({
      ingestor,
      localIvo: config.localIvo,
      logger: logger.child({ service: 'vtp-receiver' }),
      clock,
      port: config.vtp.receivePort,
      host: config.listenHost,
      whitelist: config.vtp.receiveWhitelist,
    });
    const receivePort = (await receiver.start()).port;
    logger.info('listening', { service: 'vtp-receiver', port: receivePort, host: config.listenHost });

    prune();
    pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
    pruneTimer.unref();
    return { http: httpPort, vtpReceiver: receivePort };
  };

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (pruneTimer) clearInterval(pruneTimer);
    // 1. Stop intake (inputs first), 2. flush and close outputs, 3. close the database.
    try {
      await receiver?.stop();
      await websocket?.close();
      if (httpServer) {
        const server = httpServer;
        server.closeAllConnections();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
      }
      await jsonl?.close();
      eventStore?.close();
    } catch (error) {
      logger.error('error during shutdown', { error: describeError(error) });
    } finally {
      db?.close();
      logger.info('stopped');
    }
  };

  return {
    config,
    metrics,
    start,
    stop,
    publishNotice,
    publishCoincidence,
  };
}
