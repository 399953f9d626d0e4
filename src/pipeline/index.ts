/** @module pipeline */
export {};
