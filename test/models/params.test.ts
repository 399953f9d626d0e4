import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastBackend } from '../helpers/backend.js';
import {
  countParams,
  createModel,
  createPatchGanDiscriminator,
  createResnetGenerator,
  createPix2PixGenerator,
  encoderNames,
  createEncoderModel,
  getEncoder,
  validateInputSize,
} from '../../src/models/index.js';

interface Fixture {
  arch: string;
  encoder?: string;
  inChannels: number;
  classes?: number;
  decoderChannels?: number[];
  encoderWidth?: number;
  outChannels?: number;
  numDowns?: number;
  ngf?: number;
  ndf?: number;
  nLayers?: number;
  nBlocks?: number;
  norm?: 'batch' | 'instance';
  trainable: number;
  nonTrainable: number;
}

// Made by scripts/torch/models.py from torchvision's ResNets + smp-layout decoders + pix2pix in PyTorch.
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/models/param-counts.json', import.meta.url), 'utf8'),
) as {
  configs: Fixture[];
};

function build(c: Fixture) {
  if (c.arch === 'pix2pix-generator') {
    return createPix2PixGenerator({
      inChannels: c.inChannels,
      outChannels: c.outChannels,
      ngf: c.ngf,
      numDowns: c.numDowns,
      weightInit: 'zeros',
    });
  }
  if (c.arch === 'resnet-generator') {
    return createResnetGenerator({
      inChannels: c.inChannels,
      outChannels: c.outChannels,
      ngf: c.ngf,
      nBlocks: c.nBlocks,
      weightInit: 'zeros',
    });
  }
  if (c.arch === 'patchgan')
    return createPatchGanDiscriminator({
      inChannels: c.inChannels,
      ndf: c.ndf,
      nLayers: c.nLayers,
      norm: c.norm,
      weightInit: 'zeros',
    });
  return createModel(c.arch, {
    encoder: c.encoder,
    inChannels: c.inChannels,
    classes: c.classes,
    decoderChannels: c.decoderChannels,
    encoderWidth: c.encoderWidth,
    // Counting needs no random draws: zeros build fast.
    weightInit: 'zeros',
  });
}

beforeAll(async () => {
  await useFastBackend();
});

describe('parameter counts equal the PyTorch models', () => {
  it('smp Unet resnet34, 1 in, 3 out: 24,430,387 trainable', () => {
    const start = tf.memory().numTensors;
    const m = createModel('unet', { encoder: 'resnet34', inChannels: 1, classes: 3 });
    expect(countParams(m).trainable).toBe(24_430_387);
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  for (const c of fixture.configs) {
    const label = `${c.arch} ${c.encoder ?? ''} in=${c.inChannels} ${JSON.stringify({ ...c, trainable: undefined, nonTrainable: undefined })}`;
    it(label, () => {
      const m = build(c);
      expect(countParams(m)).toEqual({ trainable: c.trainable, nonTrainable: c.nonTrainable });
      m.dispose();
    });
  }
});

describe('names and sizes', () => {
  it('unknown architecture / encoder / activation list the valid names', () => {
    expect(() => createModel('segformer')).toThrow(
      /unknown architecture 'segformer': expected one of unet, unetplusplus, pix2pix/,
    );
    expect(() => createModel('unet', { encoder: 'vgg16' })).toThrow(
      new RegExp(`unknown encoder 'vgg16': expected one of ${encoderNames().join(', ')}`),
    );
    expect(() => createModel('unet', { encoder: 'resnet18', activation: 'gelu' as never })).toThrow(
      /unknown activation 'gelu'/,
    );
    expect(() => createModel('unet', { decoderChannels: [64, 32] })).toThrow(/expected 5 numbers/);
    expect(() => createModel('unet', { encoderWeights: 'imagenet' as never })).toThrow(
      /createPretrainedModel/,
    );
  });

  it('validateInputSize suggests the padded size', () => {
    expect(() => validateInputSize(512, 512)).not.toThrow();
    expect(() => validateInputSize(500, 512)).toThrow(
      /500x512 .* not divisible by 32: pad the input to 512x512/,
    );
    expect(() => validateInputSize(64, 70)).toThrow(/pad the input to 64x96/);
  });

  it('the model rejects a non-multiple-of-32 input on first use, and a fixed inputSize at build', () => {
    const start = tf.memory().numTensors;
    const m = createModel('unet', {
      encoder: 'resnet18',
      encoderWidth: 8,
      decoderChannels: [16, 8, 8, 8, 4],
    });
    const x = tf.zeros([1, 48, 64, 3]);
    expect(() => m.predict(x)).toThrow(/48x64 .* pad the input to 64x64/);
    x.dispose();
    m.dispose();
    expect(() => createModel('unet', { encoder: 'resnet18', inputSize: [100, 128] })).toThrow(
      /pad the input to 128x128/,
    );
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('real widths', () => {
  it('smp U-Net resnet34 (1 -> 3, sigmoid) runs at 64x64 with shapes and range as expected, leak-free', () => {
    const start = tf.memory().numTensors;
    const m = createModel('unet', {
      encoder: 'resnet34',
      inChannels: 1,
      classes: 3,
      activation: 'sigmoid',
      seed: 0,
    });
    const x = tf.randomUniform([1, 64, 64, 1], 0, 1, 'float32', 1);
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 64, 64, 3]);
    const [lo, hi] = tf.tidy(() => [tf.min(y).dataSync()[0], tf.max(y).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(0);
    tf.dispose([x, y]);
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('encoder registry', () => {
  it("every encoder's declared feature channels match the built features", () => {
    for (const name of encoderNames()) {
      const m = createEncoderModel(name, { inChannels: 2, weightInit: 'zeros' });
      const got = m.outputs.map((o) => o.shape[3]);
      expect([name, got]).toEqual([name, getEncoder(name).outChannels(2).slice(1)]);
      m.dispose();
    }
  });
});

describe('resnet50-keras', () => {
  it("equals Keras' ResNet50 without its classifier (25,583,592 - 2,049,000 trainable; 53,120 BN statistics)", () => {
    const m = createEncoderModel('resnet50-keras', { inChannels: 3, weightInit: 'zeros' });
    expect(countParams(m)).toEqual({ trainable: 25_583_592 - 2_049_000, nonTrainable: 53_120 });
    m.dispose();
  });
});
