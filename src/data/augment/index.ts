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
export type { Params, Transform, ReplayEntry } from './types.js';
/** One training sample (input, gt, mask); also exported from `tfjs-restoration/image`, its home. */
export type { Sample } from '../../image/types.js';
