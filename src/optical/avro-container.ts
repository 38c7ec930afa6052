/**
 * Avro object container files ("Object Container Files", Avro 1.11 spec), read synchronously
 * from a byte buffer.
 *
 *   file   := magic header-meta sync block*
 *   magic  := 'O' 'b' 'j' 0x01
 *   meta   := map<bytes> (Avro map encoding: blocks of `count` entries, 0 ends; a negative
 *             count is followed by the block's byte size) holding avro.schema and avro.codec
 *   sync   := 16 bytes, repeated after every block
 *   block  := long(objectCount) long(byteSize) bytes[byteSize] sync
 *
 * Why not avsc's `createFileDecoder` / `BlockDecoder`: those are Node streams (asynchronous,
 * one stream per file). A ZTF Kafka message is one whole container, and decoding one must be a
 * plain synchronous call costing microseconds; this reader parses the few framing fields by
 * hand and leaves every record to avsc.
 */
import { inflateRawSync } from 'node:zlib';
import { CoincideError } from '../errors.ts';

export const CONTAINER_MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_BYTES = 16;
const KEY_SCHEMA = Buffer.from('avro.schema');
const KEY_CODEC = Buffer.from('avro.codec');
const CODEC_NULL = Buffer.from('null');

/** One container file, split into its parts (views over the input, no copies). */
export interface AvroContainer {
  /** The writer schema's JSON text bytes (avro.schema). */
  schemaBytes: Buffer;
  codec: 'null' | 'deflate';
  /** Other header metadata (besides avro.schema and avro.codec). */
  metadata: Map<string, Buffer>;
  /** The data blocks, each already decompressed, with its record count. */
  blocks: Array<{ objectCount: number; data: Buffer }>;
}

/** True when the bytes start with the container magic 'Obj' 0x01. */
export function isAvroContainer(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x4f && bytes[1] === 0x62 && bytes[2] === 0x6a && bytes[3] === 0x01
  );
}

function malformed(message: string): CoincideError {
  return new CoincideError('AVRO_MALFORMED', message);
}

/** A cursor over a buffer that reads Avro varints (long) and byte strings, with bounds checks. */
class Cursor {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.pos = start;
  }

  /** A zig-zag varint as a number; container framing values (counts, sizes) are far below 2^53. */
  readLong(): number {
    let z = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint in container framing');
      const b = this.buf[this.pos++] as number;
      z += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      scale *= 128;
    }
    throw malformed('varint longer than 10 bytes in container framing');
  }

  readBytes(length: number): Buffer {
    if (length < 0 || this.pos + length > this.buf.length)
      throw malformed('truncated container (length past the end)');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}

/** The header after the magic: its metadata map (other keys into `metadata`, when given) and sync marker. */
function readHeader(
  cursor: Cursor,
  metadata?: Map<string, Buffer>,
): { schemaBytes: Buffer | undefined; codecBytes: Buffer | undefined; sync: Buffer } {
  let schemaBytes: Buffer | undefined;
  let codecBytes: Buffer | undefined;
  for (;;) {
    let count = cursor.readLong();
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      cursor.readLong(); // block byte size, not needed when reading every entry
    }
    for (let i = 0; i < count; i++) {
      const key = cursor.readBytes(cursor.readLong());
      const value = cursor.readBytes(cursor.readLong());
      // The two standard keys are matched as bytes: no string per message on the hot path.
      if (key.equals(KEY_SCHEMA)) schemaBytes = value;
      else if (key.equals(KEY_CODEC)) codecBytes = value;
      else metadata?.set(key.toString('utf8'), value);
    }
  }
  return { schemaBytes, codecBytes, sync: cursor.readBytes(SYNC_BYTES) };
}

/** Splits a container into schema, codec and decompressed blocks. Throws AVRO_MALFORMED. */
export function readAvroContainer(input: Uint8Array): AvroContainer {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (!isAvroContainer(buf)) throw malformed('not an Avro container file (missing the Obj\\x01 magic)');
  const cursor = new Cursor(buf, 4);
  const metadata = new Map<string, Buffer>();
  const { schemaBytes, codecBytes, sync } = readHeader(cursor, metadata);
  if (!schemaBytes) throw malformed('container header has no avro.schema');
  const codecName =
    codecBytes === undefined || codecBytes.equals(CODEC_NULL) ? 'null' : codecBytes.toString('utf8');
  if (codecName !== 'null' && codecName !== 'deflate') {
    throw malformed(`unsupported container codec "${codecName}" (supported: null, deflate)`);
  }
  const blocks: AvroContainer['blocks'] = [];
  while (cursor.pos < buf.length) {
    const objectCount = cursor.readLong();
    const size = cursor.readLong();
    const raw = cursor.readBytes(size);
    const marker = cursor.readBytes(SYNC_BYTES);
    if (!marker.equals(sync)) throw malformed('block sync marker does not match the header');
    if (objectCount < 0) throw malformed('negative object count in a block');
    blocks.push({ objectCount, data: codecName === 'deflate' ? inflate(raw) : raw });
  }
  return { schemaBytes, codec: codecName, metadata, blocks };
}

function inflate(raw: Buffer): Buffer {
  try {
    return inflateRawSync(raw);
  } catch (error) {
    throw new CoincideError('AVRO_MALFORMED', 'deflate block does not decompress', { cause: error });
  }
}

/**
 * The start of a container file that holds one block: what `readAvroContainer` gives for it,
 * from the file's first bytes only, with the block's data cut where the prefix ends.
 */
export interface ContainerPrefix {
  schemaBytes: Buffer;
  /** Records in the one block. */
  objectCount: number;
  /** The block's data as far as the prefix holds it (all of it when `complete`). */
  dataPrefix: Buffer;
  /** True when the prefix holds the whole block. */
  complete: boolean;
  /** The file offset of the sync marker that must follow the block and end the file. */
  syncOffset: number;
  /** The header's sync marker (a view over the prefix). */
  sync: Buffer;
}

/**
 * Reads the header and the first block's framing from the first bytes of a container file of
 * `fileSize` bytes (replay reads a full-size alert file's first tens of kB this way, not its
 * cutouts: decode-file.ts). Undefined when the container is not one uncompressed block ending
 * the file, and 'short' when the prefix ends before the block's data starts: the caller then reads
 * the whole file, whose verdict `readAvroContainer` gives. Throws nothing.
 *
 * `fileSize` undefined: the size is not known (the caller did not stat the file, and the file is
 * longer than the prefix). The block is then not checked against the file's end: the caller must
 * check that the file ends right after the sync marker at `syncOffset`.
 */
export function readContainerPrefix(
  prefix: Buffer,
  fileSize: number | undefined,
): ContainerPrefix | 'short' | undefined {
  if (!isAvroContainer(prefix)) return undefined;
  try {
    const cursor = new Cursor(prefix, 4);
    const { schemaBytes, codecBytes, sync } = readHeader(cursor);
    if (!schemaBytes || (codecBytes !== undefined && !codecBytes.equals(CODEC_NULL))) return undefined;
    const objectCount = cursor.readLong();
    const size = cursor.readLong();
    const dataStart = cursor.pos;
    // One block, followed by its sync marker, ending the file.
    if (objectCount < 0 || size < 0) return undefined;
    if (fileSize !== undefined && dataStart + size + SYNC_BYTES !== fileSize) return undefined;
    const dataEnd = Math.min(prefix.length, dataStart + size);
    return {
      schemaBytes,
      objectCount,
      dataPrefix: prefix.subarray(dataStart, dataEnd),
      complete: dataEnd === dataStart + size,
      syncOffset: dataStart + size,
      sync,
    };
  } catch {
    // Framing past the end of the prefix (a longer one may do), or malformed: read whole.
    return fileSize === undefined || prefix.length < fileSize ? 'short' : undefined;
  }
}
