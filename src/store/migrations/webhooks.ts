/**
 * Tables of the webhooks area (src/webhooks/).
 *
 * webhook_subscriptions: one row per subscription, from `coincide webhooks add` (source 'cli')
 * or from the configuration (source 'config', synchronised at each start of `coincide serve`).
 * The secret is stored in clear (it signs every body with HMAC-SHA256, so it cannot be a hash
 * like the API tokens'): the database file is kept 0600 (src/webhooks/store.ts). cursor_seq is
 * the last outbox seq this subscription is done with (delivered, filtered out or dead): after a
 * crash its worker resumes after it, in seq order. updated_ms changes on every edit, so a running
 * service sees an edit by polling (id, updated_ms).
 *
 * webhook_dead: deliveries given up (past webhooks.maxAgeSec, or refused by the endpoint with a
 * 4xx), one row each, for /healthz, /metrics and `coincide webhooks list`.
 */
import type { Migration } from './migration.ts';

export const WEBHOOK_MIGRATIONS: readonly Migration[] = [
  {
    id: 'webhooks-001-subscriptions',
    sql: `
      CREATE TABLE webhook_subscriptions (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        format TEXT NOT NULL,
        filters TEXT NOT NULL,
        secret TEXT,
        source TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        cursor_seq INTEGER NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE webhook_dead (
        subscription_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        dead_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL,
        PRIMARY KEY (subscription_id, seq)
      );`,
  },
];
