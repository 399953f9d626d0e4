/**
 * Inference benchmark: U-Net (resnet34 encoder, 1->3) forward on each tfjs backend asked for (each in its own
 * process) and PyTorch (CPU, threads = cores, eval mode), side by side.
 * Run: npm run bench:infer -- [--backends native,wasm] [--batch 1] [--size 512] [--reps 5] [--threads N]
 * [--encoder resnet34] [--no-torch]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createModel } from '../src/models/index.js';
import { BENCH_OPTIONS, positiveInt, runBenchmark, timeRuns, type Measurement } from './common.js';

const { values } = parseArgs({
  options: {
    ...BENCH_OPTIONS,
    batch: { type: 'string', default: '1' },
    size: { type: 'string', default: '512' },
    reps: { type: 'string', default: '5' },
  },
});
const batch = positiveInt('batch', values.batch);
const size = positiveInt('size', values.size);
const reps = positiveInt('reps', values.reps);

/** One warm-up forward pass, then `reps` timed ones, on the backend this process runs. */
async function measure(backend: string): Promise<Measurement> {
  const model = createModel('unet', { encoder: values.encoder, inChannels: 1, classes: 3, seed: 1 });
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
  const result = await timeRuns(backend, 'pass', reps, batch, async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  });
  tf.dispose(x);
  model.dispose();
  return result;
}

await runBenchmark({
  values,
  script: import.meta.url,
  describe:
    `inference: U-Net ${values.encoder} 1->3 forward, batch ${batch}, ${size}x${size}; ` +
    `median of ${reps} pass(es) after a warm-up`,
  unit: 'batch',
  target: 1.5,
  task: 'inference',
  measure,
  torch: {
    script: fileURLToPath(new URL('./torch_infer.py', import.meta.url)),
    args: ['--batch', `${batch}`, '--size', `${size}`, '--reps', `${reps}`, '--encoder', values.encoder],
    seconds: 'secondsPerBatch',
    cpuSeconds: 'cpuSecondsPerBatch',
  },
});
