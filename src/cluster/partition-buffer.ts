/**
 * The optical buffer of cluster mode: the SQLite buffer (src/store/optical-buffer.ts), plus which
 * optical topic partition each buffered object came from (table cluster_buffer_owner), so that a
 * revoked partition's rows can be dropped. The partition of the alert being added is set by the
 * caller just before it hands the alert to the join engine (`current`), since the engine, which
 * knows nothing of Kafka, is what calls `add`.
 */
import type { OpticalAlert } from '../optical/optical-alert.ts';
import { objectKey, type BufferedAlert, type OpticalBuffer } from '../join/optical-buffer.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { SqliteOpticalBuffer } from '../store/optical-buffer.ts';

export class PartitionTrackingBuffer implements OpticalBuffer {
  /** The partition ("topic/partition") of the alerts being added; undefined for files. */
  current: string | undefined;
  private readonly pending: Array<[string, string, number]> = [];
  private readonly writeOwners: () => void;
  private readonly dropPart: (part: string) => number;
  private readonly dropAll: () => void;
  private readonly evictOwners;

  constructor(
    db: SqliteDatabase,
    private readonly inner: SqliteOpticalBuffer,
  ) {
    const insert = db.prepare(
      'INSERT INTO cluster_buffer_owner (object_key, part, first_detection_mjd) VALUES (?, ?, ?) ON CONFLICT (object_key) DO UPDATE SET part = excluded.part',
    );
    this.writeOwners = db.transaction(() => {
      for (const row of this.pending) insert.run(...row);
      this.pending.length = 0;
    });
    const owned = 'SELECT object_key FROM cluster_buffer_owner WHERE part = ?';
    const deleteRows = db.prepare(`DELETE FROM join_optical_buffer WHERE object_key IN (${owned})`);
    const deleteDetails = db.prepare(`DELETE FROM join_optical_details WHERE object_key IN (${owned})`);
    const deleteOwners = db.prepare('DELETE FROM cluster_buffer_owner WHERE part = ?');
    this.dropPart = db.transaction((part: string) => {
      const n = deleteRows.run(part).changes;
      deleteDetails.run(part);
      deleteOwners.run(part);
      return n;
    });
    this.evictOwners = db.prepare('DELETE FROM cluster_buffer_owner WHERE first_detection_mjd < ?');
    this.dropAll = db.transaction(() => {
      db.exec(
        'DELETE FROM join_optical_buffer; DELETE FROM join_optical_details; DELETE FROM cluster_buffer_owner;',
      );
    });
  }

  add(alert: OpticalAlert): void {
    this.inner.add(alert);
    if (this.current !== undefined)
      this.pending.push([objectKey(alert), this.current, alert.firstDetectionMjd]);
    if (this.pending.length >= 2000) this.flush();
  }

  flush(): void {
    this.inner.flush();
    if (this.pending.length > 0) this.writeOwners();
  }

  query(cells: ReadonlySet<number>, fromMjd: number, toMjd: number): BufferedAlert[] {
    return this.inner.query(cells, fromMjd, toMjd);
  }

  withDetails(alerts: readonly BufferedAlert[]): (BufferedAlert & Partial<OpticalAlert>)[] {
    return this.inner.withDetails(alerts);
  }

  mayHoldBetween(fromFirstDetectionMjd: number, toFirstDetectionMjd: number): boolean {
    return this.inner.mayHoldBetween(fromFirstDetectionMjd, toFirstDetectionMjd);
  }

  evictBefore(firstDetectionMjd: number): number {
    this.flush();
    this.evictOwners.run(firstDetectionMjd);
    return this.inner.evictBefore(firstDetectionMjd);
  }

  get size(): number {
    return this.inner.size;
  }

  /** Drops every row that came from `part`; returns how many. */
  dropPartition(part: string): number {
    this.flush();
    return this.dropPart(part);
  }

  /** Empties the buffer (cluster start-up: every partition is rebuilt on assignment). */
  clear(): void {
    this.flush();
    this.dropAll();
  }
}
