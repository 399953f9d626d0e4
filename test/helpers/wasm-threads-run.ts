/**
 * Child process for test/backends/wasm-threads.test.ts: starts the wasm backend with the thread count given as the
 * first argument, runs a small seeded conv net forward and backward, and prints one JSON line with the thread count
 * in use, the output and the gradients. Run: node --import tsx test/helpers/wasm-threads-run.ts 2
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
// Registers the op gradients (tfjs-core alone registers none in Node).
import '@tensorflow/tfjs-layers';
import { useBackend } from '../../src/backends/index.js';

const threads = Number(process.argv[2]);
await useBackend('wasm', { threads });
const start = tf.memory().numTensors;

const x = tf.randomUniform([2, 24, 24, 8], -1, 1, 'float32', 1) as tf.Tensor4D;
const w1 = tf.randomUniform([3, 3, 8, 32], -0.2, 0.2, 'float32', 2) as tf.Tensor4D;
const w2 = tf.randomUniform([3, 3, 32, 16], -0.2, 0.2, 'float32', 3) as tf.Tensor4D;
const net = (input: tf.Tensor4D, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D =>
  tf.conv2d(tf.relu(tf.conv2d(input, a, 2, 'same')), b, 1, 'same');
const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
  tf.mean(tf.square(net(x, a as tf.Tensor4D, b as tf.Tensor4D))),
)([w1, w2]);
const out = tf.tidy(() => net(x, w1, w2));
const result = {
  threads: getThreadsCount(),
  loss: (await value.data())[0],
  out: Array.from(await out.data()),
  grads: await Promise.all(grads.map(async (g) => Array.from(await g.data()))),
};
tf.dispose([x, w1, w2, value, out, ...grads]);
process.stdout.write(JSON.stringify({ ...result, leaked: tf.memory().numTensors - start }) + '\n');
