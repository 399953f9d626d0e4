import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastBackend } from '../helpers/backend.js';
import { createImage, flipImage, grayToRgb, type Image, type Mask } from '../../src/image/index.js';
import {
  asRestorer,
  ensembleRestorer,
  flipTta,
  tiledRestorer,
  type Restorer,
  type RestorationPipeline,
} from '../../src/pipeline/index.js';
import { damagedGray, tinyPipeline } from '../helpers/pipeline.js';

/** An RGB image whose every channel is `f(x, y)`. */
function fill(width: number, height: number, f: (x: number, y: number) => number): Image {
  const out = createImage(width, height, 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out.data.fill(f(x, y), (y * width + x) * 3, (y * width + x + 1) * 3);
  return out;
}

const same = (a: Image, b: Image) =>
  a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data));
const at = (im: Image, x: number, y: number) => im.data[(y * im.width + x) * im.channels];

describe('ensembleRestorer / flipTta', () => {
  it('averages per pixel and channel, rounding halves up', async () => {
    const { input, mask } = damagedGray(8, 4);
    const constant =
      (v: number): Restorer =>
      async (x) =>
        fill(x.width, x.height, () => v);
    expect(at(await ensembleRestorer([constant(10), constant(13)])(input, mask), 0, 0)).toBe(12);
    expect(at(await ensembleRestorer([constant(10), constant(12), constant(12)])(input, mask), 3, 2)).toBe(
      11,
    );
    expect(at(await ensembleRestorer([constant(0), constant(255)])(input, mask), 7, 3)).toBe(128);
    const one = constant(7);
    expect(ensembleRestorer([one])).toBe(one);
    expect(() => ensembleRestorer([])).toThrow(/no restorers/);
    const small: Restorer = async () => fill(2, 2, () => 0);
    await expect(ensembleRestorer([one, small])(input, mask)).rejects.toThrow(
      /restorer 1 returned 2x2x3, restorer 0 8x4x3/,
    );
  });

  it('flip TTA: a mirror-symmetric restorer is unchanged; a position-coded one averages with its mirror', async () => {
    const { input, mask } = damagedGray(9, 5);
    const gray: Restorer = async (x) => grayToRgb(x);
    expect(await flipTta(gray)(input, mask)).toEqual(grayToRgb(input));
    const column: Restorer = async (x, m) => {
      expect(m.width).toBe(x.width);
      return fill(x.width, x.height, (px) => px * 10);
    };
    const out = await flipTta(column)(input, mask);
    for (let x = 0; x < 9; x++) expect(at(out, x, 0)).toBe(40); // (10x + 10(8 - x)) / 2
    // the mirrored call sees the mirrored input and mask
    const seen: Image[] = [];
    await flipTta(async (x, m) => (seen.push(x, m), grayToRgb(x)))(input, mask);
    expect(seen[2]).toEqual(flipImage(input));
    expect(seen[3]).toEqual(flipImage(mask));
  });
});

describe('tiledRestorer', () => {
  it('gives exactly the whole-image result for a per-pixel restorer, calling every tile', async () => {
    const { input, mask } = damagedGray(300, 170);
    const calls: [number, number, number][] = [];
    const gray: Restorer = async (x, m) => {
      calls.push([x.width, x.height, m.data.reduce((a, b) => a + b, 0)]);
      return grayToRgb(x);
    };
    const out = await tiledRestorer(gray, { tile: 64, overlap: 16 })(input, mask);
    expect(same(out, grayToRgb(input))).toBe(true);
    // ceil((300 - 16) / 48) = 6 columns, ceil((170 - 16) / 48) = 4 rows; all 64x64
    expect(calls).toHaveLength(24);
    expect(calls.every(([w, h]) => w === 64 && h === 64)).toBe(true);
    expect(calls.filter(([, , lost]) => lost === 0)).toHaveLength(12); // tiles without lost pixels run too
    // small images go through whole
    calls.length = 0;
    const small = damagedGray(64, 40);
    const whole = await tiledRestorer(gray, { tile: 64, overlap: 16 })(small.input, small.mask);
    expect(same(whole, grayToRgb(small.input))).toBe(true);
    expect(calls).toEqual([[64, 40, small.mask.data.reduce((a, b) => a + b, 0)]]);
  });

  it('blends neighbouring tiles with a linear ramp across their overlap', async () => {
    const { input, mask } = damagedGray(100, 30); // one row of tiles at x = 0 and 36 (overlap 28)
    let k = 0;
    const perTile: Restorer = async (x) => {
      const v = k++ === 0 ? 0 : 200;
      return fill(x.width, x.height, () => v);
    };
    const out = await tiledRestorer(perTile, { tile: 64, overlap: 20 })(input, mask);
    const row = Array.from({ length: 100 }, (_, x) => at(out, x, 7));
    expect(row.slice(0, 36)).toEqual(new Array(36).fill(0)); // only the first tile
    expect(row.slice(64)).toEqual(new Array(36).fill(200)); // only the second
    const band = row.slice(36, 64);
    for (let i = 1; i < band.length; i++) expect(band[i]).toBeGreaterThan(band[i - 1]);
    expect(band[0]).toBeLessThan(8);
    expect(band[27]).toBeGreaterThan(192);
    expect(Math.abs(band[13] + band[14] - 200)).toBeLessThanOrEqual(1); // symmetric about the middle
  });

  it('checks its options, the mask size and the tiles it gets back', async () => {
    expect(() => tiledRestorer(async (x) => x, { tile: 0 })).toThrow(/tile must be a positive integer/);
    expect(() => tiledRestorer(async (x) => x, { tile: 64, overlap: 64 })).toThrow(
      /overlap must be .* 0\.\.63/,
    );
    const { input, mask } = damagedGray(100, 100);
    const t = tiledRestorer(async () => createImage(8, 8, 3), { tile: 64, overlap: 8 });
    await expect(t(input, createImage(99, 100, 1) as Mask)).rejects.toThrow(
      /mask is 99x100, the input 100x100/,
    );
    await expect(t(input, mask)).rejects.toThrow(/returned 8x8 for a 64x64 tile/);
  });
});

describe('with a tiny pipeline', () => {
  let a: RestorationPipeline;
  let b: RestorationPipeline;
  beforeAll(async () => {
    await useFastBackend();
    a = tinyPipeline(3);
    b = tinyPipeline(4);
  });
  afterAll(() => {
    a.dispose();
    b.dispose();
  });

  it('tiles, flips and ensembles real predictions without leaking tensors', async () => {
    const { input, mask } = damagedGray(96, 40); // two 64x40 tiles
    const plain = asRestorer(a);
    await plain(input, mask); // warm up
    const before = tf.memory().numTensors;
    const whole = await plain(input, mask);
    const tiled = await tiledRestorer(plain, { tile: 64, overlap: 16 })(input, mask);
    expect([tiled.width, tiled.height, tiled.channels]).toEqual([96, 40, 3]);
    // Tiles see less context, so they differ from the whole-image prediction, but not wildly.
    let diff = 0;
    for (let i = 0; i < whole.data.length; i++) diff += Math.abs(whole.data[i] - tiled.data[i]);
    expect(diff / whole.data.length).toBeLessThan(20);
    const tta = await flipTta(plain)(input, mask);
    const mirrored = flipImage(await plain(flipImage(input), flipImage(mask) as Mask));
    expect(at(tta, 5, 5)).toBe(Math.floor((at(whole, 5, 5) + at(mirrored, 5, 5) + 1) / 2));
    const both = await ensembleRestorer([plain, asRestorer(b)])(input, mask);
    const other = await b.predict(input, mask);
    for (let i = 0; i < both.data.length; i += 97)
      expect(both.data[i]).toBe(Math.floor((whole.data[i] + other.data[i] + 1) / 2));
    await tiledRestorer(flipTta(ensembleRestorer([plain, asRestorer(b)])), { tile: 64, overlap: 8 })(
      input,
      mask,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
