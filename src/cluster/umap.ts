import { UMAP } from 'umap-js';
import { createRng } from '../random/rng.js';
import { packPoints } from './points.js';

/** Options of {@link umapCoordinates}. */
export interface UmapOptions {
  /** Neighbours of the fuzzy graph; default 5 (the place-grouping recipe; UMAP's own default is 15). */
  nNeighbors?: number;
  /** Smallest distance between embedded points; default 0 (tight clumps, good for clustering). */
  minDist?: number;
  /** Output dimensions; default 2. */
  nComponents?: number;
  /** Optimization epochs; default umap-js's (500 up to 10,000 points, 200 above). Fewer is faster. */
  nEpochs?: number;
  /** Seed of every random draw (the library's generator): same seed, same input, same coordinates. Default 0. */
  seed?: number;
  /** Called after the neighbour graph is built (`epoch` 0) and after each optimization epoch. */
  onProgress?: (epoch: number, nEpochs: number) => void;
}

/**
 * Reduces vectors with UMAP (McInnes, Healy and Melville 2018; the `umap-js` implementation, random initial
 * layout) and returns one row of `nComponents` coordinates per vector. Seeded with the library's generator
 * (`createRng(seed).float`), so the same input and seed give the same coordinates on every run (umap-js' float math
 * uses `Math.exp`/`Math.pow`, so other JavaScript engines may differ in the last bits).
 *
 * ```ts
 * const xy = umapCoordinates(l2Normalize(embeddings), { nNeighbors: 5, minDist: 0, seed: 42 });
 * ```
 */
export function umapCoordinates(
  vectors: readonly ArrayLike<number>[],
  options: UmapOptions = {},
): number[][] {
  const { nNeighbors = 5, minDist = 0, nComponents = 2, nEpochs, seed = 0, onProgress } = options;
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2)
    throw new RangeError(`umapCoordinates: nNeighbors must be an integer >= 2, got ${nNeighbors}`);
  if (!Number.isInteger(nComponents) || nComponents < 1)
    throw new RangeError(`umapCoordinates: nComponents must be a positive integer, got ${nComponents}`);
  if (!(minDist >= 0)) throw new RangeError(`umapCoordinates: minDist must be >= 0, got ${minDist}`);
  if (nEpochs !== undefined && (!Number.isInteger(nEpochs) || nEpochs < 1))
    throw new RangeError(`umapCoordinates: nEpochs must be a positive integer, got ${nEpochs}`);
  const packed = packPoints(vectors, 'umapCoordinates');
  if (packed.n <= nNeighbors)
    throw new RangeError(
      `umapCoordinates: need more vectors than nNeighbors (${nNeighbors}), got ${packed.n}`,
    );
  const rows: number[][] = [];
  for (let i = 0; i < packed.n; i++)
    rows.push(Array.from(packed.data.subarray(i * packed.dim, (i + 1) * packed.dim)));
  const umap = new UMAP({ nNeighbors, minDist, nComponents, nEpochs, random: createRng(seed).float });
  const epochs = umap.initializeFit(rows);
  onProgress?.(0, epochs);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    onProgress?.(e + 1, epochs);
  }
  return umap.getEmbedding().map((r) => r.slice());
}
