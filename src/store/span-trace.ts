/**
 * Spans of work recorded by a thread into shared memory, for benchmarks (bench/vtp-latency.ts):
 * the event writer thread's transactions and the WAL checkpoint thread's checkpoints, each as
 * [start, end] in ms of performance.timeOrigin + performance.now() (one clock for every thread
 * and process of a machine) and a count (the ops of a transaction). Absent in the service: a
 * thread given no trace records nothing. A full trace keeps its first `capacity` spans.
 *
 * Layout (Float64Array over a SharedArrayBuffer): [0] spans recorded, then 3 numbers per span.
 */

export interface Span {
  start: number;
  end: number;
  count: number;
}

const FIELDS = 3;

/** A trace with room for `capacity` spans, to give to a thread (workerData). */
export function createSpanTrace(capacity: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer((1 + capacity * FIELDS) * Float64Array.BYTES_PER_ELEMENT));
}

export const traceNowMs = (): number => performance.timeOrigin + performance.now();

/** Records one span (by the one thread that writes this trace). */
export function recordSpan(trace: Float64Array, start: number, end: number, count: number): void {
  const n = trace[0] ?? 0;
  const at = 1 + n * FIELDS;
  if (at + FIELDS > trace.length) return;
  trace[at] = start;
  trace[at + 1] = end;
  trace[at + 2] = count;
  trace[0] = n + 1;
}

/** The spans recorded so far. */
export function readSpans(trace: Float64Array): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < (trace[0] ?? 0); i++) {
    const at = 1 + i * FIELDS;
    spans.push({ start: trace[at] ?? NaN, end: trace[at + 1] ?? NaN, count: trace[at + 2] ?? NaN });
  }
  return spans;
}
