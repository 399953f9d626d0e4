/**
 * adamW: equals tf.train.adam without decay, applies PyTorch-style decoupled decay, and the native backend's fused
 * step equals the unfused arithmetic, leaves shared storage alone and leaks nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { adamW, WeightAverage } from '../../src/models/optimizer.js';
import { randomValues, relativeError } from '../helpers/backends.js';
import { SKIP_NATIVE } from '../helpers/native.js';

const SHAPES = [[3, 3, 4, 5], [5], [70000]];

/** Three Adam steps of sum((w - target)^2 * k) from seeded weights; returns the final weights. */
function train(makeOptimizer: () => tf.Optimizer, steps = 3): Float32Array[] {
  const vars = SHAPES.map((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    const init = tf.tensor(randomValues(n, 10 + i), s);
    const v = tf.variable(init, true, `adamw_test_${i}_${Math.random()}`);
    init.dispose();
    return v;
  });
  const targets = SHAPES.map((s, i) =>
    tf.tensor(
      randomValues(
        s.reduce((a, b) => a * b, 1),
        20 + i,
      ),
      s,
    ),
  );
  const optimizer = makeOptimizer();
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(
      () => tf.addN(vars.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, targets[i])), i + 1)))) as tf.Scalar,
      true,
      vars,
    );
    loss?.dispose();
  }
  const out = vars.map((v) => v.dataSync().slice() as Float32Array);
  optimizer.dispose();
  tf.dispose([...vars, ...targets]);
  return out;
}

describe('adamW', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('equals tf.train.adam without weight decay', () => {
    const ref = train(() => tf.train.adam(0.01));
    const got = train(() => adamW(0.01));
    for (let i = 0; i < ref.length; i++) expect(got[i]).toEqual(ref[i]);
  });

  it('weight decay: multiplies by 1 - lr * weightDecay before the Adam step (PyTorch AdamW)', () => {
    // With a zero gradient Adam moves nothing, so one step leaves w * (1 - lr * wd).
    const w = tf.variable(tf.tensor1d([1, -2, 4]), true, `adamw_decay_${Math.random()}`);
    const opt = adamW(0.1, { weightDecay: 0.5 });
    opt.applyGradients({ [w.name]: tf.zeros([3]) });
    expect(Array.from(w.dataSync())).toEqual([0.95, -1.9, 3.8].map(Math.fround));
    opt.dispose();
    w.dispose();
  });

  it('rejects bad settings, naming them', () => {
    expect(() => adamW(0)).toThrow(/learningRate must be a finite number > 0, got 0/);
    expect(() => adamW(1e-3, { weightDecay: -1 })).toThrow(
      /weightDecay must be a finite number >= 0, got -1/,
    );
  });
});

describe.skipIf(SKIP_NATIVE)('adamW on the native backend (fused step)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('native');
  });

  for (const weightDecay of [0, 0.01]) {
    it(`equals the cpu backend's unfused steps (weightDecay ${weightDecay})`, async () => {
      await tf.setBackend('cpu');
      const ref = train(() => adamW(0.01, { weightDecay }));
      await tf.setBackend('native');
      const start = tf.memory().numTensors;
      const got = train(() => adamW(0.01, { weightDecay }));
      expect(tf.memory().numTensors).toBe(start);
      for (let i = 0; i < ref.length; i++) expect(relativeError(got[i], ref[i])).toBeLessThan(1e-6);
    });
  }

  it('does not change a clone of a variable taken before the step', async () => {
    await tf.setBackend('native');
    const w = tf.variable(tf.tensor1d([1, 2, 3]), true, `adamw_clone_${Math.random()}`);
    const before = tf.clone(w);
    const opt = adamW(0.1);
    opt.applyGradients({ [w.name]: tf.ones([3]) });
    expect(Array.from(before.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(w.dataSync())).not.toEqual([1, 2, 3]);
    opt.dispose();
    tf.dispose([w, before]);
  });

  it('keeps the same optimizer state as tf.AdamOptimizer (getWeights after fused steps)', async () => {
    await tf.setBackend('native');
    const w = tf.variable(tf.tensor1d([1, 2, 3]), true, `adamw_state_${Math.random()}`);
    const opt = adamW(0.1);
    opt.applyGradients({ [w.name]: tf.ones([3]) });
    const weights = await opt.getWeights();
    expect(weights.map((x) => x.name)).toEqual(['iter', `${w.name}/m`, `${w.name}/v`]);
    expect(Array.from(weights[1].tensor.dataSync()).map((x) => x.toFixed(6))).toEqual([
      '0.100000',
      '0.100000',
      '0.100000',
    ]);
    tf.dispose(weights.map((x) => x.tensor));
    opt.dispose();
    w.dispose();
  });
});

describe('WeightAverage', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('moves shadows by min(decay, (1 + n) / (10 + n)); two swaps restore both bit for bit; state round-trips', () => {
    const before = tf.memory().numTensors;
    const init = tf.tensor1d([1, 2, 3]);
    const v = tf.variable(init, true);
    init.dispose();
    const avg = new WeightAverage([v], 0.5);
    const expected = [1, 2, 3];
    for (const [n, next] of [
      [0, [4, 5, 6]],
      [1, [0, 0, 0]],
      [2, [7, 7, 7]],
    ] as [number, number[]][]) {
      tf.tidy(() => v.assign(tf.tensor1d(next)));
      expect(avg.currentDecay()).toBe(Math.min(0.5, (1 + n) / (10 + n)));
      const d = avg.currentDecay();
      avg.update();
      for (let i = 0; i < 3; i++) expected[i] = Math.fround(d * expected[i] + (1 - d) * next[i]);
      const got = avg.shadows[0].dataSync();
      for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(expected[i], 6);
    }
    expect(avg.updates).toBe(3);
    const rawBefore = v.dataSync().slice();
    const shadowBefore = avg.shadows[0].dataSync().slice();
    avg.swap();
    expect(v.dataSync()).toEqual(shadowBefore);
    expect(avg.shadows[0].dataSync()).toEqual(rawBefore);
    avg.swap();
    expect(v.dataSync()).toEqual(rawBefore);
    expect(avg.shadows[0].dataSync()).toEqual(shadowBefore);
    // save and load into another average
    const state = avg.saveState();
    const other = new WeightAverage([v], 0.5);
    other.loadState(state, avg.updates);
    expect(other.shadows[0].dataSync()).toEqual(shadowBefore);
    expect(other.updates).toBe(3);
    expect(() => other.loadState([], 0)).toThrow(/expected 1 shadows, got 0/);
    expect(() => other.loadState([{ name: 'x', tensor: state[0].tensor }], 0)).toThrow(
      /tensor 0 is 'x' \[3\], expected 'average\/0' \[3\]/,
    );
    tf.dispose(state.map((s) => s.tensor));
    other.dispose();
    avg.dispose();
    v.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new WeightAverage([], 1)).toThrow(/decay must be in \(0, 1\), got 1/);
  });
});
