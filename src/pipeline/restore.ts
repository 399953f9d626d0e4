/**
 * The two-stage restoration pipeline: stage 1 inpaints the gray image (damaged gray + mask -> gray), stage 2
 * colorizes it (gray -> RGB). Browser-safe: tfjs only, no Node module.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createImage, type Image, type Mask } from '../image/types.js';
import { detectLostRegion } from '../masks/detect.js';
import { createModel } from '../models/create.js';
import type { HeadActivation } from '../models/decoders.js';
import { floatsToBytes } from '../data/tensor.js';

/** Options of {@link RestorationPipeline.create}. */
export interface PipelineOptions {
  /** Encoder of both U-Nets (see `encoderNames()` of `tfjs-restoration/models`); default `resnet34`. */
  encoder?: string;
  /** Decoder widths of both U-Nets; default smp's [256, 128, 64, 32, 16]. */
  decoderChannels?: number[];
  /** Encoder stem width (small test models); default the encoder's own (64 for ResNets). */
  encoderWidth?: number;
  /** Output activation of both stages; default `sigmoid` (outputs in [0, 1] like the images). */
  activation?: HeadActivation;
  /** Seed of the weight initializers (stage 2 uses `seed + 1`); default 0. */
  seed?: number;
  /** See {@link RestorationOptions.preserveLuminance}; default true. */
  preserveLuminance?: boolean;
}

/** Behaviour options of a {@link RestorationPipeline}. */
export interface RestorationOptions {
  /**
   * Shift each output pixel's three channels by one common amount so that its luma matches the completed gray
   * image (see {@link matchLuminance}): stage 2 then contributes only the colors, and the sharp gray structure
   * of the input is kept. Default true.
   */
  preserveLuminance?: boolean;
}

/** What {@link RestorationPipeline.predictDetailed} returns. */
export interface PipelinePrediction {
  /** The final RGB restoration. */
  rgb: Image;
  /** Stage 1's gray output composited into the input: known pixels are the input's, byte for byte. */
  gray: Image;
  /** The lost-region mask that was used (1 = lost). */
  mask: Mask;
}

/** Spatial multiple the U-Nets need (five stride-2 stages). */
export const PAD_MULTIPLE = 32;

/**
 * Pads a plain image on the bottom and right to `height` x `width` by repeating the edge pixels (edge mode:
 * works for any image size, unlike reflection which needs the image larger than the padding).
 */
export function padEdge(image: Image, width: number, height: number): Image {
  const { width: w, height: h, channels: c, data } = image;
  if (width < w || height < h)
    throw new RangeError(`padEdge: target ${width}x${height} is smaller than the image ${w}x${h}`);
  if (width === w && height === h) return createImage(w, h, c, data.slice());
  const out = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(y, h - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(x, w - 1);
      const src = (sy * w + sx) * c;
      const dst = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[dst + k] = data[src + k];
    }
  }
  return createImage(width, height, c, out);
}

/** The top-left `width` x `height` part of an image (undoes {@link padEdge}). */
function cropTopLeft(image: Image, width: number, height: number): Image {
  const c = image.channels;
  if (image.width === width && image.height === height) return image;
  const out = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++)
    out.set(image.data.subarray(y * image.width * c, (y * image.width + width) * c), y * width * c);
  return createImage(width, height, c, out);
}

/**
 * Gives an RGB image the luma of a gray image: each pixel's R, G and B move by the same amount `gray - luma`
 * (luma with Pillow's `convert('L')` weights 0.299, 0.587, 0.114, which sum to 1, so the shift moves the luma
 * by exactly that amount), rounded and clamped to 0..255. Keeps the chroma (the channel differences) unless
 * clamping cuts in.
 *
 * ```ts
 * const colored = matchLuminance(colorizerOutput, grayInput);
 * ```
 */
export function matchLuminance(rgb: Image, gray: Image): Image {
  if (rgb.channels !== 3 || gray.channels !== 1 || rgb.width !== gray.width || rgb.height !== gray.height)
    throw new RangeError(
      `matchLuminance: expected an RGB image and a gray image of one size, got ${rgb.width}x${rgb.height}x` +
        `${rgb.channels} and ${gray.width}x${gray.height}x${gray.channels}`,
    );
  const out = new Uint8Array(rgb.data.length);
  const d = rgb.data;
  for (let i = 0, j = 0; i < gray.data.length; i++, j += 3) {
    const shift = gray.data[i] - (d[j] * 299 + d[j + 1] * 587 + d[j + 2] * 114) / 1000;
    for (let k = 0; k < 3; k++) {
      const v = Math.round(d[j + k] + shift);
      out[j + k] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return createImage(rgb.width, rgb.height, 3, out);
}

/** Rounds `n` up to a multiple of {@link PAD_MULTIPLE}. */
function roundUp(n: number): number {
  return Math.ceil(n / PAD_MULTIPLE) * PAD_MULTIPLE;
}

function imageToTensor(image: Image, scale = 1 / 255): tf.Tensor4D {
  const values = new Float32Array(image.data.length);
  for (let i = 0; i < values.length; i++) values[i] = image.data[i] * scale;
  return tf.tensor4d(values, [1, image.height, image.width, image.channels]);
}

/**
 * Two U-Nets in sequence, the known strong approach to the DACON 2024 restoration task:
 * 1. **inpaint** (input `[gray, mask]`, 2 channels -> 1): fills the lost region of the gray image; its output
 *    is used only inside the mask, every known pixel keeps the input's exact value;
 * 2. **colorize** (gray, 1 channel -> 3): turns the completed gray image into RGB.
 *
 * Images of any size work: they are edge-padded to a multiple of 32 and the output is cropped back.
 *
 * ```ts
 * const pipeline = RestorationPipeline.create({ encoder: 'resnet34' });
 * const restored = await pipeline.predict(damagedGray); // mask found with detectLostRegion
 * pipeline.dispose();
 * ```
 */
export class RestorationPipeline {
  /** Whether outputs keep the completed gray image's luma (see {@link RestorationOptions}). */
  preserveLuminance: boolean;

  /**
   * @param inpaint stage 1: `[N, H, W, 2]` (gray, mask) -> `[N, H, W, 1]` in [0, 1]
   * @param colorize stage 2: `[N, H, W, 1]` -> `[N, H, W, 3]` in [0, 1]
   */
  constructor(
    readonly inpaint: tfl.LayersModel,
    readonly colorize: tfl.LayersModel,
    options: RestorationOptions = {},
  ) {
    checkStage(inpaint, 2, 1, 'inpaint');
    checkStage(colorize, 1, 3, 'colorize');
    this.preserveLuminance = options.preserveLuminance ?? true;
  }

  /** Builds both stages with random weights via `createModel('unet', ...)`. */
  static create(options: PipelineOptions = {}): RestorationPipeline {
    const common = {
      encoder: options.encoder ?? 'resnet34',
      decoderChannels: options.decoderChannels,
      encoderWidth: options.encoderWidth,
      activation: options.activation ?? 'sigmoid',
    };
    const seed = options.seed ?? 0;
    const inpaint = createModel('unet', { ...common, inChannels: 2, classes: 1, seed, name: 'inpaint' });
    const colorize = createModel('unet', {
      ...common,
      inChannels: 1,
      classes: 3,
      seed: seed + 1,
      name: 'colorize',
    });
    return new RestorationPipeline(inpaint, colorize, { preserveLuminance: options.preserveLuminance });
  }

  /**
   * Restores one damaged gray image to RGB. `mask` (1 = lost) defaults to `detectLostRegion(input)`.
   * An RGB input is rejected: the pipeline expects the competition's gray input.
   */
  async predict(input: Image, mask?: Mask): Promise<Image> {
    return (await this.predictDetailed(input, mask)).rgb;
  }

  /** Like {@link RestorationPipeline.predict}, also returning the composited gray image and the mask used. */
  async predictDetailed(input: Image, mask?: Mask): Promise<PipelinePrediction> {
    if (input.channels !== 1)
      throw new RangeError(
        `RestorationPipeline.predict: input must be gray (1 channel), got ${input.channels}`,
      );
    const m = mask ?? detectLostRegion(input);
    if (m.width !== input.width || m.height !== input.height || m.channels !== 1)
      throw new RangeError(
        `RestorationPipeline.predict: mask is ${m.width}x${m.height}x${m.channels}, ` +
          `expected ${input.width}x${input.height}x1`,
      );
    const { width, height } = input;
    const pw = roundUp(width);
    const ph = roundUp(height);
    const paddedInput = padEdge(input, pw, ph);
    const paddedMask = padEdge(m, pw, ph);

    // Stage 1: inpaint, then composite on the bytes so known pixels are exactly the input's.
    const filled = tf.tidy(() => {
      const x = tf.concat(
        [imageToTensor(paddedInput), tf.cast(tf.greater(imageToTensor(paddedMask, 1), 0), 'float32')],
        3,
      );
      return this.inpaint.predict(x) as tf.Tensor4D;
    });
    const filledBytes = floatsToBytes(await filled.data());
    filled.dispose();
    const composite = new Uint8Array(pw * ph);
    for (let i = 0; i < composite.length; i++)
      composite[i] = paddedMask.data[i] ? filledBytes[i] : paddedInput.data[i];
    const grayPadded = createImage(pw, ph, 1, composite);

    // Stage 2: colorize the completed gray image.
    const rgbTensor = tf.tidy(() => this.colorize.predict(imageToTensor(grayPadded)) as tf.Tensor4D);
    const rgbBytes = floatsToBytes(await rgbTensor.data());
    rgbTensor.dispose();
    const gray = cropTopLeft(grayPadded, width, height);
    const colored = cropTopLeft(createImage(pw, ph, 3, rgbBytes), width, height);
    const rgb = this.preserveLuminance ? matchLuminance(colored, gray) : colored;
    return { rgb, gray, mask: m };
  }

  /** Frees both models' weights. */
  dispose(): void {
    this.inpaint.dispose();
    this.colorize.dispose();
  }
}

function checkStage(model: tfl.LayersModel, inC: number, outC: number, what: string): void {
  const inShape = model.inputs[0]?.shape;
  const outShape = model.outputs[0]?.shape;
  if (inShape?.[3] !== inC || outShape?.[3] !== outC)
    throw new Error(
      `RestorationPipeline: ${what} stage must map ${inC} -> ${outC} channels, ` +
        `got ${String(inShape?.[3])} -> ${String(outShape?.[3])}`,
    );
}
