/**
 * Model builders: encoder registry (torchvision ResNets), smp-layout U-Net / U-Net++ decoders, the pix2pix
 * baseline, PyTorch weight import (safetensors) and custom layers. tfjs-layers, NHWC.
 * @module models
 */
export { createModel, archNames, countParams, type CreateModelOptions } from './create.js';
export {
  getEncoder,
  encoderNames,
  registerEncoder,
  type EncoderSpec,
  type EncoderBuildOptions,
  type KnownWeights,
} from './encoders/index.js';
export {
  buildResNet,
  resnetOutChannels,
  RESNET_DEPTHS,
  type ResNetOptions,
  type StrideOn,
} from './encoders/resnet.js';
export {
  buildUnetDecoder,
  buildUnetPlusPlusDecoder,
  segmentationHead,
  ACTIVATIONS,
  type HeadActivation,
} from './decoders.js';
export {
  InputSizeCheck,
  validateInputSize,
  registerCustomLayers,
  LAYER_PACKAGE,
  BuildContext,
} from './layers.js';
export {
  createPix2PixGenerator,
  createPatchGanDiscriminator,
  pix2pixTrainStep,
  type Pix2PixGeneratorOptions,
  type PatchGanOptions,
  type Pix2PixStep,
  type Pix2PixLosses,
} from './pix2pix.js';
export { parseSafetensors, encodeSafetensors, type StateDict, type StateTensor } from './safetensors.js';
export {
  loadStateDict,
  exportStateDict,
  patchFirstConvKernel,
  type LoadStateDictOptions,
  type LoadReport,
} from './weights.js';
