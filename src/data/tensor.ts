import * as tf from '@tensorflow/tfjs-core';
import { createImage, type Image } from '../image/types.js';

/**
 * Stacks plain images of one size and channel count into an NHWC float32 tensor in [0, 1] (sample / 255).
 *
 * ```ts
 * const x = imagesToTensor([gray1, gray2]); // [2, H, W, 1]
 * ```
 */
export function imagesToTensor(images: readonly Image[]): tf.Tensor4D {
  if (images.length === 0) throw new RangeError('imagesToTensor: no images');
  const { width, height, channels } = images[0];
  const size = width * height * channels;
  const values = new Float32Array(size * images.length);
  images.forEach((im, k) => {
    if (im.width !== width || im.height !== height || im.channels !== channels)
      throw new RangeError(
        `imagesToTensor: image ${k} is ${im.width}x${im.height}x${im.channels}, image 0 is ${width}x${height}x${channels}`,
      );
    const off = k * size;
    for (let i = 0; i < size; i++) values[off + i] = im.data[i] / 255;
  });
  return tf.tensor4d(values, [images.length, height, width, channels]);
}

/**
 * Stacks lost-region masks of one size (0/1, 0/255 from disk, or fractional coverage after an area resize)
 * into an NHWC float32 tensor of 0/1: 1 wherever the sample is above 0.
 *
 * ```ts
 * const m = masksToTensor([mask1, mask2]); // [2, H, W, 1] of 0/1
 * ```
 */
export function masksToTensor(masks: readonly Image[]): tf.Tensor4D {
  return tf.tidy(() => tf.cast(tf.greater(imagesToTensor(masks), 0), 'float32') as tf.Tensor4D);
}

/** Converts float samples in [0, 1] to bytes: scaled by 255, rounded half up, clamped to 0..255. */
export function floatsToBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.floor(values[i] * 255 + 0.5);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v; // NaN lands on 0 through the Uint8Array conversion
  }
  return out;
}

/**
 * Reads an NHWC tensor in [0, 1] with 1 or 3 channels back into plain images (see {@link floatsToBytes} for the
 * rounding). Asynchronous, so it also works on backends without synchronous reads (WebGPU in Node). The tensor is
 * not disposed.
 */
export async function tensorToImages(tensor: tf.Tensor4D): Promise<Image[]> {
  if (tensor.rank !== 4)
    throw new RangeError(`tensorToImages: expected a rank-4 NHWC tensor, got rank ${tensor.rank}`);
  const [n, h, w, c] = tensor.shape;
  if (c !== 1 && c !== 3) throw new RangeError(`tensorToImages: expected 1 or 3 channels, got ${c}`);
  const bytes = floatsToBytes(await tensor.data());
  const size = h * w * c;
  return Array.from({ length: n }, (_, k) => createImage(w, h, c, bytes.slice(k * size, (k + 1) * size)));
}
