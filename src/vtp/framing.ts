/**
 * The VTP framing codec (VTP 2.0 §3.2; Comet: Twisted Int32StringReceiver "!I"; pygcn "!I").
 *
 * Grammar:  frame   = length payload
 *           length  = 4 octets, unsigned 32-bit big-endian, = byte count of payload (prefix excluded)
 *           payload = one XML document, `length` octets
 *
 * The decoder accumulates chunks and loops over every complete frame in them, so a frame may
 * span reads and one read may carry several frames. A zero-length frame is delivered as an
 * empty payload (an empty, unparsable document: each role decides what to do with it, as Comet
 * does). A length above `maxFrameBytes` is fatal for the connection (Comet: log, close, no nak);
 * when the same four bytes read little-endian give a plausible size, the log says so.
 */
import { CoincideError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Bytes in the length prefix. */
export const LENGTH_PREFIX_BYTES = 4;
/** Our default receive limit: 1 MiB (Comet's is Twisted's MAX_LENGTH, below). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
/** Comet 3.1.0's effective limit (Twisted Int32StringReceiver.MAX_LENGTH = 99999): never send more to a Comet peer. */
export const COMET_MAX_FRAME_BYTES = 99_999;

/** Prefixes `payload` with its length as 4-byte unsigned big-endian. */
export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > 0xffff_ffff) {
    throw new CoincideError('VTP_FRAME_TOO_LARGE', `payload of ${payload.length} bytes cannot be framed`);
  }
  const frame = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, LENGTH_PREFIX_BYTES);
  return frame;
}

export interface FrameDecoderOptions {
  /** Largest accepted payload, bytes. Default DEFAULT_MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
  /** Called once per complete payload, in order. */
  onFrame: (payload: Buffer) => void;
  /** Called once when the stream becomes unusable (VTP_FRAME_TOO_LARGE); no more frames follow. */
  onError: (error: CoincideError) => void;
  logger?: Logger;
}

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly onFrame: (payload: Buffer) => void;
  private readonly onError: (error: CoincideError) => void;
  private readonly logger: Logger | undefined;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private failed = false;

  constructor(options: FrameDecoderOptions) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.onFrame = options.onFrame;
    this.onError = options.onError;
    this.logger = options.logger;
  }

  /** Bytes received but not yet delivered as a frame (a partial frame). */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.bufferedBytes < LENGTH_PREFIX_BYTES) return;
    let buffer =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.bufferedBytes);
    let offset = 0;
    let fatal = false;
    while (buffer.length - offset >= LENGTH_PREFIX_BYTES) {
      const length = buffer.readUInt32BE(offset);
      if (length > this.maxFrameBytes) {
        this.fail(length, buffer.readUInt32LE(offset));
        fatal = true;
        break;
      }
      if (buffer.length - offset - LENGTH_PREFIX_BYTES < length) break;
      const start = offset + LENGTH_PREFIX_BYTES;
      offset = start + length;
      this.onFrame(buffer.subarray(start, offset));
    }
    if (fatal) {
      this.chunks = [];
      this.bufferedBytes = 0;
      return;
    }
    buffer = buffer.subarray(offset);
    this.chunks = buffer.length > 0 ? [buffer] : [];
    this.bufferedBytes = buffer.length;
  }

  private fail(lengthBigEndian: number, lengthLittleEndian: number): void {
    this.failed = true;
    const littleEndianHint = lengthLittleEndian > 0 && lengthLittleEndian <= this.maxFrameBytes;
    // Comet logs "Length limit exceeded (N bytes)." and notes that a little-endian prefix is the usual cause.
    this.logger?.warn(`Length limit exceeded (${lengthBigEndian} bytes).`, {
      maxFrameBytes: this.maxFrameBytes,
      ...(littleEndianHint
        ? {
            hint: `the prefix read little-endian is ${lengthLittleEndian} bytes: the peer probably sent a little-endian length`,
          }
        : {}),
    });
    this.onError(
      new CoincideError(
        'VTP_FRAME_TOO_LARGE',
        `frame length ${lengthBigEndian} exceeds the limit of ${this.maxFrameBytes} bytes` +
          (littleEndianHint ? ` (little-endian it would be ${lengthLittleEndian}: wrong byte order?)` : ''),
      ),
    );
  }
}
