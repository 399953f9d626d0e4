/**
 * The seeded pseudo-random generator every random thing in the library draws from (masks, damage, augmentations,
 * shuffles, UMAP, training samples): `createRng(seed)` and `hash32`. No tfjs, no Node modules.
 * @module random
 */
export { createRng, hash32 } from './rng.js';
export type { Rng } from './rng.js';
