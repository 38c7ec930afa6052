/**
 * Documents inside tar archives: .tar, .tar.gz / .tgz and .tar.bz2 / .tbz2 (the public 4PiSky
 * VOEvent dumps are monthly .tar.bz2 files of single-line XML documents).
 *
 * tar-stream parses the archive as a stream; gzip is inflated by node:zlib as a stream; bzip2
 * is decoded whole by seek-bzip (no maintained streaming bzip2 decoder on npm; a monthly dump
 * inflates to a few hundred MB at most). Entries come out in archive order; only regular files
 * are returned. Both packages are loaded when an archive is read (a replay of plain files starts
 * ~0.1 s sooner without them).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CoincideError } from '../errors.ts';

export type ArchiveCompression = 'none' | 'gzip' | 'bzip2';

/** The compression of a tar archive from its file name, or undefined when it is not one. */
export function archiveCompression(path: string): ArchiveCompression | undefined {
  const name = path.toLowerCase();
  if (name.endsWith('.tar')) return 'none';
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'gzip';
  if (name.endsWith('.tar.bz2') || name.endsWith('.tbz2') || name.endsWith('.tbz')) return 'bzip2';
  return undefined;
}

export interface ArchiveEntry {
  /** "<archive path>!<entry name>". */
  name: string;
  bytes: Buffer;
  /** The entry's PAX extended header records, when it has them (e.g. an archive export's metadata). */
  pax?: Record<string, string>;
}

async function archiveStream(path: string, compression: ArchiveCompression): Promise<Readable> {
  if (compression === 'gzip') return createReadStream(path).pipe(createGunzip());
  if (compression === 'bzip2') {
    const { default: seekBzip } = await import('seek-bzip');
    let decoded: Buffer;
    try {
      decoded = seekBzip.decode(readFileSync(path));
    } catch (cause) {
      throw new CoincideError('INPUT_BINARY', `${path}: not a valid bzip2 file`, { cause });
    }
    return Readable.from([decoded]);
  }
  return createReadStream(path);
}

/** Every regular file of a tar archive, in archive order. */
export async function* readArchive(
  path: string,
  compression: ArchiveCompression,
): AsyncGenerator<ArchiveEntry> {
  const source = await archiveStream(path, compression);
  const { extract } = await import('tar-stream');
  const tar = extract();
  source.on('error', (error) => {
    tar.destroy(error);
  });
  source.pipe(tar);
  try {
    for await (const entry of tar) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') {
        const pax = entry.header.pax as Record<string, string> | null | undefined;
        yield { name: `${path}!${entry.header.name}`, bytes: Buffer.concat(chunks), ...(pax ? { pax } : {}) };
      }
    }
  } catch (cause) {
    if (cause instanceof CoincideError) throw cause;
    throw new CoincideError('INPUT_BINARY', `${path}: not a readable tar archive (${String(cause)})`, {
      cause,
    });
  }
}
