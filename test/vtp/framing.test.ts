import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoincideError } from '../../src/errors.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import {
  COMET_MAX_FRAME_BYTES,
  encodeFrame,
  FrameDecoder,
  LENGTH_PREFIX_BYTES,
} from '../../src/vtp/framing.ts';

function collect(maxFrameBytes?: number) {
  const frames: string[] = [];
  const errors: CoincideError[] = [];
  const logger = createMemoryLogger();
  const decoder = new FrameDecoder({
    ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}),
    logger,
    onFrame: (f) => frames.push(f.toString('utf8')),
    onError: (e) => errors.push(e),
  });
  return { decoder, frames, errors, logger };
}

describe('VTP framing', () => {
  it('prefixes a payload with its length as 4-byte unsigned big-endian', () => {
    const frame = encodeFrame(Buffer.from('<a/>'));
    assert.equal(frame.length, LENGTH_PREFIX_BYTES + 4);
    assert.deepEqual([...frame.subarray(0, 4)], [0, 0, 0, 4]);
    assert.equal(frame.subarray(4).toString(), '<a/>');
  });

  it('reassembles a frame split at every possible offset', () => {
    const frame = encodeFrame(Buffer.from('<doc>hello</doc>'));
    for (let cut = 1; cut < frame.length; cut++) {
      const { decoder, frames } = collect();
      decoder.push(frame.subarray(0, cut));
      assert.equal(frames.length, 0);
      decoder.push(frame.subarray(cut));
      assert.deepEqual(frames, ['<doc>hello</doc>']);
    }
  });

  it('delivers several frames carried by one chunk, in order, and keeps the partial tail', () => {
    const { decoder, frames } = collect();
    const all = Buffer.concat([
      encodeFrame(Buffer.from('<a/>')),
      encodeFrame(Buffer.from('<b/>')),
      encodeFrame(Buffer.from('<c/>')),
    ]);
    decoder.push(all.subarray(0, all.length - 2));
    assert.deepEqual(frames, ['<a/>', '<b/>']);
    assert.equal(decoder.pendingBytes, 6);
    decoder.push(all.subarray(all.length - 2));
    assert.deepEqual(frames, ['<a/>', '<b/>', '<c/>']);
  });

  it('delivers a zero-length frame as an empty payload', () => {
    const { decoder, frames, errors } = collect();
    decoder.push(Buffer.concat([encodeFrame(Buffer.alloc(0)), encodeFrame(Buffer.from('<a/>'))]));
    assert.deepEqual(frames, ['', '<a/>']);
    assert.equal(errors.length, 0);
  });

  it('accepts 99,999 bytes and refuses 100,000 with the Comet limit', () => {
    const ok = collect(COMET_MAX_FRAME_BYTES);
    ok.decoder.push(encodeFrame(Buffer.alloc(99_999, 0x20)));
    assert.equal(ok.frames.length, 1);
    const over = collect(COMET_MAX_FRAME_BYTES);
    over.decoder.push(encodeFrame(Buffer.alloc(100_000, 0x20)));
    assert.equal(over.frames.length, 0);
    assert.equal(over.errors[0]?.code, 'VTP_FRAME_TOO_LARGE');
  });

  it('fails on an over-limit length before the payload arrives and ignores everything after', () => {
    const { decoder, frames, errors } = collect(1000);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(5000);
    decoder.push(prefix);
    decoder.push(encodeFrame(Buffer.from('<a/>')));
    assert.equal(errors.length, 1);
    assert.deepEqual(frames, []);
  });

  it('logs a little-endian hint when the prefix read little-endian is a plausible size', () => {
    const { decoder, errors, logger } = collect();
    const payload = Buffer.from('<a/>');
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(payload.length);
    decoder.push(Buffer.concat([prefix, payload]));
    assert.equal(errors[0]?.code, 'VTP_FRAME_TOO_LARGE');
    assert.match(errors[0]?.message ?? '', /little-endian/);
    const record = logger.records.find((r) => String(r.msg).startsWith('Length limit exceeded'));
    assert.ok(record, 'the Comet-style log line is written');
    assert.match(String(record.hint), /little-endian/);
  });
});
