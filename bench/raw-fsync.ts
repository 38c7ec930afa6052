/**
 * The disk's floor under an ack that waits for a durable commit (issue 14's latency target:
 * ack p99 at 500/s <= 2 ms + 2 x the raw fsync p99 of the same run): a 4 KiB write + fsync in
 * the database's folder, `count` times. Shared by bench/vtp.ts and bench/vtp-latency.ts.
 */
import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Raw 4 KiB write + fsync in `dir`, `count` times: p50, p99 and mean in ms. */
export function rawFsync(dir: string, count: number): { p50: number; p99: number; mean: number } {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 0x5a);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      writeSync(fd, block);
      fsyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p99: at(99), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

/** The latency target of issue 14 for a raw fsync p99 of `fsyncP99Ms`. */
export const latencyTargetMs = (fsyncP99Ms: number): number => 2 + 2 * fsyncP99Ms;
