/**
 * Backends: start any TensorFlow.js backend with one call; in Node the `native` backend (C++ kernels on every core,
 * the fastest on a CPU); train on wasm (the training kernels tfjs-backend-wasm lacks, made fast); WebGPU in Node
 * through Dawn.
 * @module backends
 */
export {
  useBackend,
  useFirstBackend,
  isNode,
  DEFAULT_WASM_THREADS,
  type BackendName,
  type UseBackendOptions,
} from './use-backend.js';
export { registerWasmTrainingKernels } from './wasm-kernels.js';
export { registerFastBatchNormGradient, restoreBatchNormGradient } from './batchnorm-grad.js';
export {
  installNodeWebGpu,
  explainNodeWebGpuSyncReads,
  NODE_WEBGPU_SYNC_READ_MESSAGE,
  type ReadSyncBackend,
} from './webgpu-node.js';
