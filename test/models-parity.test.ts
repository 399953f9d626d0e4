import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  createPatchGanDiscriminator,
  createPix2PixGenerator,
  loadStateDict,
  parseSafetensors,
  type StateDict,
} from '../src/models/index.js';

// Fixtures made by scripts/torch/parity.py: PyTorch models with random weights (float16-rounded) and
// non-trivial batch-norm statistics, and their outputs (NHWC) in eval and train mode.
function fixture(name: string): { weights: StateDict; io: StateDict } {
  const read = (f: string) =>
    parseSafetensors(readFileSync(new URL(`./fixtures/models/${f}`, import.meta.url)), f);
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
  'pix2pix-generator': () => createPix2PixGenerator({ inChannels: 1, outChannels: 3, ngf: 4, numDowns: 5 }),
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
      expect(tf.tidy(() => tf.max(tf.abs(wantEval)).dataSync()[0])).toBeGreaterThan(0.1);

      tf.dispose([x, wantEval, wantTrain, gotEval, gotTrain]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(start);
    });
  }
});
