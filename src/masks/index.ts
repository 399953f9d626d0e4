/** @module masks */
export {};
