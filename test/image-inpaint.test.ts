import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createImage, decodePng, inpaintTelea, type Mask } from '../src/image/index.js';
import { damage } from '../src/masks/index.js';
import { photo } from './helpers/pipeline.js';

const DIR = new URL('./fixtures/goldens/inpaint/', import.meta.url);
const png = (name: string, channels: 1 | 3) => decodePng(readFileSync(new URL(name, DIR)), { channels });
function golden(name: string, channels: 1 | 3) {
  const m = png(`${name}-mask.png`, 1);
  const mask = { ...m, data: m.data.map((v) => (v ? 1 : 0)) } as Mask;
  return { input: png(`${name}-input.png`, channels), mask, expected: png(`${name}-telea.png`, channels) };
}

describe('inpaintTelea', () => {
  // scripts/goldens/inpaint.py: cv2.inpaint(input, mask, radius, cv2.INPAINT_TELEA), OpenCV 4.6 (Debian 12).
  it.each(['sea', 'building', 'animal', 'duck'])(
    "equals OpenCV's Telea inpainting bit for bit (%s, gray, radius 5)",
    (name) => {
      const { input, mask, expected } = golden(name, 1);
      expect(inpaintTelea(input, mask, { radius: 5 })).toEqual(expected);
    },
  );

  it("equals OpenCV's bit for bit on an RGB image whose region touches the image border (radius 3)", () => {
    const { input, mask, expected } = golden('rgb-edge', 3);
    expect(inpaintTelea(input, mask, { radius: 3 })).toEqual(expected);
  });

  it('changes only the masked pixels, and an empty mask gives a copy', () => {
    const d = damage(photo('building', 256), { seed: 3 });
    const out = inpaintTelea(d.input, d.mask);
    for (let i = 0; i < out.data.length; i++) if (!d.mask.data[i]) expect(out.data[i]).toBe(d.input.data[i]);
    // the constant fill is replaced by something closer to the truth
    const gray = d.gt.data.filter((_, i) => i % 3 === 0);
    let before = 0;
    let after = 0;
    for (let i = 0; i < out.data.length; i++)
      if (d.mask.data[i]) {
        before += Math.abs(d.input.data[i] - gray[i]);
        after += Math.abs(out.data[i] - gray[i]);
      }
    expect(after).toBeLessThan(before);
    const empty = createImage(d.input.width, d.input.height, 1) as Mask;
    const copy = inpaintTelea(d.input, empty);
    expect(copy).toEqual(d.input);
    expect(copy.data).not.toBe(d.input.data);
  });

  it('rejects masks of another size, bad channels and radii, naming the argument', () => {
    const im = createImage(8, 8, 1);
    expect(() => inpaintTelea(im, createImage(8, 9, 1) as Mask)).toThrow(
      /inpaintTelea: mask is 8x9x1, expected 8x8x1/,
    );
    expect(() =>
      inpaintTelea(
        { width: 8, height: 8, channels: 4 as 1, data: new Uint8Array(256) },
        createImage(8, 8, 1) as Mask,
      ),
    ).toThrow(/1 or 3 channels/);
    expect(() => inpaintTelea(im, createImage(8, 8, 1) as Mask, { radius: 0 })).toThrow(
      /radius must be a positive number/,
    );
  });
});
