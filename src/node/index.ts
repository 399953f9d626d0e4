/**
 * Node-only helpers: file I/O with atomic writes, matching files by name, datasets on disk. Not for browsers.
 * @module node
 */
export { readPng, writePng, writeFileAtomic, listPngs } from './files.js';
export { matchPngsByName } from './pairs.js';
export type { MatchedFiles, MatchPngsOptions } from './pairs.js';
export { openDataset, findDataset, writeDataset } from './dataset.js';
export type { DatasetSampleImages, WriteDatasetOptions } from './dataset.js';
export { readPhoto, listPhotos } from './photos.js';
