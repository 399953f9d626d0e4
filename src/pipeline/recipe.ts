/**
 * What the two stages compute, as one configuration shared by training and prediction: how stage 1's input is
 * built from (gray, mask), what its output means, what stage 2 predicts and at which resolution both run.
 * Browser-safe: tfjs-core only.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Image, Mask } from '../image/types.js';
import { inpaintTelea } from '../image/inpaint.js';

/**
 * The model's contract: every field changes what the U-Nets see or what their outputs mean, so a trained
 * pipeline stores it (see `savePipeline`) and training and prediction read it from one place.
 */
export interface PipelineConfig {
  /**
   * Stage 1 adds its output to its (pre-filled) input: gray = x + U-Net(x), as the reference recipe's restorer
   * does. Otherwise its output is the gray image itself.
   */
  residual: boolean;
  /** Stage 1 also gets the lost-region mask (1 = lost) as a second input channel. */
  maskChannel: boolean;
  /**
   * How the lost region is filled before stage 1 sees it: `'input'` keeps the damaged input's constant fill;
   * `'telea'` fills it by fast marching ({@link inpaintTelea}), so stage 1 refines a classical fill.
   */
  fill: 'input' | 'telea';
  /**
   * Stage 2's output: `'rgb'` (3 channels, the colors themselves) or `'chroma'` (2 channels, the Cb and Cr of
   * JPEG's full-range YCbCr, in [0, 1] units around 0, turned into RGB with stage 1's gray as the luma Y, so the
   * lightness is stage 1's by construction, as in the winning entry's colorizer).
   */
  color: 'rgb' | 'chroma';
  /** U-Net inputs standardized as (x - 0.5) / 0.225 (x in [0, 1]), as the reference recipe did. */
  normalize: boolean;
  /**
   * Side of the square both stages run at, a multiple of 32: an image is resized to it as a whole (colors are
   * low-frequency, and the whole photo says which colors), stage 1's correction of the lost region and stage 2's
   * colors are brought back to full size under the full-size gray. `null`: both stages run at full size.
   */
  workSize: number | null;
}

/** Named configurations: `reference` is the known approach's recipe; `legacy` the first version of this library. */
export const PIPELINE_PRESETS = {
  reference: {
    residual: true,
    maskChannel: false,
    fill: 'input',
    color: 'rgb',
    normalize: true,
    workSize: null,
  },
  legacy: {
    residual: false,
    maskChannel: true,
    fill: 'input',
    color: 'rgb',
    normalize: false,
    workSize: null,
  },
  global: {
    residual: true,
    maskChannel: true,
    fill: 'telea',
    color: 'chroma',
    normalize: true,
    workSize: 128,
  },
} as const satisfies Record<string, PipelineConfig>;

/** A name of {@link PIPELINE_PRESETS}. */
export type PipelinePreset = keyof typeof PIPELINE_PRESETS;

/** Checks a configuration's fields; returns a copy. */
export function checkPipelineConfig(config: PipelineConfig, what = 'PipelineConfig'): PipelineConfig {
  const c = { ...config };
  for (const k of ['residual', 'maskChannel', 'normalize'] as const)
    if (typeof c[k] !== 'boolean') throw new TypeError(`${what}.${k} must be a boolean, got ${String(c[k])}`);
  if (c.fill !== 'input' && c.fill !== 'telea')
    throw new RangeError(`${what}.fill must be 'input' or 'telea', got '${String(c.fill)}'`);
  if (c.color !== 'rgb' && c.color !== 'chroma')
    throw new RangeError(`${what}.color must be 'rgb' or 'chroma', got '${String(c.color)}'`);
  if (c.workSize !== null && !(Number.isInteger(c.workSize) && c.workSize > 0 && c.workSize % 32 === 0))
    throw new RangeError(
      `${what}.workSize must be null or a positive multiple of 32, got ${String(c.workSize)}`,
    );
  return c;
}

/** Input channels of stage 1 and output channels of stage 2 under a configuration. */
export function stageChannels(config: PipelineConfig): { inpaintIn: number; colorizeOut: number } {
  return { inpaintIn: config.maskChannel ? 2 : 1, colorizeOut: config.color === 'chroma' ? 2 : 3 };
}

/**
 * The gray image stage 1 starts from: the damaged input, or with `fill: 'telea'` its lost region filled by
 * fast marching. Training and prediction both call this, so they cannot drift apart.
 *
 * ```ts
 * const start = stageOneStart(input, mask, pipeline.config);
 * ```
 */
export function stageOneStart(input: Image, mask: Mask, config: PipelineConfig): Image {
  return config.fill === 'telea' ? inpaintTelea(input, mask) : input;
}

/** `(x - 0.5) / 0.225` when the configuration normalizes, else `x`. */
function standardize(x: tf.Tensor, config: PipelineConfig): tf.Tensor {
  return config.normalize ? tf.div(tf.sub(x, 0.5), 0.225) : x;
}

/**
 * RGB from a luma and JPEG's full-range chroma (all in [0, 1] units, Cb and Cr centred on 0):
 * R = Y + 1.402 Cr, G = Y - 0.344136 Cb - 0.714136 Cr, B = Y + 1.772 Cb. Its Pillow luma (0.299 R + 0.587 G +
 * 0.114 B) is Y again, up to the coefficients' rounding (< 1e-6). Differentiable.
 *
 * ```ts
 * const rgb = ycbcrToRgb(gray, chroma); // [N,H,W,1] and [N,H,W,2] -> [N,H,W,3]
 * ```
 */
export function ycbcrToRgb(y: tf.Tensor4D, cbcr: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [cb, cr] = tf.split(cbcr, 2, 3);
    const r = tf.add(y, tf.mul(cr, 1.402));
    const g = tf.sub(tf.sub(y, tf.mul(cb, 0.344136)), tf.mul(cr, 0.714136));
    const b = tf.add(y, tf.mul(cb, 1.772));
    return tf.concat([r, g, b], 3) as tf.Tensor4D;
  });
}

/** Outputs of {@link forwardStages}. */
export interface StageOutputs {
  /** Stage 1's gray image, `[N,H,W,1]` in [0, 1] units: its output in the lost region, the start image elsewhere. */
  gray: tf.Tensor4D;
  /** The RGB image, `[N,H,W,3]` (not clipped). */
  rgb: tf.Tensor4D;
}

/**
 * Both stages on a batch at one resolution (a multiple of 32), differentiable: the function the trainer
 * differentiates and prediction runs. `start` is {@link stageOneStart}'s image as `[N,H,W,1]` in [0, 1],
 * `mask` `[N,H,W,1]` with 1 = lost. Stage 1's output replaces the start image in the lost region only, and stage 2
 * reads that composite (the stages are trained jointly, gradients flow through both). `training` is the layers'
 * training mode (batch norm on batch statistics), for both stages or per stage (a frozen stage runs in inference
 * mode).
 *
 * ```ts
 * const { gray, rgb } = forwardStages(pipeline.inpaint, pipeline.colorize, pipeline.config, start, mask, false);
 * ```
 */
export function forwardStages(
  inpaint: tfl.LayersModel,
  colorize: tfl.LayersModel,
  config: PipelineConfig,
  start: tf.Tensor4D,
  mask: tf.Tensor4D,
  training: boolean | { inpaint: boolean; colorize: boolean },
): StageOutputs {
  const modes = typeof training === 'boolean' ? { inpaint: training, colorize: training } : training;
  return tf.tidy(() => {
    const x = standardize(start, config);
    const x1 = config.maskChannel ? tf.concat([x, mask], 3) : x;
    const o1 = inpaint.apply(x1, { training: modes.inpaint }) as tf.Tensor4D;
    const raw = config.residual ? tf.add(start, o1) : o1;
    // Known pixels are the start image's: only the lost region takes stage 1's output.
    const gray = tf.add(start, tf.mul(mask, tf.sub(raw, start))) as tf.Tensor4D;
    const o2 = colorize.apply(standardize(gray, config), { training: modes.colorize }) as tf.Tensor4D;
    const rgb = config.color === 'chroma' ? ycbcrToRgb(gray, o2) : o2;
    return { gray, rgb };
  });
}
