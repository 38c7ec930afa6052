/**
 * Puts bulk work behind latency-sensitive work on the one event loop: VTP submissions (an author
 * waits for its ack, and gives up after 20 s) go first; the optical backlog (files read a chunk
 * at a time, app/optical-folder-input.ts) waits before each chunk until no submission is in
 * flight. Much of a submission's time is spent in other threads (schema validation, the commit
 * and its fsync), and each of its hops back to this thread would otherwise queue behind a chunk
 * of optical work. The wait is bounded (`maxWaitMs`), so that a steady stream of submissions
 * slows the optical input but never stops it.
 */
export interface PriorityGate {
  /** Marks priority work as in flight; call the returned function when it is done. */
  enter(): () => void;
  /** Resolves once no priority work is in flight, or after `maxWaitMs`. */
  clear(maxWaitMs: number): Promise<void>;
  inFlight(): number;
}

export function createPriorityGate(): PriorityGate {
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  return {
    enter() {
      inFlight += 1;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        inFlight -= 1;
        if (inFlight === 0) wake();
      };
    },
    clear(maxWaitMs) {
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }, maxWaitMs);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(done);
      });
    },
    inFlight: () => inFlight,
  };
}
