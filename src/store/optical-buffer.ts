/**
 * The optical buffer in SQLite (the service's default; join/optical-buffer.ts has the interface
 * and the in-memory variant). Memory stays bounded whatever the night's volume: rows live in
 * the table `join_optical_buffer` (migrations/join.ts), one per object, keeping its earliest
 * qualifying alert, clustered by (cell, first detection) so that a backward join reads contiguous
 * pages.
 *
 * Writes are batched: `add` queues rows and one transaction inserts every `batchSize` rows (and
 * before any read), because one transaction per alert would cap the rate at the disk's fsync
 * rate under synchronous=FULL. Each batch is inserted in the table's clustered order, with a
 * page cache large enough for the inserts to find their pages in memory (bench/join.ts night:
 * at 600,000 alerts, 1.45× the unsorted inserts with SQLite's default cache, same run). Queued rows are lost if the process dies; the buffer is a cache
 * of the optical stream, which is replayed from its own source on restart.
 */
import type { OpticalAlert } from '../optical/optical-alert.ts';
import { summariseAlert } from '../join/build-coincidence.ts';
import { BUFFER_ORDER, type BufferedAlert, objectKey, type OpticalBuffer } from '../join/optical-buffer.ts';
import { ang2pixNest } from '../sky/healpix.ts';
import type { SqliteDatabase } from './database.ts';

export interface SqliteOpticalBufferOptions {
  /** Rows per insert transaction (default 10,000). */
  batchSize?: number;
  /**
   * SQLite page cache of the connection, MiB (default 64): the buffer's B-trees outgrow
   * SQLite's 2 MiB default within the first ~100,000 alerts, and then every insert reads its
   * pages back from the OS. Only ever raised (the connection is shared with the event store).
   */
  cacheMiB?: number;
}

/** Rows in the clustered key's order: (cell, first detection). */
function byClusterKey(a: Row, b: Row): number {
  return a[1] - b[1] || a[2] - b[2];
}

type Row = [string, number, number, number, string, number, number, string, number | null];
/** object key, first detection, time, alert id, details JSON (join_optical_details). */
type DetailsRow = [string, number, number, string, string];

/** The values of an alert a coincidence carries besides the join fields (band and reliability are columns). */
type AlertDetails = Pick<OpticalAlert, 'magnitude' | 'magnitudeErr' | 'rb' | 'fink'>;

function detailsOf(alert: OpticalAlert): AlertDetails | undefined {
  const details: AlertDetails = {};
  if (alert.magnitude !== undefined) details.magnitude = alert.magnitude;
  if (alert.magnitudeErr !== undefined) details.magnitudeErr = alert.magnitudeErr;
  if (alert.rb !== undefined) details.rb = alert.rb;
  if (alert.fink !== undefined) details.fink = alert.fink;
  return Object.keys(details).length > 0 ? details : undefined;
}

/** The keep-the-earliest-alert rule of both tables: (time, then alertId by length and value). */
const EARLIER = (table: string): string => `
      WHERE excluded.time_mjd < ${table}.time_mjd
         OR (excluded.time_mjd = ${table}.time_mjd
             AND (length(excluded.alert_id) < length(${table}.alert_id)
                  OR (length(excluded.alert_id) = length(${table}.alert_id)
                      AND excluded.alert_id < ${table}.alert_id)))`;

/** The survey of an object key: one shared string per survey, not a new slice per row. */
function surveyOf(objectKey: string, colon: number): BufferedAlert['survey'] {
  if (colon === 3 && objectKey.startsWith('ZTF')) return 'ZTF';
  if (colon === 4 && objectKey.startsWith('LSST')) return 'LSST';
  return objectKey.slice(0, colon) as BufferedAlert['survey'];
}

/** A selected row, in `SELECT_RANGE_SQL`'s column order (raw mode: arrays, no object per row). */
type BufferRow = [
  objectKey: string,
  firstDetectionMjd: number,
  timeMjd: number,
  alertId: string,
  raDeg: number,
  decDeg: number,
  band: string,
  reliability: number | null,
];

/**
 * The alert back from a row: the fields a backward join reads, and the band and reliability a
 * coincidence carries (two columns of the same row cost less than a second lookup per match).
 * Built in OpticalSummary's key order (summariseAlert's), fresh per query: the engine uses it as
 * the record's counterpart as is (`returnsSummaries`).
 */
function alertFromRow(row: BufferRow): BufferedAlert & Partial<OpticalAlert> {
  const [objectKey, firstDetectionMjd, timeMjd, alertId, raDeg, decDeg, band, reliability] = row;
  const colon = objectKey.indexOf(':');
  const alert: BufferedAlert & Partial<OpticalAlert> = {
    survey: surveyOf(objectKey, colon),
    objectId: objectKey.slice(colon + 1),
    alertId,
    raDeg,
    decDeg,
    timeMjd,
    firstDetectionMjd,
    band,
  };
  if (reliability !== null) alert.reliability = reliability;
  return alert;
}

/**
 * The backward join's read: one cell range (inclusive) and a first-detection range, MJD.
 * The table is clustered by (cell, first detection) (migration join-003), so a cell range is one
 * contiguous run of pages. The unary + keeps the time range off every index: without statistics
 * the planner may otherwise pick the time index, and a backward join's time range usually spans
 * the whole buffer (a full scan per cell range); NOT INDEXED does not do that for a WITHOUT ROWID
 * table. Rows are read raw (arrays) with `all`, and only the columns the join reads: every value
 * costs a conversion, and the values are most of a backward join's time.
 */
export const SELECT_RANGE_SQL = `
  SELECT object_key, first_detection_mjd, time_mjd, alert_id, ra_deg, dec_deg, band, reliability
  FROM join_optical_buffer
  WHERE cell BETWEEN ? AND ? AND +first_detection_mjd BETWEEN ? AND ?`;

interface DetailsLookupRow {
  objectKey: string;
  alertId: string;
  details: string;
}

export class SqliteOpticalBuffer implements OpticalBuffer {
  readonly returnsSummaries = true;
  private readonly pending: Row[] = [];
  private readonly pendingDetails: DetailsRow[] = [];
  /**
   * False while join_optical_details is known to be empty (this buffer owns its tables): a
   * backward join then skips the details lookup without a query of its own.
   */
  private detailsStored: boolean;
  private readonly batchSize: number;
  private readonly insert;
  private readonly insertDetails;
  private readonly selectDetails;
  private readonly hasDetails;
  private readonly deleteDetailsBefore;
  private readonly selectRange;
  private readonly anyBetween;
  /**
   * Bounds on the first detections buffered, MJD: every buffered alert lies within them (they
   * may be wider than the rows are, never narrower: eviction and other writers only remove rows).
   */
  private firstDetectionFloorMjd: number;
  private firstDetectionCeilingMjd: number;
  private readonly deleteBefore;
  private readonly countAll;
  private readonly flushAll: () => void;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteOpticalBufferOptions = {},
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 10_000);
    raiseCache(db, options.cacheMiB ?? 64);
    // Keep the earliest alert of an object: (time, then alertId by length and value).
    this.insert = db.prepare(`
      INSERT INTO join_optical_buffer
        (object_key, cell, first_detection_mjd, time_mjd, alert_id, ra_deg, dec_deg, band, reliability)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (object_key) DO UPDATE SET
        cell = excluded.cell, first_detection_mjd = excluded.first_detection_mjd, time_mjd = excluded.time_mjd,
        alert_id = excluded.alert_id, ra_deg = excluded.ra_deg, dec_deg = excluded.dec_deg,
        band = excluded.band, reliability = excluded.reliability${EARLIER('join_optical_buffer')}`);
    this.insertDetails = db.prepare(`
      INSERT INTO join_optical_details (object_key, first_detection_mjd, time_mjd, alert_id, details)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (object_key) DO UPDATE SET
        first_detection_mjd = excluded.first_detection_mjd, time_mjd = excluded.time_mjd,
        alert_id = excluded.alert_id, details = excluded.details${EARLIER('join_optical_details')}`);
    this.selectDetails = db.prepare(`
      SELECT object_key AS objectKey, alert_id AS alertId, details
      FROM join_optical_details WHERE object_key IN (SELECT value FROM json_each(?))`);
    this.hasDetails = db.prepare('SELECT EXISTS (SELECT 1 FROM join_optical_details) AS present');
    this.deleteDetailsBefore = db.prepare('DELETE FROM join_optical_details WHERE first_detection_mjd < ?');
    this.detailsStored = (this.hasDetails.get() as { present: number }).present === 1;
    this.selectRange = db.prepare(SELECT_RANGE_SQL).raw(true);
    // join_optical_buffer_time: one index probe.
    this.anyBetween = db
      .prepare('SELECT EXISTS (SELECT 1 FROM join_optical_buffer WHERE first_detection_mjd BETWEEN ? AND ?)')
      .pluck();
    const bounds = db
      .prepare(
        'SELECT min(first_detection_mjd) AS floor, max(first_detection_mjd) AS ceiling FROM join_optical_buffer',
      )
      .get() as { floor: number | null; ceiling: number | null };
    this.firstDetectionFloorMjd = bounds.floor ?? Number.POSITIVE_INFINITY;
    this.firstDetectionCeilingMjd = bounds.ceiling ?? Number.NEGATIVE_INFINITY;
    this.deleteBefore = db.prepare('DELETE FROM join_optical_buffer WHERE first_detection_mjd < ?');
    this.countAll = db.prepare('SELECT count(*) AS n FROM join_optical_buffer');
    this.flushAll = db.transaction(() => {
      // In the table's own order (cell, first detection): each B-tree page is then visited once
      // per batch, not once per row. The upsert keeps the earliest alert whatever the order.
      this.pending.sort(byClusterKey);
      for (const row of this.pending) this.insert.run(...row);
      for (const row of this.pendingDetails) this.insertDetails.run(...row);
      this.pending.length = 0;
      this.pendingDetails.length = 0;
    });
  }

  add(alert: OpticalAlert, cell?: number): void {
    if (alert.firstDetectionMjd < this.firstDetectionFloorMjd)
      this.firstDetectionFloorMjd = alert.firstDetectionMjd;
    if (alert.firstDetectionMjd > this.firstDetectionCeilingMjd)
      this.firstDetectionCeilingMjd = alert.firstDetectionMjd;
    this.pending.push([
      objectKey(alert),
      cell ?? ang2pixNest(BUFFER_ORDER, alert.raDeg, alert.decDeg),
      alert.firstDetectionMjd,
      alert.timeMjd,
      alert.alertId,
      alert.raDeg,
      alert.decDeg,
      alert.band,
      alert.reliability ?? null,
    ]);
    const details = detailsOf(alert);
    if (details) {
      this.detailsStored = true;
      this.pendingDetails.push([
        objectKey(alert),
        alert.firstDetectionMjd,
        alert.timeMjd,
        alert.alertId,
        JSON.stringify(details),
      ]);
    }
    if (this.pending.length >= this.batchSize) this.flush();
  }

  /**
   * The alerts `query` returned with the values they had besides the join fields and band and
   * reliability (magnitudes, rb, Fink's values; join_optical_details), for the coincidences a
   * backward join builds: one query for all of them, none when no alert carried details.
   */
  withDetails(alerts: readonly BufferedAlert[]): (BufferedAlert & Partial<OpticalAlert>)[] {
    if (alerts.length === 0) return [];
    this.flush();
    if (!this.detailsStored) return [...alerts];
    const details = new Map<string, DetailsLookupRow>();
    const rows = this.selectDetails.all(JSON.stringify(alerts.map(objectKey))) as DetailsLookupRow[];
    for (const row of rows) details.set(row.objectKey, row);
    return alerts.map((alert) => {
      const row = details.get(objectKey(alert));
      if (!row || row.alertId !== alert.alertId) return alert;
      // summariseAlert's key order, as alertFromRow's (returnsSummaries).
      return summariseAlert({ ...alert, ...(JSON.parse(row.details) as AlertDetails) });
    });
  }

  /** Writes the queued rows in one transaction. */
  flush(): void {
    if (this.pending.length > 0) this.flushAll();
  }

  query(cells: ReadonlySet<number>, fromMjd: number, toMjd: number): BufferedAlert[] {
    this.flush();
    const out: BufferedAlert[] = [];
    for (const [lo, hi] of cellRanges(cells)) {
      for (const row of this.selectRange.all(lo, hi, fromMjd, toMjd) as BufferRow[]) {
        out.push(alertFromRow(row));
      }
    }
    return out;
  }

  mayHoldBetween(fromMjd: number, toMjd: number): boolean {
    // Outside the bounds of what was ever added (less what was evicted): nothing, without a query.
    if (toMjd < this.firstDetectionFloorMjd || fromMjd > this.firstDetectionCeilingMjd) return false;
    this.flush();
    return this.anyBetween.get(fromMjd, toMjd) === 1;
  }

  evictBefore(firstDetectionMjd: number): number {
    this.flush();
    if (this.detailsStored && this.deleteDetailsBefore.run(firstDetectionMjd).changes > 0)
      this.detailsStored = (this.hasDetails.get() as { present: number }).present === 1;
    if (firstDetectionMjd > this.firstDetectionFloorMjd) this.firstDetectionFloorMjd = firstDetectionMjd;
    return this.deleteBefore.run(firstDetectionMjd).changes;
  }

  get size(): number {
    this.flush();
    return (this.countAll.get() as { n: number }).n;
  }
}

/** Raises the connection's page cache to at least `mib` MiB (cache_size < 0 is in KiB, > 0 in pages). */
function raiseCache(db: SqliteDatabase, mib: number): void {
  const current = Number(db.pragma('cache_size', { simple: true }));
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const currentKiB = current < 0 ? -current : (current * pageSize) / 1024;
  if (currentKiB < mib * 1024) db.pragma(`cache_size = ${-Math.round(mib * 1024)}`);
}

/** Sorted cells merged into inclusive [lo, hi] runs of consecutive indices. */
export function cellRanges(cells: ReadonlySet<number>): Array<[number, number]> {
  const sorted = [...cells].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const c of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && c === last[1] + 1) last[1] = c;
    else ranges.push([c, c]);
  }
  return ranges;
}
