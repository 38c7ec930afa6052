/**
 * Reconnection delays: exponential back-off with jitter (VTP 2.0 "geometric back-off"; Comet uses
 * Twisted's ReconnectingClientFactory: 1 s x e per retry, ~12 % jitter, reset after a connection
 * survives 5 s).
 *
 *   delayMs(n) = min(maxMs, initialMs * factor^n) * (1 + jitterRatio * u),   u uniform in [-1, 1)
 *
 * n = failed attempts since the last connection that stayed up >= resetAfterMs.
 */
export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Fraction of the delay, e.g. 0.2 = +/-20 %. */
  jitterRatio: number;
  /** A connection that lasted this long resets n to 0 (Comet RESET_DELAY, issue #29). */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1000,
  factor: 2,
  maxMs: 300_000,
  jitterRatio: 0.2,
  resetAfterMs: 5000,
};

export function reconnectDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, Math.max(0, attempt)));
  const u = 2 * random() - 1;
  return Math.max(0, Math.round(base * (1 + policy.jitterRatio * u)));
}

/** "host:port", "[v6]:port" or "host" (default port) -> { host, port }. */
export function parseRemote(text: string, defaultPort: number): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1] ?? '', port: v6[2] ? Number(v6[2]) : defaultPort };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon) {
    return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  }
  return { host: text, port: defaultPort };
}
