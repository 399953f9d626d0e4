/**
 * leanVariableGrads: bit-identical to tf.variableGrads (a U-Net step with batch norm, residual adds, concatenation
 * and fused convolutions; a gradient function that hands dy through; a tensor read twice), a lower peak of live
 * tensor bytes during the backward pass, no leaks, nested gradients, and tf.variableGrads' errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamW, createModel, leanVariableGrads } from '../../src/models/index.js';
import { randomValues } from '../helpers/backends.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Grads = (f: () => tf.Scalar, vars?: tf.Variable[]) => { value: tf.Scalar; grads: tf.NamedTensorMap };

/** The loss and every gradient as plain arrays, everything disposed. */
function read(grads: Grads, f: () => tf.Scalar, vars: tf.Variable[]): { loss: number; g: Float32Array[] } {
  const r = grads(f, vars);
  const out = { loss: r.value.dataSync()[0], g: vars.map((v) => r.grads[v.name].dataSync() as Float32Array) };
  tf.dispose([r.value, ...Object.values(r.grads)]);
  return out;
}

describe('leanVariableGrads', () => {
  it('equals tf.variableGrads bit for bit on a U-Net step, and leaks nothing', () => {
    const model = createModel('unet', {
      encoder: 'resnet18',
      encoderWidth: 8,
      decoderChannels: [8, 8, 8, 8, 8],
      inChannels: 1,
      classes: 3,
      seed: 5,
    }) as tfl.LayersModel;
    const x = tf.tensor4d(randomValues(32 * 32, 1), [1, 32, 32, 1]);
    const y = tf.tensor4d(randomValues(32 * 32 * 3, 2), [1, 32, 32, 3]);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const f = () => tf.mean(tf.abs(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar;
    read(tf.variableGrads, f, vars); // batch norm's moving statistics: the same state before both runs below
    const start = tf.memory().numTensors;
    const lean = read(leanVariableGrads, f, vars);
    expect(tf.memory().numTensors).toBe(start);
    const ref = read(tf.variableGrads, f, vars);
    expect(lean.loss).toBe(ref.loss);
    expect(lean.g.length).toBe(vars.length);
    lean.g.forEach((g, i) => expect(g).toEqual(ref.g[i]));
    tf.dispose([x, y]);
    model.layers.forEach((l) => l.dispose());
  });

  it('handles a gradient that passes dy through, a tensor read twice, and only some variables', () => {
    const a = tf.variable(tf.tensor1d([1, -2, 3]), true, `lean_a_${Math.random()}`);
    const b = tf.variable(tf.tensor1d([0.5, 4, -1]), true, `lean_b_${Math.random()}`);
    const frozen = tf.variable(tf.tensor1d([2, 2, 2]), true, `lean_c_${Math.random()}`);
    // An op whose gradient is dy itself (the same tensor object).
    const passThrough = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: (args[0] as tf.Tensor).clone(),
      gradFunc: (dy: tf.Tensor) => dy,
    }));
    const f = () => {
      const h = tf.mul(a, b);
      const u = passThrough(h) as tf.Tensor;
      return tf.sum(tf.add(tf.mul(u, u), tf.mul(h, frozen))) as tf.Scalar;
    };
    const start = tf.memory().numTensors;
    const lean = read(leanVariableGrads, f, [a, b]);
    const ref = read(tf.variableGrads, f, [a, b]);
    expect(tf.memory().numTensors).toBe(start);
    expect(lean.loss).toBe(ref.loss);
    lean.g.forEach((g, i) => expect(g).toEqual(ref.g[i]));
    // d/da of sum((ab)^2 + 2ab) = 2ab^2 + 2b
    expect(Array.from(lean.g[0])).toEqual([2 * 1 * 0.25 + 1, 2 * -2 * 16 + 8, 2 * 3 * 1 - 2]);
    tf.dispose([a, b, frozen]);
  });

  it('frees gradients and saved activations during the backward pass', () => {
    // A chain of 12 dense layers on a wide batch; a probe at its start records the live bytes when the backward
    // pass reaches it: tfjs still holds every gradient and activation above it, the lean version none of them.
    const w = Array.from({ length: 12 }, (_, i) =>
      tf.variable(tf.tensor2d(randomValues(64 * 64, 10 + i), [64, 64]), true, `lean_w${i}_${Math.random()}`),
    );
    const x = tf.tensor2d(randomValues(512 * 64, 3), [512, 64]);
    let seen = 0;
    const probe = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: (args[0] as tf.Tensor).clone(),
      gradFunc: (dy: tf.Tensor) => {
        seen = tf.memory().numBytes;
        return dy.clone();
      },
    }));
    const f = () => {
      let h = tf.relu(tf.matMul(x, w[0]));
      h = probe(h) as tf.Tensor;
      for (let i = 1; i < w.length; i++) h = tf.relu(tf.matMul(h, w[i]));
      return tf.mean(h) as tf.Scalar;
    };
    const peak = (grads: Grads) => {
      read(grads, f, w);
      return seen;
    };
    const ref = peak(tf.variableGrads);
    const lean = peak(leanVariableGrads);
    const activation = 512 * 64 * 4;
    // 11 layers above the probe, each an activation and its gradient (and relu's) that tfjs keeps.
    expect(ref - lean).toBeGreaterThan(20 * activation);
    tf.dispose([x, ...w]);
  });

  it('computes higher-order gradients inside the function with tfjs itself', () => {
    const v = tf.variable(tf.scalar(3), true, `lean_v_${Math.random()}`);
    const f = () => {
      const dSquare = tf.grad((t: tf.Tensor) => tf.mul(t, tf.mul(t, t)))(v); // 3 v^2
      return tf.mul(dSquare, v) as tf.Scalar; // 3 v^3 -> 9 v^2
    };
    const lean = read(leanVariableGrads, f, [v]);
    const ref = read(tf.variableGrads, f, [v]);
    expect(lean.g[0][0]).toBe(ref.g[0][0]);
    expect(lean.loss).toBe(81);
    v.dispose();
  });

  it("keeps tf.variableGrads' errors and restores the engine", () => {
    const gradients = (tf.engine() as unknown as { gradients: unknown }).gradients;
    const v = tf.variable(tf.scalar(1), false, `lean_frozen_${Math.random()}`);
    expect(() => leanVariableGrads(() => tf.mul(v, 2) as tf.Scalar, [v])).toThrow(/trainable/);
    const t = tf.variable(tf.scalar(1), true, `lean_t_${Math.random()}`);
    expect(() => leanVariableGrads(() => tf.scalar(2), [t])).toThrow(/connection/);
    expect((tf.engine() as unknown as { gradients: unknown }).gradients).toBe(gradients);
    tf.dispose([v, t]);
  });

  it('is what adamW().minimize uses, with the same update as tf.train.adam', () => {
    const init = randomValues(50, 7);
    const run = (opt: tf.Optimizer) => {
      const v = tf.variable(tf.tensor1d(init), true, `lean_opt_${Math.random()}`);
      for (let i = 0; i < 3; i++) opt.minimize(() => tf.sum(tf.square(tf.sin(v))) as tf.Scalar, false, [v]);
      const out = v.dataSync().slice();
      v.dispose();
      opt.dispose();
      return out;
    };
    expect(run(adamW(0.01))).toEqual(run(tf.train.adam(0.01)));
  });
});
