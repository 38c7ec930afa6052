/**
 * `coincide archive export FILE.tar.gz`: every stored event that has a notice, exactly as
 * received, one tar entry per event (events/<id>.xml or .json), in id order, gzip-compressed.
 * Each entry carries its metadata in PAX extended headers (POSIX.1-2001; tar-stream writes and
 * reads them): coincide.receivedAtMs (when it was first received), coincide.input and
 * coincide.peer. `coincide archive import` of the file restores the same events with the same
 * times; any tar tool can list and extract it.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { SqliteDatabase } from '../store/database.ts';
import { originalReceivedLookup, PAX_INPUT, PAX_PEER, PAX_RECEIVED_MS } from './import.ts';

interface Row {
  id: number;
  bytes: Buffer;
  received_at_ms: number;
  input: string;
  peer: string;
}

function isJson(bytes: Buffer): boolean {
  const first = bytes
    .toString('utf8', 0, Math.min(bytes.length, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  return first.startsWith('{') || first.startsWith('[');
}

/** Writes the export; resolves with the number of events written. */
export async function exportArchive(db: SqliteDatabase, path: string): Promise<number> {
  const original = originalReceivedLookup(db);
  const rows = db
    .prepare(
      `SELECT e.id, e.bytes, e.received_at_ms, e.input, e.peer FROM events e
       WHERE EXISTS (SELECT 1 FROM notices n WHERE n.event_id = e.id) ORDER BY e.id`,
    )
    .iterate() as IterableIterator<Row>;
  const tar = pack();
  const out = pipeline(tar, createGzip(), createWriteStream(path, { mode: 0o600 }));
  let count = 0;
  const written = (async () => {
    for (const row of rows) {
      const receivedMs = original(row.id, row.received_at_ms);
      await new Promise<void>((resolve, reject) => {
        tar.entry(
          {
            name: `events/${row.id}.${isJson(row.bytes) ? 'json' : 'xml'}`,
            size: row.bytes.length,
            mtime: new Date(receivedMs),
            mode: 0o644,
            pax: {
              [PAX_RECEIVED_MS]: String(receivedMs),
              [PAX_INPUT]: row.input,
              [PAX_PEER]: row.peer,
            },
          },
          row.bytes,
          (error) => {
            if (error) reject(error);
            else resolve();
          },
        );
      });
      count++;
    }
    tar.finalize();
  })();
  await Promise.all([written, out]);
  return count;
}
