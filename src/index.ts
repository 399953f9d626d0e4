/**
 * tfjs-restoration: image-restoration primitives on TensorFlow.js.
 * The root re-exports the layers that need no tfjs; import tensor layers from their subpaths.
 * @module tfjs-restoration
 */
export * from './image/index.js';
export * from './metrics/index.js';
export * from './masks/index.js';
