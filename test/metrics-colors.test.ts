import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hueOpenCv, lumaPil } from '../src/image/index.js';
import { metricsDir } from './metrics-fixtures.js';

const golden = JSON.parse(readFileSync(`${metricsDir}colors.json`, 'utf8')) as Record<string, string>;

describe('pixel conversions over all 2^24 RGB colors (scripts/goldens/colors.py)', () => {
  it('Pillow convert("L") gray and OpenCV 8-bit hue tables hash like the references', () => {
    const n = 1 << 24;
    const gray = new Uint8Array(n);
    const hue = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = i >>> 16;
      const g = (i >>> 8) & 255;
      const b = i & 255;
      gray[i] = lumaPil(r, g, b);
      hue[i] = hueOpenCv(r, g, b);
    }
    expect(createHash('sha256').update(gray).digest('hex')).toBe(golden.pillowGraySha256);
    expect(createHash('sha256').update(hue).digest('hex')).toBe(golden.opencvHueSha256);
  });
});
