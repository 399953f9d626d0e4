/**
 * The native addon's Winograd paths for 3x3 stride-1 convolutions (F(2x2, 3x3) and F(4x4, 3x3) forward with bias +
 * activation and input gradient, whole or with the filter transformed inside each task; F(3x3, 2x2) filter gradient)
 * against a float64 reference and against the implicit GEMM, on odd sizes, explicit padding, batches and channel
 * counts that are not multiples of the SIMD width; and tf.grad through it against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backends/index.js';
import { loadNativeAddon, type NativeAddon } from '../../src/backends/native/addon.js';
import { randomValues, relativeError } from '../helpers/backends.js';
import { runWithAddon, SKIP_NATIVE } from '../helpers/native.js';

/**
 * Max |got - want| over max |want| (want in float64). Measured on these cases: F(2x2, 3x3) 1.0e-7 to 5.3e-7 (the
 * filter gradient 0.7e-7 to 5.6e-7), the implicit GEMM 0.4e-7 to 5.4e-7; the portable and AVX2 micro-kernels differ
 * by ~1e-6 (FMA rounding).
 */
const TOLERANCE = 2e-6;
/**
 * F(4x4, 3x3)'s larger transform constants (5/2 in B^T, 8 in A^T, 16/15 in G) round more: 0.6e-6 to 3.7e-6 on these
 * cases (with Lavin and Gray's points, 0, 1, -1, 2, -2, it was up to 8.7e-6).
 */
const TOLERANCE_43 = 1e-5;

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  /** padTop, padLeft; the output size is h + 2 * pad - 2 (and w alike) unless out is given. */
  pad: [number, number];
  out?: [number, number];
}

const cases: Case[] = [
  { n: 1, h: 8, w: 8, ci: 16, co: 16, pad: [1, 1] },
  { n: 2, h: 9, w: 7, ci: 19, co: 21, pad: [1, 1] },
  { n: 3, h: 5, w: 11, ci: 33, co: 17, pad: [0, 0] },
  { n: 1, h: 13, w: 6, ci: 24, co: 40, pad: [2, 0], out: [14, 4] },
  { n: 2, h: 4, w: 4, ci: 64, co: 70, pad: [1, 1] },
  { n: 1, h: 1, w: 3, ci: 17, co: 18, pad: [1, 1] },
  // More tiles than one chunk (two for the filter gradient) and more than one GEMM block of rows, so chunks, threads
  // and edge tiles all run.
  { n: 2, h: 37, w: 45, ci: 48, co: 20, pad: [1, 1] },
  // Two chunks for F(4x4, 3x3) too, with edge tiles.
  { n: 2, h: 70, w: 61, ci: 48, co: 20, pad: [1, 1] },
  // Few tiles, more than one depth block: the filter transformed inside each task (run_fused) with 1 or 2 threads
  // (3 panels), whole with more.
  { n: 1, h: 6, w: 7, ci: 300, co: 40, pad: [1, 1] },
  // Fused on up to 3 threads (6 panels).
  { n: 1, h: 9, w: 10, ci: 72, co: 90, pad: [1, 1] },
];

function shapeOf(c: Case): number[] {
  const oh = c.out?.[0] ?? c.h + 2 * c.pad[0] - 2;
  const ow = c.out?.[1] ?? c.w + 2 * c.pad[1] - 2;
  return [c.n, c.h, c.w, c.ci, oh, ow, c.co, 3, 3, 1, 1, 1, 1, c.pad[0], c.pad[1]];
}

/**
 * Calls `tap(xo, yo, wo)` for every (output pixel, filter tap) pair that lands inside the image, with the offsets of
 * the input pixel, the output pixel and the tap's filter row (channel 0 of each).
 */
function eachTap(s: number[], tap: (xo: number, yo: number, wo: number) => void): void {
  const [n, h, wd, ci, oh, ow, co, , , , , , , pt, pl] = s;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let kh = 0; kh < 3; kh++) {
          const ih = i - pt + kh;
          if (ih < 0 || ih >= h) continue;
          for (let kw = 0; kw < 3; kw++) {
            const iw = j - pl + kw;
            if (iw < 0 || iw >= wd) continue;
            tap(((b * h + ih) * wd + iw) * ci, ((b * oh + i) * ow + j) * co, (kh * 3 + kw) * ci * co);
          }
        }
}

/** y = conv(x, w) + bias, in float64. */
function forward64(s: number[], x: Float32Array, w: Float32Array, bias: Float32Array): Float64Array {
  const [n, , , ci, oh, ow, co] = s;
  const y = new Float64Array(n * oh * ow * co);
  eachTap(s, (xo, yo, wt) => {
    for (let c = 0; c < ci; c++) {
      const xv = x[xo + c];
      const wo = wt + c * co;
      for (let k = 0; k < co; k++) y[yo + k] += xv * w[wo + k];
    }
  });
  for (let p = 0; p < y.length; p++) y[p] += bias[p % co];
  return y;
}

/** dx of conv(x, w) given dy, in float64. */
function backpropInput64(s: number[], dy: Float32Array, w: Float32Array): Float64Array {
  const [n, h, wd, ci, , , co] = s;
  const dx = new Float64Array(n * h * wd * ci);
  eachTap(s, (xo, yo, wt) => {
    for (let c = 0; c < ci; c++) {
      const wo = wt + c * co;
      let sum = 0;
      for (let k = 0; k < co; k++) sum += dy[yo + k] * w[wo + k];
      dx[xo + c] += sum;
    }
  });
  return dx;
}

/** dw of conv(x, w) given dy, in float64. */
function backpropFilter64(s: number[], x: Float32Array, dy: Float32Array): Float64Array {
  const [, , , ci, , , co] = s;
  const dw = new Float64Array(9 * ci * co);
  eachTap(s, (xo, yo, wt) => {
    for (let c = 0; c < ci; c++) {
      const xv = x[xo + c];
      const wo = wt + c * co;
      for (let k = 0; k < co; k++) dw[wo + k] += xv * dy[yo + k];
    }
  });
  return dw;
}

describe.skipIf(SKIP_NATIVE)('native addon: Winograd F(2x2, 3x3)', () => {
  let addon: NativeAddon;
  beforeAll(() => {
    addon = loadNativeAddon();
  });
  afterAll(() => addon.setConvAlgorithm(0));

  /** Forward (bias + relu, and linear), input gradient and filter gradient with the given algorithm. */
  function runAll(c: Case, algorithm: 0 | 1 | 2 | 3) {
    const s = shapeOf(c);
    const [n, h, w, ci, oh, ow, co] = s;
    const x = randomValues(n * h * w * ci, 11);
    const filter = randomValues(9 * ci * co, 12);
    const bias = randomValues(co, 13);
    const dy = randomValues(n * oh * ow * co, 14);
    addon.setConvAlgorithm(algorithm);
    const y = new Float32Array(n * oh * ow * co);
    const relu = new Float32Array(y.length);
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(filter.length);
    addon.conv2d(x, filter, bias, s, 0, y);
    addon.conv2d(x, filter, bias, s, 1, relu);
    addon.conv2dBackpropInput(dy, filter, s, dx);
    addon.conv2dBackpropFilter(x, dy, s, dw);
    return { s, x, filter, bias, dy, y, relu, dx, dw };
  }

  for (const c of cases) {
    it(`equals float64 and the implicit GEMM: ${JSON.stringify(c)}`, () => {
      const gemm = runAll(c, 1);
      const y64 = forward64(gemm.s, gemm.x, gemm.filter, gemm.bias);
      const relu64 = y64.map((v) => Math.max(0, v));
      const dx64 = backpropInput64(gemm.s, gemm.dy, gemm.filter);
      const dw64 = backpropFilter64(gemm.s, gemm.x, gemm.dy);
      const errors: Record<string, number> = {
        gemmY: relativeError(gemm.y, y64),
        gemmDx: relativeError(gemm.dx, dx64),
        gemmDw: relativeError(gemm.dw, dw64),
      };
      for (const [algorithm, name, tolerance] of [
        [2, 'f23', TOLERANCE],
        [3, 'f43', TOLERANCE_43],
      ] as const) {
        const wino = runAll(c, algorithm);
        const e = {
          y: relativeError(wino.y, y64),
          relu: relativeError(wino.relu, relu64),
          dx: relativeError(wino.dx, dx64),
          dw: relativeError(wino.dw, dw64),
          gemmY: relativeError(wino.y, gemm.y),
          gemmDx: relativeError(wino.dx, gemm.dx),
        };
        for (const [k, v] of Object.entries(e)) {
          errors[`${name}.${k}`] = v;
          // The filter gradient runs F(3x3, 2x2) under either setting.
          expect(v, `${name}.${k}`).toBeLessThan(k === 'dw' ? TOLERANCE : tolerance);
        }
      }
      if (process.env.WINOGRAD_ERRORS) console.log(JSON.stringify(c), JSON.stringify(errors));
      for (const k of ['gemmY', 'gemmDx', 'gemmDw']) expect(errors[k], k).toBeLessThan(TOLERANCE);
    });
  }

  // Cases whose forward and input gradient run whole on 2+ threads but fused (run_fused) on one, so this also holds
  // the two ways to the same bits.
  for (const c of [cases[6], cases[8], cases[7]]) {
    for (const algorithm of [2, 3] as const) {
      it(`is deterministic, the same bits on one thread and on all: algorithm ${algorithm}, ${JSON.stringify(c)}`, () => {
        const threads = addon.getThreads();
        const many = runAll(c, algorithm);
        addon.setThreads(1);
        try {
          const one = runAll(c, algorithm);
          const same = (a: Float32Array, b: Float32Array) =>
            Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
          expect(same(one.y, many.y)).toBe(true);
          expect(same(one.relu, many.relu)).toBe(true);
          expect(same(one.dx, many.dx)).toBe(true);
          expect(same(one.dw, many.dw)).toBe(true);
        } finally {
          addon.setThreads(threads);
        }
      });
    }
  }

  it.each([2, 3])(
    'the portable transforms and micro-kernel (TFJS_RESTORATION_GEMM=generic) give the AVX2 results: algorithm %i',
    (algorithm) => {
      const script = `
      const addon = require(process.argv[1]);
      addon.setConvAlgorithm(${algorithm});
      const shape = [2, 9, 11, 21, 9, 11, 19, 3, 3, 1, 1, 1, 1, 1, 1];
      const x = new Float32Array(2 * 9 * 11 * 21).map((_, i) => Math.sin(i));
      const w = new Float32Array(9 * 21 * 19).map((_, i) => Math.cos(i));
      const b = new Float32Array(19).map((_, i) => Math.sin(3 * i));
      const y = new Float32Array(2 * 9 * 11 * 19);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      addon.conv2d(x, w, b, shape, 2, y);
      addon.conv2dBackpropInput(y, w, shape, dx);
      addon.conv2dBackpropFilter(x, y, shape, dw);
      const out = { kernel: addon.gemmKernel(), y: Array.from(y), dx: Array.from(dx), dw: Array.from(dw) };
      console.log(JSON.stringify(out));
    `;
      const run = (gemm: string) =>
        runWithAddon<{ kernel: string; y: number[]; dx: number[]; dw: number[] }>(script, gemm);
      const generic = run('generic');
      const best = run('');
      expect(generic.kernel).toBe('generic');
      const tolerance = algorithm === 3 ? TOLERANCE_43 : TOLERANCE;
      expect(relativeError(generic.y, best.y)).toBeLessThan(tolerance);
      expect(relativeError(generic.dx, best.dx)).toBeLessThan(tolerance);
      expect(relativeError(generic.dw, best.dw)).toBeLessThan(TOLERANCE);
    },
  );

  it('tf.grad of a 3x3 convolution on the native backend (Winograd) equals the cpu backend', async () => {
    await useBackend('cpu');
    await useBackend('native');
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(randomValues(2 * 11 * 9 * 20, 21), [2, 11, 9, 20]);
        const w = tf.tensor4d(randomValues(9 * 20 * 24, 22), [3, 3, 20, 24]);
        const r = tf.tensor4d(randomValues(2 * 11 * 9 * 24, 23), [2, 11, 9, 24]);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), r)),
        )([x, w]);
        return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
      });
    await tf.setBackend('cpu');
    const ref = run();
    await tf.setBackend('native');
    addon.setConvAlgorithm(2);
    const start = tf.memory().numTensors;
    const got = run();
    expect(tf.memory().numTensors).toBe(start);
    expect(relativeError(got.dx, ref.dx)).toBeLessThan(1e-5);
    expect(relativeError(got.dw, ref.dw)).toBeLessThan(1e-5);
  });
});
