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
import { floatsToBytes, imagesToTensor, masksToTensor } from '../data/tensor.js';
import { matchLuminance } from '../image/color.js';
import { padEdge, resizeImage } from '../image/resize.js';
import {
  checkPipelineConfig,
  forwardStages,
  PIPELINE_PRESETS,
  stageChannels,
  stageOneStart,
  type PipelineConfig,
  type PipelinePreset,
} from './recipe.js';

/** The preset {@link RestorationPipeline.create} uses when none is named. */
export const DEFAULT_PRESET: PipelinePreset = 'global';

/** Options of {@link RestorationPipeline.create}. */
export interface PipelineOptions {
  /** Named configuration (see {@link PIPELINE_PRESETS}); default {@link DEFAULT_PRESET}. */
  preset?: PipelinePreset;
  /** Fields that override the preset's. */
  config?: Partial<PipelineConfig>;
  /** Encoder of both U-Nets (see `encoderNames()` of `tfjs-restoration/models`); default `resnet34`. */
  encoder?: string;
  /** Decoder widths of both U-Nets; default smp's [256, 128, 64, 32, 16]. */
  decoderChannels?: number[];
  /** Encoder stem width (small test models); default the encoder's own (64 for ResNets). */
  encoderWidth?: number;
  /**
   * Output activation of both stages; default `none` when stage 1 is residual (identity heads, as the reference
   * recipe), else `sigmoid` (outputs in [0, 1] like the images).
   */
  activation?: HeadActivation;
  /** Seed of the weight initializers (stage 2 uses `seed + 1`); default 0. */
  seed?: number;
  /** See {@link RestorationOptions.preserveLuminance}; default true. */
  preserveLuminance?: boolean;
  /** See {@link RestorationOptions.chromaGain}; default 1. */
  chromaGain?: number;
  /** See {@link RestorationOptions.lostChromaGain}; default null (`chromaGain`). */
  lostChromaGain?: number | null;
  /** See {@link RestorationOptions.chromaOffset}; default null (none). */
  chromaOffset?: readonly [number, number, number] | null;
}

/** Behaviour options of a {@link RestorationPipeline}. */
export interface RestorationOptions {
  /**
   * Shift each output pixel's three channels by one common amount so that its luma matches the completed gray
   * image (see {@link matchLuminance}): stage 2 then contributes only the colors, and the sharp gray structure
   * of the input is kept. Default true.
   */
  preserveLuminance?: boolean;
  /**
   * With `preserveLuminance`, the factor on the colorizer's chroma (see {@link MatchLuminanceOptions}); the
   * trainer fits it on the validation set (`chromaGains` of `trainPipeline`). Default 1.
   */
  chromaGain?: number;
  /**
   * The chroma gain inside the lost region (colors guessed from a filled-in region are less sure than those of
   * known pixels); `null` (default): `chromaGain`. The trainer fits it with `chromaGain`.
   */
  lostChromaGain?: number | null;
  /**
   * With `preserveLuminance`, a correction of the colorizer's overall tint added to every pixel's chroma before the
   * gains (R, G, B levels; see {@link MatchLuminanceOptions.chromaOffset}); the trainer fits it on the validation
   * set (`fitChroma` of `trainPipeline`, `meanChromaOffset`). `null` (default): none.
   */
  chromaOffset?: readonly [number, number, number] | null;
}

/** What {@link RestorationPipeline.predictDetailed} returns. */
export interface PipelinePrediction {
  /** The final RGB restoration. */
  rgb: Image;
  /** Stage 1's gray output composited into the input: known pixels are the input's, byte for byte. */
  gray: Image;
  /** The lost-region mask that was used (1 = lost). */
  mask: Mask;
  /**
   * Stage 2's colors at full size as they came out (clipped to 0..255), before {@link matchLuminance}: what
   * `rgb` is made of, so that another `chromaGain` can be tried without running the models again.
   */
  colors: Image;
}

/** Spatial multiple the U-Nets need (five stride-2 stages). */
export const PAD_MULTIPLE = 32;

/** Rounds `n` up to a multiple of {@link PAD_MULTIPLE}. */
function roundUp(n: number): number {
  return Math.ceil(n / PAD_MULTIPLE) * PAD_MULTIPLE;
}

/** A lost-region mask (0/1) as a 0/255 image, so that resizing it keeps fractional coverage. */
function maskBytes(mask: Mask): Image {
  return createImage(
    mask.width,
    mask.height,
    1,
    mask.data.map((v) => (v ? 255 : 0)),
  );
}

/**
 * Two U-Nets in sequence, the known strong approach to the DACON 2024 restoration task:
 * 1. **inpaint** fills the lost region of the gray image; its output is used only inside the mask, every known
 *    pixel keeps the input's exact value;
 * 2. **colorize** turns the completed gray image into colors.
 *
 * What each stage sees and predicts (residual or not, mask channel, classical pre-fill, RGB or chroma, the
 * working resolution) is the pipeline's {@link PipelineConfig}, one of {@link PIPELINE_PRESETS} by default.
 * Images of any size work: at full resolution they are edge-padded to a multiple of 32 and cropped back; with a
 * `workSize` they are resized to it and the outputs brought back to full size.
 *
 * ```ts
 * const pipeline = RestorationPipeline.create({ encoder: 'resnet18' });
 * const restored = await pipeline.predict(damagedGray); // mask found with detectLostRegion
 * pipeline.dispose();
 * ```
 */
export class RestorationPipeline {
  /** Whether outputs keep the completed gray image's luma (see {@link RestorationOptions}). */
  preserveLuminance: boolean;
  /** See {@link RestorationOptions.chromaGain}. */
  chromaGain: number;
  /** See {@link RestorationOptions.lostChromaGain}. */
  lostChromaGain: number | null;
  /** See {@link RestorationOptions.chromaOffset}. */
  chromaOffset: readonly [number, number, number] | null;
  /** What the stages compute (fixed for a trained pipeline). */
  readonly config: PipelineConfig;

  /**
   * @param inpaint stage 1: `[N, H, W, 1 or 2]` (gray, and the mask with `maskChannel`) -> `[N, H, W, 1]`
   * @param colorize stage 2: `[N, H, W, 1]` -> `[N, H, W, 3]` (RGB) or `[N, H, W, 2]` (chroma)
   * @param options behaviour and the {@link PipelineConfig} (default the `legacy` preset, which the first
   *   saved pipelines used)
   */
  constructor(
    readonly inpaint: tfl.LayersModel,
    readonly colorize: tfl.LayersModel,
    options: RestorationOptions & { config?: PipelineConfig } = {},
  ) {
    this.config = checkPipelineConfig(options.config ?? PIPELINE_PRESETS.legacy);
    const { inpaintIn, colorizeOut } = stageChannels(this.config);
    checkStage(inpaint, inpaintIn, 1, 'inpaint');
    checkStage(colorize, 1, colorizeOut, 'colorize');
    this.preserveLuminance = options.preserveLuminance ?? true;
    this.chromaGain = options.chromaGain ?? 1;
    this.lostChromaGain = options.lostChromaGain ?? null;
    this.chromaOffset = checkChromaOffset(options.chromaOffset ?? null, 'RestorationPipeline: chromaOffset');
    for (const k of ['chromaGain', 'lostChromaGain'] as const) {
      const g = this[k] ?? 0;
      if (!(g >= 0 && Number.isFinite(g)))
        throw new RangeError(
          `RestorationPipeline: ${k} must be a finite number >= 0, got ${String(options[k])}`,
        );
    }
  }

  /** Builds both stages with random weights via `createModel('unet', ...)`. */
  static create(options: PipelineOptions = {}): RestorationPipeline {
    if (options.preset !== undefined && !(options.preset in PIPELINE_PRESETS))
      throw new RangeError(
        `RestorationPipeline.create: unknown preset '${String(options.preset)}'; expected one of ` +
          Object.keys(PIPELINE_PRESETS).join(', '),
      );
    const config = checkPipelineConfig({
      ...PIPELINE_PRESETS[options.preset ?? DEFAULT_PRESET],
      ...options.config,
    });
    const { inpaintIn, colorizeOut } = stageChannels(config);
    const common = {
      encoder: options.encoder ?? 'resnet34',
      decoderChannels: options.decoderChannels,
      encoderWidth: options.encoderWidth,
      activation: options.activation ?? (config.residual ? 'none' : 'sigmoid'),
    };
    const seed = options.seed ?? 0;
    const inpaint = createModel('unet', {
      ...common,
      inChannels: inpaintIn,
      classes: 1,
      seed,
      name: 'inpaint',
    });
    const colorize = createModel('unet', {
      ...common,
      inChannels: 1,
      classes: colorizeOut,
      seed: seed + 1,
      name: 'colorize',
    });
    // A residual stage 1 and a chroma stage 2 start as the identity and as gray: with zeroed heads the untrained
    // pipeline returns the (pre-filled) input, and training can only move it from there.
    if (config.residual) zeroHead(inpaint);
    if (config.color === 'chroma') zeroHead(colorize);
    return new RestorationPipeline(inpaint, colorize, {
      preserveLuminance: options.preserveLuminance,
      chromaGain: options.chromaGain,
      lostChromaGain: options.lostChromaGain,
      chromaOffset: options.chromaOffset,
      config,
    });
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
    const start = stageOneStart(input, m, this.config);
    const size = this.config.workSize;
    // The working-resolution inputs: the whole image resized to workSize, or edge-padded to a multiple of 32.
    const [ww, wh] = size ? [size, size] : [roundUp(width), roundUp(height)];
    const startW = size ? resizeImage(start, ww, wh, 'area') : padEdge(start, ww, wh);
    const maskW = size ? resizeImage(maskBytes(m), ww, wh, 'area') : padEdge(maskBytes(m), ww, wh);
    const [grayT, rgbT] = tf.tidy(() => {
      const s = imagesToTensor([startW]);
      const mk = masksToTensor([maskW]);
      const out = forwardStages(this.inpaint, this.colorize, this.config, s, mk, false);
      if (!size) {
        const crop = <T extends tf.Tensor4D>(t: T) => tf.slice(t, [0, 0, 0, 0], [1, height, width, -1]);
        return [crop(out.gray), crop(tf.clipByValue(out.rgb, 0, 1))];
      }
      // Back to full size: stage 1's correction of the start image, and the colors (under the full-size gray).
      const up = (t: tf.Tensor4D) => tf.image.resizeBilinear(t, [height, width], false, true);
      const delta = up(tf.sub(out.gray, s) as tf.Tensor4D);
      return [tf.add(imagesToTensor([start]), delta), up(tf.clipByValue(out.rgb, 0, 1) as tf.Tensor4D)];
    });
    const [grayBytes, rgbBytes] = [floatsToBytes(await grayT.data()), floatsToBytes(await rgbT.data())];
    tf.dispose([grayT, rgbT]);
    // Known pixels keep the input's exact value; only the lost region takes stage 1's output.
    const composite = new Uint8Array(width * height);
    for (let i = 0; i < composite.length; i++) composite[i] = m.data[i] ? grayBytes[i] : input.data[i];
    const gray = createImage(width, height, 1, composite);
    const colors = createImage(width, height, 3, rgbBytes);
    const rgb = this.preserveLuminance
      ? matchLuminance(colors, gray, {
          chromaGain: this.chromaGain,
          mask: m,
          maskChromaGain: this.lostChromaGain ?? this.chromaGain,
          chromaOffset: this.chromaOffset ?? undefined,
        })
      : colors;
    return { rgb, gray, mask: m, colors };
  }

  /** Frees both models' weights. */
  dispose(): void {
    this.inpaint.dispose();
    this.colorize.dispose();
  }
}

/** Sets the weights of a U-Net's last convolution (`segmentation_head.0`) to zero. */
function zeroHead(model: tfl.LayersModel): void {
  const head = model.getLayer('segmentation_head.0');
  const zeros = head.getWeights().map((w) => tf.zerosLike(w));
  head.setWeights(zeros);
  tf.dispose(zeros);
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

/**
 * A chroma offset checked: `null`, or 3 finite numbers (returned as a fresh tuple).
 * @throws RangeError naming `what` otherwise.
 */
export function checkChromaOffset(
  offset: readonly number[] | null,
  what: string,
): [number, number, number] | null {
  if (offset === null) return null;
  if (
    !Array.isArray(offset) ||
    offset.length !== 3 ||
    offset.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  )
    throw new RangeError(
      `${what} must be null or 3 finite numbers (R, G, B levels), got ${JSON.stringify(offset)}`,
    );
  return [offset[0], offset[1], offset[2]];
}
