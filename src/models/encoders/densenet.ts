/**
 * DenseNet encoders in torchvision's layout (`features.conv0`, `features.denseblock1.denselayer1.norm1`,
 * `features.transition1.conv` ...), returning smp's six features: the skips of the transitions are taken after
 * their ReLU (before the 1x1 conv and pooling), the last feature is `norm5` (no ReLU), as smp's DenseNetEncoder.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNorm, concat, conv2d, relu, type BuildContext, type Sym } from '../layers.js';

/** Shape of a DenseNet (torchvision's constructor arguments). */
export interface DenseNetConfig {
  growthRate: number;
  blockConfig: [number, number, number, number];
  numInitFeatures: number;
  bnSize: number;
}

export const DENSENET121: DenseNetConfig = {
  growthRate: 32,
  blockConfig: [6, 12, 24, 16],
  numInitFeatures: 64,
  bnSize: 4,
};

/** Channels of the six features. */
export function densenetOutChannels(c: DenseNetConfig, inChannels: number): number[] {
  const out = [inChannels, c.numInitFeatures];
  let ch = c.numInitFeatures;
  c.blockConfig.forEach((n, i) => {
    ch += n * c.growthRate;
    out.push(ch);
    if (i < 3) ch = Math.floor(ch / 2);
  });
  return out;
}

/** Builds a DenseNet feature extractor; `prefix` is `encoder.` inside a segmentation model. */
export function buildDenseNet(ctx: BuildContext, input: Sym, c: DenseNetConfig, prefix = ''): Sym[] {
  const p = `${prefix}features.`;
  let x = conv2d(ctx, input, `${p}conv0`, { filters: c.numInitFeatures, kernel: 7, stride: 2, padding: 3 });
  x = batchNorm(x, `${p}norm0`);
  const stem = relu(x, `${p}relu0`);
  // Max pooling pads with -inf in PyTorch; after ReLU, zero padding gives the same maxima.
  x = tfl.layers.zeroPadding2d({ padding: 1, name: `${p}pool0_pad` }).apply(stem) as Sym;
  x = tfl.layers
    .maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: `${p}pool0` })
    .apply(x) as Sym;

  const features: Sym[] = [input, stem];
  let channels = c.numInitFeatures;
  c.blockConfig.forEach((layers, b) => {
    const block = `${p}denseblock${b + 1}`;
    const parts: Sym[] = [x];
    for (let l = 1; l <= layers; l++) {
      const name = `${block}.denselayer${l}`;
      // A copy: tfjs keeps the array it is given as the node's inputs, and `parts` grows below.
      let y = parts.length === 1 ? parts[0] : concat([...parts], `${name}.concat`);
      y = relu(batchNorm(y, `${name}.norm1`), `${name}.relu1`);
      y = conv2d(ctx, y, `${name}.conv1`, { filters: c.bnSize * c.growthRate, kernel: 1 });
      y = relu(batchNorm(y, `${name}.norm2`), `${name}.relu2`);
      y = conv2d(ctx, y, `${name}.conv2`, { filters: c.growthRate, kernel: 3, padding: 1 });
      parts.push(y);
    }
    x = concat(parts, `${block}.out`);
    channels += layers * c.growthRate;
    if (b < 3) {
      const t = `${p}transition${b + 1}`;
      const skip = relu(batchNorm(x, `${t}.norm`), `${t}.relu`);
      features.push(skip);
      channels = Math.floor(channels / 2);
      x = conv2d(ctx, skip, `${t}.conv`, { filters: channels, kernel: 1 });
      x = tfl.layers
        .averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${t}.pool` })
        .apply(x) as Sym;
    } else {
      features.push(batchNorm(x, `${p}norm5`));
    }
  });
  return features;
}
