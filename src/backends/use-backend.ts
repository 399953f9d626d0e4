import * as tf from '@tensorflow/tfjs-core';
import { registerFastBatchNormGradient } from './batchnorm-grad.js';

/** Backends `useBackend` knows how to start. */
export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'webgl' | 'tensorflow';

/** Options for {@link useBackend}. */
export interface UseBackendOptions {
  /**
   * wasm only: directory (or URL prefix, ending in `/`) holding the backend's `.wasm` files. Default: in Node, the
   * `dist/` directory of `@tensorflow/tfjs-backend-wasm` resolved from `node_modules`; in browsers, the backend's own
   * default (next to the script).
   */
  wasmPaths?: string;
  /** wasm only: register this library's fast training kernels (default true). */
  wasmTrainingKernels?: boolean;
  /** Register the lean batch-norm gradient ({@link registerFastBatchNormGradient}; default true). */
  fastBatchNormGradient?: boolean;
}

const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgpu', 'webgl', 'tensorflow'];

/** What to install for each backend, for error messages. */
const INSTALL_HINT: Record<BackendName, string> = {
  cpu: 'npm install @tensorflow/tfjs-backend-cpu',
  wasm: 'npm install @tensorflow/tfjs-backend-wasm',
  webgpu:
    'npm install @tensorflow/tfjs-backend-webgpu (in Node also: npm install webgpu, and a Vulkan driver such as ' +
    "Debian's mesa-vulkan-drivers)",
  webgl: 'npm install @tensorflow/tfjs-backend-webgl (browsers only)',
  tensorflow: 'npm install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu for CUDA; Node only)',
};

/** True when running under Node.js (not a browser or a worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Imports a module whose name is only known at run time, so bundlers and the type checker leave it alone
 * (tfjs-node is an optional native package that most users do not have).
 */
async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * In Node, the directory of the wasm backend's `.wasm` files (with a trailing slash), resolved from node_modules;
 * undefined where it cannot be resolved (the backend then falls back to its own default).
 */
async function nodeWasmDir(): Promise<string | undefined> {
  try {
    const { createRequire } = await import('node:module');
    const path = await import('node:path');
    // Resolve from this module when we know where it is (ESM), else from the working directory.
    const meta = import.meta as { url?: string };
    const base = typeof meta.url === 'string' ? meta.url : path.join(process.cwd(), 'index.js');
    const main = createRequire(base).resolve('@tensorflow/tfjs-backend-wasm');
    return path.dirname(main) + path.sep;
  } catch {
    return undefined;
  }
}

async function registerWasm(options: UseBackendOptions): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = options.wasmPaths ?? (isNode() ? await nodeWasmDir() : undefined);
  // setWasmPaths throws once the backend has been initialised; the path is then already settled.
  if (dir !== undefined && !tf.findBackend('wasm')) wasm.setWasmPaths(dir);
  if (options.wasmTrainingKernels !== false) {
    const { registerWasmTrainingKernels } = await import('./wasm-kernels.js');
    registerWasmTrainingKernels();
  }
}

async function registerWebGpu(): Promise<void> {
  if (isNode()) {
    const { installNodeWebGpu } = await import('./webgpu-node.js');
    await installNodeWebGpu();
  } else if (!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
    throw new Error('this browser has no WebGPU (navigator.gpu is undefined)');
  }
  await import('@tensorflow/tfjs-backend-webgpu');
}

async function registerBackend(name: BackendName, options: UseBackendOptions): Promise<void> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm':
      await registerWasm(options);
      return;
    case 'webgpu':
      await registerWebGpu();
      return;
    case 'webgl':
      if (isNode())
        throw new Error('webgl needs a browser (WebGL2 canvas); in Node use wasm, webgpu or tensorflow');
      await importOptional('@tensorflow/tfjs-backend-webgl');
      return;
    case 'tensorflow':
      if (!isNode()) throw new Error('tensorflow (tfjs-node) runs in Node only');
      try {
        await importOptional('@tensorflow/tfjs-node-gpu');
      } catch {
        await importOptional('@tensorflow/tfjs-node');
      }
      return;
  }
}

/**
 * Starts a TensorFlow.js backend and makes it the current one: imports the backend package (only when asked for,
 * so unused backends cost nothing), calls `tf.setBackend` and waits for `tf.ready()`.
 *
 * - `'wasm'`: also registers this library's training kernels (Conv2DBackpropFilter and friends, which tfjs-backend-wasm
 *   lacks) and, in Node, points the backend at its `.wasm` files in node_modules.
 * - `'webgpu'`: in Node, installs `navigator.gpu` from the `webgpu` package (Dawn) first; there, read results with
 *   `await t.data()` (synchronous reads of GPU data cannot work in Node and fail with a message saying so).
 * - `'tensorflow'`: `@tensorflow/tfjs-node-gpu` if installed, else `@tensorflow/tfjs-node`.
 * - every backend: registers the lean batch-norm gradient (same results, far fewer passes over the activations).
 *
 * @throws Error naming the backend, why it could not start and what to install.
 * @returns the name of the backend now in use.
 * @example
 * ```ts
 * import { useBackend } from 'tfjs-restoration/backends';
 * await useBackend('wasm');
 * ```
 */
export async function useBackend(name: BackendName, options: UseBackendOptions = {}): Promise<string> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new Error(
      `useBackend: unknown backend '${String(name)}'; expected one of ${BACKEND_NAMES.join(', ')}`,
    );
  }
  try {
    await registerBackend(name, options);
  } catch (e) {
    throw new Error(
      `useBackend('${name}'): the backend package could not be loaded: ${errorMessage(e)}. ` +
        `Install it with: ${INSTALL_HINT[name]}`,
    );
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`useBackend('${name}'): the backend failed to start: ${errorMessage(e)}`);
  }
  if (!ok) {
    throw new Error(
      `useBackend('${name}'): the backend failed to start (tf.setBackend returned false; ` +
        `see the warning above). Needs: ${INSTALL_HINT[name]}`,
    );
  }
  await tf.ready();
  if (name === 'webgpu' && isNode()) {
    const { explainNodeWebGpuSyncReads } = await import('./webgpu-node.js');
    explainNodeWebGpuSyncReads(tf.backend() as unknown as Parameters<typeof explainNodeWebGpuSyncReads>[0]);
  }
  if (options.fastBatchNormGradient !== false) registerFastBatchNormGradient();
  return tf.getBackend();
}
