/**
 * Retry delays of a failed delivery: exponential backoff with "full jitter" (AWS Architecture
 * Blog, "Exponential Backoff And Jitter", 2015): attempt n (1 = the first retry) waits a uniform
 * random time in [0, min(maxMs, initialMs * 2^(n-1))]. Full jitter spreads the retries of many
 * subscriptions to one recovering endpoint instead of sending them in lock-step. A floor of
 * initialMs / 2 keeps a retry from hammering an endpoint at once.
 *
 * Written here (three lines) rather than taken from a retry library: the delivery loop needs only
 * the delay, and must keep its own control of timeouts and the maximum age.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Uniform [0, 1) (Math.random by default; injected in tests). */
  random?: () => number;
}

export function retryDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceilingMs = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  const floorMs = Math.min(ceilingMs, options.initialMs / 2);
  return floorMs + random() * (ceilingMs - floorMs);
}
