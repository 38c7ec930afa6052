/**
 * The webhook subsystem of `coincide serve`, assembled from the configuration: the
 * configuration's subscriptions written to the database (source 'config'), the hub and its
 * workers (src/webhooks/hub.ts), their metrics and their /healthz section.
 *
 * Always assembled, even with no subscription: `coincide webhooks add` in another process adds
 * one to a running service (seen at the next reload poll).
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { HealthRegistry } from '../http/health.ts';
import type { ServiceMetrics } from '../http/service-metrics.ts';
import type { Logger } from '../logger.ts';
import type { Outbox, OutboxRecord } from '../sinks/outbox.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { createWebhookHub, type SubscriptionStatus } from '../webhooks/hub.ts';
import { createWebhookStore } from '../webhooks/store.ts';
import { webhooksFromConfig } from '../webhooks/subscription.ts';
import type { DeliverySettings } from '../webhooks/worker.ts';

export interface Webhooks {
  /** Called after every outbox append; never waits. */
  notify(record: OutboxRecord, data?: unknown): void;
  /** The webhooks section of the detailed /healthz (registered as `webhooks`). */
  health(): WebhooksHealth;
  stop(): Promise<void>;
}

export interface WebhooksHealth {
  subscriptions: number;
  /** Subscriptions retrying a delivery or refused by the URL policy. */
  failing: number;
  /** Dead deliveries, all subscriptions, all time (until the subscription is removed). */
  deadDeliveries: number;
  items: SubscriptionStatus[];
}

/** Retrying a delivery (or past its first attempt), or refused by the URL policy. */
const isFailing = (s: SubscriptionStatus): boolean =>
  s.state === 'refused' || s.state === 'retrying' || s.attempts > 1;

const MS_PER_DAY = 86_400_000;
const PRUNE_DEAD_INTERVAL_MS = 3_600_000;

/** Latency buckets of deliveries (from the append to the endpoint's 2xx), seconds: 10 ms to 1 h. */
const DELIVERY_BUCKETS_SEC = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];

export function deliverySettings(config: Config): DeliverySettings {
  return {
    timeoutMs: config.webhooks.timeoutMs,
    maxAgeMs: config.webhooks.maxAgeSec * 1000,
    retryInitialMs: config.webhooks.retryInitialMs,
    retryMaxMs: config.webhooks.retryMaxMs,
    publicBaseUrl: config.webhooks.publicBaseUrl,
  };
}

export function createWebhooks(
  config: Config,
  deps: {
    db: SqliteDatabase;
    outbox: Outbox;
    clock: Clock;
    logger: Logger;
    metrics: ServiceMetrics;
    health: HealthRegistry;
  },
): Webhooks {
  const { outbox, metrics } = deps;
  const logger = deps.logger.child({ service: 'webhooks' });
  const store = createWebhookStore({ db: deps.db, clock: deps.clock });
  // New subscriptions of the configuration start at the present (like a stream without `since`).
  store.syncConfig(webhooksFromConfig(config.webhooks), outbox.lastSeq());

  const attempts = metrics.registry.counter(
    'coincide_webhook_attempts_total',
    'Webhook delivery attempts, by subscription and outcome (delivered, retry, dead).',
  );
  const latency = metrics.registry.histogram(
    'coincide_webhook_delivery_latency_seconds',
    "Time from a message's append to the outbox to its acceptance by a webhook endpoint.",
    DELIVERY_BUCKETS_SEC,
  );
  const dead = metrics.registry.gauge(
    'coincide_webhook_dead_deliveries',
    'Webhook deliveries given up (dead), by subscription, as recorded in the database.',
  );
  const backlog = metrics.registry.gauge(
    'coincide_webhook_backlog_messages',
    "Outbox messages after a webhook subscription's cursor (an upper bound: some may be filtered out).",
  );
  const failing = metrics.registry.gauge(
    'coincide_webhook_failing',
    '1 while a webhook subscription is retrying a delivery or its URL is refused, else 0.',
  );

  const hub = createWebhookHub({
    store,
    outbox,
    settings: deliverySettings(config),
    allowHttpHosts: config.webhooks.allowHttpHosts,
    reloadMs: config.webhooks.reloadMs,
    clock: deps.clock,
    logger,
    onAttempt: (id, outcome, latencyMs) => {
      attempts.inc({ webhook: id, outcome });
      if (outcome === 'delivered') {
        metrics.eventsOut.inc({ sink: 'webhook' });
        if (latencyMs !== undefined) latency.observe(Math.max(0, latencyMs) / 1000);
      }
    },
  });
  hub.start();

  // Dead deliveries are kept as long as the outbox keeps messages (outbox.retentionDays).
  const pruneDead = (): void => {
    if (config.outbox.retentionDays === 0) return;
    const removed = store.pruneDead(deps.clock.nowMs() - config.outbox.retentionDays * MS_PER_DAY);
    if (removed > 0) {
      logger.info('pruned dead webhook deliveries', { rows: removed });
      hub.reload();
    }
  };
  pruneDead();
  const pruneTimer = setInterval(pruneDead, PRUNE_DEAD_INTERVAL_MS);
  pruneTimer.unref();

  metrics.registry.onCollect(() => {
    for (const s of hub.statuses()) {
      dead.set(s.dead, { webhook: s.id });
      backlog.set(s.backlog, { webhook: s.id });
      failing.set(isFailing(s) ? 1 : 0, { webhook: s.id });
    }
  });

  const health = (): WebhooksHealth => {
    const items = hub.statuses();
    return {
      subscriptions: items.length,
      failing: items.filter(isFailing).length,
      deadDeliveries: items.reduce((sum, s) => sum + s.dead, 0),
      items,
    };
  };
  // Shown to admin tokens; dead deliveries do not make the service "degraded" (it is up).
  deps.health.register('webhooks', () => ({ ...health() }));

  return {
    notify: (record, data) => {
      hub.notify(record, data);
    },
    health,
    stop: () => {
      clearInterval(pruneTimer);
      return hub.stop();
    },
  };
}
