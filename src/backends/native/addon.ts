/**
 * Loads the native kernels addon (`native/` in this package, compiled with node-gyp). Node only.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (see native/src/*_napi.cc). Shapes are plain arrays; outputs are preallocated. */
export interface NativeAddon {
  getThreads(): number;
  setThreads(n: number): void;
  /**
   * Which GEMM micro-kernel runs: 'avx512f' (x86-64 with AVX-512F: 12x16 tiles by AVX-512, the same bits as AVX2),
   * 'avx2-fma' (x86-64 with AVX2 + FMA), 'neon' (arm64) or 'generic'.
   */
  gemmKernel(): string;
  /** shape: [batch, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilH, dilW, padTop, padLeft] */
  conv2d(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    shape: number[],
    activation: number,
    y: Float32Array,
  ): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, shape: number[], dx: Float32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, shape: number[], dw: Float32Array): void;
  /**
   * How 3x3 stride-1 convolutions (forward and input gradient) run, process-wide: 0 by shape (the default),
   * 1 always the implicit GEMM, 2 Winograd F(2x2, 3x3) wherever it applies, 3 Winograd F(4x4, 3x3) wherever it
   * applies. For tests and benchmarks.
   */
  setConvAlgorithm(algorithm: 0 | 1 | 2 | 3): void;
  /**
   * One Adam(W) step in place: params = [beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta1^t, 1 - beta2^t, epsilon, -lr,
   * decay] (see native/src/optim.h).
   */
  adamUpdate(
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    params: Float32Array,
  ): void;
  /** dims: [batch, m, n, k, aBatchStride, bBatchStride] */
  matmul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    dims: number[],
    transposeA: boolean,
    transposeB: boolean,
  ): void;
}

/** File name of the compiled addon, under `native/build/Release/`. */
export const NATIVE_ADDON_FILE = 'tfjs_restoration_native.node';

/** How to build the addon, for error messages. */
export const NATIVE_BUILD_HINT =
  'build it with `npx tfjs-restoration build-native` (or `node native/build.mjs` in the package) (needs a C++ compiler, make and Python 3 for node-gyp)';

/** This module's directory (ESM build, source under tsx/vitest) or the CJS build's __dirname. */
function moduleDir(): string {
  const meta = import.meta as { url?: string };
  if (typeof meta.url === 'string' && meta.url.startsWith('file:')) return dirname(fileURLToPath(meta.url));
  // CJS output: tsup leaves __dirname in place.
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

/** The package root: the nearest directory above this module holding native/binding.gyp. */
export function nativePackageRoot(): string | undefined {
  let dir = moduleDir();
  for (;;) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Where the compiled addon is looked for: TFJS_RESTORATION_NATIVE, else native/build/Release in this package. */
export function nativeAddonPath(): string | undefined {
  const env = process.env.TFJS_RESTORATION_NATIVE;
  if (env !== undefined && env !== '') return resolve(env);
  const root = nativePackageRoot();
  return root === undefined ? undefined : join(root, 'native', 'build', 'Release', NATIVE_ADDON_FILE);
}

let cached: NativeAddon | undefined;

/**
 * Loads the addon once per process.
 * @throws Error naming the file looked for and how to build it.
 */
export function loadNativeAddon(): NativeAddon {
  if (cached !== undefined) return cached;
  const file = nativeAddonPath();
  if (file === undefined || !existsSync(file)) {
    throw new Error(
      `the native kernels addon is not built (looked for ${file ?? NATIVE_ADDON_FILE}); ${NATIVE_BUILD_HINT}`,
    );
  }
  try {
    cached = createRequire(join(moduleDir(), 'index.js'))(file) as NativeAddon;
  } catch (e) {
    throw new Error(
      `the native kernels addon at ${file} could not be loaded (${e instanceof Error ? e.message : String(e)}); ` +
        `rebuild it: ${NATIVE_BUILD_HINT}`,
    );
  }
  return cached;
}
