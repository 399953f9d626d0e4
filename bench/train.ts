/**
 * Training-step benchmark: U-Net (resnet34 encoder, 1->3), L1 loss, Adam, on a tfjs backend vs PyTorch (CPU,
 * threads = cores). Run: npm run bench:train -- [--backend wasm] [--batch 4] [--size 256] [--steps 3] [--threads 1]
 * [--no-torch]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { getThreadsCount as wasmThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from '../src/backends/index.js';
import { adamW, createModel } from '../src/models/index.js';
import { cpuSeconds, machine, median, peakRssMiB, runTorch, threadCpuSeconds } from './common.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '4' },
    size: { type: 'string', default: '256' },
    steps: { type: 'string', default: '3' },
    encoder: { type: 'string', default: 'resnet34' },
    threads: { type: 'string', default: '1' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const batch = Number(values.batch);
const size = Number(values.size);
const steps = Number(values.steps);

await useBackend(values.backend as BackendName, { threads: Number(values.threads) });
const threads = values.backend === 'wasm' ? ` (${wasmThreadsCount()} thread(s))` : '';
tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
const model = createModel('unet', { encoder: values.encoder, inChannels: 1, classes: 3, seed: 1 });
// This library's Adam: tf.train.adam's arithmetic, one fused pass per variable on the native backend.
const optimizer = adamW(1e-4);
const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
const y = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 2);

async function step(): Promise<number> {
  const loss = optimizer.minimize(
    () => tf.mean(tf.abs(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar,
    true,
  );
  const v = (await loss!.data())[0];
  loss!.dispose();
  return v;
}

const times: number[] = [];
const cpuTimes: number[] = [];
for (let i = 0; i <= steps; i++) {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  await step();
  const s = (performance.now() - t0) / 1000;
  const c = cpuSeconds() - c0;
  if (i > 0) {
    // step 0 builds XNNPACK operators / shaders
    times.push(s);
    cpuTimes.push(c);
  }
  console.log(`${i === 0 ? 'warm-up' : 'step'} ${i}: ${s.toFixed(2)} s wall, ${c.toFixed(2)} s CPU`);
}
const tfjs = {
  secondsPerStep: median(times),
  cpuSecondsPerStep: median(cpuTimes),
  imagesPerSecond: batch / median(times),
  peakRssMiB: peakRssMiB(),
};
console.log(`machine: ${machine()}; date ${new Date().toISOString()}`);
const busiest = threadCpuSeconds().slice(0, 3);
if (busiest.length)
  console.log(`CPU s of the busiest threads: ${busiest.map((c) => c.toFixed(1)).join(', ')}`);
console.log(
  `tfjs ${values.backend}${threads}: ${tfjs.secondsPerStep.toFixed(2)} s/step (CPU ${tfjs.cpuSecondsPerStep.toFixed(2)} s), ` +
    `${tfjs.imagesPerSecond.toFixed(2)} images/s, ` +
    `peak RSS ${tfjs.peakRssMiB.toFixed(0)} MiB (batch ${batch}, ${size}x${size})`,
);
if (!values['no-torch']) {
  const script = fileURLToPath(new URL('./torch_train.py', import.meta.url));
  const torch = runTorch(script, ['--batch', `${batch}`, '--size', `${size}`, '--steps', `${steps}`]);
  if (torch) {
    const s = Number(torch.secondsPerStep);
    console.log(
      `${torch.framework} (${torch.threads} threads): ${s.toFixed(2)} s/step (CPU ` +
        `${Number(torch.cpuSecondsPerStep).toFixed(2)} s), ${Number(torch.imagesPerSecond).toFixed(2)} ` +
        `images/s, peak RSS ${Number(torch.peakRssMiB).toFixed(0)} MiB`,
    );
    console.log(
      `ratio tfjs/pytorch: ${(tfjs.secondsPerStep / s).toFixed(2)}x wall time per step, ` +
        `${(tfjs.cpuSecondsPerStep / Number(torch.cpuSecondsPerStep)).toFixed(2)}x CPU time`,
    );
  }
}
model.dispose();
optimizer.dispose();
