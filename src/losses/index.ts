/** @module losses */
export {};
