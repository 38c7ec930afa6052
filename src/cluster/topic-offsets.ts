/**
 * Offsets of a topic's partitions by time, for re-reading a time span of a topic (the notice
 * bus's warm start, an optical partition's rebuild). Kafka's ListOffsets by timestamp gives the
 * first offset whose message timestamp is at or after the time; a partition with no such
 * message answers -1, which here becomes its end (high watermark): nothing to re-read.
 */
import type { Admin } from 'kafkajs';

/** Per partition: the first offset at or after `timeMs` (Unix ms), else the partition's end. */
export async function offsetsAtTime(
  admin: Admin,
  topic: string,
  timeMs: number,
): Promise<Map<number, number>> {
  const [byTime, ends] = await Promise.all([
    admin.fetchTopicOffsetsByTimestamp(topic, Math.max(0, Math.floor(timeMs))),
    admin.fetchTopicOffsets(topic),
  ]);
  const out = new Map<number, number>();
  for (const end of ends) out.set(end.partition, Number(end.high));
  for (const entry of byTime) {
    const offset = Number(entry.offset);
    if (offset >= 0) out.set(entry.partition, offset);
  }
  return out;
}

/** Per partition: the end offset (the offset the next message will get). */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, number>> {
  const ends = await admin.fetchTopicOffsets(topic);
  return new Map(ends.map((e) => [e.partition, Number(e.high)]));
}
