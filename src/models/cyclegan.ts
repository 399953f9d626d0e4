/**
 * CycleGAN (Zhu et al. 2017) in the layout of junyanz/pytorch-CycleGAN-and-pix2pix with its CycleGAN defaults:
 * a ResNet generator (reflection padding, InstanceNorm, 9 residual blocks) and a PatchGAN with InstanceNorm, with
 * a training step (LSGAN losses, cycle weight 10, identity weight 0.5 x 10). Layer names are the reference's
 * state_dict keys (`model.1`, `model.10.conv_block.1` ...).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  BuildContext,
  conv2d,
  InputSizeCheck,
  InstanceNorm,
  ReflectionPad2D,
  registerCustomLayers,
  type Sym,
  type WeightInit,
} from './layers.js';
import { optimizerStep, variablesOf } from './optimizer.js';

/** Options of {@link createResnetGenerator}. */
export interface ResnetGeneratorOptions {
  inChannels?: number;
  outChannels?: number;
  ngf?: number;
  /** Residual blocks (9 for 256x256 in CycleGAN, 6 for 128x128). */
  nBlocks?: number;
  seed?: number;
  weightInit?: WeightInit;
}

/**
 * The CycleGAN generator (`ResnetGenerator`, InstanceNorm, reflection padding, tanh output). Inputs must be
 * multiples of 4.
 */
export function createResnetGenerator(o: ResnetGeneratorOptions = {}): tfl.LayersModel {
  registerCustomLayers();
  const ngf = o.ngf ?? 64;
  const nBlocks = o.nBlocks ?? 9;
  const ctx = new BuildContext(o.seed, o.weightInit);
  const input = tfl.input({ shape: [null, null, o.inChannels ?? 3], name: 'input' });
  let i = 0;
  const next = (): string => `model.${i++}`;
  const relu = (x: Sym, name: string): Sym => tfl.layers.reLU({ name }).apply(x) as Sym;
  const norm = (x: Sym, name: string): Sym => new InstanceNorm({ name }).apply(x) as Sym;
  const reflect = (x: Sym, p: number, name: string): Sym =>
    new ReflectionPad2D({ padding: p, name }).apply(x) as Sym;

  let x = new InputSizeCheck({ divisor: 4, name: 'input_size_check' }).apply(input) as Sym;
  x = reflect(x, 3, next());
  x = conv2d(ctx, x, next(), { filters: ngf, kernel: 7, bias: true });
  x = relu(norm(x, next()), next());
  for (let d = 0; d < 2; d++) {
    x = conv2d(ctx, x, next(), { filters: ngf * 2 ** (d + 1), kernel: 3, stride: 2, padding: 1, bias: true });
    x = relu(norm(x, next()), next());
  }
  for (let b = 0; b < nBlocks; b++) {
    const p = `${next()}.conv_block`;
    let y = reflect(x, 1, `${p}.0`);
    y = conv2d(ctx, y, `${p}.1`, { filters: ngf * 4, kernel: 3, bias: true });
    y = relu(norm(y, `${p}.2`), `${p}.3`);
    y = reflect(y, 1, `${p}.4`);
    y = conv2d(ctx, y, `${p}.5`, { filters: ngf * 4, kernel: 3, bias: true });
    y = norm(y, `${p}.6`);
    x = tfl.layers.add({ name: `${p}.add` }).apply([x, y]) as Sym;
  }
  for (let u = 0; u < 2; u++) {
    const name = next();
    // ConvTranspose2d(k3, s2, p1, output_padding 1) = the full ('valid') transposed conv cropped by 1 at the
    // top/left; tfjs 'same' would crop at the other side (a one-pixel shift).
    x = tfl.layers
      .conv2dTranspose({
        filters: ngf * 2 ** (1 - u),
        kernelSize: 3,
        strides: 2,
        padding: 'valid',
        useBias: true,
        kernelInitializer: ctx.kernelInit(),
        name,
      })
      .apply(x) as Sym;
    x = tfl.layers
      .cropping2D({
        cropping: [
          [1, 0],
          [1, 0],
        ],
        name: `${name}_crop`,
      })
      .apply(x) as Sym;
    x = relu(norm(x, next()), next());
  }
  x = reflect(x, 3, next());
  x = conv2d(ctx, x, next(), { filters: o.outChannels ?? 3, kernel: 7, bias: true });
  x = tfl.layers.activation({ activation: 'tanh', name: next() }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: x, name: 'resnet_generator' });
}

/** Inputs of {@link cycleGanTrainStep}. */
export interface CycleGanStep {
  /** A -> B and B -> A generators. */
  generatorAB: tfl.LayersModel;
  generatorBA: tfl.LayersModel;
  /** Discriminators of domain A (judges B -> A fakes) and B (judges A -> B fakes). */
  discriminatorA: tfl.LayersModel;
  discriminatorB: tfl.LayersModel;
  generatorOptimizer: tf.Optimizer;
  discriminatorOptimizer: tf.Optimizer;
  /** Unpaired batches, NHWC in [-1, 1]. */
  realA: tf.Tensor4D;
  realB: tf.Tensor4D;
  /** Cycle-consistency weights (10, 10) and identity weight relative to them (0.5; 0 disables). */
  lambdaA?: number;
  lambdaB?: number;
  lambdaIdentity?: number;
}

/** Losses of one CycleGAN step. */
export interface CycleGanLosses {
  generator: number;
  cycleA: number;
  cycleB: number;
  discriminatorA: number;
  discriminatorB: number;
}

const mse = (x: tf.Tensor, target: number): tf.Scalar => tf.mean(tf.square(tf.sub(x, target))) as tf.Scalar;
const l1 = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar;

/**
 * One CycleGAN step as the reference: generators together (LSGAN + cycle + identity losses), then each
 * discriminator on real vs the (detached) fakes of this step, 0.5 x (MSE(D(real), 1) + MSE(D(fake), 0)). The
 * reference's 50-image history pool of fakes is not kept here (feed it in by calling with older fakes if wanted).
 */
export function cycleGanTrainStep(s: CycleGanStep): CycleGanLosses {
  const la = s.lambdaA ?? 10;
  const lb = s.lambdaB ?? 10;
  const li = s.lambdaIdentity ?? 0.5;
  const kept: tf.Tensor[] = [];
  const parts = { cycleA: 0, cycleB: 0 };
  try {
    const gVars = [...variablesOf(s.generatorAB), ...variablesOf(s.generatorBA)];
    const gLoss = optimizerStep(s.generatorOptimizer, gVars, () => {
      const fakeB = s.generatorAB.apply(s.realA, { training: true }) as tf.Tensor;
      const fakeA = s.generatorBA.apply(s.realB, { training: true }) as tf.Tensor;
      kept.push(tf.keep(tf.clone(fakeA)), tf.keep(tf.clone(fakeB)));
      const recA = s.generatorBA.apply(fakeB, { training: true }) as tf.Tensor;
      const recB = s.generatorAB.apply(fakeA, { training: true }) as tf.Tensor;
      const advB = mse(s.discriminatorB.apply(fakeB, { training: true }) as tf.Tensor, 1);
      const advA = mse(s.discriminatorA.apply(fakeA, { training: true }) as tf.Tensor, 1);
      const cycA = l1(recA, s.realA);
      const cycB = l1(recB, s.realB);
      parts.cycleA = cycA.dataSync()[0];
      parts.cycleB = cycB.dataSync()[0];
      let loss = tf.addN([advA, advB, tf.mul(cycA, la), tf.mul(cycB, lb)]);
      if (li > 0) {
        const idB = l1(s.generatorAB.apply(s.realB, { training: true }) as tf.Tensor, s.realB);
        const idA = l1(s.generatorBA.apply(s.realA, { training: true }) as tf.Tensor, s.realA);
        loss = tf.addN([loss, tf.mul(idB, lb * li), tf.mul(idA, la * li)]);
      }
      return loss as tf.Scalar;
    });

    const [fakeA, fakeB] = kept;
    const dStep = (d: tfl.LayersModel, real: tf.Tensor, fake: tf.Tensor): number =>
      optimizerStep(s.discriminatorOptimizer, variablesOf(d), () => {
        const lossReal = mse(d.apply(real, { training: true }) as tf.Tensor, 1);
        const lossFake = mse(d.apply(fake, { training: true }) as tf.Tensor, 0);
        return tf.mul(tf.add(lossReal, lossFake), 0.5) as tf.Scalar;
      });
    const dA = dStep(s.discriminatorA, s.realA, fakeA);
    const dB = dStep(s.discriminatorB, s.realB, fakeB);
    return {
      generator: gLoss,
      cycleA: parts.cycleA,
      cycleB: parts.cycleB,
      discriminatorA: dA,
      discriminatorB: dB,
    };
  } finally {
    tf.dispose(kept);
  }
}
