/**
 * Past notices from Kafka topics (GCN Kafka keeps about a month): every message of `topics` from
 * `fromMs` (Kafka's own offset-by-timestamp lookup) up to the end each partition had when the
 * import started, each once and only with a log time of `fromMs` or later, handed to `add` as
 * documents named "<topic>/<partition>/<offset>" with the message's log time as their
 * first-receipt time (the PAX_RECEIVED_MS the importer reads).
 *
 * A consumer group of its own (a random name): its start offsets are committed with the admin
 * client before the consumer joins, so there is no seek to lose around the group join. An import
 * never moves the service's group offsets, and can be run again.
 *
 * Retention: the broker may delete the oldest messages of a range while the import waits for
 * them (a topic's retention is by log time, checked every few minutes). Whenever no message has
 * arrived for `idleCheckMs`, the partitions' first offsets are read again; a range whose start
 * has been deleted moves up to the first offset that still exists, and the deleted offsets are
 * reported through `onDeleted`. Without this the import would wait forever for messages that no
 * longer exist.
 */
import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { InputDocument } from '../replay/inputs.ts';
import { PAX_RECEIVED_MS } from './import.ts';

export interface KafkaImportOptions {
  kafka: Kafka;
  topics: readonly string[];
  /** Unix ms: messages from this log time on. */
  fromMs: number;
  add: (doc: InputDocument) => Promise<void>;
  /** Offsets [fromOffset, toOffset) of a range that the broker deleted before they were read. */
  onDeleted?: (deleted: DeletedOffsets) => void;
  /** How long without a message before the partitions' first offsets are read again (ms). */
  idleCheckMs?: number;
}

export interface DeletedOffsets {
  topic: string;
  partition: number;
  fromOffset: bigint;
  toOffset: bigint;
}

/** Offsets [start, end) of one partition still to read. */
export interface KafkaImportRange {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

const DEFAULT_IDLE_CHECK_MS = 5_000;

/** The offsets [first at or after fromMs, end) of every partition with something to read. */
export async function kafkaImportRanges(
  admin: Admin,
  topics: readonly string[],
  fromMs: number,
): Promise<KafkaImportRange[]> {
  const ranges: KafkaImportRange[] = [];
  for (const topic of topics) {
    const highs = await admin.fetchTopicOffsets(topic);
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, fromMs);
    for (const high of highs) {
      const found = starts.find((s) => s.partition === high.partition)?.offset ?? high.high;
      // -1: no message at or after the time.
      const start = BigInt(found === '-1' ? high.high : found);
      const end = BigInt(high.high);
      if (start < end) ranges.push({ topic, partition: high.partition, start, end });
    }
  }
  return ranges;
}

/** Reads the range of every partition; resolves with the number of messages handed to `add`. */
export async function importKafkaTopics(options: KafkaImportOptions): Promise<number> {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const ranges = await kafkaImportRanges(admin, options.topics, options.fromMs);
    return await importKafkaRanges(options, admin, ranges);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads `ranges` (from kafkaImportRanges) with `admin` connected; exported for the retention
 * test, which deletes records between the lookup and the read.
 */
export async function importKafkaRanges(
  options: Omit<KafkaImportOptions, 'topics'>,
  admin: Admin,
  ranges: readonly KafkaImportRange[],
): Promise<number> {
  if (ranges.length === 0) return 0;
  const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
  const remaining = new Map(ranges.map((r) => [key(r.topic, r.partition), { ...r }]));
  const groupId = `coincide-archive-import-${randomBytes(6).toString('hex')}`;
  const topics = [...new Set(ranges.map((r) => r.topic))];
  for (const topic of topics)
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ranges
        .filter((r) => r.topic === topic)
        .map((r) => ({ partition: r.partition, offset: String(r.start) })),
    });
  const consumer = options.kafka.consumer({ groupId });
  let count = 0;
  let finish: (() => void) | undefined;
  let fail: ((error: unknown) => void) | undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const complete = (topic: string, partition: number): void => {
    remaining.delete(key(topic, partition));
    if (remaining.size === 0) finish?.();
  };
  let lastMessageMs = Date.now();
  let checking = false;
  /** Moves every range past offsets the broker has deleted since the lookup. */
  const skipDeleted = async (): Promise<void> => {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const { partition, low } of offsets) {
        const range = remaining.get(key(topic, partition));
        const firstOffset = BigInt(low);
        if (!range || firstOffset <= range.start) continue;
        const toOffset = firstOffset < range.end ? firstOffset : range.end;
        if (toOffset <= range.start) continue;
        options.onDeleted?.({ topic, partition, fromOffset: range.start, toOffset });
        range.start = toOffset;
        if (range.start >= range.end) complete(topic, partition);
      }
    }
  };
  const idleCheckMs = options.idleCheckMs ?? DEFAULT_IDLE_CHECK_MS;
  const watchdog = setInterval(
    () => {
      if (checking || Date.now() - lastMessageMs < idleCheckMs) return;
      checking = true;
      skipDeleted()
        .catch((error: unknown) => fail?.(error))
        .finally(() => {
          checking = false;
          lastMessageMs = Date.now();
        });
    },
    Math.max(50, Math.round(idleCheckMs / 4)),
  );
  await consumer.connect();
  try {
    // The group's committed offsets (set above) are where reading starts; fromBeginning only
    // applies where the broker refuses one of them as deleted (OFFSET_OUT_OF_RANGE).
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        lastMessageMs = Date.now();
        const range = remaining.get(key(topic, partition));
        const offset = BigInt(message.offset);
        // Each offset once, in order: `start` moves past every message taken.
        if (!range || offset < range.start || offset >= range.end) return;
        // A gap before this message: the broker refused the start as deleted and the consumer
        // reset to the first offset it still has (or the gap is control records: then nothing
        // is reported, since the partition's first offset is not past the start).
        if (offset > range.start) {
          await skipDeleted();
          // Deleted meanwhile (the first offset is now past this message), or the range is done.
          if (!remaining.has(key(topic, partition)) || offset < range.start) return;
        }
        range.start = offset + 1n;
        try {
          // Log time from fromMs on, also where the offset lookup answered an earlier offset.
          if (message.value && Number(message.timestamp) >= options.fromMs) {
            count++;
            await options.add({
              name: `${topic}/${partition}/${message.offset}`,
              bytes: message.value,
              pax: { [PAX_RECEIVED_MS]: message.timestamp },
            });
          }
        } catch (error) {
          fail?.(error);
          return;
        }
        if (range.start >= range.end) complete(topic, partition);
      },
    });
    await done;
  } finally {
    clearInterval(watchdog);
    await consumer.disconnect();
  }
  return count;
}
