/**
 * Node-only helpers: file I/O with atomic writes. Not for browsers.
 * @module node
 */
export { readPng, writePng, writeFileAtomic, listPngs } from './files.js';
export { directoryIO, saveModel, loadModel } from './model-io.js';
