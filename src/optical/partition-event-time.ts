/**
 * The event-time progress of a partitioned optical stream, for the join's watermark (issue 14).
 *
 * Kafka orders messages within a partition only. A consumer catching up a backlog reads its
 * partitions at unequal speeds (a fetch response fills one partition before the next), so one
 * partition can be hours of event time ahead of another. The join engine's watermark is
 * (latest event time seen) − allowed lateness: with one global "latest", the alerts of the
 * lagging partitions are dropped as late (measured: 382 of 684 expected pairs with a
 * 4-partition topic, all with 1 partition). So, as in Flink's per-partition watermarks, each
 * assigned partition has its own progress (the latest event time it delivered), and
 *
 *   hold = min over the assigned partitions still catching up of their progress
 *
 * is the furthest the join's event time may go (JoinEngineOptions.eventTimeHold: the watermark
 * is min(latest event time, hold) − lateness; notices obey it too, so a notice does not make a
 * lagging optical backlog late either). A partition is
 *   - unknown (holds at −∞) from its assignment until its first batch or until its position is
 *     known to be at its end (`caughtUp`, e.g. an empty partition: the source asks the broker);
 *   - catching up (holds at its progress) from a batch that did not reach the partition's end
 *     (the batch's high watermark) until one that does;
 *   - caught up (idle: does not hold) when its last batch reached its end. A live stream is
 *     caught up after nearly every batch, so live behaviour is the single global watermark.
 * Before the first assignment everything holds (a restart with a backlog must not let the warm
 * start's notices make that backlog late); revoked partitions stop holding. Not thread-safe
 * nor meant to be: the source's processing loop and the join run on one thread.
 */
/** "topic/partition" (the key cluster/partition-ownership.ts uses too). */
const keyOf = (topic: string, partition: number): string => `${topic}/${partition}`;

interface PartitionProgress {
  topic: string;
  partition: number;
  /** Latest event time the partition delivered, MJD (−∞ before its first alert). */
  latestMjd: number;
  /** Its last batch reached the partition's end (or its position is known to be the end). */
  caughtUp: boolean;
  /** A batch has been processed since the assignment. */
  seen: boolean;
}

export class PartitionEventTime {
  private partitions = new Map<string, PartitionProgress>();
  private assigned = false;
  private stopped = false;

  /** A new assignment (topic → partitions): revoked partitions are forgotten, new ones unknown. */
  assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    const next = new Map<string, PartitionProgress>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const p of partitions) {
        const key = keyOf(topic, p);
        next.set(
          key,
          this.partitions.get(key) ?? {
            topic,
            partition: p,
            latestMjd: -Infinity,
            caughtUp: false,
            seen: false,
          },
        );
      }
    }
    this.partitions = next;
    this.assigned = true;
  }

  /** The partitions assigned and not yet heard from (neither a batch nor a known end). */
  unknown(): Array<{ topic: string; partition: number }> {
    const out: Array<{ topic: string; partition: number }> = [];
    for (const { topic, partition, seen, caughtUp } of this.partitions.values()) {
      if (!seen && !caughtUp) out.push({ topic, partition });
    }
    return out;
  }

  /** A batch of the partition is being processed: it holds at its progress until it reaches its end. */
  batchStarted(topic: string, partition: number): void {
    const state = this.partitions.get(keyOf(topic, partition));
    if (!state) return;
    state.seen = true;
    state.caughtUp = false;
  }

  /** An alert of the partition, about to be joined. */
  observe(topic: string, partition: number, eventMjd: number): void {
    const state = this.partitions.get(keyOf(topic, partition));
    if (state && eventMjd > state.latestMjd) state.latestMjd = eventMjd;
  }

  /** The partition's position reached its end (its last batch ended at the high watermark). */
  caughtUp(topic: string, partition: number): void {
    const state = this.partitions.get(keyOf(topic, partition));
    if (state) state.caughtUp = true;
  }

  /** Known from the broker before any batch: the partition has nothing to deliver (yet). */
  knownAtEnd(topic: string, partition: number): void {
    const state = this.partitions.get(keyOf(topic, partition));
    if (state && !state.seen) state.caughtUp = true;
  }

  /** The source stopped: nothing holds any more. */
  stop(): void {
    this.stopped = true;
  }

  /** The furthest the join's event time may go, MJD (+∞: nothing holds; −∞: not assigned yet). */
  holdMjd(): number {
    if (this.stopped) return Infinity;
    if (!this.assigned) return -Infinity;
    let hold = Infinity;
    for (const state of this.partitions.values()) {
      if (!state.caughtUp && state.latestMjd < hold) hold = state.latestMjd;
    }
    return hold;
  }

  /** Per partition, for health and logs. */
  describe(): Array<{ partition: string; latestMjd: number | null; caughtUp: boolean }> {
    return [...this.partitions].map(([partition, s]) => ({
      partition,
      latestMjd: Number.isFinite(s.latestMjd) ? s.latestMjd : null,
      caughtUp: s.caughtUp,
    }));
  }
}
