/**
 * Building blocks shared by the encoders and decoders: PyTorch-shaped conv / batch-norm helpers that name
 * each tfjs layer after the PyTorch module path it mirrors (so weights map by name), and the library's
 * custom layers (registered for serialization under `tfjs-restoration>`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

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
  static className = 'InputSizeCheck';
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
/** Registers the custom layers for (de)serialization; idempotent, called by every builder and loader. */
export function registerCustomLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(InputSizeCheck, LAYER_PACKAGE);
  registered = true;
}
registerCustomLayers();

/** Per-model build state: seeds initializers deterministically, in layer-creation order. */
export class BuildContext {
  private counter = 0;
  constructor(readonly seed: number | undefined) {}

  /** A kernel initializer (He normal, as torchvision's ResNet) with the next seed. */
  kernelInit(): ReturnType<typeof tfl.initializers.heNormal> {
    const seed = this.seed == null ? undefined : this.seed + this.counter++;
    return tfl.initializers.heNormal({ seed });
  }
}

/** Options of {@link conv2d}. */
export interface ConvOptions {
  filters: number;
  kernel: number;
  stride?: number;
  /** PyTorch `padding` (symmetric, same on all sides). */
  padding?: number;
  bias?: boolean;
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
  return tfl.layers.batchNormalization({ axis: -1, epsilon, momentum: 0.9, name }).apply(x) as Sym;
}

/** ReLU layer. */
export function relu(x: Sym, name: string): Sym {
  return tfl.layers.reLU({ name }).apply(x) as Sym;
}

/** smp's `Conv2dReLU` with batch norm: conv3x3 (no bias) `${name}.0`, BN `${name}.1`, ReLU. */
export function conv2dReLU(ctx: BuildContext, x: Sym, name: string, filters: number): Sym {
  x = conv2d(ctx, x, `${name}.0`, { filters, kernel: 3, padding: 1 });
  x = batchNorm(x, `${name}.1`);
  return relu(x, `${name}.2`);
}

/** Channel concatenation (NHWC). */
export function concat(xs: Sym[], name: string): Sym {
  return tfl.layers.concatenate({ axis: -1, name }).apply(xs) as Sym;
}

/** Nearest-neighbour 2x upsampling, identical to PyTorch `F.interpolate(scale_factor=2, mode='nearest')`. */
export function upsample2x(x: Sym, name: string): Sym {
  return tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest', name }).apply(x) as Sym;
}
