/**
 * `serve`'s retention: old outbox rows (outbox.retentionDays; in cluster mode also the merged
 * stream's local log) and, only when archive.retentionDays is set, old events and their notices
 * (the archive is kept forever by default; issue 16). Runs at start and then every
 * PRUNE_INTERVAL_MS on an unref'd timer. Split from src/app.ts.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Outbox } from '../sinks/outbox.ts';
import type { EventStore } from '../store/event-store.ts';

/** How often old outbox rows and events are pruned. */
export const PRUNE_INTERVAL_MS = 3600_000;
const MS_PER_DAY = 86_400_000;

export interface RetentionDeps {
  config: Pick<Config, 'outbox' | 'archive'>;
  outbox: Outbox;
  eventStore: EventStore;
  /** Cluster mode's local log of the merged output topics (src/cluster/merged-stream.ts). */
  clusterOutbox?: Outbox | undefined;
  /** Called when events were pruned (the archive's indexes drop their rows). */
  afterEventsPruned: () => void;
  logger: Logger;
  clock: Clock;
  /** How often to prune, ms (default PRUNE_INTERVAL_MS). */
  intervalMs?: number;
}

export interface Retention {
  /** Prunes now, then every PRUNE_INTERVAL_MS. */
  start(): void;
  stop(): void;
  /** Prunes now; returns what was removed. */
  prune(): { outboxRows: number; events: number };
}

export function createRetention(deps: RetentionDeps): Retention {
  const { config, clock } = deps;
  let timer: NodeJS.Timeout | undefined;
  const prune = (): { outboxRows: number; events: number } => {
    const outboxDays = config.outbox.retentionDays;
    const outboxRows = outboxDays > 0 ? deps.outbox.prune(clock.nowMs() - outboxDays * MS_PER_DAY) : 0;
    // The archive (events and notices) is kept forever unless archive.retentionDays is set.
    const archiveDays = config.archive.retentionDays;
    const events = archiveDays > 0 ? deps.eventStore.prune(clock.nowMs(), archiveDays * MS_PER_DAY) : 0;
    if (events > 0) deps.afterEventsPruned();
    if (outboxDays > 0) deps.clusterOutbox?.prune(clock.nowMs() - outboxDays * MS_PER_DAY);
    if (outboxRows > 0 || events > 0) deps.logger.info('pruned', { outboxRows, events });
    return { outboxRows, events };
  };
  return {
    start() {
      // A failed prune (e.g. a full disk) is logged and retried at the next interval: it must
      // not stop the service, which keeps every row it could not remove.
      const run = (): void => {
        try {
          prune();
        } catch (error) {
          deps.logger.error('retention: prune failed', { error: describeError(error) });
        }
      };
      run();
      timer = setInterval(run, deps.intervalMs ?? PRUNE_INTERVAL_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    prune,
  };
}
