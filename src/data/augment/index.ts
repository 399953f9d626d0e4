export { Compose, OneOf } from './compose.js';
export type { Augmented } from './compose.js';
export { horizontalFlip, randomResizedCrop } from './geometric.js';
export type { RandomResizedCropOptions } from './geometric.js';
export { brightnessContrast, colorJitter, gaussianNoise } from './photometric.js';
export type {
  PhotometricTargets,
  BrightnessContrastOptions,
  ColorJitterOptions,
  GaussianNoiseOptions,
} from './photometric.js';
export { redamage } from './redamage.js';
export type { RedamageOptions } from './redamage.js';
export type { Sample, Params, Transform, ReplayEntry } from './types.js';
