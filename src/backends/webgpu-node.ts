/**
 * WebGPU in Node: `navigator.gpu` from the `webgpu` package (Dawn's Node binding), installed before
 * tfjs-backend-webgpu registers, with workarounds for what the backend expects of a browser.
 */

/** The few WebGPU shapes used here (kept local: the DOM lib of the project may lack WebGPU types). */
interface GpuAdapterLike {
  features: { has(name: string): boolean };
  requestDevice(descriptor?: { requiredFeatures?: unknown[]; [key: string]: unknown }): Promise<unknown>;
}
interface GpuLike {
  requestAdapter(options?: unknown): Promise<GpuAdapterLike | null>;
}
interface WebGpuModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

const INSTALL_HINT =
  'npm install webgpu (Dawn for Node) and a Vulkan driver (Debian/Ubuntu: apt-get install mesa-vulkan-drivers, ' +
  'whose lavapipe runs on the CPU when there is no GPU); XDG_RUNTIME_DIR must name a writable directory';

let installed: Promise<void> | undefined;

/**
 * Wraps an adapter so that `requestDevice` gets a descriptor Dawn accepts: tfjs-backend-webgpu 4.22 pushes
 * `['bgra8unorm-storage']` (an array inside the feature list) and may ask for features the adapter lacks.
 */
function fixAdapter(adapter: GpuAdapterLike): GpuAdapterLike {
  const requestDevice = adapter.requestDevice.bind(adapter);
  adapter.requestDevice = (descriptor = {}) => {
    const wanted = (descriptor.requiredFeatures ?? [])
      .flat(2)
      .filter((f): f is string => typeof f === 'string');
    const requiredFeatures = [...new Set(wanted)].filter((f) => adapter.features.has(f));
    return requestDevice({ ...descriptor, requiredFeatures });
  };
  return adapter;
}

async function install(flags: string[]): Promise<void> {
  const env = process.env;
  if (!env.XDG_RUNTIME_DIR) {
    // Mesa's Vulkan loader warns and may fail without it; a private temp dir is what a session would provide.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'xdg-runtime-'));
  }
  let mod: WebGpuModule;
  try {
    mod = (await import(/* @vite-ignore */ 'webgpu')) as unknown as WebGpuModule;
  } catch (e) {
    throw new Error(
      `WebGPU in Node needs the 'webgpu' package: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  // GPUBufferUsage, GPUMapMode, GPUShaderStage, ... which the backend reads as globals, as in a browser.
  const g = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(mod.globals)) if (!(key in g)) g[key] = value;
  const gpu = mod.create(flags);
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (options?: unknown) => {
    const adapter = await requestAdapter(options);
    return adapter === null ? null : fixAdapter(adapter);
  };
  const adapter = await gpu.requestAdapter();
  if (adapter === null) {
    throw new Error(`WebGPU in Node: no WebGPU adapter found. Needs: ${INSTALL_HINT}`);
  }
  if (g.navigator === undefined) {
    Object.defineProperty(g, 'navigator', { value: {}, configurable: true, writable: true });
  }
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true });
}

/**
 * Installs `navigator.gpu` (and the WebGPU constant globals) in Node from the `webgpu` package, so that
 * `@tensorflow/tfjs-backend-webgpu` can register. Idempotent; does nothing when `navigator.gpu` already exists.
 * Sets `XDG_RUNTIME_DIR` to a fresh temp directory when it is unset.
 * @param flags Dawn toggles for `create()` (e.g. `['adapter=llvmpipe']`); default none.
 * @throws Error when the package is missing or no adapter is found, saying what to install.
 * @example
 * ```ts
 * await installNodeWebGpu();
 * await import('@tensorflow/tfjs-backend-webgpu');
 * await tf.setBackend('webgpu');
 * ```
 */
export function installNodeWebGpu(flags: string[] = []): Promise<void> {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu !== undefined) return Promise.resolve();
  installed ??= install(flags).catch((e: unknown) => {
    installed = undefined;
    throw e;
  });
  return installed;
}

/** The message for a synchronous read of GPU data in Node. */
export const NODE_WEBGPU_SYNC_READ_MESSAGE =
  'webgpu in Node cannot read GPU data synchronously (dataSync, arraySync, or moving a tensor to another ' +
  'backend): the backend reads through an OffscreenCanvas, which Node lacks. Use await tensor.data() or ' +
  'await tensor.array().';

/** The part of a backend that {@link explainNodeWebGpuSyncReads} wraps. */
export interface ReadSyncBackend {
  readSync(dataId: object): unknown;
}

/**
 * Makes a synchronous read on the webgpu backend in Node fail with a message that says what to do instead
 * (the backend's own error is `OffscreenCanvas is not defined`). Data already on the CPU still reads fine.
 */
export function explainNodeWebGpuSyncReads(backend: ReadSyncBackend): void {
  const marker = Symbol.for('tfjs-restoration.readSyncExplained');
  const b = backend as ReadSyncBackend & { [marker]?: boolean };
  if (b[marker]) return;
  const readSync = b.readSync.bind(b);
  b.readSync = (dataId: object) => {
    try {
      return readSync(dataId);
    } catch (e) {
      if (e instanceof ReferenceError && /OffscreenCanvas/.test(e.message)) {
        throw new Error(NODE_WEBGPU_SYNC_READ_MESSAGE);
      }
      throw e;
    }
  };
  b[marker] = true;
}
