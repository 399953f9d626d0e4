/**
 * Node-only helpers: file I/O with atomic writes, matching files by name, datasets on disk, command-line options.
 * Not for browsers.
 * @module node
 */
export {
  readPng,
  writePng,
  readPngInfo,
  readMaskPng,
  writeMaskPng,
  writeFileAtomic,
  listPngs,
} from './files.js';
export { matchPngsByName } from './pairs.js';
export type { MatchedFiles, MatchPngsOptions } from './pairs.js';
export { openDataset, validateDataset } from './dataset.js';
export type { ValidateDatasetOptions } from './dataset.js';
export { findDataset, writeDataset } from './dataset.js';
export type { DatasetSampleImages, WriteDatasetOptions } from './dataset.js';
export { readPhoto, listPhotos } from './photos.js';
export { startProgress, progressLine } from './progress.js';
export type { Progress, ProgressIO } from './progress.js';
export { parseOptions, UsageError } from './args.js';
export type { OptionSpec, OptionType, OptionValue, ParsedOptions } from './args.js';
export { readPlaceLabels, writePlaceLabels } from './places.js';
export { writeDirectoryAtomic, verifyDirectory, readableDirectory, MANIFEST } from './directory.js';
