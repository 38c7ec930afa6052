/**
 * The retention an optical topic needs in cluster mode: an instance that is given a partition
 * rebuilds its buffer from (now − the longest backward window), so the topic must keep at least
 * that much (retention.ms ≥ window, or -1 = forever; retention.bytes large enough too). Checked
 * at start-up; a shorter retention is a warning, not a refusal: the service still runs, but a
 * rebalance then loses the alerts older than the retention from the backward join.
 */
import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS: its enums are not visible to ESM named imports.
const { ConfigResourceTypes } = kafkajs;

export interface RetentionVerdict {
  topic: string;
  retentionMs: number | null;
  retentionBytes: number | null;
  ok: boolean;
  message: string;
}

export async function checkRetention(
  admin: Admin,
  topic: string,
  windowMs: number,
): Promise<RetentionVerdict> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'retention.bytes'] },
    ],
  });
  const entries = described.resources[0]?.configEntries ?? [];
  const value = (name: string): number | null => {
    const text = entries.find((e) => e.configName === name)?.configValue;
    return text === undefined ? null : Number(text);
  };
  const retentionMs = value('retention.ms');
  const retentionBytes = value('retention.bytes');
  const days = (ms: number): string => `${(ms / 86_400_000).toFixed(1)} d`;
  const ok = retentionMs === null || retentionMs < 0 || retentionMs >= windowMs;
  const message = ok
    ? `optical topic ${topic} keeps ${retentionMs === null || retentionMs < 0 ? 'forever' : days(retentionMs)} (the rebuild needs ${days(windowMs)})`
    : `optical topic ${topic} keeps only ${days(retentionMs)} (retention.ms=${retentionMs}) but a partition rebuild reads back ${days(windowMs)} (the longest backward window): after a rebalance, notices will miss the alerts older than the retention. Set retention.ms >= ${windowMs} on ${topic} (docs/scaling.md).`;
  return { topic, retentionMs, retentionBytes, ok, message };
}
