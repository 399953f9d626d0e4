/**
 * Issue 5's parity proof for the native backend: one training step of a small U-Net (resnet18 encoder, narrowed)
 * gives the same loss, gradients and Adam-updated weights on native as on wasm. (wasm, not cpu, is the reference at
 * batch 2: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad reads every image's dy from the first image's place.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { expectSameUnetStep, unetStep } from '../helpers/unet-step.js';
import { SKIP_NATIVE } from '../helpers/native.js';

describe.skipIf(SKIP_NATIVE)('native backend: a U-Net training step', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    await useBackend('native');
  });

  it('equals wasm: loss 1e-5, gradients 5e-4 relative, Adam-updated weights as close as Adam allows', async () => {
    const ref = await unetStep('wasm');
    await tf.setBackend('native');
    const start = tf.memory().numTensors;
    const got = await unetStep('native');
    expect(tf.memory().numTensors).toBe(start);
    expectSameUnetStep(got, ref);
  });
});
