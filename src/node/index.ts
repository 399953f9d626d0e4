/**
 * Node-only helpers: file I/O with atomic writes. Not for browsers.
 * @module node
 */
export { readPng, writePng, writeFileAtomic, listPngs } from './files.js';
export { readPhoto, listPhotos } from './photos.js';
