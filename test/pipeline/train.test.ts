import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastBackend } from '../helpers/backend.js';
import { trainPipeline, validationScore, type EpochLog, type StepLog } from '../../src/pipeline/index.js';
import { samples, tinyPipeline } from '../helpers/pipeline.js';

beforeAll(async () => {
  await useFastBackend();
});

const train = samples(32, 1);
const val = samples(32, 50).slice(0, 2);

async function weightsOf(p: ReturnType<typeof tinyPipeline>): Promise<Float32Array[]> {
  return Promise.all(p.inpaint.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

describe('trainPipeline', () => {
  it('lowers the training loss of both stages on a fixed batch, leak-free', async () => {
    const p = tinyPipeline(3, 'legacy');
    const movingMean = () => p.inpaint.nonTrainableWeights[0].read().dataSync().slice();
    const statsBefore = movingMean();
    const before = tf.memory().numTensors;
    const steps: StepLog[] = [];
    const result = await trainPipeline(p, {
      train,
      epochs: 6,
      batchSize: 4,
      learningRate: 1e-2,
      augment: null, // the same batch each step, so the loss must fall
      onStep: (s) => steps.push(s),
    });
    expect(tf.memory().numTensors).toBe(before);
    // batch-norm running statistics follow the training batches (inference uses them)
    expect(p.inpaint.nonTrainableWeights[0].name).toMatch(/moving_mean/);
    expect(movingMean()).not.toEqual(statsBefore);
    expect(steps).toHaveLength(6);
    expect(steps[0]).toMatchObject({ epoch: 0, step: 0, steps: 1 });
    // one joint loss: its total and the color term fall (the gray term, on the lost region only, may wander)
    expect(steps[5].loss).toBeLessThan(steps[0].loss);
    expect(steps[5].colorizeLoss).toBeLessThan(steps[0].colorizeLoss);
    expect(result.stopReason).toBe('epochs');
    expect(result.bestEpoch).toBe(-1); // no validation: nothing scored
    expect(result.history.every((h) => Number.isNaN(h.valScore))).toBe(true);
    p.dispose();
  });

  it('is deterministic for a seed (augmentation and order included)', async () => {
    const run = async () => {
      const p = tinyPipeline();
      const losses: number[] = [];
      await trainPipeline(p, {
        train,
        epochs: 2,
        batchSize: 2,
        seed: 9,
        onStep: (s) => losses.push(s.inpaintLoss),
      });
      const w = await weightsOf(p);
      p.dispose();
      return { losses, w };
    };
    const a = await run();
    const b = await run();
    expect(a.losses).toEqual(b.losses);
    expect(a.w).toEqual(b.w);
  });

  it('stops early after `patience` epochs without improvement and restores the best weights', async () => {
    const p = tinyPipeline();
    const fake = [0.3, 0.5, 0.4, 0.45, 0.2, 0.9]; // best at epoch 1; epochs 2 and 3 do not improve
    const snapshots: Float32Array[][] = [];
    const epochs: EpochLog[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const result = await trainPipeline(p, {
      train,
      epochs: 6,
      batchSize: 4,
      patience: 2,
      validate: async (pipe, epoch) => {
        snapshots[epoch] = await weightsOf(pipe);
        return fake[epoch];
      },
      onEpoch: (e) => epochs.push(e),
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore); // snapshots of the best weights are freed
    expect(result.stopReason).toBe('early-stopping');
    expect(result.history).toHaveLength(4);
    expect(epochs.map((e) => e.improved)).toEqual([true, true, false, false]);
    expect(result.bestEpoch).toBe(1);
    expect(result.bestScore).toBe(0.5);
    expect(await weightsOf(p)).toEqual(snapshots[1]);
    expect(await weightsOf(p)).not.toEqual(snapshots[3]);
    p.dispose();
  });

  it('with ema, validates and keeps the moving average of the weights, and trains the raw ones', async () => {
    const p = tinyPipeline(3, 'legacy');
    const watched = () => p.colorize.trainableWeights[0].read().dataSync().slice() as Float32Array;
    const raw: Float32Array[] = [watched()]; // the start, then the weights after each step
    const seen: Float32Array[] = [];
    const before = tf.memory().numTensors;
    await trainPipeline(p, {
      train,
      epochs: 2,
      batchSize: 2,
      learningRate: 1e-2,
      ema: 0.5,
      augment: null,
      onStep: () => raw.push(watched()),
      validate: async (_p, epoch) => (seen.push(watched()), [0.2, 0.1][epoch]),
    });
    expect(tf.memory().numTensors).toBe(before);
    // The average after n updates, in float64: d = min(0.5, (1 + k) / (10 + k)) at the k-th update.
    const averageAfter = (n: number) => {
      const avg = Float64Array.from(raw[0]);
      for (let k = 0; k < n; k++) {
        const d = Math.min(0.5, (1 + k) / (10 + k));
        for (let i = 0; i < avg.length; i++) avg[i] = d * avg[i] + (1 - d) * raw[k + 1][i];
      }
      return avg;
    };
    expect(raw).toHaveLength(5); // 2 steps an epoch
    for (const [epoch, n] of [
      [0, 2],
      [1, 4],
    ]) {
      const expected = averageAfter(n);
      const got = seen[epoch];
      const worst = Math.max(...got.map((v, i) => Math.abs(v - expected[i])));
      expect(worst).toBeLessThan(1e-6);
      // the average lags the raw weights, which went on from where they were
      expect(got).not.toEqual(raw[n]);
    }
    expect(watched()).toEqual(seen[0]); // the best epoch's average is the result
    p.dispose();
  });

  it('stops at the time limit; loads samples on demand from a source, a batch ahead', async () => {
    const p = tinyPipeline();
    const asked: number[] = [];
    const source = {
      size: train.length,
      load: async (i: number) => {
        asked.push(i);
        return train[i];
      },
    };
    const result = await trainPipeline(p, { train: source, epochs: 5, batchSize: 2, maxSeconds: 0 });
    // One step was taken, and the next batch's loads had started before it (prefetch).
    expect(asked.slice().sort()).toEqual([0, 1, 2, 3]);
    expect(result.stopReason).toBe('time-limit');
    expect(result.history).toHaveLength(1);
    expect(result.history[0].steps).toBe(1);
    p.dispose();
  });

  it('scores the validation set with the competition score', async () => {
    const p = tinyPipeline();
    const score = await validationScore(p, val);
    expect(score).toBeGreaterThanOrEqual(-1);
    expect(score).toBeLessThanOrEqual(1);
    const result = await trainPipeline(p, { train, val, epochs: 1, batchSize: 4 });
    expect(result.history[0].valScore).toBeCloseTo(await validationScore(p, val), 10);
    expect(result.bestEpoch).toBe(0);
    p.dispose();
  });

  it('rejects bad arguments with clear errors', async () => {
    const p = tinyPipeline();
    await expect(trainPipeline(p, { train: [] })).rejects.toThrow(/no training samples/);
    await expect(trainPipeline(p, { train, batchSize: 0 })).rejects.toThrow(
      /batchSize must be a positive integer, got 0/,
    );
    await expect(trainPipeline(p, { train, learningRate: 0 })).rejects.toThrow(
      /learningRate must be positive, got 0/,
    );
    await expect(trainPipeline(p, { train, weightDecay: -1 })).rejects.toThrow(/weightDecay must be >= 0/);
    await expect(trainPipeline(p, { train, patience: 0 })).rejects.toThrow(
      /patience must be a positive integer/,
    );
    await expect(trainPipeline(p, { train, schedule: 'plateau' })).rejects.toThrow(
      /'plateau' schedule needs validation/,
    );
    await expect(
      trainPipeline(p, { train, val, schedule: 'plateau', plateau: { factor: 1 } }),
    ).rejects.toThrow(/plateau\.factor must be in \(0, 1\), got 1/);
    await expect(trainPipeline(p, { train, warmupSteps: 1.5 })).rejects.toThrow(
      /warmupSteps must be an integer >= 0, got 1.5/,
    );
    await expect(trainPipeline(p, { train, resume: true })).rejects.toThrow(/resume needs a checkpointer/);
    await expect(trainPipeline(p, { train, ema: 1 })).rejects.toThrow(
      /ema must be 0 \(off\) or a decay in \(0, 1\), got 1/,
    );
    const mixed = [train[0], samples(64)[1]];
    await expect(trainPipeline(p, { train: mixed, batchSize: 2, augment: null })).rejects.toThrow(
      /train\[\d\]\.input is \d+x\d+, the first sample is \d+x\d+: all training images must have one size/,
    );
    p.dispose();
  });
});
