/**
 * Training-step benchmark: U-Net (resnet34 encoder, 1->3), L1 loss, Adam, on each tfjs backend asked for (each in
 * its own process) and PyTorch (CPU, threads = cores), side by side.
 * Run: npm run bench:train -- [--backends native,wasm] [--batch 4] [--size 256] [--steps 3] [--threads N]
 * [--encoder resnet34] [--no-torch]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { adamW, createModel } from '../src/models/index.js';
import { BENCH_OPTIONS, positiveInt, runBenchmark, timeRuns, type Measurement } from './common.js';

const { values } = parseArgs({
  options: {
    ...BENCH_OPTIONS,
    batch: { type: 'string', default: '4' },
    size: { type: 'string', default: '256' },
    steps: { type: 'string', default: '3' },
  },
});
const batch = positiveInt('batch', values.batch);
const size = positiveInt('size', values.size);
const steps = positiveInt('steps', values.steps);

/** One warm-up step, then `steps` timed ones, on the backend this process runs. */
async function measure(backend: string): Promise<Measurement> {
  const model = createModel('unet', { encoder: values.encoder, inChannels: 1, classes: 3, seed: 1 });
  // This library's Adam: tf.train.adam's arithmetic, one fused pass per variable on the native backend.
  const optimizer = adamW(1e-4);
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
  const y = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 2);
  const step = async () => {
    const loss = optimizer.minimize(
      () => tf.mean(tf.abs(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar,
      true,
    );
    await loss!.data();
    loss!.dispose();
  };
  const result = await timeRuns(backend, 'step', steps, batch, step);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return result;
}

await runBenchmark({
  values,
  script: import.meta.url,
  describe:
    `training step: U-Net ${values.encoder} 1->3, L1 loss, adamW(1e-4), batch ${batch}, ${size}x${size}; ` +
    `median of ${steps} step(s) after a warm-up`,
  unit: 'step',
  target: 2,
  task: 'training',
  measure,
  torch: {
    script: fileURLToPath(new URL('./torch_train.py', import.meta.url)),
    args: ['--batch', `${batch}`, '--size', `${size}`, '--steps', `${steps}`, '--encoder', values.encoder],
    seconds: 'secondsPerStep',
    cpuSeconds: 'cpuSecondsPerStep',
  },
});
