import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { relativeError, tinyNetStep, type TinyNetResult } from '../helpers/backends.js';
import { expectSameUnetStep, unetStep } from '../helpers/unet-step.js';

/** Why webgpu could not start; undefined when it runs. Only a missing adapter is a reason to skip. */
let unavailable: string | undefined;

describe('webgpu in Node (Dawn)', () => {
  beforeAll(async () => {
    try {
      await useBackend('webgpu');
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!/no WebGPU adapter found/.test(message)) throw e;
      unavailable = message;
    }
  });

  it('starts and computes', async (ctx) => {
    if (unavailable) ctx.skip(`webgpu skipped: ${unavailable}`);
    await tf.setBackend('webgpu');
    const a = tf.randomUniform([64, 64], -1, 1, 'float32', 1);
    const b = tf.randomUniform([64, 64], -1, 1, 'float32', 2);
    const got = await tf.matMul(a, b).data();
    const [av, bv] = [await a.data(), await b.data()];
    await tf.setBackend('cpu');
    const ref = tf.matMul(tf.tensor2d(av, [64, 64]), tf.tensor2d(bv, [64, 64])).dataSync();
    expect(relativeError(got, ref)).toBeLessThan(1e-5);
  });

  it('a synchronous read of GPU data says to read asynchronously', async (ctx) => {
    if (unavailable) ctx.skip(`webgpu skipped: ${unavailable}`);
    await tf.setBackend('webgpu');
    const t = tf.matMul(tf.ones([128, 128]), tf.ones([128, 128]));
    expect(() => t.dataSync()).toThrow(/cannot read GPU data synchronously.*await tensor\.data\(\)/);
    expect((await t.data())[0]).toBe(128);
    t.dispose();
  });

  it('one training step of a tiny conv net gives the same loss and gradients on cpu, wasm and webgpu', async (ctx) => {
    if (unavailable) ctx.skip(`webgpu skipped: ${unavailable}`);
    const results: Record<string, TinyNetResult> = {};
    for (const name of ['cpu', 'wasm', 'webgpu'] as const) {
      await useBackend(name);
      const start = tf.memory().numTensors;
      results[name] = await tinyNetStep();
      expect(tf.memory().numTensors, name).toBe(start);
    }
    const ref = results.cpu;
    // webgpu accumulates in a different order (and may use fused multiply-add): 1e-4 relative to each array's max.
    for (const name of ['wasm', 'webgpu']) {
      const got = results[name];
      expect(Math.abs(got.loss - ref.loss) / ref.loss, `${name} loss`).toBeLessThan(1e-5);
      for (const v of Object.keys(ref.grads)) {
        expect(relativeError(got.grads[v], ref.grads[v]), `${name} grad ${v}`).toBeLessThan(1e-4);
        expect(relativeError(got.after[v], ref.after[v]), `${name} after ${v}`).toBeLessThan(1e-4);
      }
    }
  });

  it('one training step of a small U-Net on webgpu equals wasm (same tolerances as native)', async (ctx) => {
    if (unavailable) ctx.skip(`webgpu skipped: ${unavailable}`);
    await useBackend('wasm');
    const ref = await unetStep('wasm');
    await useBackend('webgpu');
    const start = tf.memory().numTensors;
    const got = await unetStep('webgpu');
    expect(tf.memory().numTensors).toBe(start);
    expectSameUnetStep(got, ref);
  });
});
