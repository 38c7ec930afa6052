/**
 * The CPU work of importing one document, apart from the database: parse and normalise it
 * (notices/parse-notice.ts, the live ingest's parser), hash it, find when it was first
 * received, and derive what the archive index stores for its regions (prepared-mocs.ts) when
 * that needs no sky map. A pure function of the document with a structured-cloneable result,
 * run by the import's worker threads (import-pool.ts) or in the calling thread.
 */
import { describeError, isCoincideError } from '../errors.ts';
import { parseNoticeDocument } from '../notices/parse-notice.ts';
import type { Notice } from '../notices/notice.ts';
import { publicationTimeMjd } from '../replay/decode-input.ts';
import { mjdToUnixMs } from '../time/mjd.ts';
import type { IndexedNotice } from './archive-index.ts';
import { noticeRefs, type NoticeRef } from './notice-refs.ts';
import { prepareShape, type PreparedMocs } from './prepared-mocs.ts';

/** PAX header names of an export's entries. */
export const PAX_RECEIVED_MS = 'coincide.receivedAtMs';
export const PAX_INPUT = 'coincide.input';
export const PAX_PEER = 'coincide.peer';

/** One document to prepare: an InputDocument's fields (bytes as a plain Uint8Array). */
export interface ImportDocument {
  name: string;
  bytes: Uint8Array;
  pax?: Record<string, string>;
}

export interface PreparedNotice {
  kind: 'notice';
  /**
   * The Notice; absent when prepared by a pool thread (import-pool.ts): copying it back cost
   * ~30–50 µs per document, and the writer needs only what follows (`json` restores it).
   */
  notice?: Notice;
  /** The columns the store and the archive index write (the Notice itself when it is here). */
  columns: IndexedNotice;
  /** notices.json: JSON.stringify(notice). */
  json: string;
  /** noticeRefs(notice) (archive_refs). */
  refs: NoticeRef[];
  sha256: string;
  /** When the notice was first received (archive_imports.original_received_ms). */
  originalMs: number;
  /** Undefined for a sky-map notice: the archive index's catch-up loads its map. */
  index: PreparedMocs | undefined;
}

export type PreparedDocument = PreparedNotice | { kind: 'not-notice' } | { kind: 'failure'; message: string };

/** An export's `coincide.receivedAtMs`, else the document's publication time, else its trigger time. */
function originalReceivedMs(doc: ImportDocument, notice: Notice): number {
  const fromExport = Number(doc.pax?.[PAX_RECEIVED_MS]);
  if (Number.isFinite(fromExport) && fromExport > 0) return Math.round(fromExport);
  const head = Buffer.from(doc.bytes.buffer, doc.bytes.byteOffset, Math.min(doc.bytes.byteLength, 65_536));
  const published = publicationTimeMjd(head.toString('utf8'));
  return Math.round(mjdToUnixMs(published ?? notice.triggerTimeMjd));
}

/**
 * Prepared index data by region (its NoticeRegion and notice type: the GBM model depends on the
 * type), most recently used last: revisions and repeats of a trigger often carry the same
 * region, whose MOCs, ranges, rows and caps are then derived once. Bounded (MAX_ENTRIES).
 */
export class PreparedRegionCache {
  static readonly MAX_ENTRIES = 1024;
  private readonly entries = new Map<string, PreparedMocs | undefined>();

  of(notice: Notice, derive: () => PreparedMocs | undefined): PreparedMocs | undefined {
    const key = `${notice.noticeType}|${JSON.stringify(notice.region)}`;
    if (this.entries.has(key)) {
      const hit = this.entries.get(key);
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = derive();
    this.entries.set(key, value);
    if (this.entries.size > PreparedRegionCache.MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }
}

export function prepareImportDocument(
  doc: ImportDocument,
  levelsPct: readonly number[],
  cache?: PreparedRegionCache,
): PreparedDocument {
  let notice: Notice;
  try {
    notice = parseNoticeDocument(doc.bytes, { fileName: doc.name });
  } catch (error) {
    if (isCoincideError(error) && error.code === 'NOTICE_UNSUPPORTED') return { kind: 'not-notice' };
    return { kind: 'failure', message: describeError(error) };
  }
  const derive = (): PreparedMocs | undefined => prepareShape(notice, levelsPct);
  return {
    kind: 'notice',
    notice,
    columns: notice,
    json: JSON.stringify(notice),
    refs: noticeRefs(notice),
    // The normaliser hashed the exact bytes already (notice.source.sha256).
    sha256: notice.source.sha256,
    originalMs: originalReceivedMs(doc, notice),
    index: cache ? cache.of(notice, derive) : derive(),
  };
}

/**
 * A prepared document as a pool thread sends it back: without the Notice, with only its columns
 * (a structured clone of a dozen values and strings instead of the whole Notice, its params and
 * citations included).
 */
export function threadPrepared(prepared: PreparedDocument): PreparedDocument {
  if (prepared.kind !== 'notice') return prepared;
  const { json, refs, sha256, originalMs, index, columns: n } = prepared;
  const columns: IndexedNotice = {
    ivorn: n.ivorn,
    role: n.role,
    triggerId: n.triggerId,
    messenger: n.messenger,
    observatory: n.observatory,
    instrument: n.instrument,
    noticeType: n.noticeType,
    alertType: n.alertType,
    triggerTimeMjd: n.triggerTimeMjd,
    region: { type: n.region.type },
  };
  if (n.eventName !== undefined) columns.eventName = n.eventName;
  if (n.revision !== undefined) columns.revision = n.revision;
  if (n.farHz !== undefined) columns.farHz = n.farHz;
  if (n.pAstro !== undefined) columns.pAstro = n.pAstro;
  return { kind: 'notice', columns, json, refs, sha256, originalMs, index };
}

/** The Notice of a prepared document (parsed back from its JSON when a pool thread prepared it). */
export function preparedNotice(prepared: PreparedNotice): Notice {
  return prepared.notice ?? (JSON.parse(prepared.json) as Notice);
}
