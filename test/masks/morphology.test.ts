import { describe, expect, it } from 'vitest';
import { createImage, type Mask } from '../../src/image/index.js';
import {
  createRng,
  dilateMask,
  erodeMask,
  fillHoles,
  labelComponents,
  largestComponent,
  squaredDistanceTo,
} from '../../src/masks/index.js';

function randomMask(seed: number, w: number, h: number, p: number): Mask {
  const rng = createRng(seed);
  return createImage(
    w,
    h,
    1,
    Uint8Array.from({ length: w * h }, () => (rng.chance(p) ? 1 : 0)),
  ) as Mask;
}

/** Brute force: is any pixel with value `target` within distance r of (x, y)? */
function near(m: Mask, x: number, y: number, r: number, target: number): boolean {
  for (let yy = 0; yy < m.height; yy++)
    for (let xx = 0; xx < m.width; xx++)
      if (m.data[yy * m.width + xx] === target && (xx - x) ** 2 + (yy - y) ** 2 <= r * r) return true;
  return false;
}

describe('morphology', () => {
  it('exact squared Euclidean distances', () => {
    const m = randomMask(1, 23, 17, 0.05);
    const d = squaredDistanceTo(m, 1);
    for (let y = 0; y < 17; y++)
      for (let x = 0; x < 23; x++) {
        let best = Infinity;
        for (let i = 0; i < m.data.length; i++)
          if (m.data[i]) best = Math.min(best, (x - (i % 23)) ** 2 + (y - Math.floor(i / 23)) ** 2);
        expect(d[y * 23 + x]).toBe(best);
      }
  });

  it('erosion and dilation by a Euclidean disk match brute force', () => {
    for (const [seed, r] of [
      [2, 1],
      [3, 2.5],
      [4, 3],
    ] as const) {
      const m = randomMask(seed, 20, 16, 0.6);
      const e = erodeMask(m, r);
      const d = dilateMask(m, r);
      for (let y = 0; y < 16; y++)
        for (let x = 0; x < 20; x++) {
          // Erosion keeps a pixel when no 0 lies within r (outside the image counts as set).
          expect(e.data[y * 20 + x]).toBe(near(m, x, y, r, 0) ? 0 : 1);
          expect(d.data[y * 20 + x]).toBe(near(m, x, y, r, 1) ? 1 : 0);
        }
    }
  });

  it('labels components with 4 or 8 connectivity, keeps the largest, fills holes', () => {
    // Two diagonal pixels: one 8-component, two 4-components.
    const diag = createImage(3, 3, 1, Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0])) as Mask;
    expect(labelComponents(diag, { connectivity: 8 }).count).toBe(1);
    expect(labelComponents(diag, { connectivity: 4 }).count).toBe(2);
    const two = createImage(5, 1, 1, Uint8Array.from([1, 1, 0, 1, 0])) as Mask;
    expect(Array.from(largestComponent(two).data)).toEqual([1, 1, 0, 0, 0]);
    const ring = createImage(
      5,
      5,
      1,
      Uint8Array.from('0000001110010100111000000'.split('').map(Number)),
    ) as Mask;
    expect(fillHoles(ring).data[12]).toBe(1);
    expect(fillHoles(ring).data[0]).toBe(0);
    const byValue = labelComponents(createImage(4, 1, 1, Uint8Array.from([5, 5, 6, 5])), { byValue: true });
    expect(byValue.sizes.slice(1)).toEqual([2, 1, 1]);
  });
});
