/**
 * Kernel-by-kernel profile of one training step (U-Net resnet34 1->3, L1 loss, Adam) on a backend.
 * Run: node --import tsx bench/profile-train.ts [--backend wasm] [--batch 4] [--size 256] [--steps 2] [--shapes]
 * Prints per-kernel wall and CPU ms (summed over the last step), the step's time outside kernels and, with --shapes,
 * every convolution shape's CPU ms and GFLOP per CPU second.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBackend, type BackendName } from '../src/backends/index.js';
import { trainingStep } from './workloads.js';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '4' },
    size: { type: 'string', default: '256' },
    steps: { type: 'string', default: '2' },
    encoder: { type: 'string', default: 'resnet34' },
    shapes: { type: 'boolean', default: false },
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
// Per-kernel wall and CPU time: wrap every kernel of the backend, timing only outermost calls (composite kernels call
// other kernels directly). CPU time counts every thread of the process (the native backend's pool included), and
// is what to compare on a shared machine; the step's wall time outside kernels is tfjs-core's and tfjs-layers' own
// JavaScript (dispatch, gradient bookkeeping, layer calls).
interface Entry {
  wall: number;
  cpu: number;
  count: number;
  gflop: number;
}
const byKernel = new Map<string, Entry>();
const byShape = new Map<string, Entry>();
let depth = 0;
let timing = false;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const add = (map: Map<string, Entry>, key: string, wall: number, cpu: number, gflop: number) => {
  const e = map.get(key) ?? { wall: 0, cpu: 0, count: 0, gflop: 0 };
  e.wall += wall;
  e.cpu += cpu;
  e.count += 1;
  e.gflop += gflop;
  map.set(key, e);
};
const CONVS = new Set(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']);
/** A convolution kernel's GFLOP: 2 x (output pixels x out channels) x taps x in channels, and its shape key. */
function convWork(name: string, args: Parameters<tf.KernelFunc>[0], out: tf.TensorInfo): [number, string] {
  const shapeOf = (t: tf.TensorInfo | undefined) => t?.shape ?? [];
  const filter =
    name === 'Conv2DBackpropFilter'
      ? ((args.attrs as { filterShape: number[] }).filterShape ?? [])
      : shapeOf(args.inputs.filter);
  const [kh, kw, ci, co] = filter;
  const y =
    name === 'Conv2DBackpropInput' || name === 'Conv2DBackpropFilter' ? shapeOf(args.inputs.dy) : out.shape;
  const pixels = y.slice(0, 3).reduce((a, b) => a * b, 1);
  const x = name === 'Conv2DBackpropInput' ? out.shape : shapeOf(args.inputs.x);
  const strides = (args.attrs as { strides?: number | number[] }).strides;
  const stride = Array.isArray(strides) ? strides[0] : (strides ?? 1);
  return [
    (2 * pixels * co * kh * kw * ci) / 1e9,
    `${name} ${kh}x${kw}/${stride} ${ci}->${co} at ${x[1]}x${x[2]} (n=${x[0]})`,
  ];
}
for (const k of tf.getKernelsForBackend(backend)) {
  const inner = k.kernelFunc;
  (k as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
    if (!timing || depth > 0) return inner(args);
    depth++;
    const t = performance.now();
    const c = cpuMs();
    let out: tf.TensorInfo | tf.TensorInfo[] | undefined;
    try {
      out = inner(args);
      return out;
    } finally {
      depth--;
      const wall = performance.now() - t;
      const cpu = cpuMs() - c;
      let gflop = 0;
      if (CONVS.has(k.kernelName) && out !== undefined && !Array.isArray(out)) {
        const [g, key] = convWork(k.kernelName, args, out);
        gflop = g;
        add(byShape, key, wall, cpu, g);
      }
      add(byKernel, k.kernelName, wall, cpu, gflop);
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
let totalCpu = 0;
for (const e of byKernel.values()) {
  total += e.wall;
  totalCpu += e.cpu;
}
console.log(
  `profiled step: wall ${(wall / 1000).toFixed(2)} s, CPU ${(cpu / 1000).toFixed(2)} s; in kernels: wall ` +
    `${(total / 1000).toFixed(2)} s, CPU ${(totalCpu / 1000).toFixed(2)} s; outside kernels (JavaScript): wall ` +
    `${((wall - total) / 1000).toFixed(2)} s; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
);
const rate = (e: Entry) =>
  e.gflop > 0 ? `${((e.gflop * 1000) / e.cpu).toFixed(0).padStart(4)} GFLOP/CPU-s` : '';
console.log(`${'kernel'.padEnd(32)} ${'wall ms'.padStart(8)} ${'CPU ms'.padStart(8)}  share  calls`);
const rows = [...byKernel.entries()].sort((a, b) => b[1].cpu - a[1].cpu);
for (const [name, e] of rows.slice(0, 25)) {
  console.log(
    `${name.padEnd(32)} ${e.wall.toFixed(0).padStart(8)} ${e.cpu.toFixed(0).padStart(8)} ` +
      `${((100 * e.cpu) / totalCpu).toFixed(1).padStart(5)} %  x${e.count}  ${rate(e)}`,
  );
}
if (values.shapes) {
  console.log('\nconvolutions by shape (CPU ms, summed over calls of that shape):');
  for (const [key, e] of [...byShape.entries()].sort((a, b) => b[1].cpu - a[1].cpu)) {
    console.log(
      `${key.padEnd(56)} ${e.cpu.toFixed(1).padStart(8)} ms  x${e.count}  ${e.gflop.toFixed(2).padStart(6)} GFLOP  ${rate(e)}`,
    );
  }
}
