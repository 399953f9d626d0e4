import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEfficientNet,
  buildSeResNeXt,
  createModel,
  encoderNames,
  LAYER_PACKAGE,
  registerCustomLayers,
  registerEncoder,
} from '../../src/models/index.js';
import { directoryIO, loadModel, saveModel } from '../../src/models/node.js';

const dir = mkdtempSync(join(tmpdir(), 'models-io-'));
const tiny = () =>
  createModel('unet', {
    encoder: 'resnet18',
    encoderWidth: 4,
    inChannels: 1,
    classes: 3,
    decoderChannels: [16, 8, 8, 4, 4],
    activation: 'sigmoid',
    seed: 7,
  });

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sameOutputs(a: tfl.LayersModel, b: tfl.LayersModel): void {
  const channels = a.inputs[0].shape[3] as number;
  const x = tf.randomUniform([1, 32, 32, channels], 0, 1, 'float32', 3);
  const ya = a.predict(x) as tf.Tensor;
  const yb = b.predict(x) as tf.Tensor;
  expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
  tf.dispose([x, ya, yb]);
}

describe('save / load', () => {
  it('same seed -> same weights', () => {
    const a = tiny();
    const b = tiny();
    sameOutputs(a, b);
    a.dispose();
    b.dispose();
  });

  it('round-trips through a directory (model.json + weights.bin), custom layer registered under the prefix', async () => {
    const start = tf.memory().numTensors;
    const model = tiny();
    await saveModel(model, dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(JSON.stringify(json.modelTopology)).toContain(`"${LAYER_PACKAGE}>InputSizeCheck"`);
    const loaded = await loadModel(dir);
    sameOutputs(model, loaded);
    // The loaded model keeps the input-size check.
    const bad = tf.zeros([1, 40, 32, 1]);
    expect(() => loaded.predict(bad)).toThrow(/pad the input to 64x32/);
    bad.dispose();
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a weights.bin from another save is detected', async () => {
    const other = join(dir, 'other');
    const m = tiny();
    await saveModel(m, other);
    const bytes = readFileSync(join(other, 'weights.bin'));
    bytes[100] ^= 0xff;
    writeFileSync(join(other, 'weights.bin'), bytes);
    await expect(loadModel(other)).rejects.toThrow(/checksum differs/);
    await expect(loadModel(join(dir, 'missing'))).rejects.toThrow(/model.json: no such file/);
    m.dispose();
  });

  it('round-trips through browser-style in-memory IO handlers (withSaveHandler / fromMemory)', async () => {
    registerCustomLayers();
    const model = tiny();
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(saved).not.toBeNull();
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as unknown as tf.io.ModelArtifacts));
    sameOutputs(model, loaded);
    model.dispose();
    loaded.dispose();
  });

  it('directoryIO works with model.save / tf.loadLayersModel directly', async () => {
    const d2 = join(dir, 'direct');
    const model = tiny();
    await model.save(directoryIO(d2));
    const loaded = await tfl.loadLayersModel(directoryIO(d2));
    sameOutputs(model, loaded);
    model.dispose();
    loaded.dispose();
  });
});

describe('memory', () => {
  it('build, predict (eval and train), dispose: tf.memory().numTensors returns to start', () => {
    const start = tf.memory().numTensors;
    for (const arch of ['unet', 'unetplusplus']) {
      const m = createModel(arch, { encoder: 'resnet50', encoderWidth: 4, decoderChannels: [8, 8, 8, 4, 4] });
      const x = tf.ones([1, 32, 32, 3]);
      const y = m.predict(x) as tf.Tensor;
      const yt = tf.tidy(() => m.apply(x, { training: true }) as tf.Tensor);
      tf.dispose([x, y, yt]);
      m.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('custom encoders', () => {
  it('a registered tiny SE-ResNeXt (GroupedConv2D custom layer) builds via createModel and round-trips', async () => {
    registerEncoder({
      name: 'se_resnext-test',
      outChannels: (inChannels) => [inChannels, 8, 32, 64, 128, 256],
      build: (ctx, input, o) =>
        buildSeResNeXt(
          ctx,
          input,
          { layers: [1, 1, 1, 1], groups: 4, baseWidth: 16, reduction: 4, inplanes: 8 },
          o.prefix,
          8,
        ),
      weights: {},
      divisor: 32,
    });
    expect(encoderNames()).toContain('se_resnext-test');
    const model = createModel('unet', {
      encoder: 'se_resnext-test',
      inChannels: 1,
      classes: 3,
      decoderChannels: [16, 8, 8, 4, 4],
      seed: 2,
    });
    const d3 = join(dir, 'se');
    await saveModel(model, d3);
    expect(readFileSync(join(d3, 'model.json'), 'utf8')).toContain(`"${LAYER_PACKAGE}>GroupedConv2D"`);
    const loaded = await loadModel(d3);
    sameOutputs(model, loaded);
    model.dispose();
    loaded.dispose();
  });
});

describe('efficientnet drop connect', () => {
  it('is random in training, identity at inference, serializes, and leaks nothing', async () => {
    const start = tf.memory().numTensors;
    registerEncoder({
      name: 'efficientnet-test',
      outChannels: (c) => [c, 8, 8, 16, 32, 80],
      build: (ctx, input, o) =>
        buildEfficientNet(
          ctx,
          input,
          { width: 0.25, depth: 0.5, imageSize: 380, stageIdxs: [2, 3, 7], dropConnectRate: 0.9 },
          o.prefix,
        ),
      weights: {},
      divisor: 32,
    });
    const model = createModel('unet', {
      encoder: 'efficientnet-test',
      decoderChannels: [8, 8, 8, 4, 4],
      seed: 3,
    });
    expect(model.layers.some((l) => l.getClassName() === `${LAYER_PACKAGE}>DropConnect`)).toBe(true);
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 9);
    const [a, b, e1, e2] = tf.tidy(() => [
      model.apply(x, { training: true }) as tf.Tensor,
      model.apply(x, { training: true }) as tf.Tensor,
      model.predict(x) as tf.Tensor,
      model.predict(x) as tf.Tensor,
    ]);
    const diff = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]);
    expect(diff(a, b)).toBeGreaterThan(0);
    expect(diff(e1, e2)).toBe(0);
    const d4 = join(dir, 'eff');
    await saveModel(model, d4);
    const loaded = await loadModel(d4);
    sameOutputs(model, loaded);
    tf.dispose([x, a, b, e1, e2]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
