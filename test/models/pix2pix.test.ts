import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastBackend } from '../helpers/backend.js';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  createModel,
  createPatchGanDiscriminator,
  createPix2PixGenerator,
  createResnetGenerator,
  cycleGanTrainStep,
  pix2pixTrainStep,
} from '../../src/models/index.js';

beforeAll(async () => {
  await useFastBackend();
});

describe('pix2pix baseline', () => {
  it('generator output is in [-1, 1] at the input size; the discriminator gives a patch map', () => {
    const start = tf.memory().numTensors;
    const g = createModel('pix2pix', { inChannels: 1, classes: 3, ngf: 4, numDowns: 5, seed: 1 });
    const d = createPatchGanDiscriminator({ inChannels: 4, ndf: 4, nLayers: 3, seed: 2 });
    const x = tf.randomUniform([2, 64, 64, 1], -1, 1, 'float32', 5);
    const y = g.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 64, 64, 3]);
    const [lo, hi] = tf.tidy(() => [tf.min(y).dataSync()[0], tf.max(y).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThanOrEqual(1);
    const score = tf.tidy(() => d.predict(tf.concat([x, y], -1)) as tf.Tensor);
    // 64 -> 32 -> 16 -> 8 (stride 2 x3) -> 7 -> 6 (two k4 s1 p1 convs): PyTorch's PatchGAN output size.
    expect(score.shape).toEqual([2, 6, 6, 1]);
    const bad = tf.zeros([1, 48, 64, 1]);
    expect(() => g.predict(bad)).toThrow(/pad the input to 64x64/);
    tf.dispose([x, y, score, bad]);
    g.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('train steps: reported losses are the losses, training lowers L1, no tensors leak', () => {
    const generator = createPix2PixGenerator({ inChannels: 1, outChannels: 3, ngf: 4, numDowns: 5, seed: 3 });
    const discriminator = createPatchGanDiscriminator({ inChannels: 4, ndf: 4, nLayers: 2, seed: 4 });
    const generatorOptimizer = tf.train.adam(5e-3, 0.5);
    const discriminatorOptimizer = tf.train.adam(2e-3, 0.5);
    const input = tf.randomUniform([2, 32, 32, 1], -1, 1, 'float32', 6) as tf.Tensor4D;
    const target = tf.tidy(() =>
      tf.tanh(tf.concat([input, tf.mul(input, -1), tf.mul(input, 0.5)], -1)),
    ) as tf.Tensor4D;
    const step = () =>
      pix2pixTrainStep({
        generator,
        discriminator,
        generatorOptimizer,
        discriminatorOptimizer,
        input,
        target,
      });

    const first = step();
    const afterFirst = tf.memory().numTensors; // optimizer slots now exist
    for (const v of Object.values(first)) expect(Number.isFinite(v)).toBe(true);
    expect(first.generator).toBeCloseTo(first.generatorAdversarial + 100 * first.generatorL1, 3);

    let last = first;
    for (let i = 0; i < 3; i++) last = step();
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(last.generatorL1).toBeLessThan(first.generatorL1 * 0.9);
    expect(last.discriminator).toBeGreaterThan(0);

    // The reported L1 is the L1 of the generator's training-mode output before its update.
    const l1Now = tf.tidy(() => {
      const out = generator.apply(input, { training: true }) as tf.Tensor;
      return tf.mean(tf.abs(tf.sub(out, target))).dataSync()[0];
    });
    const next = step();
    expect(next.generatorL1).toBeCloseTo(l1Now, 5);

    tf.dispose([input, target]);
    generatorOptimizer.dispose();
    discriminatorOptimizer.dispose();
    generator.dispose();
    discriminator.dispose();
  });
});

describe('CycleGAN variant', () => {
  it('train steps: finite losses, cycle loss falls, no tensors leak; the generator round-trips through save', async () => {
    const gAB = createResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 4, nBlocks: 1, seed: 1 });
    const gBA = createResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 4, nBlocks: 1, seed: 2 });
    const dA = createPatchGanDiscriminator({ inChannels: 3, ndf: 4, nLayers: 2, norm: 'instance', seed: 3 });
    const dB = createPatchGanDiscriminator({ inChannels: 3, ndf: 4, nLayers: 2, norm: 'instance', seed: 4 });
    const gOpt = tf.train.adam(5e-3, 0.5);
    const dOpt = tf.train.adam(5e-3, 0.5);
    const realA = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const realB = tf.tidy(() => tf.neg(realA)) as tf.Tensor4D;
    const step = () =>
      cycleGanTrainStep({
        generatorAB: gAB,
        generatorBA: gBA,
        discriminatorA: dA,
        discriminatorB: dB,
        generatorOptimizer: gOpt,
        discriminatorOptimizer: dOpt,
        realA,
        realB,
      });
    const first = step();
    const after = tf.memory().numTensors;
    for (const v of Object.values(first)) expect(Number.isFinite(v)).toBe(true);
    let last = first;
    for (let i = 0; i < 3; i++) last = step();
    expect(tf.memory().numTensors).toBe(after);
    expect(last.cycleA + last.cycleB).toBeLessThan(first.cycleA + first.cycleB);

    // Custom layers (ReflectionPad2D, InstanceNorm) serialize.
    let saved: tf.io.ModelArtifacts | null = null;
    await gAB.save(
      tf.io.withSaveHandler(
        async (a) => (
          (saved = a),
          { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
        ),
      ),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as unknown as tf.io.ModelArtifacts));
    const [y1, y2] = tf.tidy(() => [gAB.predict(realA) as tf.Tensor, loaded.predict(realA) as tf.Tensor]);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
    tf.dispose([y1, y2, realA, realB]);
    for (const m of [gAB, gBA, dA, dB, loaded]) m.dispose();
    gOpt.dispose();
    dOpt.dispose();
  });
});
