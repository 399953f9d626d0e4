import type * as tf from '@tensorflow/tfjs-core';
import type { Image, Mask } from '../image/types.js';
import { shuffled } from './shuffle.js';
import { imagesToTensor, masksToTensor } from './tensor.js';

/** One loaded example. `gt` and `mask` are absent for test data. */
export interface BatchSample {
  readonly id: string;
  readonly input: Image;
  readonly gt?: Image;
  readonly mask?: Mask;
}

/** A batch of NHWC float32 tensors in [0, 1]; call `dispose()` when done with it. */
export interface Batch {
  readonly ids: string[];
  readonly input: tf.Tensor4D;
  readonly gt?: tf.Tensor4D;
  readonly mask?: tf.Tensor4D;
  dispose(): void;
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle the order each epoch with `seed + epoch`. Default false. */
  shuffle?: boolean;
  seed?: number;
  /** Epoch number, mixed into the shuffle seed so each epoch has its own order. Default 0. */
  epoch?: number;
  /** Drop a last incomplete batch. Default false. */
  dropLast?: boolean;
  /** Batches loaded ahead while the current one is used. Default 1. */
  prefetch?: number;
}

/**
 * Turns samples into tensors. A mask image of 0/1 (or 0/255 from disk) becomes 0/1 floats.
 */
export function collate(samples: readonly BatchSample[]): Batch {
  const ids = samples.map((s) => s.id);
  const has = (key: 'gt' | 'mask') => {
    const n = samples.filter((s) => s[key] !== undefined).length;
    if (n !== 0 && n !== samples.length)
      throw new Error(`collate: ${key} is present in some samples only (${ids.join(', ')})`);
    return n > 0;
  };
  const input = imagesToTensor(samples.map((s) => s.input));
  const gt = has('gt') ? imagesToTensor(samples.map((s) => s.gt as Image)) : undefined;
  const mask = has('mask') ? masksToTensor(samples.map((s) => s.mask as Image)) : undefined;
  return {
    ids,
    input,
    gt,
    mask,
    dispose() {
      input.dispose();
      gt?.dispose();
      mask?.dispose();
    },
  };
}

/**
 * Iterates over `items` in batches: loads each item with `load` (e.g. reading PNGs and applying augmentations),
 * collates, and yields tensors, loading `prefetch` batches ahead. The consumer disposes each batch.
 *
 * ```ts
 * for await (const batch of batches(train, (r) => loadSample(r), { batchSize: 8, shuffle: true, seed: 1, epoch })) {
 *   // ... train on batch.input, batch.gt
 *   batch.dispose();
 * }
 * ```
 */
export async function* batches<T>(
  items: readonly T[],
  load: (item: T, index: number) => Promise<BatchSample>,
  options: BatchOptions,
): AsyncGenerator<Batch> {
  const { batchSize, shuffle = false, seed = 0, epoch = 0, dropLast = false, prefetch = 1 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  const order = shuffle ? shuffled(items, (seed + Math.imul(epoch, 0x9e3779b1)) >>> 0) : items.slice();
  const starts: number[] = [];
  for (let s = 0; s < order.length; s += batchSize)
    if (!dropLast || s + batchSize <= order.length) starts.push(s);
  const loadBatch = (s: number) =>
    Promise.all(order.slice(s, s + batchSize).map((item, k) => load(item, s + k)));
  const pending: Promise<BatchSample[]>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length <= prefetch && next < starts.length) {
      const p = loadBatch(starts[next++]);
      p.catch(() => undefined); // a failure surfaces when this batch is awaited, not as an unhandled rejection
      pending.push(p);
    }
  };
  fill();
  while (pending.length > 0) {
    const samples = await (pending.shift() as Promise<BatchSample[]>);
    fill();
    yield collate(samples);
  }
}
