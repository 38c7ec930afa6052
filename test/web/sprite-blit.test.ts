/**
 * web/sprite-blit.ts: stamping a sprite over a pixel buffer is the canvas's "source-over", checked
 * against the operator written independently in straight (not premultiplied) alpha with floats:
 *   outA = sA + dA (1 − sA),  outC = (sC sA + dC dA (1 − sA)) / outA   (colours and alpha in 0..1)
 * and what falls outside the buffer is left out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/seeded-random.ts';
import { spriteFromStraight, stampOver, unpremultiply } from '../../web/sprite-blit.ts';

/** One straight RGBA pixel over another, in floats (0..255 in and out). */
function overStraight(s: number[], d: number[]): number[] {
  const sa = (s[3] ?? 0) / 255;
  const da = (d[3] ?? 0) / 255;
  const outA = sa + da * (1 - sa);
  if (outA === 0) return [0, 0, 0, 0];
  const channel = (i: number): number => ((s[i] ?? 0) * sa + (d[i] ?? 0) * da * (1 - sa)) / outA;
  return [channel(0), channel(1), channel(2), outA * 255];
}

describe('web/sprite-blit', () => {
  it('composites like source-over in straight alpha, within rounding', () => {
    const random = seededRandom(7);
    const byte = (): number => Math.floor(random() * 256);
    // Alphas at the edges too: 0, 255, and anything between.
    const alpha = (): number => [0, 255, byte()][Math.floor(random() * 3)] ?? 0;
    for (let trial = 0; trial < 2000; trial++) {
      const s = [byte(), byte(), byte(), alpha()];
      const d = [byte(), byte(), byte(), alpha()];
      // The destination as the console's buffer holds it: premultiplied.
      const target = spriteFromStraight(new Uint8ClampedArray(d), 1, 1).rgba;
      stampOver(target, 1, spriteFromStraight(new Uint8ClampedArray(s), 1, 1), 0, 0);
      unpremultiply(target);
      const want = overStraight(s, d);
      const a = want[3] ?? 0;
      assert.ok(
        Math.abs((target[3] ?? 0) - a) <= 1,
        `alpha of ${s.join(',')} over ${d.join(',')}: ${target[3]} against ${a}`,
      );
      // A colour's error grows as 255 / alpha once premultiplied to 8 bits: checked where it is seen.
      if (a >= 64)
        for (let c = 0; c < 3; c++)
          assert.ok(
            Math.abs((target[c] ?? 0) - (want[c] ?? 0)) <= 255 / a + 1,
            `channel ${c} of ${s.join(',')} over ${d.join(',')}: ${target[c]} against ${want[c]}`,
          );
    }
  });

  it('replaces under an opaque pixel, keeps under a clear one, and leaves out what falls outside', () => {
    // A 2 × 2 sprite: opaque red, clear, clear, opaque blue.
    const sprite = spriteFromStraight(
      new Uint8ClampedArray([255, 0, 0, 255, 9, 9, 9, 0, 9, 9, 9, 0, 0, 0, 255, 255]),
      2,
      2,
    );
    // A 3 × 2 target, all opaque green.
    const green = [0, 255, 0, 255];
    const target = new Uint8ClampedArray(Array.from({ length: 6 }, () => green).flat());
    // Its corner one pixel left of the target: only its right column lands (on column 0).
    stampOver(target, 3, sprite, -1, 0);
    assert.deepEqual([...target], [...green, ...green, ...green, 0, 0, 255, 255, ...green, ...green]);
    // At the bottom-right corner: only its top-left pixel lands (on row 1, column 2).
    stampOver(target, 3, sprite, 2, 1);
    assert.deepEqual([...target], [...green, ...green, ...green, 0, 0, 255, 255, ...green, 255, 0, 0, 255]);
    // Wholly outside: nothing changes.
    const before = [...target];
    stampOver(target, 3, sprite, 3, 0);
    stampOver(target, 3, sprite, -2, -2);
    stampOver(target, 3, sprite, 0, 2);
    assert.deepEqual([...target], before);
  });
});
