/**
 * The native addon's convolution kernels one U-Net layer at a time: GFLOP per CPU second (best of --reps) of the
 * forward pass, the input gradient and the filter gradient, at a batch and image size. CPU time, not wall time: on a
 * shared machine it moves much less with the other load. With `--compare other.node`, that build of the addon runs
 * interleaved with this one (same shapes, alternating calls), for a same-run ratio. With `--algorithms 2,3`, this build
 * runs interleaved under each of those `setConvAlgorithm` settings instead (0 by shape, 1 implicit GEMM, 2 Winograd
 * F(2x2, 3x3), 3 Winograd F(4x4, 3x3), wherever they apply). The ratio is the last column's CPU time over the first's
 * (above 1: the first is faster).
 * Run: node --import tsx bench/conv-native.ts [--batch 8] [--size 128] [--reps 5] [--threads 1]
 *      [--compare a.node | --algorithms 1,2,3]
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadNativeAddon, type NativeAddon } from '../src/backends/native/addon.js';
import { positiveInt } from './common.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '128' },
    reps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1' },
    compare: { type: 'string' },
    algorithms: { type: 'string' },
  },
});
const batch = positiveInt('batch', values.batch);
const size = positiveInt('size', values.size);
const reps = positiveInt('reps', values.reps);
const threads = positiveInt('threads', values.threads);

/** U-Net resnet34 layers: [filter, stride, in channels, out channels, input size as a fraction of the image]. */
const LAYERS: [number, number, number, number, number][] = [
  [7, 2, 1, 64, 1],
  [3, 1, 64, 64, 1 / 4],
  [3, 1, 128, 128, 1 / 8],
  [3, 1, 256, 256, 1 / 16],
  [3, 1, 512, 512, 1 / 32],
  [3, 2, 256, 512, 1 / 16],
  [3, 1, 768, 256, 1 / 16],
  [3, 1, 128, 32, 1 / 2],
  [3, 1, 32, 16, 1],
  [3, 1, 16, 3, 1],
];

if (values.compare && values.algorithms)
  throw new Error('conv-native: use --compare or --algorithms, not both');
const algorithms = (values.algorithms ?? '')
  .split(',')
  .filter((a) => a !== '')
  .map((a) => {
    const n = Number(a);
    if (![0, 1, 2, 3].includes(n)) throw new Error(`conv-native: --algorithms: ${a} is not 0, 1, 2 or 3`);
    return n as 0 | 1 | 2 | 3;
  });
const self = loadNativeAddon();
/** The columns: [label, addon, conv algorithm to set before each call (none: leave it)]. */
const addons: [string, NativeAddon, (0 | 1 | 2 | 3)?][] =
  algorithms.length > 0 ? algorithms.map((a) => [`algorithm ${a}`, self, a]) : [['this', self]];
if (values.compare) addons.push(['other', createRequire(import.meta.url)(values.compare) as NativeAddon]);
for (const [, a] of addons) a.setThreads(threads);

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const random = (n: number) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  return a;
};

console.log(
  `batch ${batch}, ${size}x${size}, ${threads} thread(s), best of ${reps}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
console.log(
  'GFLOP per CPU second (forward / input gradient / filter gradient)' +
    (addons.length > 1 ? `, ${addons.map(([label]) => label).join(' vs ')}` : ''),
);
for (const [f, stride, ci, co, frac] of LAYERS) {
  const h = Math.round(size * frac);
  const pad = Math.floor((f - 1) / 2);
  const oh = Math.floor((h + 2 * pad - f) / stride) + 1;
  const shape = [batch, h, h, ci, oh, oh, co, f, f, stride, stride, 1, 1, pad, pad];
  const x = random(batch * h * h * ci);
  const w = random(f * f * ci * co);
  const dy = random(batch * oh * oh * co);
  const y = new Float32Array(dy.length);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  const gflop = (2 * batch * oh * oh * co * f * f * ci) / 1e9;
  const ops: [string, (a: NativeAddon) => void][] = [
    ['fwd', (a) => a.conv2d(x, w, null, shape, 0, y)],
    ['dx', (a) => a.conv2dBackpropInput(dy, w, shape, dx)],
    ['dw', (a) => a.conv2dBackpropFilter(x, dy, shape, dw)],
  ];
  const cells: string[] = [];
  for (const [name, op] of ops) {
    const best = addons.map(() => Infinity);
    for (let r = 0; r <= reps; r++) {
      addons.forEach(([, a, algorithm], i) => {
        if (algorithm !== undefined) a.setConvAlgorithm(algorithm);
        const c0 = cpuNow();
        op(a);
        if (r > 0) best[i] = Math.min(best[i], cpuNow() - c0);
      });
    }
    const rates = best.map((b) => (gflop / b).toFixed(0));
    cells.push(
      `${name} ${rates.join(' vs ')}` +
        (best.length > 1 ? ` (${(best[best.length - 1] / best[0]).toFixed(2)}x)` : ''),
    );
  }
  console.log(`${f}x${f}/${stride} ${ci}->${co} at ${h}x${h}: `.padEnd(30) + cells.join(', '));
}
