/**
 * The two benchmarked workloads on the current tfjs backend, as bench:train, bench:infer and bench/profile-train.ts
 * run them: a U-Net training step (L1 loss, this library's Adam) and an eval-mode forward pass. PyTorch's
 * counterparts are bench/torch_train.py and bench/torch_infer.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { adamW, createModel } from '../src/models/index.js';

/** What a workload is run on: U-Net with this encoder, 1 -> 3 channels, `batch` images of `size` x `size`. */
export interface WorkloadShape {
  encoder: string;
  batch: number;
  size: number;
}

/** A prepared workload: `run` does one step (or pass) and waits for its result; `dispose` frees everything. */
export interface Workload {
  run(): Promise<void>;
  /** The same step, synchronously, returning the loss (training) or the output's first value (inference). */
  runSync(): number;
  dispose(): void;
}

/** One training step: U-Net 1->3, L1 loss against a fixed random target, `adamW(1e-4)`, training-mode batch norm. */
export function trainingStep({ encoder, batch, size }: WorkloadShape): Workload {
  const model = createModel('unet', { encoder, inChannels: 1, classes: 3, seed: 1 });
  // This library's Adam: tf.train.adam's arithmetic, one fused pass per variable on the native backend.
  const optimizer = adamW(1e-4);
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
  const y = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 2);
  const minimize = () =>
    optimizer.minimize(
      () => tf.mean(tf.abs(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar,
      true,
    )!;
  return {
    async run() {
      const loss = minimize();
      await loss.data();
      loss.dispose();
    },
    runSync() {
      const loss = minimize();
      const v = loss.dataSync()[0];
      loss.dispose();
      return v;
    },
    dispose() {
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
    },
  };
}

/** One inference pass: the same U-Net, `predict` (eval-mode batch norm), output read back. */
export function inferencePass({ encoder, batch, size }: WorkloadShape): Workload {
  const model = createModel('unet', { encoder, inChannels: 1, classes: 3, seed: 1 });
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
  return {
    async run() {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    },
    runSync() {
      const y = model.predict(x) as tf.Tensor;
      const v = y.dataSync()[0];
      y.dispose();
      return v;
    },
    dispose() {
      tf.dispose(x);
      model.dispose();
    },
  };
}
