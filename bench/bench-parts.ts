/**
 * The files in bench/ that are parts of benchmarks, not benchmarks, so `npm run bench`
 * (bench/run-all.ts) does not run them on their own: shared modules, and the processes a benchmark
 * starts for itself (vtp-null-receiver.ts and webhook-receiver.ts listen until their parent stops
 * them, so run alone they would never end). test/bench/bench-parts.test.ts checks that each is
 * imported or started by another file of bench/, so the list cannot hide a real benchmark.
 */
export const BENCH_PARTS: readonly string[] = [
  'bench-parts.ts',
  'e2e-clients.ts',
  'e2e-ipc.ts',
  'join-inputs.ts',
  'number-arg.ts',
  'optical-consume.ts',
  'raw-fsync.ts',
  'serve-process.ts',
  'vtp-author.ts',
  'vtp-event.ts',
  'vtp-null-receiver.ts',
  'vtp-subscribers.ts',
  'webhook-receiver.ts',
];
