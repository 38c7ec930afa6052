/**
 * A server-to-client WebSocket text message as one complete frame (RFC 6455 §5.2), built once
 * and written as is to every client's socket.
 *
 *   byte 0      FIN=1, RSV1-3=0, opcode=0x1 (text)               -> 0x81
 *   byte 1      MASK=0 (servers never mask), payload length:
 *                 0..125 itself; 126 + 16-bit length; 127 + 64-bit length (network order)
 *   then        the UTF-8 payload
 *
 * Sending one message to N clients through ws's `send` frames it N times and writes each
 * frame as two buffers (header, payload); a shared frame is one buffer and one write per
 * client. It is only valid on a connection with no extension negotiated (no
 * permessage-deflate: RSV1 would have to be set and the payload compressed per connection).
 */

const OPCODE_TEXT_FIN = 0x81;
const LENGTH_16 = 126;
const LENGTH_64 = 127;
const MAX_7_BIT = 125;
const MAX_16_BIT = 0xffff;

/** The frame of one unfragmented, unmasked text message. */
export function encodeTextFrame(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = data.length;
  const headerBytes = length <= MAX_7_BIT ? 2 : length <= MAX_16_BIT ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = OPCODE_TEXT_FIN;
  if (headerBytes === 2) {
    frame[1] = length;
  } else if (headerBytes === 4) {
    frame[1] = LENGTH_16;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = LENGTH_64;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  data.copy(frame, headerBytes);
  return frame;
}
