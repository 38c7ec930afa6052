/**
 * Past notices from Kafka topics (GCN Kafka keeps about a month): every message of `topics` from
 * `fromMs` (Kafka's own offset-by-timestamp lookup) up to the end each partition had when the
 * import started, each once and only with a log time of `fromMs` or later, handed to `add` as
 * documents named "<topic>/<partition>/<offset>" with the message's log time as their
 * first-receipt time (the PAX_RECEIVED_MS the importer reads).
 *
 * A consumer group of its own (a random name) with nothing committed: an import never moves the
 * service's group offsets, and can be run again.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { InputDocument } from '../replay/inputs.ts';
import { PAX_RECEIVED_MS } from './import.ts';

export interface KafkaImportOptions {
  kafka: Kafka;
  topics: readonly string[];
  /** Unix ms: messages from this log time on. */
  fromMs: number;
  add: (doc: InputDocument) => Promise<void>;
}

interface Range {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

/** Reads the range of every partition; resolves with the number of messages handed to `add`. */
export async function importKafkaTopics(options: KafkaImportOptions): Promise<number> {
  const { kafka } = options;
  const admin = kafka.admin();
  await admin.connect();
  const ranges: Range[] = [];
  try {
    for (const topic of options.topics) {
      const highs = await admin.fetchTopicOffsets(topic);
      const starts = await admin.fetchTopicOffsetsByTimestamp(topic, options.fromMs);
      for (const high of highs) {
        const found = starts.find((s) => s.partition === high.partition)?.offset ?? high.high;
        // -1: no message at or after the time.
        const start = BigInt(found === '-1' ? high.high : found);
        const end = BigInt(high.high);
        if (start < end) ranges.push({ topic, partition: high.partition, start, end });
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (ranges.length === 0) return 0;
  const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
  const remaining = new Map(ranges.map((r) => [key(r.topic, r.partition), r]));
  const consumer = kafka.consumer({ groupId: `coincide-archive-import-${randomBytes(6).toString('hex')}` });
  let count = 0;
  await consumer.connect();
  try {
    // fromBeginning as well as the seek below: a seek that kafkajs loses around the group join
    // (a CI run waited 15 min at the end of a partition, another read from an earlier offset)
    // then costs reading the partition from its start, filtered by range, instead of a hang.
    for (const topic of new Set(ranges.map((r) => r.topic)))
      await consumer.subscribe({ topic, fromBeginning: true });
    let finish: (() => void) | undefined;
    let fail: ((error: unknown) => void) | undefined;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const range = remaining.get(key(topic, partition));
        const offset = BigInt(message.offset);
        // Each offset once, in order: a fetch answered before or around the seek can deliver a
        // message again (a CI run imported one twice), so `start` moves past every message taken.
        if (!range || offset < range.start || offset >= range.end) return;
        range.start = offset + 1n;
        try {
          // Log time from fromMs on, also where the offset lookup answered an earlier offset (a CI
          // run imported a message from before fromMs).
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
        if (offset + 1n >= range.end) {
          remaining.delete(key(topic, partition));
          if (remaining.size === 0) finish?.();
        }
      },
    });
    for (const r of ranges)
      consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.start) });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return count;
}
