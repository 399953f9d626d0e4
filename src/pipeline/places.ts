/**
 * Grouping a competition training set by place (Node): embeddings of its images, then `clusterPlaces`. The
 * labels feed `groupKFold` (validate on places never seen in training) and `train_preproc.csv`.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { clusterPlaces } from '../cluster/places.js';
import { embedImages, loadImagenetEmbedder, type EmbedPreprocessing } from '../models/embed.js';
import type { ResnetImagenetOptions } from '../models/pretrained.js';
import { openDataset } from '../node/dataset.js';
import { readPhoto } from '../node/photos.js';

/** Options of {@link clusterDatasetPlaces}. */
export interface ClusterDatasetOptions {
  /**
   * Which image of each training row to embed: `'gt'` (default: the clean color photo, whose content is the
   * place) or `'input'` (the damaged gray one, for data without ground truth).
   */
  images?: 'gt' | 'input';
  /** Seed of UMAP (HDBSCAN has no randomness): same data and seed, same labels. Default 0. */
  seed?: number;
  /** Embedding input side; default 224. */
  size?: number;
  /** Embedding batch size; default 16. */
  batchSize?: number;
  /** An embedding model (e.g. `createEncoderModel(...)` with imported weights); default {@link loadImagenetEmbedder}. */
  embedder?: tfl.LayersModel;
  /** Preprocessing of `embedder`'s input; default `'caffe'` (the ImageNet ResNet50's). */
  preprocessing?: EmbedPreprocessing;
  /** Where to find the ImageNet ResNet50 when no `embedder` is given. */
  imagenet?: ResnetImagenetOptions;
  /** UMAP neighbours; default 5. */
  nNeighbors?: number;
  /** UMAP epochs; default umap-js's (500 up to 10,000 images, 200 above). */
  nEpochs?: number;
  /** HDBSCAN minimum cluster size; default 5. */
  minClusterSize?: number;
  /** Progress: images embedded, then UMAP epochs done, each out of its total. */
  onProgress?: (stage: 'embed' | 'umap', done: number, total: number) => void;
}

/** What {@link clusterDatasetPlaces} found, in `train.csv` row order. */
export interface DatasetPlaces {
  /** Record ids (file stems of `input_image_path`, e.g. `TRAIN_00000`). */
  ids: string[];
  /** Place labels, −1 = noise. */
  labels: Int32Array;
  /** 2-D UMAP coordinates (for `clusterScatter`). */
  coordinates: number[][];
}

/**
 * Groups the training images of a dataset in the competition layout (`DIR/train.csv`) by place: embeds each row's
 * ground truth (or input) with the ImageNet ResNet50 (or `embedder`), then L2-normalize → UMAP → HDBSCAN
 * (`clusterPlaces`). Needs the active tfjs backend to be set (e.g. `useBackend('native')`).
 *
 * ```ts
 * const { ids, labels } = await clusterDatasetPlaces('data', { seed: 42 });
 * await writePlaceLabels('train_preproc.csv', ids, labels);
 * ```
 */
export async function clusterDatasetPlaces(
  root: string,
  options: ClusterDatasetOptions = {},
): Promise<DatasetPlaces> {
  const { images = 'gt', seed = 0, onProgress } = options;
  if (images !== 'gt' && images !== 'input')
    throw new RangeError(`clusterDatasetPlaces: images must be 'gt' or 'input', got '${String(images)}'`);
  const records = await openDataset(root, 'train');
  const embedder = options.embedder ?? (await loadImagenetEmbedder(options.imagenet));
  let vectors: Float32Array[];
  try {
    vectors = await embedImages(
      embedder,
      { length: records.length, get: (i) => readPhoto(images === 'gt' ? records[i].gt! : records[i].input) },
      {
        size: options.size,
        batchSize: options.batchSize,
        preprocessing: options.preprocessing,
        onProgress: (done, total) => onProgress?.('embed', done, total),
      },
    );
  } finally {
    if (!options.embedder) embedder.dispose();
  }
  const { labels, coordinates } = clusterPlaces(vectors, {
    seed,
    nNeighbors: options.nNeighbors,
    nEpochs: options.nEpochs,
    minClusterSize: options.minClusterSize,
    onProgress: (epoch, total) => onProgress?.('umap', epoch, total),
  });
  return { ids: records.map((r) => r.id), labels, coordinates };
}
