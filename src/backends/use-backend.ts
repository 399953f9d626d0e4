import * as tf from '@tensorflow/tfjs-core';
import { registerFastBatchNormGradient } from './batchnorm-grad.js';
import { quietNodeBanner } from './native/util.js';

/** Backends `useBackend` knows how to start. */
export type BackendName = 'cpu' | 'native' | 'wasm' | 'webgpu' | 'webgl' | 'tensorflow';

/** Options for {@link useBackend}. */
export interface UseBackendOptions {
  /**
   * wasm only: directory (or URL prefix, ending in `/`) holding the backend's `.wasm` files. Default: in Node, the
   * `dist/` directory of `@tensorflow/tfjs-backend-wasm` resolved from `node_modules`; in browsers, the backend's own
   * default (next to the script).
   */
  wasmPaths?: string;
  /**
   * native: threads of the C++ kernels (default: one per core). wasm: number of threads for the backend's XNNPACK
   * thread pool, 1..8. Above 1, Node runs the threaded SIMD
   * binary with `worker_threads` (which tfjs-backend-wasm does not do on its own; see `wasm-threads-node.ts`);
   * browsers need cross-origin isolation for threads. Only takes effect when the wasm backend starts (the first
   * `useBackend('wasm')` of the process). Default: 1 (see {@link DEFAULT_WASM_THREADS}).
   */
  threads?: number;
  /** wasm only: register this library's fast training kernels (default true). */
  wasmTrainingKernels?: boolean;
  /** Register the lean batch-norm gradient ({@link registerFastBatchNormGradient}; default true). */
  fastBatchNormGradient?: boolean;
}

const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'native', 'wasm', 'webgpu', 'webgl', 'tensorflow'];

/** What to install for each backend, for error messages. */
const INSTALL_HINT: Record<BackendName, string> = {
  cpu: 'npm install @tensorflow/tfjs-backend-cpu',
  native: 'npx tfjs-restoration build-native (Node only; a C++ compiler, make and Python 3)',
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

/**
 * Threads the wasm backend uses when {@link UseBackendOptions.threads} is not given: 1. Multithreading in Node
 * relies on a start-up shim around tfjs-backend-wasm's internals (verified with 4.22), so it is opt-in.
 */
export const DEFAULT_WASM_THREADS = 1;

/** The wasm backend can use at most this many threads (its Emscripten pool has 8 workers). */
const MAX_WASM_THREADS = 8;

function checkThreads(name: BackendName, threads: number): void {
  const max = name === 'wasm' ? MAX_WASM_THREADS : 256;
  if (!Number.isInteger(threads) || threads < 1 || threads > max) {
    throw new Error(
      `useBackend('${name}'): options.threads must be an integer from 1 to ${max}, got ${String(threads)}`,
    );
  }
}

/** Registers the wasm backend; returns what to undo once it has started. */
async function registerWasm(options: UseBackendOptions): Promise<((backend: unknown) => void) | undefined> {
  const threads = options.threads ?? DEFAULT_WASM_THREADS;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = options.wasmPaths ?? (isNode() ? await nodeWasmDir() : undefined);
  // Not tf.findBackend: it starts initialising a registered backend, before the paths and flags below are set.
  const started = 'wasm' in tf.engine().registry;
  // setWasmPaths throws once the backend has been initialised; the path is then already settled.
  if (dir !== undefined && !started) wasm.setWasmPaths(dir);
  if (options.wasmTrainingKernels !== false) {
    const { registerWasmTrainingKernels } = await import('./wasm-kernels.js');
    registerWasmTrainingKernels();
  }
  if (started && options.threads !== undefined && wasm.getThreadsCount() !== threads) {
    console.warn(
      `useBackend('wasm'): the wasm backend already started with ${wasm.getThreadsCount()} thread(s); ` +
        `threads: ${threads} takes effect only when it starts (the first useBackend('wasm') of the process)`,
    );
  }
  // Last: nothing may throw between patching globals for the threaded start-up and useBackend restoring them.
  let restore: ((backend: unknown) => void) | undefined;
  if (threads > 1 && !started) {
    if (isNode()) {
      const dist = await nodeWasmDir();
      if (dist === undefined) {
        throw new Error('wasm threads: cannot resolve @tensorflow/tfjs-backend-wasm from node_modules');
      }
      const { prepareNodeWasmThreads } = await import('./wasm-threads-node.js');
      restore = await prepareNodeWasmThreads(wasm, (name, value) => tf.env().set(name, value), dist, threads);
    } else {
      wasm.setThreadsCount(threads);
    }
  }
  return restore;
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

/** Registers a backend; returns what to undo once it has started (or failed to), if anything. */
async function registerBackend(
  name: BackendName,
  options: UseBackendOptions,
): Promise<((backend: unknown) => void) | undefined> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'native': {
      if (!isNode()) throw new Error('the native backend runs in Node only; in browsers use wasm or webgpu');
      const { registerNativeBackend } = await import('./native/index.js');
      await registerNativeBackend(options.threads);
      return;
    }
    case 'wasm':
      return registerWasm(options);
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
 *   lacks) and, in Node, points the backend at its `.wasm` files in node_modules. With `{ threads: n }` (n > 1) it
 *   runs multithreaded, in Node too (`tf.wasm.getThreadsCount()` then reports n).
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
  if ((name === 'wasm' || name === 'native') && options.threads !== undefined)
    checkThreads(name, options.threads);
  let restore: ((backend: unknown) => void) | undefined;
  try {
    restore = await registerBackend(name, options);
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
  } finally {
    restore?.(tf.findBackend(name));
  }
  if (!ok) {
    throw new Error(
      `useBackend('${name}'): the backend failed to start (tf.setBackend returned false; ` +
        `see the warning above). Needs: ${INSTALL_HINT[name]}`,
    );
  }
  await tf.ready();
  // tfjs-backend-cpu's "install our node backend" banner: not for users who picked a backend through this library.
  if (name === 'cpu') quietNodeBanner(tf.findBackend('cpu'));
  if (name === 'webgpu' && isNode()) {
    const { explainNodeWebGpuSyncReads } = await import('./webgpu-node.js');
    explainNodeWebGpuSyncReads(tf.backend() as unknown as Parameters<typeof explainNodeWebGpuSyncReads>[0]);
  }
  if (options.fastBatchNormGradient !== false) registerFastBatchNormGradient();
  return tf.getBackend();
}

/**
 * Starts the first backend of `names` that can start, in order, and returns its name: e.g. the native backend where
 * its addon is built, else wasm.
 * @throws Error listing why each one failed.
 * @example
 * ```ts
 * import { useFirstBackend } from 'tfjs-restoration/backends';
 * const name = await useFirstBackend(['native', 'wasm']);
 * ```
 */
export async function useFirstBackend(
  names: readonly BackendName[],
  options: UseBackendOptions = {},
): Promise<string> {
  if (names.length === 0) throw new Error('useFirstBackend: no backend names given');
  const failures: string[] = [];
  for (const name of names) {
    try {
      return await useBackend(name, options);
    } catch (e) {
      failures.push(errorMessage(e));
    }
  }
  throw new Error(`useFirstBackend: no backend could start:\n  ${failures.join('\n  ')}`);
}
