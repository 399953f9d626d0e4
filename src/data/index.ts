/** @module data */
export {};
