/**
 * The replay's event-time order over sorted runs (one run per decoded input file), merged while
 * later files are still being decoded, so that decoding (threads) and joining (this thread)
 * overlap (issue 14: `coincide replay` used to decode every file, sort every record, and only
 * then join).
 *
 * Order: event time, then notices before alerts, then ivorn or survey:alertId, then input order
 * (`seq`): the order sortRecords gives (replay.ts), so the output is byte-identical.
 *
 * Runs arrive in input order. A record may be released only when no later run can hold a record
 * ordered before it, which is known only at the end; so the merge speculates that a new run never
 * starts before the earliest start of the recent runs (an archive of files written through a
 * night, in name order, several files per stretch of the night: one per survey or schema) and
 * releases what orders before that: the least first record of the last runs holding at least
 * WINDOW_RECORDS records, and at least WINDOW_RUNS runs. A run that breaks the speculation
 * (its first record orders before one already released) is reported: the caller then starts over
 * on the whole input with a fresh engine, discarding what it held, either from the runs kept until
 * the end (`all()`) or, with `keepRuns` false (the replay), by reading its input again.
 */
import type { ReplayRecord } from './decode-input.ts';

export interface RunEntry {
  record: ReplayRecord;
  key: string;
  /** Input order: file index × 2³² + index within the file. */
  seq: number;
}

export function recordKey(r: ReplayRecord): string {
  return r.kind === 'notice' ? r.notice.ivorn : `${r.alert.survey}:${r.alert.alertId}`;
}

export function compareEntries(a: RunEntry, b: RunEntry): number {
  return (
    a.record.eventTimeMjd - b.record.eventTimeMjd ||
    (a.record.kind === b.record.kind ? 0 : a.record.kind === 'notice' ? -1 : 1) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
    a.seq - b.seq
  );
}

const FILE_SEQ = 2 ** 32;
/** The recent runs whose least first record bounds what is released (see the module comment). */
export const WINDOW_RUNS = 8;
export const WINDOW_RECORDS = 10_000;

/** The input index of the file an entry comes from. */
export function entryFileIndex(entry: RunEntry): number {
  return Math.floor(entry.seq / FILE_SEQ);
}

/** A file's records as entries, in file order (not sorted). */
export function runEntries(records: readonly ReplayRecord[], fileIndex: number): RunEntry[] {
  return records.map((record, i) => ({ record, key: recordKey(record), seq: fileIndex * FILE_SEQ + i }));
}

/** A file's records as a sorted run. */
export function sortedRun(records: readonly ReplayRecord[], fileIndex: number): RunEntry[] {
  return runEntries(records, fileIndex).sort(compareEntries);
}

interface Cursor {
  run: readonly RunEntry[];
  at: number;
}

/** A binary min-heap of run cursors by their current entry. */
class CursorHeap {
  private readonly items: Cursor[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): RunEntry | undefined {
    const top = this.items[0];
    return top ? top.run[top.at] : undefined;
  }

  push(cursor: Cursor): void {
    const items = this.items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(parent, i)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The current entry of the top cursor, which moves on (and leaves when its run ends). */
  take(): RunEntry | undefined {
    const items = this.items;
    const top = items[0];
    if (!top) return undefined;
    const entry = top.run[top.at++];
    if (top.at >= top.run.length) {
      const last = items.pop() as Cursor;
      if (items.length === 0) return entry;
      items[0] = last;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && !this.less(m, l)) m = l;
      if (r < items.length && !this.less(m, r)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return entry;
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a] as Cursor;
    const y = this.items[b] as Cursor;
    return compareEntries(x.run[x.at] as RunEntry, y.run[y.at] as RunEntry) < 0;
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const t = items[a] as Cursor;
    items[a] = items[b] as Cursor;
    items[b] = t;
  }
}

export interface RunMergeOptions {
  /** The window of recent runs (default WINDOW_RUNS runs and WINDOW_RECORDS records at least). */
  windowRuns?: number;
  windowRecords?: number;
  /**
   * Keep every run until the end, for `all()` (default true). False: a run is dropped once
   * released, and a caller whose speculation fails reads its input again instead (the replay:
   * keeping a night's records alive made the young-generation GC copy every one of them).
   */
  keepRuns?: boolean;
}

export class RunMerge {
  private readonly windowRuns: number;
  private readonly windowRecords: number;

  private readonly keepRuns: boolean;

  constructor(options: RunMergeOptions = {}) {
    this.windowRuns = options.windowRuns ?? WINDOW_RUNS;
    this.windowRecords = options.windowRecords ?? WINDOW_RECORDS;
    this.keepRuns = options.keepRuns ?? true;
  }

  private readonly heap = new CursorHeap();
  private readonly runs: Array<readonly RunEntry[]> = [];
  private released: RunEntry | undefined;
  /** The recent ordered runs (first entry, size), oldest first. */
  private readonly recent: Array<{ n: number; first: RunEntry; size: number }> = [];
  private recentStart = 0;
  private recentRecords = 0;
  /** Indices into `recent` of increasing first entries: the window's least first entry is at its head. */
  private readonly minima: number[] = [];
  private minimaStart = 0;
  private added = 0;
  private broken = false;

  /** True once a run broke the speculation (see the module comment). */
  get speculationFailed(): boolean {
    return this.broken;
  }

  /**
   * Adds the next run; false if it breaks the speculation. `ordered` false: a run outside the
   * speculation (the notices, decoded first), which never moves what may be released.
   */
  add(run: readonly RunEntry[], ordered = true): boolean {
    if (this.keepRuns) this.runs.push(run);
    const first = run[0];
    if (!first || this.broken) return !this.broken;
    if (this.released && compareEntries(first, this.released) < 0) {
      this.broken = true;
      return false;
    }
    this.heap.push({ run, at: 0 });
    if (ordered) this.remember(first, run.length);
    return true;
  }

  /** The sliding window of recent runs and its least first entry (a monotonic queue). */
  private remember(first: RunEntry, size: number): void {
    const n = this.added++;
    this.recent.push({ n, first, size });
    this.recentRecords += size;
    while (this.minima.length > this.minimaStart) {
      const last = this.recent[(this.minima.at(-1) as number) - this.recentShift()] as { first: RunEntry };
      if (compareEntries(last.first, first) < 0) break;
      this.minima.pop();
    }
    this.minima.push(n);
    // Forget the oldest runs while the window stays large enough without them.
    for (;;) {
      const oldest = this.recent[this.recentStart];
      const count = this.recent.length - this.recentStart;
      if (!oldest || count <= this.windowRuns || this.recentRecords - oldest.size < this.windowRecords) break;
      this.recentStart++;
      this.recentRecords -= oldest.size;
      if (this.minima[this.minimaStart] === oldest.n) this.minimaStart++;
    }
    if (this.recentStart > 1024 && this.recentStart * 2 > this.recent.length) {
      this.recent.splice(0, this.recentStart);
      this.recentStart = 0;
    }
    if (this.minimaStart > 1024 && this.minimaStart * 2 > this.minima.length) {
      this.minima.splice(0, this.minimaStart);
      this.minimaStart = 0;
    }
  }

  /** `n` of recent[0]. */
  private recentShift(): number {
    return (this.recent[0] as { n: number }).n;
  }

  /** What may be released: entries ordered before it (undefined: nothing until the end). */
  private frontier(): RunEntry | undefined {
    const head = this.minima[this.minimaStart];
    return head === undefined ? undefined : this.recent[head - this.recentShift()]?.first;
  }

  /** The records that may be released now, in order (all of them once `final`). */
  *release(final: boolean): Generator<ReplayRecord> {
    if (this.broken) return;
    const frontier = final ? undefined : this.frontier();
    if (!final && !frontier) return;
    for (;;) {
      const next = this.heap.peek();
      if (!next) return;
      if (frontier && compareEntries(next, frontier) >= 0) return;
      this.heap.take();
      this.released = next;
      yield next.record;
    }
  }

  /** Every record of every run added, in order (the start-over after a failed speculation; needs keepRuns). */
  *all(): Generator<ReplayRecord> {
    if (!this.keepRuns) throw new Error('RunMerge.all() needs keepRuns');
    const heap = new CursorHeap();
    for (const run of this.runs) if (run.length > 0) heap.push({ run, at: 0 });
    for (let entry = heap.take(); entry; entry = heap.take()) yield entry.record;
  }
}
