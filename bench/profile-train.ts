/**
 * Kernel-by-kernel profile of one training step (U-Net resnet34 1->3, L1 loss, Adam) on a backend.
 * Run: node --import tsx bench/profile-train.ts [--backend wasm] [--batch 4] [--size 256] [--steps 2]
 * Prints per-kernel total ms (summed over the last step) and the step's wall time.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBackend, type BackendName } from '../src/backends/index.js';
import { trainingStep } from './workloads.js';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '4' },
    size: { type: 'string', default: '256' },
    steps: { type: 'string', default: '2' },
    encoder: { type: 'string', default: 'resnet34' },
  },
});
const backend = values.backend as BackendName;
const batch = Number(values.batch);
const size = Number(values.size);
const steps = Number(values.steps);

await useBackend(backend);
// NaN checks read every kernel output back; they would dominate the profile.
tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
const work = trainingStep({ encoder: values.encoder, batch, size });
const step = (): number => work.runSync();

for (let i = 0; i < steps - 1; i++) {
  const t0 = performance.now();
  const loss = step();
  console.log(
    `warm-up step ${i}: ${((performance.now() - t0) / 1000).toFixed(2)} s, loss ${loss.toFixed(5)}`,
  );
}
// Per-kernel CPU time (wall time is unreliable on a shared machine): wrap every kernel of the backend, timing only
// outermost calls (composite kernels call other kernels directly).
const byKernel = new Map<string, { ms: number; count: number }>();
let depth = 0;
let timing = false;
// The native backend's kernels run on several threads: time them by the wall clock (on a quiet machine).
const cpuMs =
  backend === 'native'
    ? (): number => performance.now()
    : (): number => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };
for (const k of tf.getKernelsForBackend(backend)) {
  const inner = k.kernelFunc;
  (k as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
    if (!timing || depth > 0) return inner(args);
    depth++;
    const t = cpuMs();
    try {
      return inner(args);
    } finally {
      depth--;
      const e = byKernel.get(k.kernelName) ?? { ms: 0, count: 0 };
      e.ms += cpuMs() - t;
      e.count += 1;
      byKernel.set(k.kernelName, e);
    }
  };
}
timing = true;
const t0 = performance.now();
const c0 = cpuMs();
step();
const wall = performance.now() - t0;
const cpu = cpuMs() - c0;
timing = false;
let total = 0;
for (const e of byKernel.values()) total += e.ms;
console.log(
  `profiled step: wall ${(wall / 1000).toFixed(2)} s, cpu ${(cpu / 1000).toFixed(2)} s, kernels ${(total / 1000).toFixed(2)} s`,
);
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
for (const [name, e] of rows.slice(0, 25)) {
  console.log(
    `${name.padEnd(32)} ${e.ms.toFixed(0).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)} %  x${e.count}`,
  );
}
