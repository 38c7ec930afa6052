/**
 * Per-peer limits of the VTP receiver (issue 12: a flood from one address must not starve
 * the others): at most `concurrency` submissions of one address are processed at once, and at
 * most `ratePerSec` start per second (a token bucket holding up to `burst`). A submission over
 * either limit waits for its turn (its connection's absolute timeout still runs): nothing is
 * refused for being fast, and other addresses never wait for it. The clock is injected.
 */
import type { Clock } from '../clock.ts';

export interface PeerLimits {
  /** Submissions of one address processed at once. */
  concurrency: number;
  /** Submissions of one address started per second, on average. */
  ratePerSec: number;
  /** Submissions that may start at once after an idle spell (default: ratePerSec, at least 1). */
  burst?: number;
}

export interface PeerLimiter {
  /**
   * Resolves with a release function once the address may process one more submission; resolves
   * with undefined when `cancelled()` becomes true first (e.g. the connection closed).
   */
  acquire(address: string, cancelled: () => boolean): Promise<(() => void) | undefined>;
  /** Addresses remembered now (busy, waiting, or idle with a bucket not yet full again). */
  readonly trackedAddresses: number;
}

interface PeerState {
  active: number;
  tokens: number;
  refilledMs: number;
  waiting: Array<() => void>;
  timer?: NodeJS.Timeout;
}

/** How often idle addresses are looked for, to be forgotten (ms). */
const FORGET_SWEEP_MS = 1000;

export function createPeerLimiter(limits: PeerLimits, clock: Clock): PeerLimiter {
  const concurrency = Math.max(1, limits.concurrency);
  const rate = Math.max(1e-3, limits.ratePerSec);
  const burst = Math.max(1, limits.burst ?? limits.ratePerSec);
  const peers = new Map<string, PeerState>();
  let sweptMs = clock.nowMs();

  const refill = (peer: PeerState): void => {
    const now = clock.nowMs();
    peer.tokens = Math.min(burst, peer.tokens + ((now - peer.refilledMs) / 1000) * rate);
    peer.refilledMs = now;
  };

  /**
   * Forgets the idle addresses whose bucket is full again (what a new address would get), at
   * most once every FORGET_SWEEP_MS, when a submission arrives: the map holds only addresses
   * seen lately. Before, each address going idle set a timer of its own to be forgotten, and
   * the next submission cleared it: a timer made and cleared per submission (issue 14).
   */
  const forgetIdle = (): void => {
    const now = clock.nowMs();
    if (now - sweptMs < FORGET_SWEEP_MS) return;
    sweptMs = now;
    for (const [address, peer] of peers) {
      if (peer.active > 0 || peer.waiting.length > 0 || peer.timer !== undefined) continue;
      refill(peer);
      if (peer.tokens >= burst) peers.delete(address);
    }
  };

  /** Starts whatever waiting submissions the limits allow; schedules itself for the next token. */
  const pump = (address: string, peer: PeerState): void => {
    refill(peer);
    while (peer.waiting.length > 0 && peer.active < concurrency && peer.tokens >= 1) {
      peer.tokens -= 1;
      peer.active += 1;
      peer.waiting.shift()?.();
    }
    if (peer.waiting.length > 0 && peer.active < concurrency && peer.timer === undefined) {
      const waitMs = Math.ceil(((1 - peer.tokens) / rate) * 1000);
      peer.timer = setTimeout(() => {
        peer.timer = undefined;
        pump(address, peer);
      }, waitMs);
      peer.timer.unref();
    }
  };

  return {
    get trackedAddresses() {
      return peers.size;
    },
    acquire(address, cancelled) {
      forgetIdle();
      let peer = peers.get(address);
      if (!peer) {
        peer = { active: 0, tokens: burst, refilledMs: clock.nowMs(), waiting: [] };
        peers.set(address, peer);
      }
      const state = peer;
      return new Promise((resolve) => {
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          state.active -= 1;
          pump(address, state);
        };
        state.waiting.push(() => {
          if (cancelled()) {
            release();
            resolve(undefined);
          } else {
            resolve(release);
          }
        });
        pump(address, state);
      });
    },
  };
}
