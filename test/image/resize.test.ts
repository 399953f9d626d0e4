import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createImage,
  cropImage,
  decodeJpeg,
  fitImage,
  padEdge,
  resizeImage,
  type ResizeMethod,
} from '../../src/image/index.js';
import { readPng } from '../../src/node/index.js';

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/goldens/resize.json', import.meta.url), 'utf8'),
) as {
  cases: { method: ResizeMethod; width: number; height: number; every: number; samples: number[] }[];
};

describe('resizeImage against OpenCV 4.6 (scripts/goldens/resize.py)', async () => {
  const photo = await readPng(
    new URL('../fixtures/photos-masks/erase-flying_fox.png', import.meta.url).pathname,
    {
      channels: 3,
    },
  );
  for (const c of golden.cases) {
    it(`${c.method} to ${c.width}x${c.height}`, () => {
      const out = resizeImage(photo, c.width, c.height, c.method);
      let max = 0;
      c.samples.forEach((v, k) => {
        max = Math.max(max, Math.abs(out.data[k * c.every] - v));
      });
      // nearest is exact (INTER_NEAREST_EXACT); bilinear/area within one level of OpenCV's fixed point.
      expect(max).toBeLessThanOrEqual(c.method === 'nearest' ? 0 : 1);
    });
  }
});

describe('crop, fit and JPEG decode', () => {
  it('crops and center-crops to the aspect ratio before resizing', () => {
    const data = new Uint8Array(6 * 4);
    data.forEach((_, i) => (data[i] = i));
    const img = createImage(6, 4, 1, data);
    expect(Array.from(cropImage(img, 1, 2, 2, 3).data)).toEqual([8, 9, 10, 14, 15, 16]);
    expect(() => cropImage(img, 3, 0, 2, 2)).toThrow(/outside the 6x4 image/);
    const square = fitImage(img, 4, 4); // center 4x4: columns 1..4
    expect(Array.from(square.data.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(fitImage(img, 2, 2).width).toBe(2);
  });

  it('decodes JPEG with clear errors for what is not one, or is cut short', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('../fixtures/jpeg/s420.jpg', import.meta.url)));
    const rgb = await decodeJpeg(bytes);
    expect([rgb.width, rgb.height, rgb.channels]).toEqual([61, 47, 3]);
    expect((await decodeJpeg(bytes, { channels: 1 })).channels).toBe(1);
    // A view into a larger buffer decodes the same as its own copy.
    const framed = new Uint8Array(bytes.length + 16);
    framed.set(bytes, 8);
    expect((await decodeJpeg(framed.subarray(8, 8 + bytes.length))).data).toEqual(rgb.data);
    await expect(decodeJpeg(new Uint8Array([1, 2, 3]), {}, 'x.jpg')).rejects.toThrow(
      /x.jpg: not a JPEG file/,
    );
    await expect(decodeJpeg(bytes.subarray(0, 40), {}, 'cut.jpg')).rejects.toThrow(
      /cut.jpg: corrupt JPEG \(.+\)/,
    );
    // Cut inside the scan: libjpeg only warns (and fills with gray); Pillow refuses such a file, and so does this.
    await expect(decodeJpeg(bytes.subarray(0, bytes.length - 200), {}, 'half.jpg')).rejects.toThrow(
      /half.jpg: corrupt JPEG \(.*Premature end/,
    );
    // The decoder still works after errors.
    expect((await decodeJpeg(bytes)).data).toEqual(rgb.data);
  });
});

describe('padEdge', () => {
  it('repeats the last row and column', () => {
    const im = createImage(2, 2, 1, Uint8Array.from([1, 2, 3, 4]));
    expect(Array.from(padEdge(im, 3, 3).data)).toEqual([1, 2, 2, 3, 4, 4, 3, 4, 4]);
    expect(() => padEdge(im, 1, 3)).toThrow(/smaller/);
  });
});
