/**
 * Where a GCN consumer group starts after downtime (pure: no Kafka, no clock).
 *
 * - A partition with a committed offset resumes exactly there: Kafka kept our place, so the
 *   downtime leaves no gap (the committed offset points at the first unprocessed message).
 * - A partition with none (a new group id, offsets expired after a long outage, a new topic)
 *   is rewound by time: to the first message at or after
 *       rewindFromMs = nowMs − min(maxRewindMs, gapMs),
 *       gapMs        = nowMs − lastSeenMs + marginMs   when the time of the last message we
 *                                                      processed (lastSeenMs) is known,
 *                    = maxRewindMs                     otherwise.
 *   The offsets for that time come from Kafka's offsets-for-times (ListOffsets by timestamp).
 *   Re-reading is harmless: ingestion de-duplicates by SHA-256.
 * - The heartbeat topic is never rewound: only the newest heartbeat means anything.
 */
export interface CommittedPartition {
  topic: string;
  partition: number;
  /** The committed offset, or null when the group has none for this partition. */
  committed: string | null;
}

export interface RewindPlanInput {
  partitions: readonly CommittedPartition[];
  nowMs: number;
  maxRewindMs: number;
  lastSeenMs?: number;
  /** Extra time before lastSeenMs, for clock skew and in-flight messages (default 60 000 ms). */
  marginMs?: number;
  /** Topics to start at their end instead (the heartbeat). */
  latestOnlyTopics?: readonly string[];
}

export interface RewindPlan {
  /** Unix ms to rewind to, for the partitions listed in `byTime`. */
  rewindFromMs: number;
  /** topic → partitions to position by time. */
  byTime: Map<string, number[]>;
  /** topic → partitions to position at their end. */
  atEnd: Map<string, number[]>;
  /** Partitions that resume from their committed offset. */
  resumed: number;
}

function add(map: Map<string, number[]>, topic: string, partition: number): void {
  const list = map.get(topic);
  if (list) list.push(partition);
  else map.set(topic, [partition]);
}

export function planRewind(input: RewindPlanInput): RewindPlan {
  const marginMs = input.marginMs ?? 60_000;
  const gapMs =
    input.lastSeenMs === undefined
      ? input.maxRewindMs
      : Math.max(0, input.nowMs - input.lastSeenMs) + marginMs;
  const rewindFromMs = input.nowMs - Math.min(input.maxRewindMs, gapMs);
  const latestOnly = new Set(input.latestOnlyTopics ?? []);
  const byTime = new Map<string, number[]>();
  const atEnd = new Map<string, number[]>();
  let resumed = 0;
  for (const p of input.partitions) {
    if (p.committed !== null && p.committed !== '-1') {
      resumed += 1;
      continue;
    }
    if (latestOnly.has(p.topic)) add(atEnd, p.topic, p.partition);
    else add(byTime, p.topic, p.partition);
  }
  return { rewindFromMs, byTime, atEnd, resumed };
}
