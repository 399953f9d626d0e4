/**
 * The native backend's convolution and matmul kernels against the CPU backend's: forward, both gradients, fused
 * bias + activations, batch matmul with transposes and broadcasting; memory; errors; a whole training step.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { loadNativeAddon } from '../../src/backends/native/addon.js';
import {
  randomValues,
  relativeError,
  tinyNetStep,
  type ConvCase,
  type ConvPad,
} from '../helpers/backends.js';
import { runWithAddon, SKIP_NATIVE } from '../helpers/native.js';

const explicit = (top: number, bottom: number, left: number, right: number): ConvPad => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

const cases: ConvCase[] = [
  { n: 1, h: 8, w: 8, ci: 3, co: 4, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 9, w: 7, ci: 5, co: 6, k: 3, stride: 2, pad: 'same' },
  { n: 2, h: 10, w: 10, ci: 4, co: 8, k: 3, stride: 2, pad: 'valid' },
  { n: 1, h: 11, w: 12, ci: 16, co: 16, k: 3, stride: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, ci: 8, co: 16, k: 1, stride: 1, pad: 'same' },
  { n: 2, h: 9, w: 9, ci: 8, co: 4, k: 1, stride: 2, pad: 'valid' },
  { n: 1, h: 16, w: 14, ci: 1, co: 8, k: 7, stride: 2, pad: 'same' },
  { n: 2, h: 13, w: 13, ci: 3, co: 5, k: 7, stride: 1, pad: 3 },
  { n: 1, h: 10, w: 9, ci: 2, co: 3, k: 3, stride: 2, pad: 1 },
  { n: 2, h: 8, w: 9, ci: 8, co: 3, k: 3, stride: 1, pad: explicit(1, 2, 0, 1) },
  { n: 1, h: 9, w: 10, ci: 6, co: 5, k: 3, stride: 2, pad: explicit(2, 0, 1, 1) },
  { n: 1, h: 15, w: 13, ci: 6, co: 4, k: 7, stride: 2, pad: 3 },
  // Padding larger than the filter, stride 3, dilation.
  { n: 1, h: 5, w: 6, ci: 6, co: 4, k: 1, stride: 1, pad: 1 },
  { n: 2, h: 13, w: 11, ci: 4, co: 7, k: 3, stride: 3, pad: 'same' },
  { n: 1, h: 12, w: 12, ci: 5, co: 6, k: 3, stride: 1, pad: 'same', dilation: 2 },
  // More rows than one GEMM block and more channels than one micro-tile, so threads and edge tiles both run.
  { n: 2, h: 23, w: 21, ci: 37, co: 45, k: 3, stride: 1, pad: 'same' },
  { n: 3, h: 20, w: 20, ci: 70, co: 33, k: 3, stride: 2, pad: 'same' },
  // Enough output pixels that the filter gradient splits them across threads (partial sums, then a reduction).
  { n: 2, h: 40, w: 41, ci: 8, co: 20, k: 3, stride: 1, pad: 'same' },
  // Few output channels and >= 16 input channels: the filter gradient reads the image in place (zero rows at the
  // padding), with the output split by columns (few pixels) and by pixels (many).
  { n: 2, h: 20, w: 19, ci: 32, co: 24, k: 3, stride: 1, pad: 'same' },
  { n: 2, h: 48, w: 48, ci: 16, co: 8, k: 3, stride: 1, pad: 'same' },
  { n: 1, h: 33, w: 35, ci: 48, co: 3, k: 3, stride: 2, pad: 'same' },
  // One input channel (its own im2col packing), over a batch, with padding, stride, dilation and more rows than one
  // GEMM block.
  { n: 3, h: 37, w: 30, ci: 1, co: 20, k: 7, stride: 2, pad: explicit(3, 2, 1, 3) },
  { n: 2, h: 9, w: 11, ci: 1, co: 5, k: 3, stride: 1, pad: 'same', dilation: 2 },
];

/** y, dL/dx and dL/dW of sum(conv2d(x, W) * r) on the current backend. */
function convAll(c: ConvCase): { y: Float32Array; dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(c.n * c.h * c.w * c.ci, 1), [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(randomValues(c.k * c.k * c.ci * c.co, 2), [c.k, c.k, c.ci, c.co]);
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
    const y = f(x, w);
    const r = tf.tensor(randomValues(y.size, 3), y.shape);
    // tfjs has no gradients for dilated convolutions: those cases check the forward pass only.
    if ((c.dilation ?? 1) > 1) {
      return { y: y.dataSync() as Float32Array, dx: new Float32Array(0), dw: new Float32Array(0) };
    }
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]);
    return {
      y: y.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dw: dw.dataSync() as Float32Array,
    };
  });
}

async function on<T>(backend: string, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

describe.skipIf(SKIP_NATIVE)('native backend: convolutions', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    await useBackend('native');
  });

  it('runs the AVX-512 or AVX2/FMA micro-kernel on this machine when it has them', () => {
    const addon = loadNativeAddon();
    expect(['avx512f', 'avx2-fma', 'neon', 'generic']).toContain(addon.gemmKernel());
    expect(addon.getThreads()).toBeGreaterThanOrEqual(1);
  });

  for (const c of cases) {
    it(`conv2d and its gradients equal cpu's: ${JSON.stringify(c)}`, async () => {
      const ref = await on('cpu', () => convAll(c));
      const start = tf.memory().numTensors;
      const got = await on('native', () => convAll(c));
      expect(tf.memory().numTensors).toBe(start);
      expect(relativeError(got.y, ref.y)).toBeLessThan(1e-5);
      expect(relativeError(got.dx, ref.dx)).toBeLessThan(1e-5);
      expect(relativeError(got.dw, ref.dw)).toBeLessThan(1e-5);
    });
  }

  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const) {
    it(`fused conv2d with bias and ${activation} equals cpu's`, async () => {
      const run = (): Float32Array =>
        tf.tidy(() => {
          const x = tf.tensor4d(
            randomValues(2 * 9 * 9 * 5, 4).map((v) => v * 3),
            [2, 9, 9, 5],
          );
          const filter = tf.tensor4d(randomValues(3 * 3 * 5 * 7, 5), [3, 3, 5, 7]);
          const bias = tf.tensor1d(randomValues(7, 6));
          const alpha = tf.tensor1d(randomValues(7, 7).map((v) => Math.abs(v)));
          const y = tf.fused.conv2d({
            x,
            filter,
            strides: 1,
            pad: 'same',
            bias,
            activation,
            preluActivationWeights: activation === 'prelu' ? alpha : undefined,
            leakyreluAlpha: 0.3,
          });
          return y.dataSync() as Float32Array;
        });
      const ref = await on('cpu', run);
      const got = await on('native', run);
      expect(relativeError(got, ref)).toBeLessThan(1e-5);
    });
  }

  const matmuls: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [7, 5], b: [5, 9], ta: false, tb: false },
    { a: [5, 7], b: [5, 9], ta: true, tb: false },
    { a: [7, 5], b: [9, 5], ta: false, tb: true },
    { a: [5, 7], b: [9, 5], ta: true, tb: true },
    { a: [3, 20, 33], b: [3, 33, 18], ta: false, tb: false },
    { a: [3, 20, 33], b: [33, 18], ta: false, tb: false },
    { a: [1, 20, 33], b: [4, 18, 33], ta: false, tb: true },
    { a: [2, 3, 4, 5], b: [2, 3, 5, 6], ta: false, tb: false },
    { a: [130, 70], b: [70, 40], ta: false, tb: false },
  ];
  for (const m of matmuls) {
    it(`matMul equals cpu's: ${JSON.stringify(m)}`, async () => {
      const run = (): { shape: number[]; values: Float32Array } =>
        tf.tidy(() => {
          const size = (s: number[]): number => s.reduce((p, q) => p * q, 1);
          const a = tf.tensor(randomValues(size(m.a), 8), m.a);
          const b = tf.tensor(randomValues(size(m.b), 9), m.b);
          const c = tf.matMul(a, b, m.ta, m.tb);
          return { shape: c.shape, values: c.dataSync() as Float32Array };
        });
      const ref = await on('cpu', run);
      const got = await on('native', run);
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.values, ref.values)).toBeLessThan(1e-5);
    });
  }

  it('leaves int32 convolutions and matmuls to the cpu kernels', async () => {
    const run = (): number[] =>
      tf.tidy(() =>
        Array.from(
          tf
            .matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32'))
            .dataSync(),
        ),
      );
    expect(await on('native', run)).toEqual([19, 22, 43, 50]);
  });

  it('one training step (conv, batch norm, Adam) equals the cpu backend within 1e-4', async () => {
    await tf.setBackend('cpu');
    const ref = await tinyNetStep();
    await tf.setBackend('native');
    const start = tf.memory().numTensors;
    const got = await tinyNetStep();
    expect(tf.memory().numTensors).toBe(start);
    expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-5);
    for (const name of Object.keys(ref.grads)) {
      expect(relativeError(got.grads[name], ref.grads[name]), name).toBeLessThan(1e-4);
      expect(relativeError(got.after[name], ref.after[name]), name).toBeLessThan(1e-4);
    }
  });

  it('the addon rejects bad arguments with errors naming them', () => {
    const addon = loadNativeAddon();
    const shape = [1, 4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1];
    const x = new Float32Array(16);
    const w = new Float32Array(9);
    expect(() => addon.conv2d(x, w, null, shape, 0, new Float32Array(15))).toThrow(
      /conv2d: argument 5 has 15 elements, expected 16/,
    );
    expect(() => addon.conv2d(x, w, null, shape.slice(1), 0, new Float32Array(16))).toThrow(
      /conv2d: argument 3 must hold 15 integers/,
    );
    expect(() => addon.conv2d(x, w, null, shape, 7, new Float32Array(16))).toThrow(/activation/);
    expect(() =>
      addon.conv2dBackpropInput(
        new Float64Array(16) as unknown as Float32Array,
        w,
        shape,
        new Float32Array(16),
      ),
    ).toThrow(/conv2dBackpropInput: argument 0 must be a Float32Array/);
    const bad = [...shape];
    bad[9] = 0;
    expect(() => addon.conv2dBackpropFilter(x, x, bad, w)).toThrow(
      /strides, dilations and filter sizes must be >= 1/,
    );
    expect(() => addon.setThreads(0)).toThrow(/setThreads: argument 0 must be an integer >= 1/);
  });

  it('threads: 1 and the default give the same results', async () => {
    const addon = loadNativeAddon();
    const c = cases[cases.length - 1];
    const threads = addon.getThreads();
    const many = await on('native', () => convAll(c));
    addon.setThreads(1);
    try {
      const one = await on('native', () => convAll(c));
      expect(relativeError(one.y, many.y)).toBeLessThan(1e-6);
      expect(relativeError(one.dw, many.dw)).toBeLessThan(1e-5);
    } finally {
      addon.setThreads(threads);
    }
  });
});

describe.skipIf(SKIP_NATIVE)('native addon: the input gradient for few input channels (col2im)', () => {
  /** dx of a convolution in float64, straight from its definition (ih = oh * stride - pad + kh * dilation). */
  function backpropInputReference(shape: number[], dy: Float32Array, w: Float32Array): Float64Array {
    const [n, ih, iw, ci, oh, ow, co, fh, fw, sh, sw, dh, dw, pt, pl] = shape;
    const dx = new Float64Array(n * ih * iw * ci);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++)
          for (let kh = 0; kh < fh; kh++)
            for (let kw = 0; kw < fw; kw++) {
              const i = y * sh - pt + kh * dh;
              const j = x * sw - pl + kw * dw;
              if (i < 0 || i >= ih || j < 0 || j >= iw) continue;
              for (let c = 0; c < ci; c++) {
                let sum = 0;
                for (let o = 0; o < co; o++)
                  sum += dy[((b * oh + y) * ow + x) * co + o] * w[((kh * fw + kw) * ci + c) * co + o];
                dx[((b * ih + i) * iw + j) * ci + c] += sum;
              }
            }
    return dx;
  }

  // [batch, in h, in w, in c, out h, out w, out c, filter h, filter w, strides, dilations, pad top, pad left]: a
  // gray stem (7x7, stride 2) on one image and on two, three channels with dilation 2 and uneven padding, stride 3.
  const shapes = [
    [1, 40, 38, 1, 20, 19, 64, 7, 7, 2, 2, 1, 1, 3, 3],
    [2, 17, 16, 1, 9, 8, 16, 7, 7, 2, 2, 1, 1, 3, 2],
    [1, 15, 14, 3, 13, 10, 8, 3, 3, 1, 1, 2, 2, 1, 0],
    [1, 20, 21, 2, 7, 7, 5, 3, 3, 3, 3, 1, 1, 0, 1],
  ];
  it.each(shapes)('equals float64 and gives the same bits on 1 and 2 threads: %j', (...shape) => {
    const addon = loadNativeAddon();
    const [n, ih, iw, ci, oh, ow, co, fh, fw] = shape;
    const dy = new Float32Array(n * oh * ow * co).map((_, i) => Math.sin(i * 0.37));
    const w = new Float32Array(fh * fw * ci * co).map((_, i) => Math.cos(i * 0.11));
    const ref = backpropInputReference(shape, dy, w);
    const threads = addon.getThreads();
    const run = (t: number) => {
      addon.setThreads(t);
      const dx = new Float32Array(n * ih * iw * ci).fill(Number.NaN); // every element must be written
      addon.conv2dBackpropInput(dy, w, shape, dx);
      return dx;
    };
    try {
      const one = run(1);
      const two = run(2);
      expect(relativeError(one, Float32Array.from(ref))).toBeLessThan(1e-6);
      expect(two).toEqual(one);
    } finally {
      addon.setThreads(threads);
    }
  });
});

/**
 * A script for runWithAddon: conv2d of fixed data with `shape` (the addon's 15 numbers), then its input gradient (the
 * output as dy) and filter gradient, under each conv algorithm; prints { kernel, [algorithm]: [y, dx, dw] }.
 */
function convScript(shape: number[], algorithms: number[]): string {
  return `
    const addon = require(process.argv[1]);
    const shape = ${JSON.stringify(shape)};
    const [n, h, w, ci, oh, ow, co, fh, fw] = shape;
    const x = new Float32Array(n * h * w * ci).map((_, i) => Math.sin(i));
    const f = new Float32Array(fh * fw * ci * co).map((_, i) => Math.cos(i));
    const y = new Float32Array(n * oh * ow * co);
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(f.length);
    const out = { kernel: addon.gemmKernel() };
    for (const algorithm of ${JSON.stringify(algorithms)}) {
      addon.setConvAlgorithm(algorithm);
      addon.conv2d(x, f, null, shape, 0, y);
      addon.conv2dBackpropInput(y, f, shape, dx);
      addon.conv2dBackpropFilter(x, y, shape, dw);
      out[algorithm] = [Array.from(y), Array.from(dx), Array.from(dw)];
    }
    console.log(JSON.stringify(out));
  `;
}
type ConvScriptOut = { kernel: string } & Record<string, number[][]>;

describe.skipIf(SKIP_NATIVE)('native addon: the portable micro-kernels', () => {
  it('TFJS_RESTORATION_GEMM=generic gives the AVX2 results (convolutions, both gradients, packed and in place)', () => {
    // conv2d, its input gradient and its filter gradient (in place: 16 input, 8 output channels), conv algorithm
    // chosen by shape.
    const script = convScript([2, 20, 19, 16, 20, 19, 8, 3, 3, 1, 1, 1, 1, 1, 1], [0]);
    const generic = runWithAddon<ConvScriptOut>(script, 'generic');
    const best = runWithAddon<ConvScriptOut>(script, '');
    expect(generic.kernel).toBe('generic');
    ['y', 'dx', 'dw'].forEach((k, i) =>
      expect(relativeError(generic[0][i], best[0][i]), k).toBeLessThan(1e-5),
    );
  });

  it('the AVX-512 micro-kernel gives the AVX2 bits (TFJS_RESTORATION_GEMM=avx2 against the default)', () => {
    // 32 output channels and 16 input channels: full 16-column panels in all three GEMMs, so that on a CPU with
    // AVX-512 its 12x16 kernel computes most tiles. Elsewhere both runs take the same kernel.
    const script = convScript([2, 23, 19, 16, 23, 19, 32, 3, 3, 1, 1, 1, 1, 1, 1], [1, 2, 3]);
    const avx2 = runWithAddon<ConvScriptOut>(script, 'avx2');
    const best = runWithAddon<ConvScriptOut>(script, '');
    if (best.kernel === 'avx512f') expect(avx2.kernel).toBe('avx2-fma');
    else expect(avx2.kernel).toBe(best.kernel);
    for (const algorithm of ['1', '2', '3']) expect(best[algorithm], algorithm).toEqual(avx2[algorithm]);
  });
});

describe.skipIf(SKIP_NATIVE)('native addon: several JavaScript threads', () => {
  it('worker threads calling the addon at the same time get the same results as one thread alone', async () => {
    const { Worker } = await import('node:worker_threads');
    const { nativeAddonPath } = await import('../../src/backends/native/addon.js');
    // Each worker loads the addon and runs a conv and its filter gradient 20 times, returning checksums.
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.file);
      const shape = [2, 40, 41, 8, 40, 41, 20, 3, 3, 1, 1, 1, 1, 1, 1];
      const x = new Float32Array(2 * 40 * 41 * 8).map((_, i) => Math.sin(i));
      const w = new Float32Array(9 * 8 * 20).map((_, i) => Math.cos(i));
      const y = new Float32Array(2 * 40 * 41 * 20);
      const dw = new Float32Array(w.length);
      const sums = [];
      for (let r = 0; r < 20; r++) {
        addon.conv2d(x, w, null, shape, 0, y);
        addon.conv2dBackpropFilter(x, y, shape, dw);
        sums.push(y.reduce((a, b) => a + b, 0) + dw.reduce((a, b) => a + b, 0));
      }
      parentPort.postMessage(sums);
    `;
    const run = (): Promise<number[]> =>
      new Promise((resolve, reject) => {
        const worker = new Worker(source, { eval: true, workerData: { file: nativeAddonPath() } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const alone = await run();
    const together = await Promise.all([run(), run(), run()]);
    for (const sums of together) expect(sums).toEqual(alone);
    expect(new Set(alone).size).toBe(1);
  });
});

describe('native backend: when the addon is missing', () => {
  it("useBackend('native') fails naming the file and how to build it", () => {
    const script = `import('./src/backends/index.ts').then((b) => b.useBackend('native')).then(
      () => console.log('started'), (e) => console.log(e.message))`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, TFJS_RESTORATION_NATIVE: '/nonexistent/addon.node' },
      encoding: 'utf8',
    });
    expect(out).toMatch(/the native kernels addon is not built \(looked for \/nonexistent\/addon\.node\)/);
    expect(out).toMatch(/npx tfjs-restoration build-native/);
  });
});
