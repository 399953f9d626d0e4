/**
 * SE-ResNeXt encoders in the layout of Cadene's `pretrainedmodels` SENet, which smp's `se_resnext50_32x4d` uses
 * (`layer0.conv1`, `layer0.bn1`, `layer1.0.conv2` (grouped), `layer1.0.se_module.fc1` ...). smp's features: the
 * stem before its pool (/2), then layer1..layer4.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNorm, conv2d, relu, type BuildContext, type Sym } from '../layers.js';

/** Shape of an SE-ResNeXt. */
export interface SeResNeXtConfig {
  layers: [number, number, number, number];
  groups: number;
  /** Width per group of the first stage (the "4d" of 32x4d). */
  baseWidth: number;
  reduction: number;
  /** Stem width (64). */
  inplanes: number;
}

export const SE_RESNEXT50_32X4D: SeResNeXtConfig = {
  layers: [3, 4, 6, 3],
  groups: 32,
  baseWidth: 4,
  reduction: 16,
  inplanes: 64,
};

/** Channels of the six features. */
export function seResNeXtOutChannels(c: SeResNeXtConfig, inChannels: number, planes = 64): number[] {
  return [inChannels, c.inplanes, ...[1, 2, 4, 8].map((m) => planes * m * 4)];
}

/** Squeeze-and-excitation: global average, 1x1 conv reduce, ReLU, 1x1 conv expand, sigmoid, channel scaling. */
function seModule(ctx: BuildContext, x: Sym, name: string, channels: number, reduction: number): Sym {
  let s = tfl.layers.globalAveragePooling2d({ name: `${name}.avg_pool` }).apply(x) as Sym;
  s = tfl.layers.reshape({ targetShape: [1, 1, channels], name: `${name}.reshape` }).apply(s) as Sym;
  s = conv2d(ctx, s, `${name}.fc1`, { filters: Math.floor(channels / reduction), kernel: 1, bias: true });
  s = relu(s, `${name}.relu`);
  s = conv2d(ctx, s, `${name}.fc2`, { filters: channels, kernel: 1, bias: true });
  s = tfl.layers.activation({ activation: 'sigmoid', name: `${name}.sigmoid` }).apply(s) as Sym;
  return tfl.layers.multiply({ name: `${name}.scale` }).apply([x, s]) as Sym;
}

/**
 * Builds an SE-ResNeXt feature extractor. `planes` (64) scales every stage, for small test models.
 */
export function buildSeResNeXt(
  ctx: BuildContext,
  input: Sym,
  c: SeResNeXtConfig,
  prefix = '',
  planes = 64,
): Sym[] {
  const p = prefix;
  let x = conv2d(ctx, input, `${p}layer0.conv1`, { filters: c.inplanes, kernel: 7, stride: 2, padding: 3 });
  x = batchNorm(x, `${p}layer0.bn1`);
  const stem = relu(x, `${p}layer0.relu1`);
  // MaxPool2d(3, stride 2, ceil_mode=True) without padding: for even sizes the last window hangs one pixel over
  // the bottom/right edge, exactly tfjs' 'same' (pad 0 before, 1 after); values are >= 0 after ReLU.
  x = tfl.layers
    .maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `${p}layer0.pool` })
    .apply(stem) as Sym;

  const features: Sym[] = [input, stem];
  let inplanes = c.inplanes;
  for (let stage = 0; stage < 4; stage++) {
    const stagePlanes = planes * 2 ** stage;
    const width = Math.floor((stagePlanes * c.baseWidth) / 64) * c.groups;
    const out = stagePlanes * 4;
    for (let b = 0; b < c.layers[stage]; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const name = `${p}layer${stage + 1}.${b}`;
      let y = conv2d(ctx, x, `${name}.conv1`, { filters: width, kernel: 1 });
      y = relu(batchNorm(y, `${name}.bn1`), `${name}.relu1`);
      y = conv2d(ctx, y, `${name}.conv2`, {
        filters: width,
        kernel: 3,
        stride,
        padding: 1,
        groups: c.groups,
      });
      y = relu(batchNorm(y, `${name}.bn2`), `${name}.relu2`);
      y = conv2d(ctx, y, `${name}.conv3`, { filters: out, kernel: 1 });
      y = batchNorm(y, `${name}.bn3`);
      y = seModule(ctx, y, `${name}.se_module`, out, c.reduction);
      let shortcut = x;
      if (b === 0 && (stride !== 1 || inplanes !== out)) {
        shortcut = conv2d(ctx, x, `${name}.downsample.0`, { filters: out, kernel: 1, stride });
        shortcut = batchNorm(shortcut, `${name}.downsample.1`);
      }
      const sum = tfl.layers.add({ name: `${name}.add` }).apply([y, shortcut]) as Sym;
      x = relu(sum, `${name}.relu`);
      inplanes = out;
    }
    features.push(x);
  }
  return features;
}
