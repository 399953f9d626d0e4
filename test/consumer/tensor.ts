// The README's tensor example, verbatim (so not formatted by prettier, like the README): compiled (not run)
// by test/package/bundle.test.ts in the Bundler run, with DOM types and skipLibCheck as tfjs's own typings need.
import * as tf from '@tensorflow/tfjs-core';
import { competitionScoreTensor } from 'tfjs-restoration/metrics/tensor';

const gt = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D; // [B, H, W, 3] in [0, 1]
const pred = tf.clipByValue(tf.add(gt, tf.randomNormal(gt.shape, 0, 0.05, 'float32', 2)), 0, 1) as tf.Tensor4D;
const masks = tf.pad(tf.ones([2, 16, 16, 1]), [[0, 0], [8, 40], [8, 40], [0, 0]]); // [B, H, W, 1], 1 = lost
const { score } = competitionScoreTensor(gt, pred, masks, { histogram: { mode: 'soft' } }); // [B] tensors

export { score };
