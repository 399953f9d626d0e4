import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createImage, hueOpenCv, rgbToHsv, toGray } from '../../src/image/index.js';

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
