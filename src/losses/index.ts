/**
 * Tensor losses for training restoration models (tfjs-core only).
 * @module losses
 */
export { l1Loss, mseLoss, l1MseLoss, totalVariationLoss } from './pixel.js';
export type { PixelLossOptions, L1MseOptions, Reduction } from './pixel.js';
