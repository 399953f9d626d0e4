/** @module data */
export * from './augment/index.js';
