/**
 * One stream across instances (cluster mode): every instance reads the merged output topics (the
 * notice topic and the coincidence topic, written by all instances) into a local log
 * (cluster_stream), and its WebSocket and REST outputs serve that log instead of the local outbox.
 *
 * Duplicates: a message whose (partition, id, content digest) was already kept is dropped, where
 * the id is the coincidence id or the notice's event SHA-256, and the digest the header
 * coincide-content-sha256 (the SHA-256 of the JSON the stream sends). Coincidences are keyed by
 * id and notices by trigger, so every copy of one id is on one partition and the first copy is
 * the one at the lowest offset: every instance keeps and drops the same messages.
 *
 * Positions: each row keeps its partition and offset and the cursor vector after it
 * (stream-cursor.ts), so the WebSocket can give clients a cursor that resumes on any instance.
 * The log is read back from where it stopped (the highest offset kept per partition) after a
 * restart; the rows are pruned with the outbox's retention.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Coincidence } from '../join/coincidence.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import { contentDigest, HEADER_CONTENT_SHA256, headerText } from '../sinks/content-digest.ts';
import { decodeCoincidenceMessage } from '../sinks/kafka-coincidences.ts';
import { decodeNoticeMessage } from '../sinks/kafka-notices.ts';
import {
  outboxQuerySql,
  toJson,
  type Outbox,
  type OutboxMessageType,
  type OutboxRecord,
} from '../sinks/outbox.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { decodeCursor, type CursorVector } from './stream-cursor.ts';

interface Row {
  seq: number;
  type: OutboxMessageType;
  json: string;
  created_ms: number;
  part: string;
  off: number;
  vector: string;
}

function toRecord(row: Row): OutboxRecord {
  return {
    seq: row.seq,
    type: row.type,
    json: row.json,
    createdMs: row.created_ms,
    position: { part: row.part, offset: row.off, vector: row.vector },
  };
}

const COLUMNS = 'seq, type, json, created_ms, part, off, vector';

export interface MergedStreamOptions {
  db: SqliteDatabase;
  kafka: Kafka;
  noticeTopic: string;
  coincidenceTopic: string;
  groupId: string;
  clock: Clock;
  logger: Logger;
}

export interface MergedStream {
  /** The log as an Outbox (read side only) for the WebSocket sink, REST and the console. */
  readonly outbox: Outbox;
  /**
   * Where a client with this cursor resumes here: after local seq `afterSeq`, skipping the rows
   * at or below `skip` (rows of other partitions interleaved before them in this log).
   */
  resume(cursorText: string): { afterSeq: number; skip: CursorVector };
  /** The cursor vector after local seq `seq` (JSON text; "{}" before any row). */
  vectorAt(seq: number): string;
  /** Starts reading; `onRecord` gets every row kept, in log order. */
  start(onRecord: (record: OutboxRecord) => void): Promise<void>;
  stop(): Promise<void>;
  health(): { kept: number; duplicates: number; undecodable: number; lastSeq: number };
}

export function createMergedStream(options: MergedStreamOptions): MergedStream {
  const { db, kafka, clock, logger } = options;
  const insert = db.prepare(
    'INSERT INTO cluster_stream (type, json, trigger_id, created_ms, part, off, vector) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq',
  );
  const markSeen = db.prepare(
    'INSERT OR IGNORE INTO cluster_stream_seen (part, id, digest) VALUES (?, ?, ?)',
  );
  const lastRow = db.prepare(`SELECT ${COLUMNS} FROM cluster_stream ORDER BY seq DESC LIMIT 1`);
  const rowAt = db
    .prepare('SELECT vector FROM cluster_stream WHERE seq <= ? ORDER BY seq DESC LIMIT 1')
    .pluck();
  const highByPart = db.prepare('SELECT part, max(off) AS off FROM cluster_stream GROUP BY part');
  const firstAbove = db.prepare('SELECT min(seq) FROM cluster_stream WHERE part = ? AND off > ?').pluck();
  const parts = db.prepare('SELECT DISTINCT part FROM cluster_stream').pluck();
  const after = db.prepare(`SELECT ${COLUMNS} FROM cluster_stream WHERE seq > ? ORDER BY seq LIMIT ?`);
  const lastSeqOf = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'cluster_stream'").pluck();
  const pruneRows = db.prepare('DELETE FROM cluster_stream WHERE created_ms < ?');
  const counts = { kept: 0, duplicates: 0, undecodable: 0 };
  let vector: Record<string, number> = {};
  const last = lastRow.get() as Row | undefined;
  if (last) vector = JSON.parse(last.vector) as Record<string, number>;
  let consumer: Consumer | undefined;

  /** Keeps one message (or drops it as a duplicate) in one transaction; the record when kept. */
  const keep = db.transaction(
    (
      part: string,
      offset: number,
      type: OutboxMessageType,
      json: string,
      id: string,
      digest: string,
      triggerId: string,
    ) => {
      if (markSeen.run(part, id, digest).changes === 0) return undefined;
      vector = { ...vector, [part]: offset };
      const vectorText = JSON.stringify(vector);
      const createdMs = clock.nowMs();
      const seq = (insert.get(type, json, triggerId, createdMs, part, offset, vectorText) as { seq: number })
        .seq;
      return {
        seq,
        type,
        json,
        createdMs,
        position: { part, offset, vector: vectorText },
      } satisfies OutboxRecord;
    },
  );

  const lastSeq = (): number => (lastSeqOf.get() as number | undefined) ?? 0;

  const outbox: Outbox = {
    append() {
      throw new Error('the merged stream is read-only (cluster mode)');
    },
    appendMany() {
      throw new Error('the merged stream is read-only (cluster mode)');
    },
    readAfter: (afterSeq, limit) => (after.all(afterSeq, limit) as Row[]).map(toRecord),
    lastSeq,
    query(query) {
      const { sql, params } = outboxQuerySql('cluster_stream', COLUMNS, query);
      return (db.prepare(sql).all(...params) as Row[]).map(toRecord);
    },
    prune: (olderThanMs) => pruneRows.run(olderThanMs).changes,
  };

  return {
    outbox,
    resume(cursorText) {
      const skip = decodeCursor(cursorText);
      // The first row of this log that the cursor does not cover; everything before it is covered.
      let first = Infinity;
      for (const part of parts.all() as string[]) {
        const seq = firstAbove.get(part, skip[part] ?? -1) as number | null;
        if (seq !== null) first = Math.min(first, seq);
      }
      return { afterSeq: first === Infinity ? lastSeq() : first - 1, skip };
    },
    vectorAt: (seq) => (rowAt.get(seq) as string | undefined) ?? '{}',
    async start(onRecord) {
      const c = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100 });
      consumer = c;
      await c.connect();
      await c.subscribe({ topics: [options.noticeTopic, options.coincidenceTopic], fromBeginning: true });
      await c.run({
        eachMessage: async ({ topic, partition, message }) => {
          const part = `${topic}/${partition}`;
          const offset = Number(message.offset);
          if (offset <= (vector[part] ?? -1)) return;
          let type: OutboxMessageType;
          let data: Notice | Coincidence;
          let id: string;
          let triggerId: string;
          try {
            if (topic === options.noticeTopic) {
              const notice = decodeNoticeMessage(message);
              [type, data, id, triggerId] = ['notice', notice, notice.source.sha256, notice.triggerId];
            } else {
              const c = decodeCoincidenceMessage(message);
              type = c.status === 'withdrawn' ? 'withdrawn' : 'coincidence';
              [data, id, triggerId] = [c, c.id, c.trigger.triggerId];
            }
          } catch (error) {
            counts.undecodable++;
            logger.warn('undecodable output message skipped by the merged stream', {
              part,
              offset,
              error: describeError(error),
            });
            return;
          }
          const json = toJson(data);
          const digest = headerText(message.headers, HEADER_CONTENT_SHA256) ?? contentDigest(json);
          const record = keep(part, offset, type, json, id, digest, triggerId);
          if (!record) {
            counts.duplicates++;
            return;
          }
          counts.kept++;
          onRecord(record);
          await Promise.resolve();
        },
      });
      // Resume where the log stopped (a restart), not at the group's commits.
      for (const row of highByPart.all() as Array<{ part: string; off: number }>) {
        const slash = row.part.lastIndexOf('/');
        c.seek({
          topic: row.part.slice(0, slash),
          partition: Number(row.part.slice(slash + 1)),
          offset: String(row.off + 1),
        });
      }
      logger.info('merged stream consuming', { topics: [options.noticeTopic, options.coincidenceTopic] });
    },
    async stop() {
      const c = consumer;
      consumer = undefined;
      await c?.disconnect();
    },
    health: () => ({ ...counts, lastSeq: lastSeq() }),
  };
}
