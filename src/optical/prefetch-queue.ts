/**
 * The batches a Kafka consumer has fetched and not yet processed (issue 14: fetch and process
 * overlap). kafkajs fetches the next response only once `eachBatch` has returned for the current
 * one; the optical source's `eachBatch` therefore only queues the batch here and returns, so that
 * the next fetch (the broker's work and the bytes on the wire) overlaps the decoding of this one.
 *
 * Bounded: `push` resolves once the queue holds at most `depth` batches besides the one being
 * processed, so at most depth + 1 fetch responses are held (10 MiB each by default).
 * Invalidation: a queued batch belongs to a consumer-group generation and to a seek epoch of its
 * partition. `newGeneration()` (a rebalance: kafkajs restarts every partition from its committed
 * offset) and `seeked(topic, partition)` (a seek: kafkajs restarts that partition from the seek
 * offset) make the batches queued before them stale: they are dropped, never processed, and
 * their messages are fetched again. Nothing of a stale batch is committed.
 */
export interface QueuedBatch<B> {
  batch: B;
  topic: string;
  partition: number;
  generation: number;
  epoch: number;
}

export class PrefetchQueue<B> {
  private readonly items: Array<QueuedBatch<B>> = [];
  private generation = 0;
  private readonly epochs = new Map<string, number>();
  private room: Array<() => void> = [];
  private ready: (() => void) | undefined;
  private closed = false;

  constructor(private readonly depth: number) {}

  private static key(topic: string, partition: number): string {
    return `${topic}\u0000${String(partition)}`;
  }

  /** Queues a batch; resolves once there is room for the next one (or the queue is closed). */
  async push(batch: B, topic: string, partition: number): Promise<void> {
    if (this.closed) return;
    this.items.push({
      batch,
      topic,
      partition,
      generation: this.generation,
      epoch: this.epochs.get(PrefetchQueue.key(topic, partition)) ?? 0,
    });
    this.ready?.();
    while (this.isOpen() && this.items.length > this.depth + 1) {
      await new Promise<void>((resolve) => this.room.push(resolve));
    }
  }

  /** The oldest batch, waiting for one; undefined once closed. It stays counted until `done()`. */
  async next(): Promise<QueuedBatch<B> | undefined> {
    for (;;) {
      if (!this.isOpen()) return undefined;
      const head = this.items[0];
      if (head) return head;
      await new Promise<void>((resolve) => (this.ready = resolve));
      this.ready = undefined;
    }
  }

  /** The batch returned by `next()` is processed (or dropped): room for one more. */
  done(): void {
    this.items.shift();
    this.releaseRoom();
  }

  /** True when `item` was queued before a rebalance or a seek of its partition. */
  isStale(item: QueuedBatch<B>): boolean {
    return (
      item.generation !== this.generation ||
      item.epoch !== (this.epochs.get(PrefetchQueue.key(item.topic, item.partition)) ?? 0)
    );
  }

  /** A rebalance: every batch queued so far is stale. */
  newGeneration(): void {
    this.generation += 1;
  }

  /** A seek of one partition: its batches queued so far are stale. */
  seeked(topic: string, partition: number): void {
    const key = PrefetchQueue.key(topic, partition);
    this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
  }

  /** Batches held, the one being processed included. */
  get size(): number {
    return this.items.length;
  }

  /** False once closed (a method: `closed` changes while a push waits). */
  isOpen(): boolean {
    return !this.closed;
  }

  /** Releases every waiter; later pushes are ignored. */
  close(): void {
    this.closed = true;
    this.ready?.();
    this.releaseRoom();
  }

  private releaseRoom(): void {
    const waiting = this.room;
    this.room = [];
    for (const resolve of waiting) resolve();
  }
}
