/**
 * Grouping by place: UMAP, HDBSCAN and the adjusted Rand index, on plain arrays. No tfjs, no Node module (the
 * embeddings come from `tfjs-restoration/models`' `embedImages`).
 * @module cluster
 */
export { hdbscanLabels } from './hdbscan.js';
export type { HdbscanOptions } from './hdbscan.js';
export { umapCoordinates } from './umap.js';
export type { UmapOptions } from './umap.js';
export { l2Normalize } from './points.js';
export { adjustedRandIndex } from './ari.js';
export { clusterPlaces } from './places.js';
export type { ClusterPlacesOptions, PlaceClusters } from './places.js';
export { clusterScatter } from './plot.js';
export type { ClusterScatterOptions } from './plot.js';
