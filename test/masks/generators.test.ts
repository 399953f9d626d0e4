import { describe, expect, it } from 'vitest';
import {
  MASK_PRESETS,
  boxMask,
  createRng,
  ellipseMask,
  generateMask,
  labelComponents,
  maskArea,
  maskCoverage,
  maskPreset,
  mixedMask,
  polygonMask,
  rectangleMask,
  strokeMask,
  withCoverage,
} from '../../src/masks/index.js';
import type { Mask } from '../../src/image/index.js';

function bbox(m: Mask): { h: number; w: number } {
  let x0 = m.width;
  let x1 = -1;
  let y0 = m.height;
  let y1 = -1;
  for (let i = 0; i < m.data.length; i++)
    if (m.data[i]) {
      const y = Math.floor(i / m.width);
      const x = i % m.width;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  return { h: y1 - y0 + 1, w: x1 - x0 + 1 };
}

describe('mask generators', () => {
  it('are deterministic by seed, differ across seeds, and binary', () => {
    for (const name of MASK_PRESETS) {
      const gen = maskPreset(name).generator;
      const a = generateMask(gen, 11, 128, 96);
      const b = generateMask(gen, 11, 128, 96);
      const c = generateMask(gen, 12, 128, 96);
      expect(a.width).toBe(128);
      expect(a.height).toBe(96);
      expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
      expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
      expect(a.data.every((v) => v === 0 || v === 1)).toBe(true);
      expect(maskArea(a)).toBeGreaterThan(0);
    }
  });

  it('pins one competition mask (platform-independent integer stream)', () => {
    const m = generateMask(maskPreset('competition').generator, 2024, 512, 512);
    // Area and a checksum of the lost pixels' positions, computed once with this implementation.
    let sum = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i]) sum = (sum + i) % 1000003;
    expect({ area: maskArea(m), sum }).toEqual({ area: 12514, sum: 6139 });
  });

  it('competition preset: one connected shape covering 4-11%', () => {
    const gen = maskPreset('competition').generator;
    for (let seed = 0; seed < 40; seed++) {
      const m = generateMask(gen, seed, 512, 512);
      const cov = maskCoverage(m);
      expect(cov).toBeGreaterThanOrEqual(0.04);
      expect(cov).toBeLessThanOrEqual(0.11);
      expect(labelComponents(m, { connectivity: 8 }).count).toBe(1);
    }
    expect(maskPreset('competition').fill).toEqual([0, 86]);
  });

  it('rectangles and circles have the requested sizes, scaled with the image', () => {
    const rng = createRng(1);
    for (let i = 0; i < 20; i++) {
      const r = bbox(rectangleMask({ sides: [90, 150] })(rng, 512, 512));
      expect(r.h >= 90 && r.h <= 150 && r.w >= 90 && r.w <= 150).toBe(true);
      const half = bbox(rectangleMask({ sides: [90, 150] })(rng, 256, 256));
      expect(half.h >= 45 && half.h <= 75).toBe(true);
      const c = bbox(ellipseMask({ diameter: [140, 140] })(rng, 512, 512));
      expect(Math.abs(c.h - 140)).toBeLessThanOrEqual(1);
      expect(Math.abs(c.w - 140)).toBeLessThanOrEqual(1);
    }
  });

  it('polygons respect the box and the minimal area', () => {
    const rng = createRng(5);
    for (const shape of ['random', 'star', 'convex'] as const) {
      for (let i = 0; i < 10; i++) {
        const m = polygonMask({ shapes: [shape], boxSize: [50, 120] })(rng, 512, 512);
        const b = bbox(m);
        expect(b.h <= 120 && b.w <= 120).toBe(true);
        expect(maskArea(m)).toBeGreaterThanOrEqual(625);
      }
    }
    expect(() => polygonMask({ shapes: ['hexagon' as never] })).toThrow(/unknown shape 'hexagon'/);
  });

  it('strokes, boxes, mixtures and the coverage cap', () => {
    const rng = createRng(3);
    expect(maskArea(strokeMask({ times: [1, 1], maxWidth: 10 })(rng, 256, 256))).toBeGreaterThan(0);
    expect(maskArea(boxMask({ times: [2, 2], size: [10, 10] })(rng, 512, 512))).toBeGreaterThanOrEqual(100);
    const rectOnly = mixedMask([
      { generator: rectangleMask({ sides: [10, 10] }), weight: 1 },
      { generator: ellipseMask(), weight: 0 },
    ]);
    expect(maskArea(rectOnly(rng, 512, 512))).toBe(100);
    const capped = withCoverage(maskPreset('lama-thick').generator, { max: 0.15, maxTries: 200 });
    for (let seed = 0; seed < 5; seed++)
      expect(maskCoverage(generateMask(capped, seed, 128, 128))).toBeLessThanOrEqual(0.15);
    expect(() => withCoverage(rectOnly, { min: 0.5, max: 0.2 })).toThrow(/min <= max/);
  });
});
