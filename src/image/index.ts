/**
 * The plain image type and pixel-exact conversions. No tfjs, no Node modules.
 * @module image
 */
export { createImage, assertSameSize, assertChannels } from './types.js';
export type { Image, Mask, Sample } from './types.js';
export {
  lumaPil,
  toGray,
  grayToRgb,
  hueOpenCv,
  rgbToHsv,
  matchLuminance,
  meanChromaOffset,
} from './color.js';
export type { MatchLuminanceOptions } from './color.js';
export { decodePng, encodePng, pngInfo } from './png.js';
export type { DecodeOptions, PngInfo } from './png.js';
export { decodeJpeg } from './jpeg.js';
export { hasJpegSignature } from './signature.js';
export { resizeImage, cropImage, fitImage, flipImage, shrinkToFit, padEdge } from './resize.js';
export type { ResizeMethod } from './resize.js';
export { inpaintTelea } from './inpaint.js';
export type { InpaintOptions } from './inpaint.js';
export { drawText } from './text.js';
export type { TextOptions } from './text.js';
