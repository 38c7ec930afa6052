/**
 * Liveness of the GCN stream from `gcn.heartbeat` (about one message a second).
 *
 * State, with t = clock.nowMs() and lastMs the arrival time of the last heartbeat:
 * - 'waiting': no heartbeat yet, and less than silenceMs since start;
 * - 'ok':      t − lastMs ≤ silenceMs;
 * - 'silent':  otherwise. The transition to 'silent' logs one warning, the way back one info.
 * `lagMs` = arrival time − the heartbeat's own `alert_datetime` (how late GCN's messages reach us;
 * it includes clock skew between GCN and this machine).
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';

export type HeartbeatStatus = 'waiting' | 'ok' | 'silent';

export interface HeartbeatHealth {
  status: HeartbeatStatus;
  silenceMs: number;
  /** Unix ms of the last heartbeat's arrival, or null. */
  lastHeartbeatMs: number | null;
  /** Milliseconds since the last heartbeat (or since start when none). */
  silentForMs: number;
  /** The last heartbeat's alert_datetime (ISO), when it had one. */
  lastAlertDatetime: string | null;
  lagMs: number | null;
  count: number;
}

export interface HeartbeatMonitorOptions {
  clock: Clock;
  logger: Logger;
  /** Silence longer than this is a warning (default 60 000 ms). */
  silenceMs?: number;
}

export interface HeartbeatMonitor {
  /** Records one heartbeat message (its raw value). */
  beat(value: Buffer | null): void;
  /** Re-evaluates the state (call on a timer); logs transitions. */
  check(): HeartbeatStatus;
  health(): HeartbeatHealth;
}

export const DEFAULT_HEARTBEAT_SILENCE_MS = 60_000;

function alertDatetimeOf(value: Buffer | null): string | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { alert_datetime?: unknown };
    return typeof parsed.alert_datetime === 'string' ? parsed.alert_datetime : null;
  } catch {
    return null;
  }
}

export function createHeartbeatMonitor(options: HeartbeatMonitorOptions): HeartbeatMonitor {
  const { clock, logger } = options;
  const silenceMs = options.silenceMs ?? DEFAULT_HEARTBEAT_SILENCE_MS;
  const startedMs = clock.nowMs();
  let lastMs: number | null = null;
  let lastAlertDatetime: string | null = null;
  let lagMs: number | null = null;
  let count = 0;
  let reported: HeartbeatStatus = 'waiting';

  const statusAt = (nowMs: number): HeartbeatStatus => {
    if (lastMs === null) return nowMs - startedMs > silenceMs ? 'silent' : 'waiting';
    return nowMs - lastMs > silenceMs ? 'silent' : 'ok';
  };

  const check = (): HeartbeatStatus => {
    const nowMs = clock.nowMs();
    const status = statusAt(nowMs);
    if (status !== reported) {
      if (status === 'silent') {
        logger.warn('GCN heartbeat silent', {
          silentForMs: nowMs - (lastMs ?? startedMs),
          silenceMs,
          lastHeartbeatMs: lastMs,
        });
      } else if (status === 'ok' && reported === 'silent') {
        logger.info('GCN heartbeat back', { lastAlertDatetime });
      }
      reported = status;
    }
    return status;
  };

  return {
    beat(value) {
      lastMs = clock.nowMs();
      count += 1;
      lastAlertDatetime = alertDatetimeOf(value);
      const sentMs = lastAlertDatetime === null ? Number.NaN : Date.parse(lastAlertDatetime);
      lagMs = Number.isFinite(sentMs) ? lastMs - sentMs : null;
      check();
    },
    check,
    health() {
      const nowMs = clock.nowMs();
      return {
        status: statusAt(nowMs),
        silenceMs,
        lastHeartbeatMs: lastMs,
        silentForMs: nowMs - (lastMs ?? startedMs),
        lastAlertDatetime,
        lagMs,
        count,
      };
    },
  };
}
