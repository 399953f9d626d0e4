import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createImage,
  hueOpenCv,
  matchLuminance,
  meanChromaOffset,
  rgbToHsv,
  toGray,
  type Mask,
} from '../../src/image/index.js';

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/metrics/colors.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('pixel conversions over all 2^24 RGB colors (hashes from scripts/goldens/colors.py)', () => {
  it('toGray = Pillow convert("L"); hueOpenCv and rgbToHsv = OpenCV 8-bit RGB2HSV', () => {
    // One 4096x4096 image holding every color once, index (r << 16) | (g << 8) | b.
    const n = 1 << 24;
    const rgb = new Uint8Array(n * 3);
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      rgb[j] = i >>> 16;
      rgb[j + 1] = (i >>> 8) & 255;
      rgb[j + 2] = i & 255;
    }
    const image = createImage(4096, 4096, 3, rgb);
    expect(sha(toGray(image).data)).toBe(golden.pillowGraySha256);
    const hue = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 3) hue[i] = hueOpenCv(rgb[j], rgb[j + 1], rgb[j + 2]);
    expect(sha(hue)).toBe(golden.opencvHueSha256);
    const hsv = rgbToHsv(image).data;
    const plane = new Uint8Array(n);
    for (const [k, key] of [
      [0, 'opencvHueSha256'],
      [1, 'opencvSaturationSha256'],
      [2, 'opencvValueSha256'],
    ] as const) {
      for (let i = 0; i < n; i++) plane[i] = hsv[3 * i + k];
      expect(sha(plane), key).toBe(golden[key]);
    }
  });
});

describe('matchLuminance', () => {
  it("gives each pixel the gray image's Pillow luma and keeps the channel differences", () => {
    const rgb = createImage(3, 1, 3, Uint8Array.from([200, 100, 50, 10, 20, 30, 20, 50, 200]));
    const gray = createImage(3, 1, 1, Uint8Array.from([100, 150, 60]));
    const out = matchLuminance(rgb, gray);
    for (let i = 0; i < 3; i++) {
      const [r, g, b] = out.data.subarray(i * 3, i * 3 + 3);
      expect(Math.abs((r * 299 + g * 587 + b * 114) / 1000 - gray.data[i])).toBeLessThanOrEqual(0.5);
    }
    expect(out.data[0] - out.data[1]).toBe(100); // chroma kept where nothing clamps
    expect(out.data[1] - out.data[2]).toBe(50);
    // out of gamut: the chroma is scaled toward gray, so the luma and the hue stay (no channel is clamped)
    const blue = createImage(1, 1, 3, Uint8Array.from([0, 0, 255]));
    expect(Array.from(matchLuminance(blue, createImage(1, 1, 1, Uint8Array.from([255]))).data)).toEqual([
      255, 255, 255,
    ]);
    const bright = matchLuminance(blue, createImage(1, 1, 1, Uint8Array.from([120])));
    // luma of (0, 0, 255) is 29.07; t = (255 - 120) / (255 - 29.07) = 0.5975: 120 - 0.5975 * 29.07 = 102.6
    expect(Array.from(bright.data)).toEqual([103, 103, 255]);
    // the gain mutes the colors and keeps the hue; 0 gives the gray image
    const half = matchLuminance(rgb, gray, { chromaGain: 0.5 });
    expect(half.data[0] - half.data[1]).toBe(50);
    expect(half.data[1] - half.data[2]).toBe(25);
    expect(Array.from(matchLuminance(rgb, gray, { chromaGain: 0 }).data)).toEqual([
      100, 100, 100, 150, 150, 150, 60, 60, 60,
    ]);
    expect(() => matchLuminance(rgb, gray, { chromaGain: -1 })).toThrow(/chromaGain must be/);
    // another gain inside a mask: pixel 1 (masked) keeps gray, the others full color
    const mask = createImage(3, 1, 1, Uint8Array.from([0, 1, 0])) as Mask;
    const masked = matchLuminance(rgb, gray, { mask, maskChromaGain: 0 });
    expect(Array.from(masked.data.subarray(3, 6))).toEqual([150, 150, 150]);
    expect(Array.from(masked.data.subarray(0, 3))).toEqual(Array.from(out.data.subarray(0, 3)));
    expect(() => matchLuminance(rgb, gray, { mask, maskChromaGain: Infinity })).toThrow(
      /maskChromaGain must be a finite number/,
    );
    expect(() => matchLuminance(rgb, gray, { mask: createImage(2, 1, 1) as Mask })).toThrow(
      /mask is 2x1x1, expected 3x1x1/,
    );
    expect(() => matchLuminance(gray, gray)).toThrow(/expected an RGB image and a gray image/);
  });
});

describe('chroma offset (tint correction)', () => {
  const rgb = createImage(3, 1, 3, Uint8Array.from([200, 100, 50, 10, 20, 30, 20, 50, 200]));
  const gray = createImage(3, 1, 1, Uint8Array.from([100, 150, 60]));

  it('matchLuminance adds the offset to the chroma before the gain, without its luma', () => {
    const plain = matchLuminance(rgb, gray);
    // an offset that is all luma changes nothing
    expect(Array.from(matchLuminance(rgb, gray, { chromaOffset: [7, 7, 7] }).data)).toEqual(
      Array.from(plain.data),
    );
    // pixel 0 (luma 124.2): +10 red, -10 blue; luma of the offset 1.85 removed
    const warm = matchLuminance(rgb, gray, { chromaOffset: [10, 0, -10] });
    expect(Array.from(warm.data.subarray(0, 3))).toEqual([
      Math.round(100 + 200 - 124.2 + 10 - 1.85),
      Math.round(100 + 100 - 124.2 - 1.85),
      Math.round(100 + 50 - 124.2 - 10 - 1.85),
    ]);
    for (let i = 0; i < 3; i++) {
      const [r, g, b] = warm.data.subarray(i * 3, i * 3 + 3);
      expect(Math.abs((r * 299 + g * 587 + b * 114) / 1000 - gray.data[i])).toBeLessThanOrEqual(0.5);
    }
    // the gain scales the corrected chroma; 0 is still the gray image
    expect(Array.from(matchLuminance(rgb, gray, { chromaOffset: [10, 0, -10], chromaGain: 0 }).data)).toEqual(
      [100, 100, 100, 150, 150, 150, 60, 60, 60],
    );
    // a gray colorizer output takes the offset's hue
    const flat = createImage(1, 1, 3, Uint8Array.from([90, 90, 90]));
    const [r, g, b] = matchLuminance(flat, createImage(1, 1, 1, Uint8Array.from([128])), {
      chromaOffset: [20, 0, -20],
    }).data;
    expect(r).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(b);
    expect(() => matchLuminance(rgb, gray, { chromaOffset: [1, 2] as never })).toThrow(
      /chromaOffset must be 3 finite numbers/,
    );
    expect(() => matchLuminance(rgb, gray, { chromaOffset: [1, NaN, 2] })).toThrow(/chromaOffset must be/);
  });

  it('meanChromaOffset finds a cast and matchLuminance with it removes the cast', () => {
    // truth: a smooth colored gradient; prediction: the same with a zero-luma cast (+12 R, -6 G, -12.05 B...)
    const w = 16;
    const truth = createImage(w, w, 3);
    const cast = createImage(w, w, 3);
    const shift = [12, -4, -11];
    const shiftLuma = (shift[0] * 299 + shift[1] * 587 + shift[2] * 114) / 1000;
    for (let p = 0; p < w * w; p++)
      for (let k = 0; k < 3; k++) {
        const v = 60 + ((p * (k + 1) * 7) % 120);
        truth.data[3 * p + k] = v;
        cast.data[3 * p + k] = Math.round(v - (shift[k] - shiftLuma));
      }
    const offset = meanChromaOffset([truth], [cast]);
    // rounding the cast image costs under half a level
    for (let k = 0; k < 3; k++) expect(Math.abs(offset[k] - (shift[k] - shiftLuma))).toBeLessThan(0.5);
    const fixed = matchLuminance(cast, toGray(truth), { chromaOffset: offset });
    let err = 0;
    for (let i = 0; i < fixed.data.length; i++) err = Math.max(err, Math.abs(fixed.data[i] - truth.data[i]));
    expect(err).toBeLessThanOrEqual(2);
    expect(meanChromaOffset([truth, truth], [truth, truth])).toEqual([0, 0, 0]);
    expect(() => meanChromaOffset([], [])).toThrow(/at least 1/);
    expect(() => meanChromaOffset([truth], [])).toThrow(/got 1 and 0/);
    expect(() => meanChromaOffset([truth], [gray])).toThrow(/pair 0: expected two RGB images of one size/);
  });
});
