import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batches,
  floatsToBytes,
  imagesToTensor,
  tensorToImages,
  type BatchSample,
} from '../../src/data/index.js';
import { createImage } from '../../src/image/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sample = (k: number): BatchSample => ({
  id: `S${k}`,
  input: createImage(4, 2, 1, new Uint8Array(8).fill(k)),
  gt: createImage(4, 2, 3, new Uint8Array(24).fill(255 - k)),
  mask: createImage(4, 2, 1, Uint8Array.from([0, 1, 255, 0, 0, 0, 1, 1])) as BatchSample['mask'],
});

describe('tensor conversions', () => {
  it('round-trip every byte value', async () => {
    const im = createImage(
      16,
      16,
      1,
      Uint8Array.from({ length: 256 }, (_, i) => i),
    );
    const t = imagesToTensor([im]);
    expect(t.shape).toEqual([1, 16, 16, 1]);
    expect((await tensorToImages(t))[0]).toEqual(im);
    t.dispose();
  });
  it('rounds half up and clamps', () => {
    expect(Array.from(floatsToBytes([-1, 0.5 / 255, 0.49 / 255, 2, NaN]))).toEqual([0, 1, 0, 255, 0]);
  });
  it('errors name the image that differs', () => {
    expect(() => imagesToTensor([createImage(2, 2, 1), createImage(2, 3, 1)])).toThrow(
      /image 1 is 2x3x1, image 0 is 2x2x1/,
    );
  });
});

describe('batches', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  const load = async (i: number) => sample(i);

  it('yields every item once in batches, with binary masks, leak-free', async () => {
    const start = tf.memory().numTensors;
    const seen: string[] = [];
    for await (const b of batches(items, load, { batchSize: 4, shuffle: true, seed: 5, prefetch: 2 })) {
      expect(b.input.shape.slice(1)).toEqual([2, 4, 1]);
      expect(b.gt?.shape.slice(1)).toEqual([2, 4, 3]);
      expect(Array.from(await (b.mask as tf.Tensor).data()).slice(0, 8)).toEqual([0, 1, 1, 0, 0, 0, 1, 1]);
      seen.push(...b.ids);
      b.dispose();
    }
    expect(seen.sort()).toEqual(items.map((i) => `S${i}`).sort());
    expect(tf.memory().numTensors).toBe(start);
  });

  it('is seeded per epoch and drops the last batch on request', async () => {
    const order = async (epoch: number) => {
      const ids: string[] = [];
      for await (const b of batches(items, load, {
        batchSize: 3,
        shuffle: true,
        seed: 1,
        epoch,
        dropLast: true,
      })) {
        ids.push(...b.ids);
        b.dispose();
      }
      return ids;
    };
    const e0 = await order(0);
    expect(e0.length).toBe(9);
    expect(await order(0)).toEqual(e0);
    expect(await order(1)).not.toEqual(e0);
  });

  it('a failing load surfaces as an error of the iteration', async () => {
    const bad = async (i: number) => {
      if (i === 7) throw new Error('row 7: broken.png: not a PNG');
      return sample(i);
    };
    const run = async () => {
      for await (const b of batches(items, bad, { batchSize: 2, prefetch: 3 })) b.dispose();
    };
    await expect(run()).rejects.toThrow(/broken\.png/);
  });
});
