/**
 * The webhook subsystem of a running service: one worker per subscription (worker.ts), the
 * hand-over of freshly published messages to them, their cursors, and their status.
 *
 *  - notify(record, data) is all the publish path calls: it queues the record and returns. The
 *    hand-over runs later (setImmediate), after the caller's other sinks (WebSocket fan-out) have
 *    written; it pushes the same message objects to every worker that is keeping up.
 *  - Cursors are saved in batches (one transaction, one disk sync, per CURSOR_FLUSH_MS), not one
 *    sync per delivery per subscription: a crash before a save re-delivers those messages with
 *    the same Idempotency-Key (at least once), never skips one.
 *  - The subscription table is polled every reloadMs: a `coincide webhooks add/remove` in another
 *    process starts or stops a worker without a restart. A subscription whose URL this service's
 *    policy refuses (http to a host not in webhooks.allowHttpHosts) gets no worker; its status
 *    says why.
 */
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Outbox, OutboxRecord } from '../sinks/outbox.ts';
import type { WebhookMessage } from './format.ts';
import type { CursorUpdate, DeadSummary, WebhookRow, WebhookStore } from './store.ts';
import { checkWebhookUrl, redactUrl } from './subscription.ts';
import {
  createWorker,
  type DeliveryOutcome,
  type DeliverySettings,
  type SubscriptionWorker,
  type WorkerStatus,
} from './worker.ts';

export const CURSOR_FLUSH_MS = 20;

export interface WebhookHubOptions {
  store: WebhookStore;
  outbox: Outbox;
  settings: DeliverySettings;
  allowHttpHosts: readonly string[];
  reloadMs: number;
  clock: Clock;
  logger: Logger;
  /** Called for every attempt (metrics). */
  onAttempt?: (id: string, outcome: DeliveryOutcome, latencyMs?: number) => void;
  random?: () => number;
}

export interface SubscriptionStatus extends Omit<WorkerStatus, 'state'> {
  state: WorkerStatus['state'] | 'refused';
  endpoint: string;
  format: string;
  source: string;
  signed: boolean;
  delivered: number;
  /** Messages after the cursor (an upper bound: some may be filtered out). */
  backlog: number;
  dead: number;
  lastDead?: { seq: number; at: string; error: string };
}

export interface WebhookHub {
  /** Starts the workers of every stored subscription and the reload poll. */
  start(): void;
  /** A record was appended to the outbox (never waits; see above). */
  notify(record: OutboxRecord, data?: unknown): void;
  /** Re-reads the subscription table and the dead deliveries now (the table also every reloadMs). */
  reload(): void;
  statuses(): SubscriptionStatus[];
  /** Stops every worker (aborting attempts in flight) and saves the cursors. */
  stop(): Promise<void>;
}

export function createWebhookHub(options: WebhookHubOptions): WebhookHub {
  const { store, outbox, clock, logger } = options;
  const workers = new Map<string, { worker: SubscriptionWorker; updatedMs: number }>();
  const refused = new Map<string, { updatedMs: number; error: string }>();
  const pendingCursors = new Map<string, CursorUpdate>();
  let pending: WebhookMessage[] = [];
  /** The last seq handed over to the workers. */
  let handedSeq = outbox.lastSeq();
  let handOverScheduled = false;
  let flushTimer: NodeJS.Timeout | undefined;
  let reloadTimer: NodeJS.Timeout | undefined;
  let deadSummaries = new Map<string, DeadSummary>();
  let stopped = false;

  const flushCursors = (): void => {
    flushTimer = undefined;
    if (pendingCursors.size === 0) return;
    const updates = new Map(pendingCursors);
    pendingCursors.clear();
    try {
      store.saveCursors(updates);
    } catch (error) {
      // Not saved: those messages are delivered again after a restart (same idempotency keys).
      logger.error('webhook cursors not saved', { error: describeError(error) });
    }
  };

  const events = {
    onDone(id: string, seq: number, delivered: boolean) {
      const current = pendingCursors.get(id);
      pendingCursors.set(id, { seq, delivered: (current?.delivered ?? 0) + (delivered ? 1 : 0) });
      flushTimer ??= setTimeout(flushCursors, CURSOR_FLUSH_MS);
    },
    onDead(id: string, message: WebhookMessage, attempts: number, error: string) {
      try {
        store.recordDead({
          subscriptionId: id,
          seq: message.seq,
          type: message.type,
          deadMs: clock.nowMs(),
          attempts,
          error,
        });
      } catch (cause) {
        logger.error('webhook dead delivery not recorded', { webhook: id, error: describeError(cause) });
      }
      deadSummaries = store.deadSummaries();
    },
    onAttempt(id: string, outcome: DeliveryOutcome, latencyMs?: number) {
      options.onAttempt?.(id, outcome, latencyMs);
    },
  };

  const startWorker = (row: WebhookRow): void => {
    try {
      checkWebhookUrl(row.url, options.allowHttpHosts);
    } catch (error) {
      refused.set(row.id, { updatedMs: row.updatedMs, error: describeError(error) });
      logger.warn('webhook not started: its URL is refused', {
        webhook: row.id,
        error: describeError(error),
      });
      return;
    }
    refused.delete(row.id);
    const worker = createWorker({
      subscription: row,
      cursorSeq: row.cursorSeq,
      outbox,
      settings: options.settings,
      events,
      clock,
      logger,
      ...(options.random ? { random: options.random } : {}),
    });
    workers.set(row.id, { worker, updatedMs: row.updatedMs });
    logger.info('webhook started', {
      webhook: row.id,
      endpoint: redactUrl(row.url),
      format: row.format,
      cursorSeq: row.cursorSeq,
    });
  };

  const stopWorker = (id: string): void => {
    const entry = workers.get(id);
    if (!entry) return;
    workers.delete(id);
    // Its unsaved progress belongs to the old row; a replacement starts from the stored cursor.
    pendingCursors.delete(id);
    void entry.worker.stop();
  };

  const reload = (refreshDead: boolean): void => {
    if (stopped) return;
    let versions: Map<string, number>;
    try {
      versions = store.versions();
    } catch (error) {
      logger.error('webhook subscriptions not read', { error: describeError(error) });
      return;
    }
    let changed = false;
    for (const id of [...workers.keys()]) {
      if (versions.get(id) !== workers.get(id)?.updatedMs) {
        stopWorker(id);
        changed = true;
        if (!versions.has(id)) logger.info('webhook removed', { webhook: id });
      }
    }
    for (const id of [...refused.keys()]) {
      if (versions.get(id) !== refused.get(id)?.updatedMs) {
        refused.delete(id);
        changed = true;
      }
    }
    for (const [id] of versions) {
      if (workers.has(id) || refused.has(id)) continue;
      const row = store.get(id);
      if (row) startWorker(row);
      changed = true;
    }
    // Dead deliveries change only with the subscriptions (a remove drops its rows) or by onDead.
    if (changed || refreshDead) deadSummaries = store.deadSummaries();
  };

  const handOver = (): void => {
    handOverScheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const afterSeq = handedSeq;
    // Only a gap-free run after the last hand-over can be pushed; otherwise (a record appended
    // without a notify) every worker reads the outbox itself.
    const contiguous = batch.every((m, i) => m.seq === afterSeq + i + 1);
    handedSeq = Math.max(handedSeq, ...batch.map((m) => m.seq));
    for (const { worker } of workers.values())
      worker.offer(contiguous ? batch : [], contiguous ? afterSeq : -1);
  };

  return {
    start() {
      reload(true);
      reloadTimer = setInterval(() => {
        reload(false);
      }, options.reloadMs);
      reloadTimer.unref();
    },
    notify(record, data) {
      if (stopped || workers.size === 0) {
        handedSeq = Math.max(handedSeq, record.seq);
        return;
      }
      pending.push({
        type: record.type,
        seq: record.seq,
        json: record.json,
        createdMs: record.createdMs,
        data,
      });
      if (!handOverScheduled) {
        handOverScheduled = true;
        setImmediate(handOver);
      }
    },
    reload: () => {
      reload(true);
    },
    statuses() {
      const lastSeq = outbox.lastSeq();
      return store.list().map((row): SubscriptionStatus => {
        const worker = workers.get(row.id)?.worker.status();
        const refusal = refused.get(row.id);
        const dead = deadSummaries.get(row.id);
        const cursorSeq = Math.max(row.cursorSeq, worker?.cursorSeq ?? 0);
        return {
          id: row.id,
          state: refusal ? 'refused' : (worker?.state ?? 'stopped'),
          endpoint: redactUrl(row.url),
          format: row.format,
          source: row.source,
          signed: row.secret !== undefined,
          cursorSeq,
          attempts: worker?.attempts ?? 0,
          delivered: row.delivered + (pendingCursors.get(row.id)?.delivered ?? 0),
          backlog: Math.max(0, lastSeq - cursorSeq),
          dead: dead?.count ?? 0,
          ...(dead
            ? {
                lastDead: {
                  seq: dead.lastSeq,
                  at: new Date(dead.lastDeadMs).toISOString(),
                  error: dead.lastError,
                },
              }
            : {}),
          ...(refusal ? { lastError: refusal.error } : {}),
          ...(worker?.lastError === undefined ? {} : { lastError: worker.lastError }),
          ...(worker?.lastErrorMs === undefined ? {} : { lastErrorMs: worker.lastErrorMs }),
          ...(worker?.nextAttemptMs === undefined ? {} : { nextAttemptMs: worker.nextAttemptMs }),
        };
      });
    },
    async stop() {
      stopped = true;
      if (reloadTimer) clearInterval(reloadTimer);
      const all = [...workers.values()].map((e) => e.worker.stop());
      workers.clear();
      await Promise.all(all);
      if (flushTimer) clearTimeout(flushTimer);
      flushCursors();
    },
  };
}
