/**
 * One optical alert file, read and decoded (projected Avro: no cutouts, no histories), as the
 * replay's decode threads do it (decode-pool.ts). A file that is not an optical alert file is
 * returned as `other`, for the notice parsers of the calling thread.
 *
 * A full-size alert file (one container holding one alert, ZTF's archive layout) is mostly
 * cutouts, and the cutouts come last: the reader reads the file's first PREFIX_BYTES only (header,
 * schema and the alert up to its last field the engine uses), and then the 16-byte sync marker
 * that must end the file, so that the framing is checked as when the whole file is read (the block
 * ends exactly at the end of the file, followed by the header's sync marker). The file's size is
 * not asked for (a stat per file, and in Node 20 four Date objects: ~10 % of a decode thread's
 * time): a prefix shorter than asked for is the whole file, and the sync marker is read with one
 * byte more, which must not be there (the end of the file). Whenever the prefix
 * is not enough (a longer history, several records, a compressed block) or anything looks wrong,
 * the whole file is read and decoded as before, and that verdict stands. On the benchmark's night
 * (ZTF ~52 kB, LSST ~105 kB per file) this reads about a quarter of the bytes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { describeError } from '../errors.ts';
import type { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { isAvroContainer, readContainerPrefix } from '../optical/avro-container.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';

/** One file as a thread saw it: its alerts, not an optical alert file, or why it failed. */
export type DecodedFile =
  { kind: 'alerts'; alerts: OpticalAlert[] } | { kind: 'other' } | { kind: 'failed'; message: string };

/** Bytes first read from a file: a 15 kB Rubin schema and a 6 kB alert without cutouts fit. */
export const PREFIX_BYTES = 32 * 1024;
/** The most the prefix grows to, when files keep needing more (long schemas or histories). */
export const MAX_PREFIX_BYTES = 1024 * 1024;
const SYNC_BYTES = 16;

/** Reads `length` bytes at file `position` into `into` at `offset`, or until the file ends; returns the count. */
function readAt(fd: number, into: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Reads and decodes alert files, reusing one prefix buffer (one reader per thread). */
export class AlertFileReader {
  private prefix = Buffer.allocUnsafe(PREFIX_BYTES);
  /** The sync marker and one byte more (see fromPrefix). */
  private readonly sync = Buffer.allocUnsafe(SYNC_BYTES + 1);
  /** Files decoded from their prefix, and files read whole (for tests and benchmarks). */
  readonly counts = { prefix: 0, whole: 0 };

  constructor(private readonly decoder: OpticalAlertDecoder) {}

  /** The prefix length now used (it doubles when a one-alert file needed more, up to MAX_PREFIX_BYTES). */
  get prefixBytes(): number {
    return this.prefix.length;
  }

  decode(path: string): DecodedFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      return { kind: 'failed', message: describeError(error) };
    }
    try {
      const first = this.prefix;
      const n = readAt(fd, first, 0, first.length, 0);
      // Shorter than the buffer: the whole file (readAt reads to the end).
      if (n === first.length) {
        const alerts = this.fromPrefix(fd, first);
        if (alerts === 'short') {
          if (first.length < MAX_PREFIX_BYTES) this.prefix = Buffer.allocUnsafe(2 * first.length);
        } else if (alerts) {
          this.counts.prefix++;
          return { kind: 'alerts', alerts };
        }
      }
      // The whole file: the prefix read so far, then the rest.
      this.counts.whole++;
      const size = n < first.length ? n : fstatSync(fd).size;
      const bytes = Buffer.allocUnsafe(Math.max(size, n));
      first.copy(bytes, 0, 0, n);
      const whole = bytes.subarray(0, n + readAt(fd, bytes, n, bytes.length - n, n));
      if (!path.toLowerCase().endsWith('.avro') && !isAvroContainer(whole)) return { kind: 'other' };
      // Undefined: a Confluent-framed record whose schema needs a registry; the caller's decoder says so.
      const decoded = this.decoder.decodeMessageSync(whole);
      return decoded ? { kind: 'alerts', alerts: decoded } : { kind: 'other' };
    } catch (error) {
      return { kind: 'failed', message: describeError(error) };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The alerts of a one-alert container from its first bytes (`prefix`, which the file fills);
   * undefined: read it whole; 'short': read it whole, and a longer prefix might have done.
   */
  private fromPrefix(fd: number, prefix: Buffer): OpticalAlert[] | 'short' | undefined {
    const container = readContainerPrefix(prefix, undefined);
    if (container === undefined || container === 'short') return container;
    if (container.objectCount !== 1) return undefined;
    // The sync marker, and then the end of the file: one byte more must not be read.
    if (readAt(fd, this.sync, 0, SYNC_BYTES + 1, container.syncOffset) !== SYNC_BYTES) return undefined;
    if (!this.sync.subarray(0, SYNC_BYTES).equals(container.sync)) return undefined;
    const alerts = this.decoder.decodeSingleRecordPrefix(
      container.schemaBytes,
      container.dataPrefix,
      container.complete,
    );
    return alerts ?? (container.complete ? undefined : 'short');
  }
}
