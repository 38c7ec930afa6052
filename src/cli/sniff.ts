/**
 * What an extension-less file holds, from its first bytes: `coincide subscribe --save-dir`
 * names files after the event's IVORN, without an extension, and `coincide parse` / `validate`
 * on that folder must read them. Avro container files start with "Obj\x01"; XML with "<" and
 * JSON with "{" or "[" (after an optional UTF-8 byte-order mark and white space).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

export type SniffedKind = 'xml' | 'json' | 'avro';

export function sniffBytes(head: Uint8Array): SniffedKind | undefined {
  if (head[0] === 0x4f && head[1] === 0x62 && head[2] === 0x6a && head[3] === 0x01) return 'avro';
  const text = Buffer.from(head)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('<')) return 'xml';
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  return undefined;
}

/** The kind of a file from its first 256 bytes; undefined when unreadable or none of the three. */
export function sniffFile(path: string): SniffedKind | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return sniffBytes(head.subarray(0, n));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * True for a name without a real file extension, as --save-dir writes them: IVORN-based names
 * such as "ivo__nasa.gsfc.gcn_FermiGBM_Gnd_Pos_2017-08-17T12:41:06.18_524666471_57-001" end in
 * ".18_524666471_57-001", which is no extension (one is 1-5 letters or digits, starting with a letter).
 */
export function hasNoExtension(path: string): boolean {
  const name = basename(path).replace(/^\.+/, '');
  const dot = name.lastIndexOf('.');
  return dot === -1 || !/^[A-Za-z][A-Za-z0-9]{0,4}$/.test(name.slice(dot + 1));
}
