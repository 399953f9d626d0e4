/**
 * Fused training-mode batch norm on the native backend (native/src/batchnorm_train.cc, the layer in
 * src/models/layers.ts): outputs, gradients and moving averages against tfjs-layers' BatchNormalization on the CPU
 * backend; inference and unsupported cases exactly tfjs-layers' own path; saved models standard.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src/backends/native/addon.js';
import { registerNativeBackend } from '../../src/backends/native/index.js';
import type { BatchNormTrainingAddon } from '../../src/backends/native/batchnorm-kernels.js';
import {
  BATCH_NORM_RELU_INFERENCE,
  BATCH_NORM_RELU_TRAINING,
  BATCH_NORM_TRAINING,
  fusedBatchNormReluInference,
  fusedBatchNormTraining,
} from '../../src/backends/batchnorm-training.js';
import { batchNorm, batchNormalization, batchNormRelu } from '../../src/models/layers.js';
import { runWithAddon, SKIP_NATIVE } from '../helpers/native.js';
import { randomValues, relativeError } from '../helpers/backends.js';

/** What one training step of a layer gives: output, gradients of x, gamma, beta, moving statistics after. */
interface Step {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  kernels: string[];
}

type Layer = ReturnType<typeof tfl.layers.batchNormalization>;

/** Seeded weights: gamma, beta, moving mean, moving variance (positive). */
function weights(channels: number, seed: number): tf.Tensor[] {
  const r = (s: number): Float32Array => randomValues(channels, seed + s);
  return [
    tf.tensor1d(r(1).map((v) => 1 + 0.5 * v)),
    tf.tensor1d(r(2)),
    tf.tensor1d(r(3)),
    tf.tensor1d(r(4).map((v) => 1.5 + v)),
  ];
}

/** Frees a layer's weights (Layer.dispose refuses layers never applied to symbolic tensors). */
function disposeWeights(layer: Layer): void {
  tf.dispose(layer.weights.map((v) => v.read()));
}

/** One training step of `make()`'s layer on `backend`: loss = sum(y * w), w seeded, so dy is not uniform. */
async function trainStep(backend: string, make: () => Layer, shape: number[], seed = 1): Promise<Step> {
  await tf.setBackend(backend);
  const channels = shape[shape.length - 1];
  const layer = make();
  layer.build(shape);
  const w = weights(channels, seed);
  layer.setWeights(w);
  tf.dispose(w);
  const size = shape.reduce((a, b) => a * b, 1);
  // A non-zero mean and a spread different from 1, as activations have.
  const x = tf.tidy(() =>
    tf.variable(
      tf.tensor(
        randomValues(size, seed + 10).map((v) => 3 * v + 0.7),
        shape,
      ),
    ),
  );
  const dyw = tf.tensor(randomValues(size, seed + 11), shape);
  const [gamma, beta, movingMean, movingVariance] = layer.weights.map((v) => v.read() as tf.Variable);
  let y: Float32Array = new Float32Array();
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, dyw)) as tf.Scalar;
    }, [x, gamma, beta]);
    const result = [x, gamma, beta].map((v) => grads[v.name].dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    return result as unknown as tf.Tensor[];
  });
  const [dx, dgamma, dbeta] = profile.result as unknown as Float32Array[];
  const step: Step = {
    y,
    dx,
    dgamma,
    dbeta,
    movingMean: movingMean.dataSync() as Float32Array,
    movingVariance: movingVariance.dataSync() as Float32Array,
    kernels: profile.kernelNames,
  };
  tf.dispose([x, dyw]);
  disposeWeights(layer);
  return step;
}

const args = { axis: -1, epsilon: 1e-5, momentum: 0.9 };
const fused = (): Layer => batchNormalization({ ...args });
const standard = (): Layer => tfl.layers.batchNormalization({ ...args });

describe.skipIf(SKIP_NATIVE)('native fused batch norm (training)', () => {
  beforeAll(async () => {
    await registerNativeBackend();
  });

  it.each([
    [[4, 16, 16, 8]],
    [[3, 5, 7, 3]],
    [[2, 64, 64, 40]], // several pixel chunks
    [[1000, 5]],
    [[50, 1]],
    [[2, 3, 4, 300]], // channels wider than a row
    [[1, 1, 1, 6]], // one pixel: variance 0
  ])('layer step on %j equals tfjs-layers on cpu', async (shape) => {
    const start = tf.memory().numTensors;
    const ref = await trainStep('cpu', standard, shape);
    const got = await trainStep('native', fused, shape);
    expect(got.kernels).toContain(BATCH_NORM_TRAINING);
    expect(got.kernels).not.toContain('Mean');
    const onePixel = shape.slice(0, -1).every((d) => d === 1);
    for (const k of ['y', 'dx', 'dgamma', 'dbeta', 'movingMean', 'movingVariance'] as const) {
      // One pixel: dx is exactly 0 (dy minus its own mean); the reference's is rounding noise of dy * rstd ~ 300.
      if (onePixel && k === 'dx') {
        expect(got.dx.every((v) => v === 0)).toBe(true);
        expect(Math.max(...ref.dx.map(Math.abs))).toBeLessThan(1e-3);
      } else {
        expect(relativeError(got[k], ref[k]), k).toBeLessThan(1e-5);
      }
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('inference, other axes and other backends run tfjs-layers own call', async () => {
    const shape = [2, 6, 6, 4];
    const x = tf.tensor(randomValues(2 * 6 * 6 * 4, 3), shape);
    const run = async (
      backend: string,
      make: () => Layer,
      training: boolean,
      axis = -1,
    ): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const layer = axis === -1 ? make() : (make as (a: number) => Layer)(axis);
      layer.build(shape);
      const w = weights(shape[axis === -1 ? 3 : axis], 5);
      layer.setWeights(w);
      tf.dispose(w);
      const profile = await tf.profile(() => layer.apply(x, { training }) as tf.Tensor);
      expect(profile.kernelNames).not.toContain(BATCH_NORM_TRAINING);
      const out = (profile.result as tf.Tensor).dataSync() as Float32Array;
      tf.dispose(profile.result as tf.Tensor);
      disposeWeights(layer);
      return out;
    };
    const start = tf.memory().numTensors;
    expect(await run('native', fused, false)).toEqual(await run('native', standard, false));
    expect(await run('cpu', fused, true)).toEqual(await run('cpu', standard, true));
    const byAxis = (make: typeof batchNormalization) => (axis: number) => make({ ...args, axis });
    expect(await run('native', byAxis(batchNormalization) as unknown as () => Layer, true, 1)).toEqual(
      await run('native', byAxis((a) => tfl.layers.batchNormalization(a)) as unknown as () => Layer, true, 1),
    );
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });

  it('without gamma or beta equals moments + batchNorm', async () => {
    const shape = [3, 9, 9, 5];
    const values = randomValues(3 * 9 * 9 * 5, 8);
    const reference = async (backend: string, fusedOp: boolean): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor(values, shape);
        const f = (input: tf.Tensor): tf.Tensor => {
          if (fusedOp) return fusedBatchNormTraining(input, null, null, 1e-3).y;
          const { mean, variance } = tf.moments(input, [0, 1, 2]);
          // Explicit 0 and 1: tfjs-core's FusedBatchNorm gradient cannot save an absent scale.
          return tf.batchNorm(input, mean, variance, tf.zeros([5]), tf.ones([5]), 1e-3);
        };
        const dyw = tf.tensor(randomValues(values.length, 9), shape);
        const y = f(x);
        const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(f(input), dyw)))(x);
        return [y, dx].map((t) => t.dataSync() as Float32Array);
      });
    };
    const start = tf.memory().numTensors;
    const [y, dx] = await reference('native', true);
    const [yRef, dxRef] = await reference('cpu', false);
    expect(relativeError(y, yRef)).toBeLessThan(1e-5);
    expect(relativeError(dx, dxRef)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('with the fused ReLU equals relu(moments + batchNorm): output and gradients of x, gamma, beta', async () => {
    const shape = [2, 7, 9, 6];
    const n = 2 * 7 * 9 * 6;
    const values = randomValues(n, 12).map((v) => 2 * v + 0.3);
    const run = async (backend: string, fusedOp: boolean): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor(values, shape);
        const gamma = tf.tensor1d(randomValues(6, 13).map((v) => 1 + 0.5 * v));
        const beta = tf.tensor1d(randomValues(6, 14));
        const f = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
          if (fusedOp) return fusedBatchNormTraining(input, g, b, 1e-5, true).y;
          const { mean, variance } = tf.moments(input, [0, 1, 2]);
          return tf.relu(tf.batchNorm(input, mean, variance, b, g, 1e-5));
        };
        const dyw = tf.tensor(randomValues(n, 15), shape);
        const y = f(x, gamma, beta);
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), dyw)))(
          [x, gamma, beta],
        );
        return [y, ...grads].map((t) => t.dataSync() as Float32Array);
      });
    };
    const start = tf.memory().numTensors;
    const got = await run('native', true);
    const ref = await run('cpu', false);
    expect(got[0].some((v) => v === 0) && got[0].some((v) => v > 0)).toBe(true);
    for (const [i, name] of ['y', 'dx', 'dgamma', 'dbeta'].entries()) {
      expect(relativeError(got[i], ref[i]), name).toBeLessThan(1e-5);
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('batchNormRelu trains as one kernel on native, as BatchNormalization + ReLU on cpu, with equal results', async () => {
    const build = () => {
      const input = tfl.input({ shape: [6, 6, 3] });
      const conv = tfl.layers
        // No bias: before a batch norm its gradient is 0 up to rounding, which a relative error cannot compare.
        .conv2d({
          filters: 5,
          kernelSize: 3,
          padding: 'same',
          name: 'conv',
          useBias: false,
          kernelInitializer: 'ones',
        })
        .apply(input) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: batchNormRelu(conv, 'bn', 'relu') });
    };
    const xs = randomValues(2 * 6 * 6 * 3, 21).map((v) => v - 0.2);
    const dyw = randomValues(2 * 6 * 6 * 5, 22);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const model = build();
      const x = tf.tensor(xs, [2, 6, 6, 3]);
      const w = tf.tensor(dyw, [2, 6, 6, 5]);
      const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
      let y: Float32Array = new Float32Array();
      const profile = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => {
          const out = model.apply(x, { training: true }) as tf.Tensor;
          y = out.dataSync() as Float32Array;
          return tf.sum(tf.mul(out, w)) as tf.Scalar;
        }, vars);
        const result = vars.map((v) => grads[v.name].dataSync() as Float32Array);
        tf.dispose([value, ...Object.values(grads)]);
        return result as unknown as tf.Tensor[];
      });
      const predicted = model.predict(x) as tf.Tensor;
      const inference = predicted.dataSync() as Float32Array;
      tf.dispose([x, w, predicted]);
      model.dispose();
      return {
        y,
        grads: profile.result as unknown as Float32Array[],
        kernels: profile.kernelNames,
        inference,
      };
    };
    const start = tf.memory().numTensors;
    const got = await run('native');
    const ref = await run('cpu');
    expect(got.kernels).toContain(BATCH_NORM_RELU_TRAINING);
    expect(got.kernels).not.toContain('Relu');
    expect(ref.kernels).toContain('Relu');
    expect(relativeError(got.y, ref.y)).toBeLessThan(1e-5);
    expect(got.grads.length).toBe(ref.grads.length);
    for (const [i, g] of got.grads.entries())
      expect(relativeError(g, ref.grads[i]), `grad ${i}`).toBeLessThan(1e-5);
    // Inference: tfjs-layers' own batch norm and ReLU.
    expect(relativeError(got.inference, ref.inference)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('batchNormRelu in inference is one kernel on native, bit for bit batchNorm + ReLU, with their gradients', async () => {
    const input = tfl.input({ shape: [5, 7, 6] });
    const build = () => tfl.model({ inputs: input, outputs: batchNormRelu(input, 'bn', 'relu', 1e-3) });
    // Values around the moving mean, so that the ReLU cuts, and a NaN (which both keep).
    const xs = randomValues(3 * 5 * 7 * 6, 31).map((v) => 2 * v);
    xs[5] = NaN;
    const w = weights(6, 32);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const model = build();
      model.layers[1].setWeights(w);
      const x = tf.tensor(xs, [3, 5, 7, 6]);
      const profile = await tf.profile(() => model.predict(x) as tf.Tensor);
      const y = (profile.result as tf.Tensor).dataSync() as Float32Array;
      // Through the inference path (without the NaN): dgamma of sum(relu(bn(x)) * x), dx of sum(relu(bn(x))^2).
      const clean = tf.where(tf.isNaN(x), tf.zerosLike(x), x);
      const gamma = model.layers[1].weights[0].read() as tf.Variable;
      const g = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const out = model.apply(clean, { training: false }) as tf.Tensor;
          return tf.sum(tf.mul(out, clean)) as tf.Scalar;
        }, [gamma]);
        return grads[gamma.name];
      });
      const dx = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.square(model.apply(t, { training: false }) as tf.Tensor)),
      )(clean);
      const out = { y, kernels: profile.kernelNames, dgamma: g.dataSync(), dx: dx.dataSync() };
      tf.dispose([profile.result as tf.Tensor, x, clean, g, dx]);
      model.dispose();
      return out;
    };
    const start = tf.memory().numTensors;
    const got = await run('native');
    const ref = await run('cpu');
    expect(got.kernels).toContain(BATCH_NORM_RELU_INFERENCE);
    expect(got.kernels).not.toContain('Relu');
    expect(ref.kernels).toContain('Relu');
    expect(Number.isNaN(got.y[5])).toBe(true);
    expect(Array.from(got.y)).toEqual(Array.from(ref.y));
    expect(got.y.some((v) => v === 0) && got.y.some((v) => v > 0)).toBe(true);
    expect(relativeError(got.dgamma as Float32Array, ref.dgamma as Float32Array)).toBeLessThan(1e-6);
    expect(relativeError(got.dx as Float32Array, ref.dx as Float32Array)).toBeLessThan(1e-6);
    tf.dispose(w);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('the fused inference kernel rejects inputs it cannot take, naming them', async () => {
    await tf.setBackend('native');
    const x = tf.ones([2, 3, 4]);
    const c4 = tf.ones([4]);
    expect(() => fusedBatchNormReluInference(x, tf.ones([3]), c4, null, null, 1e-3)).toThrow(
      /TfrBatchNormReluInference: .*x \[1,2,3,4\].*\[3\]/,
    );
    tf.dispose([x, c4]);
  });

  it('a trained model saves as standard BatchNormalization and loads with identical predictions', async () => {
    await tf.setBackend('native');
    const input = tfl.input({ shape: [8, 8, 3] });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }).apply(input);
    const model = tfl.model({ inputs: input, outputs: batchNorm(conv as tfl.SymbolicTensor, 'bn') });
    const x = tf.tensor(randomValues(2 * 8 * 8 * 3, 4), [2, 8, 8, 3]);
    // One training-mode pass (fused: models hand layers a list of one tensor) moves the moving statistics.
    const profile = await tf.profile(() => model.apply(x, { training: true }) as tf.Tensor);
    expect(profile.kernelNames).toContain(BATCH_NORM_TRAINING);
    tf.dispose(profile.result as tf.Tensor);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const json = JSON.stringify((saved as tf.io.ModelArtifacts).modelTopology);
    expect(json).toContain('"class_name":"BatchNormalization"');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect(loaded.getLayer('bn').constructor).not.toBe(model.getLayer('bn').constructor);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(b.dataSync()).toEqual(a.dataSync());
    tf.dispose([a, b, x]);
    model.dispose();
    loaded.dispose();
  });

  it('the gradient gives the same bits with the portable loops (TFJS_RESTORATION_GEMM=generic) as with AVX2', () => {
    // A random ReLU mask (the case a branch mispredicts) and channel counts that leave SIMD tails.
    const script = `
      const addon = require(process.argv[1]);
      const out = {};
      for (const c of [3, 13, 40]) {
        const n = 37 * c;
        const x = new Float32Array(n).map((_, i) => Math.sin(1.7 * i));
        const dy = new Float32Array(n).map((_, i) => Math.cos(2.3 * i));
        const y = new Float32Array(n).map((_, i) => Math.sin(5.1 * i + 1));
        const mean = new Float32Array(c).map((_, i) => 0.1 * Math.sin(i));
        const v = new Float32Array(c).map((_, i) => 0.5 + 0.25 * Math.cos(i));
        const g = new Float32Array(c).map((_, i) => 1 + 0.1 * i);
        const dx = new Float32Array(n), dg = new Float32Array(c), db = new Float32Array(c);
        for (const relu of [y, null]) {
          addon.batchNormTrainGrad(dy, x, c, mean, v, g, 1e-3, dx, dg, db, relu);
          out[c + (relu ? 'relu' : '')] = [Array.from(dx), Array.from(dg), Array.from(db)];
        }
      }
      console.log(JSON.stringify({ kernel: addon.gemmKernel(), out }));
    `;
    const run = (gemm: string) =>
      runWithAddon<{ kernel: string; out: Record<string, number[][]> }>(script, gemm);
    const generic = run('generic');
    const best = run('');
    expect(generic.kernel).toBe('generic');
    expect(Object.keys(generic.out)).toHaveLength(6);
    expect(generic.out).toEqual(best.out);
  });

  it('a bad argument to the addon throws naming it', () => {
    const addon = loadNativeAddon() as unknown as BatchNormTrainingAddon;
    const x = new Float32Array(12);
    const c = new Float32Array(4);
    expect(() => addon.batchNormTrain(x, 5, null, null, 1e-3, x, c, c)).toThrow(/batchNormTrain: argument 0/);
    expect(() => addon.batchNormTrain(x, 4, new Float32Array(3), null, 1e-3, x, c, c)).toThrow(
      /batchNormTrain: argument 2/,
    );
    expect(() => addon.batchNormTrainGrad(x, x, 4, c, c, null, 1e-3, x, c, new Float32Array(2))).toThrow(
      /batchNormTrainGrad: argument 9/,
    );
  });
});
