/**
 * The service's join and delivery of notices and optical alerts: what happens to a stored
 * notice (its stream message, its join, the join's coincidences) and to optical alerts, with
 * every commit that keeps "committed means it reaches every output" true across crashes
 * (store/notice-delivery.ts), and the waits for sky maps (app/skymap-waits.ts). Split from
 * src/app.ts, which creates it in start() once the database, the join engine and the sky-map
 * loader exist, and gives it the outputs as callbacks (`fanOut`, `publishVoEvent`).
 *
 * Ordering: the notices of one trigger keep their arrival order (a per-trigger queue of
 * promises); triggers and the optical stream never wait for each other.
 */
import type { ClusterMode } from './cluster.ts';
import type { SkyMapLoader } from './skymap-loader.ts';
import { createSkyMapWaits } from './skymap-waits.ts';
import type { Clock } from '../clock.ts';
import { needsSkyMapBus } from '../cluster/skymap-bus.ts';
import { CoincideError, describeError } from '../errors.ts';
import type { ServiceMetrics } from '../http/service-metrics.ts';
import type { ActiveRegion } from '../join/active-region.ts';
import type { Coincidence } from '../join/coincidence.ts';
import type { JoinEngine, OpticalInputOptions, WindowsClosedDetail } from '../join/engine.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';
import type { OutboxRecord } from '../sinks/outbox.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { EventStore } from '../store/event-store.ts';
import type { NoticeDelivery, OutboxItem, UndeliveredNotice } from '../store/notice-delivery.ts';
import { mjdToIso } from '../time/mjd.ts';

/** How many recent stored events re-seed the join engine at start-up (warm start). */
export const WARM_START_EVENTS = 10_000;

export interface JoinDeliveryDeps {
  db: SqliteDatabase;
  delivery: NoticeDelivery;
  engine: JoinEngine;
  /** Absent: sky-map notices join without a map (tests). */
  skymaps?: SkyMapLoader;
  /** Cluster mode (src/app/cluster.ts): notices go to the notice topic, joined from there. */
  cluster?: ClusterMode;
  /** The longest a sky-map notice's join waits for its map, ms (skymap.joinWaitMs). */
  joinWaitMs: number;
  metrics: ServiceMetrics;
  logger: Logger;
  clock: Clock;
  /** True once the service is stopping: a map arriving late no longer redoes its join. */
  stopping: () => boolean;
  /** An input delivered something at `ms` (Unix ms), for /healthz and the input-lag gauge. */
  markInput: (input: string, ms: number) => void;
  /** Sends a committed outbox record to every stream output (WebSocket, webhooks, JSONL, Kafka). */
  fanOut: (record: OutboxRecord, data: unknown) => void;
  /** Sends a committed coincidence as a VOEvent (broadcaster, remote receivers). */
  publishVoEvent: (record: OutboxRecord, coincidence: Coincidence) => void;
}

/** A stored notice, as the ingest path hands it over. */
export interface StoredNotice {
  eventId: number;
  /** Unix ms of its arrival. */
  arrivedMs: number;
  /** The event's bytes (an embedded sky map is read from them). */
  rawEvent?: Uint8Array;
  /** From a source the trust rules accept (src/trust/): only trusted notices join. */
  trusted: boolean;
}

export interface JoinDelivery {
  /** Appends a Notice to the outbox and sends it to every output. */
  publishNotice(notice: Notice): OutboxRecord;
  /** Appends a Coincidence (candidate or withdrawn) to the outbox and sends it to every output. */
  publishCoincidence(coincidence: Coincidence): OutboxRecord;
  /** A notice just stored by the ingest path: published, and joined here or through the notice topic. */
  deliver(notice: Notice, stored: StoredNotice): void;
  /** Optical alerts: joined, their coincidences committed and sent. */
  onOpticalAlerts(alerts: readonly OpticalAlert[], options?: OpticalInputOptions): void;
  /**
   * A chunk of an optical file: its join, its coincidences, and `alongside` (the chunk's buffer
   * rows and the file's progress) in one transaction, then the coincidences are sent.
   */
  onOpticalChunk(alerts: readonly OpticalAlert[], alongside: () => void): void;
  /** Re-seeds the engine with the recent stored notices; returns how many. */
  warmStart(store: EventStore, undeliveredEventIds: ReadonlySet<number>): number;
  /** Delivers, or joins, the notices a crash left undelivered, oldest first. */
  redeliver(undelivered: readonly UndeliveredNotice[]): void;
  /** A notice from the cluster's notice topic, joined; resolves once its outputs are committed. */
  joinFromBus(notice: Notice, options: { publish: boolean }): Promise<void>;
  /** Ends every wait for a sky map at once (stop()). */
  closeWaits(): void;
  /** Resolves once no notice's join is queued or running. */
  settle(): Promise<void>;
}

export function createJoinDelivery(deps: JoinDeliveryDeps): JoinDelivery {
  const { db, delivery, engine, skymaps, cluster, metrics, logger, clock } = deps;
  const joinsLocally = cluster === undefined;
  /**
   * Per trigger, the tail of its notices waiting for a sky map: later notices of the same
   * trigger (revisions, retractions) join after it, in arrival order; other triggers and the
   * optical stream never wait.
   */
  const noticeQueues = new Map<string, Promise<void>>();
  const skymapWaits = createSkyMapWaits({ waitMs: deps.joinWaitMs });
  const skymapLoads = metrics.registry.counter(
    'coincide_skymap_loads_total',
    'Sky maps of notices loaded for the join, by outcome (loaded, failed: the notice joins without a region).',
  );
  const noticesWindowsClosed = metrics.registry.counter(
    'coincide_notices_windows_closed_total',
    'Notices that joined nothing because their coincidence windows had closed (event time) when they arrived, by trigger class.',
  );

  /** What the engine calls for a live notice whose windows had closed on arrival: an info line and the counter. */
  const windowsClosedHook =
    (notice: Notice) =>
    (detail: WindowsClosedDetail): void => {
      noticesWindowsClosed.inc({ class: detail.triggerClass });
      logger.info('notice arrived after its coincidence windows closed: not joined', {
        triggerId: notice.triggerId,
        ivorn: notice.ivorn,
        triggerTime: notice.triggerTime,
        triggerClass: detail.triggerClass,
        windowsClosedAt: mjdToIso(detail.windowsClosedMjd),
        eventTimeWatermark: mjdToIso(detail.watermarkMjd),
      });
    };

  const noticeItem = (notice: Notice): OutboxItem => ({
    type: 'notice',
    data: notice,
    triggerId: notice.triggerId,
  });

  const outboxItem = (c: Coincidence): OutboxItem => ({
    type: c.status === 'withdrawn' ? 'withdrawn' : 'coincidence',
    data: c,
    triggerId: c.trigger.triggerId,
  });

  const sendCoincidence = (record: OutboxRecord, coincidence: Coincidence): void => {
    deps.fanOut(record, coincidence);
    deps.publishVoEvent(record, coincidence);
  };

  /** Sends committed records, the i-th with the i-th coincidence. */
  const sendCoincidences = (records: readonly OutboxRecord[], outputs: readonly Coincidence[]): void => {
    records.forEach((record, i) => {
      const coincidence = outputs[i];
      if (coincidence) sendCoincidence(record, coincidence);
    });
  };

  /**
   * The engine's decisions for one input, committed together (one disk sync), then sent. With
   * `eventId`, the decisions for that event's notice: the notice is marked joined in the same
   * transaction (even when there are none), so that a crash never loses nor repeats them.
   */
  const publishJoinOutputs = (outputs: readonly Coincidence[], eventId?: number): void => {
    if (outputs.length === 0 && eventId === undefined) return;
    const records = delivery.commit(
      outputs.map(outboxItem),
      eventId === undefined ? undefined : { eventId, joined: true },
    );
    sendCoincidences(records, outputs);
  };

  /** Join latency: from a record's arrival (Unix ms) to the engine's decision, seconds. */
  const observeJoin = (kind: 'notice' | 'optical', arrivedMs: number): void => {
    metrics.joinLatency.observe(Math.max(0, clock.nowMs() - arrivedMs) / 1000, { kind });
  };

  /** The region of a sky-map notice, or undefined (logged and counted) when its map cannot be loaded. */
  const skyMapRegion = async (notice: Notice, rawEvent?: Uint8Array): Promise<ActiveRegion | undefined> => {
    if (notice.region.type !== 'skymap' || !skymaps) return undefined;
    const startedMs = clock.nowMs();
    try {
      const region = await skymaps.regionFor(notice, rawEvent);
      skymapLoads.inc({ outcome: 'loaded' });
      logger.info('sky map loaded', {
        triggerId: notice.triggerId,
        ivorn: notice.ivorn,
        // A data: URI is the map itself (tens of kB): its size, not its bytes.
        url: notice.region.url.startsWith('data:')
          ? `data: URI (${notice.region.url.length} characters)`
          : notice.region.url,
        areaDeg2: region.areaDeg2,
        credibleLevel: region.credibleLevel,
        ms: clock.nowMs() - startedMs,
      });
      return region;
    } catch (error) {
      skymapLoads.inc({ outcome: 'failed' });
      logger.warn('sky map not loaded: the notice joins without a region (no optical match)', {
        triggerId: notice.triggerId,
        ivorn: notice.ivorn,
        url: notice.region.url,
        code: error instanceof CoincideError ? error.code : 'UNKNOWN',
        error: describeError(error),
      });
      return undefined;
    }
  };

  /** Runs `work` after the queued work of the trigger (its notices keep their order). */
  const enqueue = (triggerId: string, work: () => Promise<void> | void): void => {
    const job = (noticeQueues.get(triggerId) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => {
        logger.error('notice not joined', { triggerId, error: describeError(error) });
      })
      .finally(() => {
        if (noticeQueues.get(triggerId) === job) noticeQueues.delete(triggerId);
      });
    noticeQueues.set(triggerId, job);
  };

  /**
   * Feeds a notice to the join engine. Circles and ellipses join at once; a sky-map notice joins
   * when its map is loaded, but waits for it at most joinWaitMs, and not at all once a newer
   * notice of its trigger has arrived (whose map alone is fetched): then it joins on its own
   * region, and joins again when the map arrives (app/skymap-waits.ts). The notices of a
   * trigger keep their order; triggers never wait for each other.
   * `publish` false: warm start (the outputs were published before the restart). `eventId`: the
   * stored event of the notice, marked joined with the outputs (notice-delivery.ts).
   */
  const joinNotice = (
    notice: Notice,
    options: { arrivedMs: number; rawEvent?: Uint8Array; publish: boolean; eventId?: number },
  ): void => {
    const closedHook = options.publish ? { onWindowsClosed: windowsClosedHook(notice) } : {};
    if (notice.region.type !== 'skymap' && !noticeQueues.has(notice.triggerId)) {
      skymapWaits.supersede(notice.triggerId);
      const outputs = engine.onNotice(notice, closedHook);
      if (options.publish) {
        publishJoinOutputs(outputs, options.eventId);
        observeJoin('notice', options.arrivedMs);
      }
      return;
    }
    const turn = skymapWaits.arrive(notice.triggerId);
    const finish = (): void => {
      skymapWaits.finish(notice.triggerId, turn);
    };
    enqueue(notice.triggerId, async () => {
      let lateJoin = false;
      try {
        const loading = turn.superseded() ? undefined : skyMapRegion(notice, options.rawEvent);
        const region = loading ? await skymapWaits.within(loading, turn) : undefined;
        const outputs = engine.onNotice(notice, region ? { ...closedHook, region } : closedHook);
        if (options.publish) {
          publishJoinOutputs(outputs, options.eventId);
          observeJoin('notice', options.arrivedMs);
        }
        if (!loading || region) return;
        lateJoin = true;
        void loading.then((late) => {
          if (!late || deps.stopping() || turn.superseded()) {
            finish();
            return;
          }
          enqueue(notice.triggerId, () => {
            try {
              if (deps.stopping() || turn.superseded()) return;
              const redone = engine.onNotice(notice, { region: late });
              if (options.publish) publishJoinOutputs(redone);
              logger.info('joined again with its sky map', {
                triggerId: notice.triggerId,
                ivorn: notice.ivorn,
              });
            } finally {
              finish();
            }
          });
        });
      } finally {
        if (!lateJoin) finish();
      }
    });
  };

  /**
   * A stored notice: its stream message, and its join. A notice that joins at once (circle or
   * ellipse, nothing of its trigger queued) is committed with the join's outputs and both marks
   * in one transaction; otherwise it is committed marked published, and its outputs later, marked
   * joined. A notice from an untrusted source is published and never joined (src/trust/).
   */
  const deliverNotice = (notice: Notice, stored: StoredNotice): void => {
    const { eventId, arrivedMs } = stored;
    const immediate = notice.region.type !== 'skymap' && !noticeQueues.has(notice.triggerId);
    if (immediate && stored.trusted) skymapWaits.supersede(notice.triggerId);
    if (!stored.trusted || !immediate) {
      const [record] = delivery.commit([noticeItem(notice)], {
        eventId,
        noticeIndex: 0,
        joined: !stored.trusted,
      });
      if (record) deps.fanOut(record, notice);
      if (stored.trusted) {
        joinNotice(notice, {
          arrivedMs,
          ...(stored.rawEvent ? { rawEvent: stored.rawEvent } : {}),
          publish: true,
          eventId,
        });
      }
      return;
    }
    const outputs = engine.onNotice(notice, { onWindowsClosed: windowsClosedHook(notice) });
    const [record, ...joined] = delivery.commit([noticeItem(notice), ...outputs.map(outboxItem)], {
      eventId,
      noticeIndex: 0,
      joined: true,
    });
    if (record) deps.fanOut(record, notice);
    sendCoincidences(joined, outputs);
    observeJoin('notice', arrivedMs);
  };

  /**
   * Cluster mode: a stored notice goes to the stream (and so to the notice topic, which every
   * instance joins from), never to this instance's join. A trusted sky-map notice whose map only
   * this instance has (embedded in the event, or downloaded) first has its map's bytes, or the
   * failure to load them, published on the sky-map topic (src/cluster/skymap-bus.ts), so that every
   * instance joins it with the same region. The notices of a trigger keep their order.
   */
  const deliverToBus = (
    bus: ClusterMode,
    notice: Notice,
    stored: { eventId: number; rawEvent?: Uint8Array; trusted: boolean },
  ): void => {
    const commit = (): void => {
      const [record] = delivery.commit([noticeItem(notice)], {
        eventId: stored.eventId,
        noticeIndex: 0,
        joined: true,
      });
      if (record) deps.fanOut(record, notice);
    };
    const region = notice.region;
    if (!stored.trusted || region.type !== 'skymap' || !needsSkyMapBus(region.url) || !skymaps) {
      if (noticeQueues.has(notice.triggerId)) enqueue(notice.triggerId, commit);
      else commit();
      return;
    }
    const loader = skymaps;
    enqueue(notice.triggerId, async () => {
      const outcome = await loader
        .bytesFor(notice, stored.rawEvent)
        .catch((error: unknown) =>
          error instanceof CoincideError ? error : new CoincideError('FETCH_FAILED', describeError(error)),
        );
      try {
        await bus.maps.publish(region.url, outcome);
      } catch (error) {
        // The notice still reaches the streams; the other instances wait for the map (mapWaitMs)
        // and then join it without a region.
        logger.error('sky map not published on the sky-map topic', {
          triggerId: notice.triggerId,
          ivorn: notice.ivorn,
          error: describeError(error),
        });
      }
      commit();
    });
  };

  /** The join engine's outputs for optical alerts (counted, their join latency observed). */
  const joinOptical = (alerts: readonly OpticalAlert[], options?: OpticalInputOptions): Coincidence[] => {
    const arrivedMs = clock.nowMs();
    deps.markInput('optical', arrivedMs);
    const outputs: Coincidence[] = [];
    for (const alert of alerts) {
      metrics.eventsIn.inc({ source: 'optical', outcome: 'accepted' });
      outputs.push(...engine.onOpticalAlert(alert, options));
      observeJoin('optical', arrivedMs);
    }
    return outputs;
  };

  const commitOne = (item: OutboxItem): OutboxRecord => {
    const [record] = delivery.commit([item]);
    if (!record) throw new Error('unreachable: one item appended, no record');
    return record;
  };

  return {
    publishNotice(notice) {
      const record = commitOne(noticeItem(notice));
      deps.fanOut(record, notice);
      return record;
    },

    publishCoincidence(coincidence) {
      const record = commitOne(outboxItem(coincidence));
      sendCoincidence(record, coincidence);
      return record;
    },

    deliver(notice, stored) {
      // In cluster mode every instance joins the notice from the notice topic instead.
      if (cluster) deliverToBus(cluster, notice, stored);
      else deliverNotice(notice, stored);
    },

    onOpticalAlerts(alerts, options) {
      publishJoinOutputs(joinOptical(alerts, options));
    },

    onOpticalChunk(alerts, alongside) {
      const { outputs, records } = db
        .transaction(() => {
          const joined = joinOptical(alerts);
          const committed = delivery.commit(joined.map(outboxItem), undefined, alongside);
          return { outputs: joined, records: committed };
          // BEGIN IMMEDIATE: the write lock is taken (waiting out the event writer thread's
          // commits, busy_timeout) before the join reads, so the transaction never has to
          // upgrade and fail.
        })
        .immediate();
      sendCoincidences(records, outputs);
    },

    /**
     * Warm start: the join engine lives in memory, so after a restart the recent stored notices
     * are fed to it again (their coincidences were published before; any mm-mm pair it finds
     * again is not re-published).
     */
    warmStart(store, undeliveredEventIds) {
      let count = 0;
      // Notices from untrusted sources never join (src/trust/).
      for (const stored of store.warmStartNotices(WARM_START_EVENTS)) {
        // Not joined yet: joined (and published) by redeliver() once the outputs are ready.
        if (undeliveredEventIds.has(stored.eventId)) continue;
        // Sky maps load asynchronously (embedded ones from the stored event bytes).
        joinNotice(stored.notice, { arrivedMs: clock.nowMs(), publish: false });
        count += 1;
      }
      return count;
    },

    /**
     * At start-up, the notices a crash left undelivered (notice-delivery.ts), oldest first: those
     * without their stream message are delivered whole, those without their join outputs joined.
     */
    redeliver(undelivered) {
      for (const u of undelivered) {
        const arrivedMs = clock.nowMs();
        if (cluster && !u.published) {
          deliverToBus(cluster, u.notice, { eventId: u.eventId, trusted: u.trusted });
          continue;
        }
        const trusted = u.trusted && joinsLocally;
        if (!u.published) deliverNotice(u.notice, { eventId: u.eventId, arrivedMs, trusted });
        else if (trusted) joinNotice(u.notice, { arrivedMs, publish: true, eventId: u.eventId });
        else publishJoinOutputs([], u.eventId);
      }
    },

    async joinFromBus(notice, options) {
      // The map first (published before its notice): the join then never times out on it
      // (skymap.joinWaitMs) and joins on the same region as every other instance.
      const region = notice.region;
      if (cluster && region.type === 'skymap' && needsSkyMapBus(region.url))
        await cluster.maps.ready(region.url, cluster.mapWaitMs);
      joinNotice(notice, { arrivedMs: clock.nowMs(), publish: options.publish });
      await noticeQueues.get(notice.triggerId);
    },

    closeWaits() {
      skymapWaits.close();
    },

    async settle() {
      while (noticeQueues.size > 0) await Promise.allSettled([...noticeQueues.values()]);
    },
  };
}
