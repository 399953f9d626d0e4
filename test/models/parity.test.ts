import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BuildContext,
  buildDenseNet,
  buildEfficientNet,
  buildSeResNeXt,
  buildUnetDecoder,
  createModel,
  createPatchGanDiscriminator,
  createPix2PixGenerator,
  createResnetGenerator,
  loadStateDict,
  parseSafetensors,
  type StateDict,
} from '../../src/models/index.js';

// Fixtures made by scripts/torch/parity.py: PyTorch models with random weights (float16-rounded) and
// non-trivial batch-norm statistics, and their outputs (NHWC) in eval and train mode.
function fixture(name: string): { weights: StateDict; io: StateDict } {
  const read = (f: string) =>
    parseSafetensors(readFileSync(new URL(`../fixtures/models/${f}`, import.meta.url)), f);
  return { weights: read(`parity-${name}.safetensors`), io: read(`parity-${name}.io.safetensors`) };
}

function tensorOf(sd: StateDict, key: string): tf.Tensor {
  const t = sd.get(key);
  if (!t) throw new Error(`fixture has no '${key}'`);
  return tf.tensor(t.data, t.shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A U-Net on a custom-width encoder, laid out as createModel's (smp decoder + head). */
function tinyUnet(
  inChannels: number,
  classes: number,
  encoder: (ctx: BuildContext, input: tfl.SymbolicTensor) => tfl.SymbolicTensor[],
) {
  const ctx = new BuildContext(1);
  const input = tfl.input({ shape: [null, null, inChannels] });
  const x = buildUnetDecoder(ctx, encoder(ctx, input), [16, 8, 8, 8, 4]);
  const y = tfl.layers
    .conv2d({ filters: classes, kernelSize: 3, padding: 'same', name: 'segmentation_head.0' })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: y });
}

const CASES: Record<string, () => tfl.LayersModel> = {
  'unet-resnet18': () =>
    createModel('unet', {
      encoder: 'resnet18',
      encoderWidth: 8,
      inChannels: 1,
      classes: 3,
      decoderChannels: [32, 16, 8, 8, 4],
    }),
  'unetplusplus-resnet50': () =>
    createModel('unetplusplus', {
      encoder: 'resnet50',
      encoderWidth: 4,
      inChannels: 3,
      classes: 2,
      decoderChannels: [16, 8, 8, 8, 4],
    }),
  // torchvision's DenseNet layout at small widths (growth 4, blocks 2-3-2-2).
  'unet-densenet-tiny': () =>
    tinyUnet(1, 3, (ctx, input) =>
      buildDenseNet(
        ctx,
        input,
        { growthRate: 4, blockConfig: [2, 3, 2, 2], numInitFeatures: 8, bnSize: 2 },
        'encoder.',
      ),
    ),
  // Cadene's SE-ResNeXt layout (grouped 3x3 convs, SE modules) at small widths: 4 groups, planes 8.
  'unet-se_resnext-tiny': () =>
    tinyUnet(3, 1, (ctx, input) =>
      buildSeResNeXt(
        ctx,
        input,
        { layers: [2, 2, 2, 1], groups: 4, baseWidth: 16, reduction: 4, inplanes: 8 },
        'encoder.',
        8,
      ),
    ),
  // lukemelas' EfficientNet layout (b0 blocks at width 0.25, depth 0.5, b4's static paddings); drop connect
  // is random in training, so this fixture has it off (PyTorch side: no drop connect either).
  'unet-efficientnet-tiny': () =>
    tinyUnet(1, 3, (ctx, input) =>
      buildEfficientNet(
        ctx,
        input,
        { width: 0.25, depth: 0.5, imageSize: 380, stageIdxs: [2, 3, 7], dropConnectRate: 0 },
        'encoder.',
      ),
    ),
  'pix2pix-generator': () => createPix2PixGenerator({ inChannels: 1, outChannels: 3, ngf: 4, numDowns: 5 }),
  'resnet-generator': () => createResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 4, nBlocks: 2 }),
  patchgan: () => createPatchGanDiscriminator({ inChannels: 4, ndf: 4, nLayers: 3 }),
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('PyTorch parity (cpu backend, max abs diff <= 1e-4)', () => {
  for (const [name, build] of Object.entries(CASES)) {
    it(name, () => {
      const start = tf.memory().numTensors;
      const { weights, io } = fixture(name);
      const model = build();
      const report = loadStateDict(model, weights, { source: name });
      expect(report.missing).toEqual([]);
      expect(report.loaded.length).toBeGreaterThan(0);
      const x = tensorOf(io, 'input');
      const wantEval = tensorOf(io, 'eval');
      const wantTrain = tensorOf(io, 'train');

      const gotEval = model.predict(x) as tf.Tensor;
      const dEval = maxAbsDiff(gotEval, wantEval);
      // Train mode: batch-norm normalizes with the batch statistics (biased variance, as PyTorch).
      const gotTrain = tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
      const dTrain = maxAbsDiff(gotTrain, wantTrain);
      console.log(
        `${name}: max |tfjs - torch| eval ${dEval.toExponential(2)}, train ${dTrain.toExponential(2)}`,
      );
      expect(dEval).toBeLessThanOrEqual(1e-4);
      expect(dTrain).toBeLessThanOrEqual(1e-4);
      // The outputs are not trivially small: the tolerance is meaningful.
      expect(tf.tidy(() => tf.max(tf.abs(wantEval)).dataSync()[0])).toBeGreaterThan(0.05);

      tf.dispose([x, wantEval, wantTrain, gotEval, gotTrain]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(start);
    });
  }
});
