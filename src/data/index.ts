/**
 * Dataset layout reading and validation, splits, batching.
 * @module data
 */
export { parseCsv, parseCsvRecords, formatCsv } from './csv.js';
export { parseDatasetIndex, resolveDatasetPath } from './layout.js';
export type { DatasetRecord } from './layout.js';
export { splitTrainVal, groupKFold, kFold } from './split.js';
export type { SplitOptions, GroupKFoldOptions } from './split.js';
export { formatPlaceLabels, parsePlaceLabels } from './places.js';
export type { PlaceLabels } from './places.js';
export { shuffled } from './shuffle.js';
export { imagesToTensor, tensorToImages, floatsToBytes } from './tensor.js';
export { batches, collate } from './loader.js';
export type { Batch, BatchOptions, BatchSample } from './loader.js';
export * from './augment/index.js';
