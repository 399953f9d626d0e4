/**
 * EfficientNet encoders in the layout of lukemelas' EfficientNet-PyTorch, which smp's `efficientnet-b*` use
 * (`_conv_stem`, `_bn0`, `_blocks.N._expand_conv` / `_depthwise_conv` / `_se_reduce` / `_se_expand` /
 * `_project_conv`, `_bn0/1/2`). Its convs use TF "static same" padding computed once for the reference image size
 * (380 for b4) and kept for every input size, as smp does; here that is explicit ZeroPadding2D. smp's unused
 * `_conv_head` / `_bn1` (after the last block) are not built, so a model has 806,400 + 3,584 fewer weights than
 * smp's for b4; loading an smp state_dict needs `allowUnexpected: true` for those two.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { DropConnect, batchNormalization, type BuildContext, type Sym } from '../layers.js';

/** One group of blocks of EfficientNet-B0: repeats, kernel, stride, expansion, input and output filters. */
export type MBConvArgs = [
  repeats: number,
  kernel: number,
  stride: number,
  expand: number,
  input: number,
  output: number,
];

export const EFFICIENTNET_B0_BLOCKS: MBConvArgs[] = [
  [1, 3, 1, 1, 32, 16],
  [2, 3, 2, 6, 16, 24],
  [2, 5, 2, 6, 24, 40],
  [3, 3, 2, 6, 40, 80],
  [3, 5, 1, 6, 80, 112],
  [4, 5, 2, 6, 112, 192],
  [1, 3, 1, 6, 192, 320],
];

/** Shape of an EfficientNet. */
export interface EfficientNetConfig {
  width: number;
  depth: number;
  /** Reference image size the static paddings are computed for. */
  imageSize: number;
  /** Block indices where the /8, /16 and /32 stages start (smp's `stage_idxs`, first three). */
  stageIdxs: [number, number, number];
  /** Max drop-connect (stochastic depth) rate, scaled by block index / block count; training only. */
  dropConnectRate: number;
  blocks?: MBConvArgs[];
}

export const EFFICIENTNET_B4: EfficientNetConfig = {
  width: 1.4,
  depth: 1.8,
  imageSize: 380,
  stageIdxs: [6, 10, 22],
  dropConnectRate: 0.2,
};

/** lukemelas' `round_filters`: scale by width, round to a multiple of 8, never below 90%. */
export function roundFilters(filters: number, width: number, divisor = 8): number {
  const f = filters * width;
  let out = Math.max(divisor, Math.floor((f + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * f) out += divisor;
  return out;
}

interface BlockSpec {
  kernel: number;
  stride: number;
  expand: number;
  input: number;
  output: number;
  /** Reference image size at the block's input. */
  size: number;
}

function blockSpecs(c: EfficientNetConfig): BlockSpec[] {
  const specs: BlockSpec[] = [];
  let size = Math.ceil(c.imageSize / 2);
  for (const [repeats, kernel, stride, expand, input, output] of c.blocks ?? EFFICIENTNET_B0_BLOCKS) {
    const i = roundFilters(input, c.width);
    const o = roundFilters(output, c.width);
    for (let j = 0; j < Math.ceil(c.depth * repeats); j++) {
      specs.push({ kernel, stride: j === 0 ? stride : 1, expand, input: j === 0 ? i : o, output: o, size });
      if (j === 0) size = Math.ceil(size / stride);
    }
  }
  return specs;
}

/** Channels of the six features. */
export function efficientNetOutChannels(c: EfficientNetConfig, inChannels: number): number[] {
  const specs = blockSpecs(c);
  return [
    inChannels,
    roundFilters(32, c.width),
    ...c.stageIdxs.map((i) => specs[i - 1].output),
    specs[specs.length - 1].output,
  ];
}

/** TF 'same' padding [before, after] of a conv with `kernel`/`stride` on an input of `size` (lukemelas' static padding). */
function staticPad(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const pad = Math.max((out - 1) * stride + kernel - size, 0);
  return [Math.floor(pad / 2), pad - Math.floor(pad / 2)];
}

function pad(x: Sym, name: string, p: [number, number]): Sym {
  if (p[0] === 0 && p[1] === 0) return x;
  return tfl.layers.zeroPadding2d({ padding: [p, p], name: `${name}_pad` }).apply(x) as Sym;
}

function bn(x: Sym, name: string): Sym {
  // PyTorch momentum 0.01 -> tfjs 0.99; eps 1e-3 as the reference.
  return batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.99, name }).apply(x) as Sym;
}

function swish(x: Sym, name: string): Sym {
  return tfl.layers.activation({ activation: 'swish', name }).apply(x) as Sym;
}

function conv(
  ctx: BuildContext,
  x: Sym,
  name: string,
  filters: number,
  kernel = 1,
  stride = 1,
  bias = false,
): Sym {
  return tfl.layers
    .conv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: 'valid',
      useBias: bias,
      kernelInitializer: ctx.kernelInit(),
      name,
    })
    .apply(x) as Sym;
}

function mbconv(ctx: BuildContext, x: Sym, name: string, s: BlockSpec, dropRate: number): Sym {
  const oup = s.input * s.expand;
  let y = x;
  if (s.expand !== 1) {
    y = swish(bn(conv(ctx, y, `${name}._expand_conv`, oup), `${name}._bn0`), `${name}._swish0`);
  }
  y = pad(y, `${name}._depthwise_conv`, staticPad(s.size, s.kernel, s.stride));
  y = tfl.layers
    .depthwiseConv2d({
      kernelSize: s.kernel,
      strides: s.stride,
      padding: 'valid',
      depthMultiplier: 1,
      useBias: false,
      depthwiseInitializer: ctx.kernelInit(),
      name: `${name}._depthwise_conv`,
    })
    .apply(y) as Sym;
  y = swish(bn(y, `${name}._bn1`), `${name}._swish1`);
  // Squeeze-and-excitation on the input-width-based bottleneck (se_ratio 0.25 of the block's input filters).
  let se = tfl.layers.globalAveragePooling2d({ name: `${name}._se_pool` }).apply(y) as Sym;
  se = tfl.layers.reshape({ targetShape: [1, 1, oup], name: `${name}._se_reshape` }).apply(se) as Sym;
  se = swish(
    conv(ctx, se, `${name}._se_reduce`, Math.max(1, Math.floor(s.input * 0.25)), 1, 1, true),
    `${name}._se_swish`,
  );
  se = conv(ctx, se, `${name}._se_expand`, oup, 1, 1, true);
  se = tfl.layers.activation({ activation: 'sigmoid', name: `${name}._se_sigmoid` }).apply(se) as Sym;
  y = tfl.layers.multiply({ name: `${name}._se_scale` }).apply([y, se]) as Sym;
  y = bn(conv(ctx, y, `${name}._project_conv`, s.output), `${name}._bn2`);
  if (s.stride === 1 && s.input === s.output) {
    if (dropRate > 0) y = new DropConnect({ rate: dropRate, name: `${name}._drop_connect` }).apply(y) as Sym;
    y = tfl.layers.add({ name: `${name}._add` }).apply([y, x]) as Sym;
  }
  return y;
}

/** Builds an EfficientNet feature extractor; `prefix` is `encoder.` inside a segmentation model. */
export function buildEfficientNet(ctx: BuildContext, input: Sym, c: EfficientNetConfig, prefix = ''): Sym[] {
  const stemFilters = roundFilters(32, c.width);
  let x = pad(input, `${prefix}_conv_stem`, staticPad(c.imageSize, 3, 2));
  x = conv(ctx, x, `${prefix}_conv_stem`, stemFilters, 3, 2);
  x = swish(bn(x, `${prefix}_bn0`), `${prefix}_swish`);
  const features: Sym[] = [input, x];
  const specs = blockSpecs(c);
  const ends = new Set([...c.stageIdxs, specs.length]);
  specs.forEach((s, i) => {
    x = mbconv(ctx, x, `${prefix}_blocks.${i}`, s, (c.dropConnectRate * i) / specs.length);
    if (ends.has(i + 1)) features.push(x);
  });
  return features;
}
