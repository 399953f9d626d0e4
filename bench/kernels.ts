/**
 * Times the conv gradient kernels on the current wasm build for U-Net-sized layers.
 * Run: node --import tsx bench/kernels.ts [--reps 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-layers'; // op gradients
import {
  registerFastBatchNormGradient,
  restoreBatchNormGradient,
  useBackend,
} from '../src/backends/index.js';
import { originalWasmConv2DBackpropInput } from '../src/backends/wasm-kernels.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' } } });
const reps = Number(values.reps);
await useBackend('wasm');
// tfjs-backend-wasm's own Conv2DBackpropInput (a naive loop), kept by the registration as its fallback.
const originalDx = originalWasmConv2DBackpropInput();
if (!originalDx) throw new Error('no original Conv2DBackpropInput');
/** CPU time of this process in ms (wall time is unreliable on a shared machine). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const layers: { name: string; x: [number, number, number, number]; k: number; co: number; s: number }[] = [
  { name: 'stem 7x7 1->64 s2 @256', x: [4, 256, 256, 1], k: 7, co: 64, s: 2 },
  { name: 'enc layer1 3x3 64->64 @64', x: [4, 64, 64, 64], k: 3, co: 64, s: 1 },
  { name: 'enc layer2 3x3 64->128 s2', x: [4, 64, 64, 64], k: 3, co: 128, s: 2 },
  { name: 'dec 3x3 96->32 @128', x: [4, 128, 128, 96], k: 3, co: 32, s: 1 },
  { name: 'dec 3x3 16->16 @256', x: [4, 256, 256, 16], k: 3, co: 16, s: 1 },
];

function time(f: () => tf.Tensor): number {
  f().dispose(); // warm-up (operator creation)
  const t0 = cpuMs();
  for (let i = 0; i < reps; i++) {
    const r = f();
    r.dataSync();
    r.dispose();
  }
  return (cpuMs() - t0) / reps;
}

/** Runs `f` with another config registered for a wasm kernel, then puts the current one back. */
function withKernel<T>(config: tf.KernelConfig, f: () => T): T {
  const current = tf.getKernel(config.kernelName, 'wasm')!;
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
  try {
    return f();
  } finally {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(current);
  }
}

console.log('CPU ms per call (mean of reps); "naive dx" = tfjs-backend-wasm 4.22\'s own kernel');
for (const l of layers) {
  const x = tf.randomUniform(l.x, -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([l.k, l.k, l.x[3], l.co], -1, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.conv2d(x, w, l.s, 'same');
  const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 3) as tf.Tensor4D;
  const attrs = { strides: [l.s, l.s], pad: 'same', dataFormat: 'NHWC' };
  const fwd = time(() => tf.conv2d(x, w, l.s, 'same'));
  const dw = time(
    () =>
      tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
  );
  const runDx = () =>
    tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor;
  const dx = time(runDx);
  const naive = withKernel(originalDx, () => time(runDx));
  console.log(
    `${l.name.padEnd(28)} forward ${fwd.toFixed(0).padStart(5)}  dW ${dw.toFixed(0).padStart(5)}  ` +
      `dx ${dx.toFixed(0).padStart(5)}  naive dx ${naive.toFixed(0).padStart(6)}`,
  );
  tf.dispose([x, w, y, dy]);
}

// Batch-norm gradient (training mode, as tfjs-layers: moments then batchNorm), tfjs-core's vs the lean one.
{
  const x = tf.randomUniform([4, 128, 128, 64], -1, 1, 'float32', 4) as tf.Tensor4D;
  const gamma = tf.ones([64]) as tf.Tensor1D;
  const beta = tf.zeros([64]) as tf.Tensor1D;
  const dy = tf.randomUniform(x.shape, -1, 1, 'float32', 5);
  const grad = () =>
    tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.mul(
          tf.batchNorm4d(
            a as tf.Tensor4D,
            mean as tf.Tensor1D,
            variance as tf.Tensor1D,
            o as tf.Tensor1D,
            s as tf.Tensor1D,
            1e-5,
          ),
          dy,
        );
      })([x, gamma, beta]);
      return tf.addN([tf.sum(g[0]), tf.sum(g[1]), tf.sum(g[2])]);
    });
  restoreBatchNormGradient();
  const before = time(grad);
  registerFastBatchNormGradient();
  const after = time(grad);
  console.log(
    `batch-norm gradient [4,128,128,64]: tfjs-core ${before.toFixed(0)} ms, lean ${after.toFixed(0)} ms (CPU)`,
  );
  tf.dispose([x, gamma, beta, dy]);
}
