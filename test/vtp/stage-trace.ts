/**
 * What the receivers measured by bench/vtp-latency.ts record besides each submission's stages
 * (test/vtp/receiver-process.ts and bench/vtp-null-receiver.ts with --stages=FILE): the garbage
 * collections of their main thread (PerformanceObserver 'gc' entries), written next to the
 * stages as FILE.gc, in the clock of the stages (performance.timeOrigin + performance.now(), ms).
 * Bench only.
 */
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** One garbage collection of a thread: when it began (ms, as nowMs) and how long it took. */
export interface GcPause {
  start: number;
  ms: number;
  /** 'minor' (scavenge), 'major' (mark-compact), 'incremental' (marking step), 'weakcb'. */
  kind: string;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Milliseconds on a clock shared by the processes of one machine. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Records this thread's garbage collections from now on. */
export function recordGcPauses(): GcPause[] {
  const pauses: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      pauses.push({
        start: performance.timeOrigin + entry.startTime,
        ms: entry.duration,
        kind: GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other',
      });
  });
  observer.observe({ entryTypes: ['gc'] });
  return pauses;
}

/** Writes the stages (one JSON line each) to `file` and the pauses to `file`.gc. */
export function writeStageTrace(file: string, stages: readonly object[], pauses: readonly GcPause[]): void {
  writeFileSync(file, stages.map((s) => JSON.stringify(s)).join('\n'));
  writeFileSync(`${file}.gc`, JSON.stringify(pauses));
}
