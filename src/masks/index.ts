/**
 * Seeded masks and competition-style damage: rasterizers exact to scikit-image, mask generators and presets,
 * `damage`, `recoverMask`, `detectLostRegion`, and `classicalRestore` (the model-free baseline). It also
 * re-exports the seeded generator (`createRng`, `hash32`, `Rng`), also exported from `tfjs-restoration/random`,
 * its home. No tfjs, no Node modules.
 * @module masks
 */
/** The seeded generator, also exported from `tfjs-restoration/random`, its home. */
export { createRng, hash32 } from '../random/rng.js';
/** The seeded generator's interface, also exported from `tfjs-restoration/random`, its home. */
export type { Rng } from '../random/rng.js';
export {
  emptyMask,
  pointInPolygon,
  fillPolygon,
  fillEllipse,
  fillRect,
  drawThickLine,
  maskArea,
  maskCoverage,
} from './raster.js';
export type { Polygon } from './raster.js';
export {
  unitPolygon,
  polygonMask,
  rectangleMask,
  ellipseMask,
  strokeMask,
  boxMask,
  unionMask,
  mixedMask,
  withCoverage,
  connectedMask,
  maskPreset,
  generateMask,
  MASK_PRESETS,
} from './generators.js';
export type {
  MaskGenerator,
  Range,
  PolygonShape,
  PolygonOptions,
  RectangleOptions,
  EllipseOptions,
  StrokeOptions,
  BoxOptions,
  CoverageOptions,
  MaskPresetName,
  MaskPreset,
} from './generators.js';
export { damage, recoverMask, maskIoU } from './damage.js';
export type { DamageOptions, DamagedSample } from './damage.js';
export { detectLostRegion, detectLostRegionDetailed } from './detect.js';
export type { DetectOptions, DetectedRegion } from './detect.js';
export { classicalRestore } from './restore.js';
export type { ClassicalRestoreOptions } from './restore.js';
export {
  erodeMask,
  dilateMask,
  openMask,
  labelComponents,
  largestComponent,
  fillHoles,
  squaredDistanceTo,
} from './morphology.js';
export type { Components } from './morphology.js';
