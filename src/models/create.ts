/**
 * `createModel`: segmentation-style models (U-Net, U-Net++) on a registered encoder, as tf.LayersModel (NHWC).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  buildUnetDecoder,
  buildUnetPlusPlusDecoder,
  segmentationHead,
  type HeadActivation,
} from './decoders.js';
import { getEncoder } from './encoders/index.js';
import { BuildContext, InputSizeCheck, registerCustomLayers, type Sym, type WeightInit } from './layers.js';
import { createPix2PixGenerator } from './pix2pix.js';

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Registered encoder name (see `encoderNames()`); default `resnet34`. */
  encoder?: string;
  /** Input channels; default 3. */
  inChannels?: number;
  /** Output channels; default 1. */
  classes?: number;
  /** Decoder block widths, one per encoder stage; default smp's [256, 128, 64, 32, 16]. */
  decoderChannels?: number[];
  /** Head activation (smp's names): none (default), identity, sigmoid, tanh, softmax/softmax2d, relu. */
  activation?: HeadActivation;
  /**
   * Must be null/undefined here: `createModel` is synchronous and builds random weights. Use
   * `createPretrainedModel` for `'imagenet'` or a safetensors state_dict.
   */
  encoderWeights?: null;
  /** Encoder stage-width override (tiny test models; ResNets: stem width, default 64). */
  encoderWidth?: number;
  /** Fixed input height/width; default null (any multiple of 32). */
  inputSize?: [number, number] | null;
  /** Seed of the kernel initializers; same seed, same weights. */
  seed?: number;
  /** Kernel initialization: 'he' (default) or 'zeros' (fast, for a model whose weights are loaded next). */
  weightInit?: WeightInit;
  /** Model name. */
  name?: string;
  /** pix2pix only: generator base width (ngf, default 64) and number of downsamplings (default 8). */
  ngf?: number;
  numDowns?: number;
}

type Builder = (options: CreateModelOptions) => tfl.LayersModel;

const ARCHS: Record<string, Builder> = {
  unet: (o) => buildSegmentationModel('unet', o),
  unetplusplus: (o) => buildSegmentationModel('unetplusplus', o),
  pix2pix: (o) =>
    createPix2PixGenerator({
      inChannels: o.inChannels,
      outChannels: o.classes,
      ngf: o.ngf,
      numDowns: o.numDowns,
      seed: o.seed,
      weightInit: o.weightInit,
      inputSize: o.inputSize,
    }),
};

/** Names accepted by {@link createModel}. */
export function archNames(): string[] {
  return Object.keys(ARCHS);
}

/**
 * Builds a model by architecture name. Layer names follow the PyTorch module paths of smp's models
 * (`encoder.layer1.0.conv1`, `decoder.blocks.0.conv1.0`, `segmentation_head.0`) so PyTorch weights map by name.
 *
 * @example
 * const model = createModel('unet', { encoder: 'resnet34', inChannels: 1, classes: 3, activation: 'sigmoid' });
 * const y = model.predict(tf.zeros([1, 512, 512, 1])) as tf.Tensor; // [1, 512, 512, 3]
 */
export function createModel(arch: string, options: CreateModelOptions = {}): tfl.LayersModel {
  const build = ARCHS[arch];
  if (!build) throw new Error(`unknown architecture '${arch}': expected one of ${archNames().join(', ')}`);
  if (options.encoderWeights != null) {
    throw new Error(
      `createModel: encoderWeights '${String(options.encoderWeights)}' needs an asynchronous load; ` +
        `use await createPretrainedModel('${arch}', options)`,
    );
  }
  return build(options);
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${what}: expected a positive integer, got ${value}`);
  return value;
}

function buildSegmentationModel(arch: 'unet' | 'unetplusplus', o: CreateModelOptions): tfl.LayersModel {
  registerCustomLayers();
  const encoder = getEncoder(o.encoder ?? 'resnet34');
  const inChannels = positiveInt(o.inChannels ?? 3, 'inChannels');
  const classes = positiveInt(o.classes ?? 1, 'classes');
  const decoderChannels = o.decoderChannels ?? [256, 128, 64, 32, 16];
  const [h, w] = o.inputSize ?? [null, null];
  const ctx = new BuildContext(o.seed, o.weightInit);

  const input = tfl.input({ shape: [h, w, inChannels], name: 'input' });
  const checked = new InputSizeCheck({ divisor: encoder.divisor, name: 'input_size_check' }).apply(
    input,
  ) as Sym;
  const features = encoder.build(ctx, checked, { inChannels, width: o.encoderWidth, prefix: 'encoder.' });
  const decoded =
    arch === 'unet'
      ? buildUnetDecoder(ctx, features, decoderChannels)
      : buildUnetPlusPlusDecoder(ctx, features, decoderChannels);
  const output = segmentationHead(ctx, decoded, classes, o.activation ?? 'none');
  return tfl.model({ inputs: input, outputs: output, name: o.name ?? `${arch}_${encoder.name}` });
}

/** Trainable and non-trainable (batch-norm running statistics) parameter counts of a model. */
export function countParams(model: tfl.LayersModel): { trainable: number; nonTrainable: number } {
  const size = (ws: tfl.LayersModel['trainableWeights']): number =>
    ws.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return { trainable: size(model.trainableWeights), nonTrainable: size(model.nonTrainableWeights) };
}
