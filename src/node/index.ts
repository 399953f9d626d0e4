/**
 * Node-only helpers: file I/O with atomic writes, datasets on disk. Not for browsers.
 * @module node
 */
export { readPng, writePng, writeFileAtomic, listPngs } from './files.js';
export { openDataset } from './dataset.js';
