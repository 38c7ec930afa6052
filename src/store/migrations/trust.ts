/**
 * Tables of the trust area (exactly-once delivery from commit to stream, and where each event
 * came from).
 *
 * notices.outbox_seq: the outbox seq of the notice's own stream message; NULL while it has none
 *   (it is set in the transaction that appends that message, src/store/notice-delivery.ts).
 * notices.joined: 1 once the join engine's outputs for the notice (coincidences, withdrawals)
 *   are in the outbox (set in the transaction that appends them); NULL while they are not.
 *   A notice that is not joined (untrusted source) is marked joined with its stream message.
 * At start-up every notice with a NULL in either column is delivered again, oldest first.
 * Rows that existed before were delivered by the code of their time: marked 0 / 1.
 *
 * events.trusted: the trust verdict of the event's source when it was accepted
 *   (src/trust/trust-policy.ts): 1 trusted (its notice may join), 0 not. Older rows: 1.
 */
import type { Migration } from './migration.ts';

export const TRUST_MIGRATIONS: readonly Migration[] = [
  {
    id: 'trust-001-notice-delivery',
    sql: `
      ALTER TABLE notices ADD COLUMN outbox_seq INTEGER;
      ALTER TABLE notices ADD COLUMN joined INTEGER;
      UPDATE notices SET outbox_seq = 0, joined = 1;
      CREATE INDEX notices_undelivered ON notices (id) WHERE outbox_seq IS NULL OR joined IS NULL;
      ALTER TABLE events ADD COLUMN trusted INTEGER NOT NULL DEFAULT 1;
    `,
  },
];
