/**
 * Building blocks shared by the encoders and decoders: PyTorch-shaped conv / batch-norm helpers that name
 * each tfjs layer after the PyTorch module path it mirrors (so weights map by name), and the library's
 * custom layers (registered for serialization under `tfjs-restoration>`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  fusedBatchNormReluInference,
  fusedBatchNormTraining,
  hasFusedBatchNormReluInference,
  hasFusedBatchNormTraining,
} from '../backends/batchnorm-training.js';

/** Registration prefix of this library's custom layers in saved model.json files. */
export const LAYER_PACKAGE = 'tfjs-restoration';

/** A symbolic (graph-building) tensor of the functional layers API. */
export type Sym = tfl.SymbolicTensor;

/** Options of {@link InputSizeCheck}. */
export interface InputSizeCheckArgs {
  /** Height and width must be multiples of this (32 for a 5-stage encoder). */
  divisor: number;
  name?: string;
}

/**
 * Identity layer that rejects inputs whose height or width is not a multiple of `divisor`, with a message that
 * suggests the padded size. It sits right after the model's input so the first use fails clearly instead of
 * deep inside a concatenation with mismatched shapes.
 */
export class InputSizeCheck extends tfl.layers.Layer {
  /** tfjs-layers writes `className` into model.json, so it carries the package prefix itself. */
  static className = `${LAYER_PACKAGE}>InputSizeCheck`;
  readonly divisor: number;

  constructor(args: InputSizeCheckArgs) {
    super({ name: args.name });
    this.divisor = args.divisor;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shape = inputShape as tfl.Shape;
    const [, h, w] = shape;
    if (h != null && w != null) validateInputSize(h, w, this.divisor);
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    validateInputSize(x.shape[1] as number, x.shape[2] as number, this.divisor);
    // A layer must return a new tensor handle: identity keeps memory accounting exact.
    return tf.clone(x);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), divisor: this.divisor };
  }
}

/**
 * Checks that an input of `height` x `width` fits a U-Net whose encoder downsamples by `divisor` (32 for the
 * ResNet encoders): both must be multiples of it. The error suggests the padded size.
 *
 * @example
 * validateInputSize(512, 512); // ok
 * validateInputSize(500, 512); // throws: ... pad to 512x512
 */
export function validateInputSize(height: number, width: number, divisor = 32): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new Error(`input size: expected positive integer height and width, got ${height}x${width}`);
  }
  if (height % divisor !== 0 || width % divisor !== 0) {
    const ph = Math.ceil(height / divisor) * divisor;
    const pw = Math.ceil(width / divisor) * divisor;
    throw new Error(
      `input size ${height}x${width} (height x width) is not divisible by ${divisor}: ` +
        `pad the input to ${ph}x${pw} (e.g. tf.pad or reflect-padding), then crop the output`,
    );
  }
}

let registered = false;
/**
 * Registers the custom layers for (de)serialization; idempotent, called by every builder and by `loadModel`.
 * Call it yourself before `tf.loadLayersModel` on a saved model when nothing else of this module ran first:
 * importing the module registers nothing, so bundlers may drop an unused import (`sideEffects: false`).
 */
export function registerCustomLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(InputSizeCheck, LAYER_PACKAGE, 'InputSizeCheck');
  tf.serialization.registerClass(GroupedConv2D, LAYER_PACKAGE, 'GroupedConv2D');
  tf.serialization.registerClass(ReflectionPad2D, LAYER_PACKAGE, 'ReflectionPad2D');
  tf.serialization.registerClass(InstanceNorm, LAYER_PACKAGE, 'InstanceNorm');
  tf.serialization.registerClass(DropConnect, LAYER_PACKAGE, 'DropConnect');
  registered = true;
}

/** Per-model build state: seeds initializers deterministically, in layer-creation order. */
export class BuildContext {
  private counter = 0;
  /**
   * @param seed seed of the first kernel initializer (the next ones get seed + 1, + 2 ...).
   * @param init 'he' (He normal, as torchvision's ResNet) or 'zeros' (fast; for weights loaded right after).
   */
  constructor(
    readonly seed: number | undefined,
    readonly init: WeightInit = 'he',
  ) {}

  /** A kernel initializer with the next seed. */
  kernelInit(): ReturnType<typeof tfl.initializers.heNormal> {
    if (this.init === 'zeros') return tfl.initializers.zeros();
    const seed = this.seed == null ? undefined : this.seed + this.counter++;
    return tfl.initializers.heNormal({ seed });
  }
}

/** Kernel initialization of the builders. */
export type WeightInit = 'he' | 'zeros';

/** Options of {@link conv2d}. */
export interface ConvOptions {
  filters: number;
  kernel: number;
  stride?: number;
  /** PyTorch `padding` (symmetric, same on all sides). */
  padding?: number;
  bias?: boolean;
  /** PyTorch `groups` (default 1). */
  groups?: number;
}

/**
 * A PyTorch-equivalent `nn.Conv2d` named `name`. tfjs 'same' padding is asymmetric for stride 2 (pads only
 * bottom/right), where PyTorch pads symmetrically, so padding is explicit (ZeroPadding2D + 'valid') unless
 * the conv is stride 1 with `padding = (kernel - 1) / 2`, where 'same' is exactly symmetric.
 */
export function conv2d(ctx: BuildContext, x: Sym, name: string, o: ConvOptions): Sym {
  const stride = o.stride ?? 1;
  const pad = o.padding ?? 0;
  let padding: 'same' | 'valid' = 'valid';
  if (stride === 1 && o.kernel % 2 === 1 && pad === (o.kernel - 1) / 2) {
    padding = pad === 0 ? 'valid' : 'same';
  } else if (pad > 0) {
    x = tfl.layers.zeroPadding2d({ padding: pad, name: `${name}_pad` }).apply(x) as Sym;
  }
  if ((o.groups ?? 1) > 1) {
    return new GroupedConv2D({
      filters: o.filters,
      kernelSize: o.kernel,
      strides: stride,
      groups: o.groups as number,
      padding,
      useBias: o.bias ?? false,
      kernelInitializer: ctx.kernelInit(),
      name,
    }).apply(x) as Sym;
  }
  return tfl.layers
    .conv2d({
      filters: o.filters,
      kernelSize: o.kernel,
      strides: stride,
      padding,
      useBias: o.bias ?? false,
      kernelInitializer: ctx.kernelInit(),
      name,
    })
    .apply(x) as Sym;
}

/** A PyTorch `nn.BatchNorm2d` (eps 1e-5, momentum 0.1 = tfjs momentum 0.9) named `name`. */
export function batchNorm(x: Sym, name: string, epsilon = 1e-5): Sym {
  return batchNormalization({ axis: -1, epsilon, momentum: 0.9, name }).apply(x) as Sym;
}

/** tfjs-layers' BatchNormalization layer (instance type) and its options. */
type BatchNormLayer = ReturnType<typeof tfl.layers.batchNormalization>;
type BatchNormArgs = Parameters<typeof tfl.layers.batchNormalization>[0];
/** The members of tfjs-layers' BatchNormalization the fused path reads (private in its typings). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: tfl.LayerVariable;
  beta?: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

let fusedBatchNormClass: (new (args: BatchNormArgs) => BatchNormLayer) | undefined;

/**
 * Outputs of fused batch norm + ReLU calls: the ReLU layer that follows such a batch norm (see {@link batchNormRelu})
 * passes them through, its work already done.
 */
const reluApplied = new WeakSet<tf.Tensor>();
/** Batch norm layers whose only consumer is a ReLU layer (set by {@link batchNormRelu}; not serialized). */
const feedsRelu = new WeakSet<object>();

/**
 * tfjs-layers' BatchNormalization, subclassed so that training on a backend with the fused batch norm kernels (the
 * native backend) runs them: statistics and normalisation in three passes, the gradient in two, where tfjs-layers'
 * tf.moments + batchNorm graph makes about fifteen. Everything else (inference, other backends, an axis other than
 * the last, non-float32 input) is tfjs-layers' own `call`. The class keeps the name 'BatchNormalization', its
 * weights and config, so saved models are standard and load as tfjs-layers' own layer.
 */
function fusedBatchNormalizationClass(): new (args: BatchNormArgs) => BatchNormLayer {
  if (fusedBatchNormClass !== undefined) return fusedBatchNormClass;
  // The class itself is not exported from tfjs-layers' entry point; its serialization registration holds it.
  const registered = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization as unknown as
    [new (args: BatchNormArgs) => BatchNormLayer, unknown] | undefined;
  if (registered === undefined) throw new Error('tfjs-layers BatchNormalization is not registered');
  const Base = registered[0];
  class FusedBatchNormalization extends Base {
    static className = 'BatchNormalization';

    override call(
      inputs: tf.Tensor | tf.Tensor[],
      kwargs: Parameters<BatchNormLayer['call']>[1],
    ): tf.Tensor | tf.Tensor[] {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const self = this as unknown as BatchNormInternals;
      const axis = self.axis >= 0 ? self.axis : self.axis + x.rank;
      const fusable =
        // Models pass a list of one tensor.
        (!Array.isArray(inputs) || inputs.length === 1) &&
        x.dtype === 'float32' &&
        x.size > 0 &&
        axis === x.rank - 1;
      const relu = feedsRelu.has(this);
      if (fusable && relu && kwargs?.training !== true && hasFusedBatchNormReluInference()) {
        // Inference: tfjs-layers' batchNorm with the moving statistics, and the ReLU, in one pass.
        const out = fusedBatchNormReluInference(
          x,
          self.movingMean.read(),
          self.movingVariance.read(),
          self.beta?.read() ?? null,
          self.gamma?.read() ?? null,
          self.epsilon,
        );
        reluApplied.add(out);
        return out;
      }
      const fused = fusable && kwargs?.training === true && hasFusedBatchNormTraining();
      if (!fused) return super.call(inputs, kwargs);
      const out = tf.tidy(() => {
        const { y, mean, variance } = fusedBatchNormTraining(
          x,
          self.gamma?.read() ?? null,
          self.beta?.read() ?? null,
          self.epsilon,
          relu,
        );
        // tfjs-layers' moving average, op for op: v - (v - batch) * (1 - momentum).
        const update = (v: tfl.LayerVariable, batch: tf.Tensor): void =>
          tf.tidy(() => {
            const old = v.read();
            v.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - self.momentum)));
          });
        update(self.movingMean, mean);
        update(self.movingVariance, variance);
        return y;
      });
      if (relu) reluApplied.add(out);
      return out;
    }
  }
  fusedBatchNormClass = FusedBatchNormalization;
  return FusedBatchNormalization;
}

/**
 * A BatchNormalization layer: tfjs-layers' own, with training on the native backend fused (see
 * {@link fusedBatchNormalizationClass}). Same options, weights and serialized form as `tfl.layers.batchNormalization`.
 * @example
 * ```ts
 * const y = batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name: 'bn1' }).apply(x);
 * ```
 */
export function batchNormalization(args: BatchNormArgs): BatchNormLayer {
  return new (fusedBatchNormalizationClass())(args);
}

/** tfjs-layers' ReLU layer (instance type) and its options. */
type ReLULayer = ReturnType<typeof tfl.layers.reLU>;
type ReLUArgs = Parameters<typeof tfl.layers.reLU>[0];
let passReluClass: (new (args: ReLUArgs) => ReLULayer) | undefined;

/**
 * tfjs-layers' ReLU, subclassed to pass through a tensor that a fused batch norm + ReLU already rectified (see
 * {@link batchNormRelu}); anything else is its own `call`. Keeps the name 'ReLU' and its config.
 */
function passReluClassOnce(): new (args: ReLUArgs) => ReLULayer {
  if (passReluClass !== undefined) return passReluClass;
  const registered = tf.serialization.SerializationMap.getMap().classNameMap.ReLU as unknown as
    [new (args: ReLUArgs) => ReLULayer, unknown] | undefined;
  if (registered === undefined) throw new Error('tfjs-layers ReLU is not registered');
  const Base = registered[0];
  class PassReLU extends Base {
    static className = 'ReLU';

    override call(
      inputs: tf.Tensor | tf.Tensor[],
      kwargs: Parameters<ReLULayer['call']>[1],
    ): tf.Tensor | tf.Tensor[] {
      const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : inputs;
      if (!Array.isArray(x) && reluApplied.has(x)) return x;
      return super.call(inputs, kwargs);
    }
  }
  passReluClass = PassReLU;
  return PassReLU;
}

/** ReLU layer. */
export function relu(x: Sym, name: string): Sym {
  return tfl.layers.reLU({ name }).apply(x) as Sym;
}

/**
 * Batch norm (as {@link batchNorm}) then ReLU, two layers named `bnName` and `reluName` as in PyTorch, for a batch
 * norm whose output goes to the ReLU only. Training on a backend with the fused kernels runs both as one kernel
 * (one pass less each way, and the pre-ReLU activation is never stored); otherwise, and in saved models, they are
 * tfjs-layers' own BatchNormalization and ReLU.
 * @example
 * ```ts
 * y = batchNormRelu(conv2d(ctx, x, 'conv1', { filters: 64, kernel: 3, padding: 1 }), 'bn1', 'relu');
 * ```
 */
export function batchNormRelu(x: Sym, bnName: string, reluName: string, epsilon = 1e-5): Sym {
  const bn = batchNormalization({ axis: -1, epsilon, momentum: 0.9, name: bnName });
  feedsRelu.add(bn);
  const y = bn.apply(x) as Sym;
  return new (passReluClassOnce())({ name: reluName }).apply(y) as Sym;
}

/** smp's `Conv2dReLU` with batch norm: conv3x3 (no bias) `${name}.0`, BN `${name}.1`, ReLU. */
export function conv2dReLU(ctx: BuildContext, x: Sym, name: string, filters: number): Sym {
  x = conv2d(ctx, x, `${name}.0`, { filters, kernel: 3, padding: 1 });
  return batchNormRelu(x, `${name}.1`, `${name}.2`);
}

/** Channel concatenation (NHWC). */
export function concat(xs: Sym[], name: string): Sym {
  return tfl.layers.concatenate({ axis: -1, name }).apply(xs) as Sym;
}

/** Nearest-neighbour 2x upsampling, identical to PyTorch `F.interpolate(scale_factor=2, mode='nearest')`. */
export function upsample2x(x: Sym, name: string): Sym {
  return tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest', name }).apply(x) as Sym;
}

/** Options of {@link GroupedConv2D}. */
export interface GroupedConv2DArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  /** Input and output channels are split into this many groups, convolved separately (PyTorch `groups`). */
  groups: number;
  useBias?: boolean;
  /** 'same' only for stride 1 (symmetric there); pad explicitly otherwise. */
  padding?: 'same' | 'valid';
  kernelInitializer?: ReturnType<typeof tfl.initializers.heNormal>;
  name?: string;
}

/**
 * PyTorch's grouped convolution (`nn.Conv2d(groups=g)`), which tfjs-layers' Conv2D lacks: the kernel is
 * [kh, kw, in / groups, filters] (PyTorch's [filters, in / groups, kh, kw] transposed), group g maps input channels
 * g*in/groups.. to output channels g*filters/groups.. . Registered as `tfjs-restoration>GroupedConv2D`.
 */
export class GroupedConv2D extends tfl.layers.Layer {
  static className = `${LAYER_PACKAGE}>GroupedConv2D`;
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly groups: number;
  readonly useBias: boolean;
  readonly padding: 'same' | 'valid';
  private readonly kernelInitializer: ReturnType<typeof tfl.initializers.heNormal>;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: GroupedConv2DArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.groups = args.groups;
    this.useBias = args.useBias ?? false;
    this.padding = args.padding ?? 'valid';
    this.kernelInitializer = args.kernelInitializer ?? tfl.initializers.heNormal({});
    if (this.filters % this.groups !== 0) {
      throw new Error(
        `GroupedConv2D ${this.name}: filters ${this.filters} not divisible by groups ${this.groups}`,
      );
    }
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1] as number;
    if (channels % this.groups !== 0) {
      throw new Error(
        `GroupedConv2D ${this.name}: ${channels} input channels not divisible by groups ${this.groups}`,
      );
    }
    const k = this.kernelSize;
    this.kernel = this.addWeight(
      'kernel',
      [k, k, channels / this.groups, this.filters],
      'float32',
      this.kernelInitializer,
    );
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w] = inputShape as tfl.Shape;
    const out = (d: number | null): number | null => {
      if (d == null) return null;
      return this.padding === 'same'
        ? Math.ceil(d / this.strides)
        : Math.floor((d - this.kernelSize) / this.strides) + 1;
    };
    return [n, out(h), out(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const kernel = (this.kernel as tfl.LayerVariable).read() as tf.Tensor4D;
      const xs = tf.split(x, this.groups, 3);
      const ks = tf.split(kernel, this.groups, 3);
      const ys = xs.map((xi, g) =>
        tf.conv2d(xi as tf.Tensor4D, ks[g] as tf.Tensor4D, this.strides, this.padding),
      );
      const y = ys.length === 1 ? ys[0] : tf.concat(ys, 3);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      groups: this.groups,
      useBias: this.useBias,
      padding: this.padding,
    };
  }
}

/** Options of {@link ReflectionPad2D}. */
export interface ReflectionPad2DArgs {
  padding: number;
  name?: string;
}

/** PyTorch's `nn.ReflectionPad2d` (mirror without repeating the edge). Registered as `tfjs-restoration>ReflectionPad2D`. */
export class ReflectionPad2D extends tfl.layers.Layer {
  static className = `${LAYER_PACKAGE}>ReflectionPad2D`;
  readonly padding: number;

  constructor(args: ReflectionPad2DArgs) {
    super({ name: args.name });
    this.padding = args.padding;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w, c] = inputShape as tfl.Shape;
    const p = 2 * this.padding;
    return [n, h == null ? null : h + p, w == null ? null : w + p, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const p = this.padding;
    return tf.mirrorPad(
      x,
      [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ],
      'reflect',
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

/** Options of {@link InstanceNorm}. */
export interface InstanceNormArgs {
  epsilon?: number;
  name?: string;
}

/**
 * PyTorch's `nn.InstanceNorm2d` with its defaults (no affine parameters, no running statistics): each sample's
 * channel normalized by its own spatial mean and biased variance. Registered as `tfjs-restoration>InstanceNorm`.
 */
export class InstanceNorm extends tfl.layers.Layer {
  static className = `${LAYER_PACKAGE}>InstanceNorm`;
  readonly epsilon: number;

  constructor(args: InstanceNormArgs = {}) {
    super({ name: args.name });
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const { mean, variance } = tf.moments(x, [1, 2], true);
      return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/** Options of {@link DropConnect}. */
export interface DropConnectArgs {
  rate: number;
  name?: string;
}

/**
 * Stochastic depth of EfficientNet's residual branches: in training, each sample's branch is zeroed with
 * probability `rate` and the survivors scaled by 1 / (1 - rate); identity at inference. Registered as
 * `tfjs-restoration>DropConnect`. (Unseeded: tfjs' layer calls carry no per-call seed.)
 */
export class DropConnect extends tfl.layers.Layer {
  static className = `${LAYER_PACKAGE}>DropConnect`;
  readonly rate: number;

  constructor(args: DropConnectArgs) {
    super({ name: args.name });
    this.rate = args.rate;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate <= 0) return tf.clone(x);
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const mask = tf.floor(tf.add(tf.randomUniform([x.shape[0] as number, 1, 1, 1]), keep));
      return tf.mul(tf.div(x, keep), mask);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
