/** One training step of a small U-Net on a backend, and how closely two backends' steps must agree. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { adamW, createModel } from '../../src/models/index.js';
import { randomValues, relativeError } from './backends.js';

const LR = 1e-2;

export interface Step {
  loss: number;
  grads: Float32Array[];
  after: Float32Array[];
}

/**
 * One step (L1 loss, adamW(LR)) of a U-Net with a narrowed resnet18 encoder, batch 2, 64x64, from seeded weights
 * and data, on `backend`; reads everything asynchronously (webgpu in Node cannot read synchronously).
 */
export async function unetStep(backend: string): Promise<Step> {
  await tf.setBackend(backend);
  const model = createModel('unet', {
    encoder: 'resnet18',
    encoderWidth: 16,
    decoderChannels: [32, 16, 16, 8, 8],
    inChannels: 1,
    classes: 3,
    seed: 3,
  }) as tfl.LayersModel;
  const x = tf.tensor4d(randomValues(2 * 64 * 64, 41), [2, 64, 64, 1]);
  const y = tf.tensor4d(randomValues(2 * 64 * 64 * 3, 42), [2, 64, 64, 3]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.abs(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar,
    vars,
  );
  const out: Step = { loss: (await value.data())[0], grads: [], after: [] };
  for (const v of vars) out.grads.push((await grads[v.name].data()) as Float32Array);
  const optimizer = adamW(LR);
  optimizer.applyGradients(grads);
  for (const v of vars) out.after.push((await v.data()) as Float32Array);
  optimizer.dispose();
  tf.dispose([x, y, value]);
  tf.dispose(grads);
  model.dispose();
  return out;
}

/**
 * Asserts that two backends' U-Net steps agree: loss within 1e-5; gradients within 5e-4 relative (float32 rounding
 * through ~20 conv/BN layers differs by summation order; measured up to 1.1e-4); Adam-updated weights as closely as
 * Adam allows.
 */
export function expectSameUnetStep(got: Step, ref: Step): void {
  expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-5);
  expect(got.grads.length).toBe(ref.grads.length);
  let checked = 0;
  let total = 0;
  for (let i = 0; i < ref.grads.length; i++) {
    // Float32 rounding through ~20 conv/BN layers differs by summation order: measured up to 1.1e-4.
    expect(relativeError(got.grads[i], ref.grads[i]), `gradient ${i}`).toBeLessThan(5e-4);
    // Adam's first step moves each weight by lr * g / (|g| + eps): by lr, whatever the rounding of g, where
    // |g| >> eps; where g is ~0 its rounding (which differs between backends) decides the step, anywhere in
    // [-lr, lr]. So: every weight within 2 lr of the reference's, and within 1e-5 wherever |g| >= 1e-4.
    for (let j = 0; j < ref.after[i].length; j++) {
      const d = Math.abs(got.after[i][j] - ref.after[i][j]);
      expect(d, `weights ${i}[${j}]`).toBeLessThanOrEqual(2 * LR + 1e-6);
      if (Math.abs(ref.grads[i][j]) >= 1e-4) {
        checked++;
        expect(d, `weights ${i}[${j}] (gradient ${ref.grads[i][j]})`).toBeLessThan(1e-5);
      }
      total++;
    }
  }
  // Most weights have a clear gradient, so the tight check covers them.
  expect(checked / total).toBeGreaterThan(0.5);
}
