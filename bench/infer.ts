/**
 * Inference benchmark: U-Net (resnet34 encoder, 1->3) forward on a tfjs backend vs PyTorch (CPU, threads = cores).
 * Run: npm run bench:infer -- [--backend wasm] [--batch 1] [--size 512] [--reps 5] [--threads 1] [--no-torch]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { getThreadsCount as wasmThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from '../src/backends/index.js';
import { createModel } from '../src/models/index.js';
import { cpuSeconds, machine, median, peakRssMiB, runTorch, threadCpuSeconds } from './common.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '1' },
    size: { type: 'string', default: '512' },
    reps: { type: 'string', default: '5' },
    encoder: { type: 'string', default: 'resnet34' },
    threads: { type: 'string', default: '1' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const batch = Number(values.batch);
const size = Number(values.size);
const reps = Number(values.reps);

await useBackend(values.backend as BackendName, { threads: Number(values.threads) });
const threads = values.backend === 'wasm' ? ` (${wasmThreadsCount()} thread(s))` : '';
tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
const model = createModel('unet', { encoder: values.encoder, inChannels: 1, classes: 3, seed: 1 });
const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
const times: number[] = [];
const cpuTimes: number[] = [];
for (let i = 0; i <= reps; i++) {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const y = model.predict(x) as tf.Tensor;
  await y.data();
  y.dispose();
  if (i > 0) {
    times.push((performance.now() - t0) / 1000);
    cpuTimes.push(cpuSeconds() - c0);
  }
}
const s = median(times);
console.log(`machine: ${machine()}; date ${new Date().toISOString()}`);
const busiest = threadCpuSeconds().slice(0, 3);
if (busiest.length)
  console.log(`CPU s of the busiest threads: ${busiest.map((c) => c.toFixed(1)).join(', ')}`);
console.log(
  `tfjs ${values.backend}${threads}: ${s.toFixed(3)} s/batch (best ${Math.min(...times).toFixed(3)} s, CPU ${median(cpuTimes).toFixed(3)} s), ${(batch / s).toFixed(2)} images/s, peak RSS ` +
    `${peakRssMiB().toFixed(0)} MiB (batch ${batch}, ${size}x${size})`,
);
if (!values['no-torch']) {
  const script = fileURLToPath(new URL('./torch_infer.py', import.meta.url));
  const torch = runTorch(script, ['--batch', `${batch}`, '--size', `${size}`, '--reps', `${reps}`]);
  if (torch) {
    const ts = Number(torch.secondsPerBatch);
    console.log(
      `${torch.framework} (${torch.threads} threads): ${ts.toFixed(3)} s/batch, ` +
        `${Number(torch.imagesPerSecond).toFixed(2)} images/s, peak RSS ${Number(torch.peakRssMiB).toFixed(0)} MiB`,
    );
    console.log(`ratio tfjs/pytorch: ${(s / ts).toFixed(2)}x time per batch`);
  }
}
tf.dispose([x]);
model.dispose();
