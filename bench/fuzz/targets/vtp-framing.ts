/**
 * VTP framing (src/vtp/framing.ts) with the first reading of each frame (payload.ts), as a
 * receiver or subscriber does on a byte stream: frames of real and generated payloads with
 * right and wrong length prefixes (boundary values, little-endian), cut into random reads.
 * Properties beyond "coded refusal":
 *  - the frames delivered, re-framed, are exactly the bytes consumed, in order;
 *  - the decoder stops (VTP_FRAME_TOO_LARGE) only at a prefix over its limit, and then delivers
 *    nothing more; otherwise every byte is either delivered or pending.
 */
import fc from 'fast-check';
import { CoincideError, isCoincideError } from '../../../src/errors.ts';
import { encodeFrame, FrameDecoder } from '../../../src/vtp/framing.ts';
import { classifyPayload } from '../../../src/vtp/payload.ts';
import { sniffSimpleTransport } from '../../../src/vtp/transport-sniff.ts';
import { generatedTransport } from '../gen/transport.ts';
import { generatedVoEvent } from '../gen/voevent.ts';
import { mutatedSeeds, pristineSeeds } from '../mutate.ts';
import { countSeeds } from '../seeds.ts';
import { FuzzFinding, type FuzzTarget } from '../target.ts';
import { transportSeeds } from './transport-seeds.ts';
import { xmlSeeds } from './xml-seeds.ts';

export interface FramingCase {
  stream: Uint8Array;
  cuts: number[];
  maxFrameBytes: number;
}

function lengthPrefix(kind: string, length: number): Buffer {
  const prefix = Buffer.alloc(4);
  switch (kind) {
    case 'little-endian':
      prefix.writeUInt32LE(length, 0);
      break;
    case 'short':
      prefix.writeUInt32BE(Math.max(0, length - 1), 0);
      break;
    case 'long':
      prefix.writeUInt32BE(length + 1, 0);
      break;
    case 'max':
      prefix.writeUInt32BE(0xffffffff, 0);
      break;
    case 'zero':
      prefix.writeUInt32BE(0, 0);
      break;
    default:
      prefix.writeUInt32BE(length, 0);
  }
  return prefix;
}

export const vtpFramingTarget: FuzzTarget<FramingCase> = {
  name: 'vtp-framing',
  covers: 'src/vtp/framing.ts (FrameDecoder) with payload classification of each frame',
  setup({ sharedSeeds }) {
    const xml = xmlSeeds(sharedSeeds);
    const transport = transportSeeds();
    const all = [...transport, ...xml.all];
    const payload = fc.oneof(
      { weight: 3, arbitrary: pristineSeeds(all) },
      { weight: 3, arbitrary: mutatedSeeds(all) },
      { weight: 2, arbitrary: generatedTransport },
      { weight: 1, arbitrary: generatedVoEvent },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    );
    const frame = fc
      .tuple(
        payload,
        fc.constantFrom('right', 'right', 'right', 'right', 'little-endian', 'short', 'long', 'max', 'zero'),
      )
      .map(([bytes, kind]) => Buffer.concat([lengthPrefix(kind, bytes.length), bytes]));
    const framed = fc.array(frame, { minLength: 1, maxLength: 5 }).map((frames) => Buffer.concat(frames));
    // Raw garbage and mutated streams of well-framed seeds (cuts inside prefixes, flipped length bytes).
    const stream = fc.oneof(
      { weight: 6, arbitrary: framed },
      {
        weight: 2,
        arbitrary: mutatedSeeds(
          all.slice(0, 20).map((s) => ({ name: s.name, bytes: encodeFrame(s.bytes) })),
          { focusBytes: 8 },
        ),
      },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    );
    return Promise.resolve({
      arbitrary: fc.record({
        stream,
        cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        maxFrameBytes: fc.constantFrom(1024 * 1024, 1024 * 1024, 99_999, 1000, 0),
      }),
      run({ stream: input, cuts, maxFrameBytes }) {
        const stream = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
        const frames: Buffer[] = [];
        let failure: CoincideError | undefined;
        const refusals: unknown[] = [];
        const decoder = new FrameDecoder({
          maxFrameBytes,
          onFrame: (payload) => {
            if (failure) throw new FuzzFinding('a frame was delivered after the decoder failed');
            frames.push(Buffer.from(payload));
            try {
              sniffSimpleTransport(payload);
              classifyPayload(payload);
            } catch (error) {
              refusals.push(error);
            }
          },
          onError: (error) => {
            if (failure) throw new FuzzFinding('onError called twice');
            failure = error;
          },
        });
        const positions = [...new Set(cuts.map((c) => Math.floor(c * stream.length)))].sort((a, b) => a - b);
        let start = 0;
        for (const end of [...positions, stream.length]) {
          decoder.push(stream.subarray(start, end));
          start = Math.max(start, end);
        }
        const consumed = Buffer.concat(frames.map((f) => encodeFrame(f)));
        if (!stream.subarray(0, consumed.length).equals(consumed))
          throw new FuzzFinding('delivered frames differ from the stream');
        if (failure) {
          const length = stream.readUInt32BE(consumed.length);
          if (length <= maxFrameBytes)
            throw new FuzzFinding(`refused a prefix of ${length} <= ${maxFrameBytes}`);
          throw failure;
        }
        if (consumed.length + decoder.pendingBytes !== stream.length) {
          throw new FuzzFinding(
            `${consumed.length} delivered + ${decoder.pendingBytes} pending != ${stream.length} received`,
          );
        }
        // The first uncoded error if any (a finding), else the first refusal.
        const first = refusals.find((e) => !isCoincideError(e)) ?? refusals[0];
        if (first !== undefined)
          throw first instanceof Error ? first : new Error(`non-Error thrown: ${JSON.stringify(first)}`);
      },
      show: (c) =>
        JSON.stringify({
          stream: Buffer.from(c.stream).toString('base64'),
          cuts: c.cuts,
          maxFrameBytes: c.maxFrameBytes,
        }),
      seedCounts: countSeeds({ transport, project: xml.project, shared: xml.shared }),
    });
  },
};
