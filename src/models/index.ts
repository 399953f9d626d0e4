/** @module models */
export {};
