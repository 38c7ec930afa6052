/**
 * Time as an injected dependency. Pure modules (sky/, join/) never read the wall clock;
 * adapters receive a Clock so tests can drive time.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when told to, for tests. */
export class ManualClock implements Clock {
  constructor(private currentMs = 0) {}
  nowMs(): number {
    return this.currentMs;
  }
  advance(deltaMs: number): void {
    this.currentMs += deltaMs;
  }
  set(ms: number): void {
    this.currentMs = ms;
  }
}
