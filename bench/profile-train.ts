/**
 * Kernel-by-kernel profile of one training step (U-Net resnet34 1->3, L1 loss, Adam) on a backend.
 * Run: node --import tsx bench/profile-train.ts [--backend wasm] [--batch 4] [--size 256] [--steps 2] [--shapes]
 * Prints per-kernel wall and CPU ms (summed over the last step), the step's time outside kernels and, with --shapes,
 * every convolution shape's CPU ms and GFLOP per CPU second. On webgpu: per-kernel and per-shader-program GPU ms from
 * the GPU's timestamps (tf.profile; each program then runs in its own compute pass), and the step's wall time.
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
  await work.run(); // asynchronous: webgpu in Node cannot read back synchronously
  console.log(`warm-up step ${i}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}
if (backend === 'webgpu') {
  await profileGpuStep();
  process.exit(0);
}

/** The GPU's own time per kernel and per shader program of one step, from timestamp queries (tf.profile). */
async function profileGpuStep(): Promise<void> {
  const t0 = performance.now();
  const info = await tf.profile(() => work.run());
  const wall = performance.now() - t0;
  const byName = new Map<string, { ms: number; count: number }>();
  const byProgram = new Map<string, { ms: number; count: number }>();
  const addMs = (map: typeof byName, key: string, ms: number) => {
    const e = map.get(key) ?? { ms: 0, count: 0 };
    e.ms += ms;
    e.count += 1;
    map.set(key, e);
  };
  let gpuMs = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    gpuMs += ms;
    addMs(byName, k.name, ms);
    // extraInfo: 'Conv2DMMProgram: 0.12, ...', the backend's programs for this kernel with their GPU ms.
    for (const part of String(k.extraInfo ?? '').split(', ')) {
      const m = /^(.*): ([\d.e+-]+)$/.exec(part);
      if (m) addMs(byProgram, m[1], Number(m[2]));
    }
  }
  console.log(
    `profiled step (each program in its own pass, so slower than unprofiled): wall ${(wall / 1000).toFixed(2)} s; ` +
      `GPU time in kernels ${(gpuMs / 1000).toFixed(3)} s over ${info.kernels.length} kernel calls`,
  );
  if (gpuMs === 0) console.log('(no GPU timestamps: this adapter lacks the timestamp-query feature)');
  for (const [title, map] of [
    ['kernel', byName],
    ['shader program', byProgram],
  ] as const) {
    console.log(`\n${title.padEnd(40)} ${'GPU ms'.padStart(9)}  share  calls`);
    for (const [name, e] of [...map.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
      console.log(
        `${name.padEnd(40)} ${e.ms.toFixed(2).padStart(9)} ${((100 * e.ms) / (gpuMs || 1)).toFixed(1).padStart(5)} %  ` +
          `x${e.count}`,
      );
    }
  }
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
