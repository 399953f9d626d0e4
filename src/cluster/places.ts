import { hdbscanLabels, type HdbscanOptions } from './hdbscan.js';
import { l2Normalize } from './points.js';
import { umapCoordinates, type UmapOptions } from './umap.js';

/** Options of {@link clusterPlaces}: UMAP's and HDBSCAN's, with the place-grouping recipe as defaults. */
export interface ClusterPlacesOptions extends UmapOptions, HdbscanOptions {}

/** What {@link clusterPlaces} found. */
export interface PlaceClusters {
  /** One label per embedding: 0, 1, … per place, −1 for noise (no place). */
  labels: Int32Array;
  /** The UMAP coordinates the clustering ran on (for a plot). */
  coordinates: number[][];
}

/**
 * Groups images by place from their embeddings: L2-normalize, UMAP (5 neighbours, min distance 0, 2 components,
 * seeded) and HDBSCAN (minimum cluster size 5, noise −1) — the recipe that keeps bursts of near-duplicate photos
 * on one side of a train/validation split. Same embeddings and seed, same labels.
 *
 * ```ts
 * const { labels } = clusterPlaces(embeddings, { seed: 42 });
 * const { train, val } = groupKFold(labels, 5, 0, { seed: 42 });
 * ```
 */
export function clusterPlaces(
  embeddings: readonly ArrayLike<number>[],
  options: ClusterPlacesOptions = {},
): PlaceClusters {
  const coordinates = umapCoordinates(l2Normalize(embeddings), options);
  const labels = hdbscanLabels(coordinates, options);
  return { labels, coordinates };
}
