/**
 * The competition baseline: pix2pix (Isola et al. 2017). A U-Net generator and a PatchGAN discriminator in the
 * layout of the reference PyTorch implementation (junyanz/pytorch-CycleGAN-and-pix2pix, BatchNorm variant), with
 * layer names equal to its state_dict keys (`model.model.0`, `model.model.1.model.1` ...), and a training step
 * with the least-squares (MSE) adversarial loss plus 100 x L1.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  batchNorm,
  BuildContext,
  concat,
  conv2d,
  InputSizeCheck,
  InstanceNorm,
  registerCustomLayers,
  type Sym,
  type WeightInit,
} from './layers.js';
import { optimizerStep, variablesOf } from './optimizer.js';

/** Options of {@link createPix2PixGenerator}. */
export interface Pix2PixGeneratorOptions {
  inChannels?: number;
  outChannels?: number;
  /** Filters of the outermost layer (default 64). */
  ngf?: number;
  /** Number of stride-2 downsamplings (default 8: 256x256 -> 1x1); inputs must be multiples of 2^numDowns. */
  numDowns?: number;
  /** Dropout (0.5) in the innermost-but-one blocks, as pix2pix (default true). */
  dropout?: boolean;
  seed?: number;
  weightInit?: WeightInit;
  inputSize?: [number, number] | null;
}

function leakyRelu(x: Sym, name: string): Sym {
  return tfl.layers.leakyReLU({ alpha: 0.2, name }).apply(x) as Sym;
}

function act(x: Sym, name: string, fn: 'relu' | 'tanh'): Sym {
  return tfl.layers.activation({ activation: fn, name }).apply(x) as Sym;
}

function upconv(ctx: BuildContext, x: Sym, name: string, filters: number, bias: boolean): Sym {
  // ConvTranspose2d(k=4, s=2, p=1): tfjs 'same' pads the transposed conv by 1 on each side, as PyTorch.
  return tfl.layers
    .conv2dTranspose({
      filters,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      useBias: bias,
      kernelInitializer: ctx.kernelInit(),
      name,
    })
    .apply(x) as Sym;
}

interface Level {
  outer: number;
  inner: number;
  kind: 'outermost' | 'middle' | 'innermost';
  dropout: boolean;
}

/** One `UnetSkipConnectionBlock` at module path `p` (ending with '.'), recursing into `levels[1..]`. */
function skipBlock(ctx: BuildContext, x: Sym, p: string, levels: Level[]): Sym {
  const [lv, ...rest] = levels;
  const down = (y: Sym, index: number): Sym =>
    conv2d(ctx, y, `${p}model.${index}`, { filters: lv.inner, kernel: 4, stride: 2, padding: 1 });
  if (lv.kind === 'outermost') {
    let y = down(x, 0);
    y = skipBlock(ctx, y, `${p}model.1.`, rest);
    y = act(y, `${p}model.2`, 'relu');
    y = upconv(ctx, y, `${p}model.3`, lv.outer, true);
    return act(y, `${p}model.4`, 'tanh');
  }
  if (lv.kind === 'innermost') {
    let y = down(leakyRelu(x, `${p}model.0`), 1);
    y = act(y, `${p}model.2`, 'relu');
    y = upconv(ctx, y, `${p}model.3`, lv.outer, false);
    y = batchNorm(y, `${p}model.4`);
    return concat([x, y], `${p}concat`);
  }
  let y = down(leakyRelu(x, `${p}model.0`), 1);
  y = batchNorm(y, `${p}model.2`);
  y = skipBlock(ctx, y, `${p}model.3.`, rest);
  y = act(y, `${p}model.4`, 'relu');
  y = upconv(ctx, y, `${p}model.5`, lv.outer, false);
  y = batchNorm(y, `${p}model.6`);
  if (lv.dropout) y = tfl.layers.dropout({ rate: 0.5, name: `${p}model.7` }).apply(y) as Sym;
  return concat([x, y], `${p}concat`);
}

/**
 * pix2pix's `UnetGenerator` (BatchNorm, tanh output in [-1, 1]).
 *
 * @example
 * const g = createPix2PixGenerator({ inChannels: 1, outChannels: 3 }); // 54,411,907 trainable params
 */
export function createPix2PixGenerator(o: Pix2PixGeneratorOptions = {}): tfl.LayersModel {
  registerCustomLayers();
  const inChannels = o.inChannels ?? 3;
  const outChannels = o.outChannels ?? 3;
  const ngf = o.ngf ?? 64;
  const numDowns = o.numDowns ?? 8;
  if (!Number.isInteger(numDowns) || numDowns < 5)
    throw new Error(`numDowns: expected an integer >= 5, got ${numDowns}`);
  const dropout = o.dropout ?? true;
  // Outermost to innermost, as the reference nests its blocks.
  const levels: Level[] = [
    { outer: outChannels, inner: ngf, kind: 'outermost', dropout: false },
    { outer: ngf, inner: ngf * 2, kind: 'middle', dropout: false },
    { outer: ngf * 2, inner: ngf * 4, kind: 'middle', dropout: false },
    { outer: ngf * 4, inner: ngf * 8, kind: 'middle', dropout: false },
  ];
  for (let i = 0; i < numDowns - 5; i++)
    levels.push({ outer: ngf * 8, inner: ngf * 8, kind: 'middle', dropout });
  levels.push({ outer: ngf * 8, inner: ngf * 8, kind: 'innermost', dropout: false });

  const ctx = new BuildContext(o.seed, o.weightInit);
  const [h, w] = o.inputSize ?? [null, null];
  const input = tfl.input({ shape: [h, w, inChannels], name: 'input' });
  const checked = new InputSizeCheck({ divisor: 2 ** numDowns, name: 'input_size_check' }).apply(
    input,
  ) as Sym;
  const output = skipBlock(ctx, checked, 'model.', levels);
  return tfl.model({ inputs: input, outputs: output, name: 'pix2pix_generator' });
}

/** Options of {@link createPatchGanDiscriminator}. */
export interface PatchGanOptions {
  /** Channels of the (condition, image) pair, e.g. 1 + 3. */
  inChannels?: number;
  ndf?: number;
  /** Stride-2 conv layers (default 3: a 70x70 receptive field). */
  nLayers?: number;
  /** 'batch' (pix2pix, default) or 'instance' (CycleGAN: InstanceNorm without parameters, convs with bias). */
  norm?: 'batch' | 'instance';
  seed?: number;
  weightInit?: WeightInit;
}

/**
 * pix2pix's `NLayerDiscriminator` (PatchGAN): one logit per overlapping patch, no sigmoid (the LSGAN loss
 * works on raw scores).
 */
export function createPatchGanDiscriminator(o: PatchGanOptions = {}): tfl.LayersModel {
  registerCustomLayers();
  const ndf = o.ndf ?? 64;
  const nLayers = o.nLayers ?? 3;
  const ctx = new BuildContext(o.seed, o.weightInit);
  const input = tfl.input({ shape: [null, null, o.inChannels ?? 6], name: 'input' });
  let i = 0;
  const name = (): string => `model.${i++}`;
  let x = conv2d(ctx, input, name(), { filters: ndf, kernel: 4, stride: 2, padding: 1, bias: true });
  x = leakyRelu(x, name());
  let mult = 1;
  for (let n = 1; n <= nLayers; n++) {
    mult = Math.min(2 ** n, 8);
    const stride = n < nLayers ? 2 : 1;
    const instance = o.norm === 'instance';
    x = conv2d(ctx, x, name(), { filters: ndf * mult, kernel: 4, stride, padding: 1, bias: instance });
    x = instance ? (new InstanceNorm({ name: name() }).apply(x) as Sym) : batchNorm(x, name());
    x = leakyRelu(x, name());
  }
  x = conv2d(ctx, x, name(), { filters: 1, kernel: 4, stride: 1, padding: 1, bias: true });
  return tfl.model({ inputs: input, outputs: x, name: 'patchgan_discriminator' });
}

/** Inputs of {@link pix2pixTrainStep}. */
export interface Pix2PixStep {
  generator: tfl.LayersModel;
  discriminator: tfl.LayersModel;
  generatorOptimizer: tf.Optimizer;
  discriminatorOptimizer: tf.Optimizer;
  /** Condition images, NHWC in [-1, 1]. */
  input: tf.Tensor4D;
  /** Target images, NHWC in [-1, 1]. */
  target: tf.Tensor4D;
  /** Weight of the L1 term (default 100). */
  l1Weight?: number;
}

/** Losses of one step (plain numbers). */
export interface Pix2PixLosses {
  generator: number;
  generatorAdversarial: number;
  generatorL1: number;
  discriminator: number;
}

/**
 * One pix2pix training step: a generator update with `MSE(D(x, G(x)), 1) + l1Weight * |G(x) - y|`, then a
 * discriminator update with `0.5 * (MSE(D(x, y), 1) + MSE(D(x, G(x)), 0))` on the same (detached) fake.
 * The generator runs once (batch-norm statistics update once per step); the discriminator is updated second,
 * so each generator step sees the discriminator of the previous step. Leaves no tensors behind.
 */
export function pix2pixTrainStep(s: Pix2PixStep): Pix2PixLosses {
  const l1Weight = s.l1Weight ?? 100;
  const { generator: g, discriminator: d } = s;
  let fake: tf.Tensor | null = null;
  const parts = { adv: 0, l1: 0 };
  try {
    const gLoss = optimizerStep(s.generatorOptimizer, variablesOf(g), () => {
      const out = g.apply(s.input, { training: true }) as tf.Tensor;
      // The discriminator step treats the fake as a constant: a copy kept past this scope.
      fake = tf.keep(tf.clone(out));
      const score = d.apply(tf.concat([s.input, out], -1), { training: true }) as tf.Tensor;
      const adv = tf.losses.meanSquaredError(tf.onesLike(score), score);
      const l1 = tf.mean(tf.abs(tf.sub(out, s.target)));
      parts.adv = adv.dataSync()[0];
      parts.l1 = l1.dataSync()[0];
      return tf.add(adv, tf.mul(l1, l1Weight)) as tf.Scalar;
    });

    const fakeT = fake as unknown as tf.Tensor;
    const dLoss = optimizerStep(s.discriminatorOptimizer, variablesOf(d), () => {
      const real = d.apply(tf.concat([s.input, s.target], -1), { training: true }) as tf.Tensor;
      const fakeScore = d.apply(tf.concat([s.input, fakeT], -1), { training: true }) as tf.Tensor;
      const lossReal = tf.losses.meanSquaredError(tf.onesLike(real), real);
      const lossFake = tf.losses.meanSquaredError(tf.zerosLike(fakeScore), fakeScore);
      return tf.mul(tf.add(lossReal, lossFake), 0.5) as tf.Scalar;
    });
    return { generator: gLoss, generatorAdversarial: parts.adv, generatorL1: parts.l1, discriminator: dLoss };
  } finally {
    if (fake) (fake as tf.Tensor).dispose();
  }
}
