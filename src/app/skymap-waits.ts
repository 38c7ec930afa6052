/**
 * How the service's joins wait for sky maps (issue 12: a slow or tarpitting map URL must
 * stall nothing):
 *   - per trigger, only the newest notice counts: `arrive()` for a notice supersedes every
 *     earlier notice of its trigger, whose wait ends at once and whose map is not fetched if its
 *     turn had not come (per-trigger coalescing: only the newest revision's map is fetched);
 *   - a join waits for its map at most `waitMs` (`within()`), then goes ahead on the notice's
 *     own region; the caller redoes the join when the map arrives;
 *   - `close()` (the service's stop()) ends every wait at once.
 * Triggers never wait for each other: each has its own queue in the app.
 * A turn is held only while its work may still need superseding: a notice that joins at once
 * calls `supersede()` (no turn), and a turn is forgotten once `finish()`ed, so the waits hold
 * one entry per trigger with a map still in flight, not one per trigger ever seen (16,000
 * triggers were 16,000 AbortControllers until the service stopped).
 */

export interface SkyMapTurn {
  /** True once a newer notice of the same trigger has arrived, or the waits were closed. */
  superseded(): boolean;
  /** Aborted when superseded. */
  readonly signal: AbortSignal;
}

export interface SkyMapWaits {
  arrive(triggerId: string): SkyMapTurn;
  /** A notice of the trigger that joins at once: every earlier turn is superseded, none is held. */
  supersede(triggerId: string): void;
  /** The turn's work is done (joined, and joined again or not with a late map): forget it. */
  finish(triggerId: string, turn: SkyMapTurn): void;
  /** How many turns are held (triggers with work in flight). */
  held(): number;
  /** The value of `promise`, or undefined once `waitMs` has passed or the turn is superseded. */
  within<T>(promise: Promise<T>, turn: SkyMapTurn): Promise<T | undefined>;
  close(): void;
}

export function createSkyMapWaits(options: { waitMs: number }): SkyMapWaits {
  const newest = new Map<string, AbortController>();
  const closing = new AbortController();
  return {
    arrive(triggerId) {
      newest.get(triggerId)?.abort();
      const controller = new AbortController();
      if (closing.signal.aborted) controller.abort();
      newest.set(triggerId, controller);
      return {
        superseded: () => controller.signal.aborted,
        signal: controller.signal,
      };
    },
    supersede(triggerId) {
      newest.get(triggerId)?.abort();
      newest.delete(triggerId);
    },
    finish(triggerId, turn) {
      if (newest.get(triggerId)?.signal === turn.signal) newest.delete(triggerId);
    },
    held: () => newest.size,
    within<T>(promise: Promise<T>, turn: SkyMapTurn): Promise<T | undefined> {
      if (turn.signal.aborted) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve) => {
        const done = (value: T | undefined): void => {
          clearTimeout(timer);
          turn.signal.removeEventListener('abort', onAbort);
          resolve(value);
        };
        const onAbort = (): void => {
          done(undefined);
        };
        const timer = setTimeout(onAbort, options.waitMs);
        turn.signal.addEventListener('abort', onAbort, { once: true });
        promise.then(done, onAbort);
      });
    },
    close() {
      closing.abort();
      for (const controller of newest.values()) controller.abort();
      newest.clear();
    },
  };
}
