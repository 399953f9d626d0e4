import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { l1Loss, l1MseLoss, mseLoss, totalVariationLoss } from '../../src/losses/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const pred = () => tf.tensor4d([0, 0.5, 1, 0.25], [1, 2, 2, 1]);
const target = () => tf.tensor4d([1, 0.5, 0, 0.75], [1, 2, 2, 1]);

describe('pixel losses', () => {
  it('match hand-computed PyTorch nn.L1Loss / nn.MSELoss values', () => {
    const start = tf.memory().numTensors;
    tf.tidy(() => {
      // |d| = 1, 0, 1, 0.5 -> mean 0.625, sum 2.5; d^2 = 1, 0, 1, 0.25 -> mean 0.5625
      expect(l1Loss(pred(), target()).dataSync()[0]).toBeCloseTo(0.625, 7);
      expect(l1Loss(pred(), target(), { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(2.5, 7);
      expect(Array.from(l1Loss(pred(), target(), { reduction: 'none' }).dataSync())).toEqual([1, 0, 1, 0.5]);
      expect(mseLoss(pred(), target()).dataSync()[0]).toBeCloseTo(0.5625, 7);
      expect(l1MseLoss(pred(), target()).dataSync()[0]).toBeCloseTo(1.1875, 7);
      expect(l1MseLoss(pred(), target(), { l1Weight: 2, mseWeight: 0 }).dataSync()[0]).toBeCloseTo(1.25, 7);
    });
    expect(tf.memory().numTensors).toBe(start);
  });

  it('weights average over the weighted pixels only, and all-zero weights give 0', () => {
    tf.tidy(() => {
      const mask = tf.tensor4d([1, 0, 0, 1], [1, 2, 2, 1]);
      expect(l1Loss(pred(), target(), { weights: mask }).dataSync()[0]).toBeCloseTo(0.75, 7);
      expect(l1Loss(pred(), target(), { weights: tf.zeros([1, 2, 2, 1]) }).dataSync()[0]).toBe(0);
    });
  });

  it('errors name the function and the shapes', () => {
    tf.tidy(() => {
      expect(() => l1Loss(pred(), tf.zeros([1, 2, 2, 3]))).toThrow(
        /l1Loss: pred and target shapes differ, \[1,2,2,1\] vs \[1,2,2,3\]/,
      );
      expect(() => l1MseLoss(pred(), target(), { reduction: 'none' })).toThrow(/reduction 'none'/);
      expect(() => mseLoss(pred(), target(), { reduction: 'avg' as 'mean' })).toThrow(/reduction must be/);
    });
  });

  it('gradients are the analytic ones', () => {
    const start = tf.memory().numTensors;
    tf.tidy(() => {
      const t = target();
      // No element with p = t: there tfjs's |x| gradient is -1 where PyTorch's is 0.
      const p1 = tf.tensor4d([0, 0.75, 1, 0.25], [1, 2, 2, 1]);
      const g1 = tf.grad((p: tf.Tensor) => l1Loss(p, t))(p1);
      // d/dp mean|p-t| = sign(p-t)/n
      expect(Array.from(g1.dataSync())).toEqual([-0.25, 0.25, 0.25, -0.25]);
      const g2 = tf.grad((p: tf.Tensor) => mseLoss(p, t))(pred());
      // d/dp mean (p-t)^2 = 2(p-t)/n
      const expected = [-0.5, 0, 0.5, -0.25];
      g2.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 7));
    });
    expect(tf.memory().numTensors).toBe(start);
  });

  it('total variation of a ramp and of a constant image', () => {
    tf.tidy(() => {
      const ramp = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3, 1]);
      // vertical differences are all 3, horizontal all 1
      expect(totalVariationLoss(ramp).dataSync()[0]).toBeCloseTo(4, 6);
      expect(totalVariationLoss(tf.fill([2, 4, 4, 3], 0.3) as tf.Tensor4D).dataSync()[0]).toBe(0);
      expect(() => totalVariationLoss(tf.zeros([1, 1, 4, 1]) as tf.Tensor4D)).toThrow(
        /height and width >= 2/,
      );
    });
  });
});
