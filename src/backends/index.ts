/**
 * Backends: start any TensorFlow.js backend with one call, train on wasm (the training kernels tfjs-backend-wasm
 * lacks, made fast), and run WebGPU in Node through Dawn.
 * @module backends
 */
export {
  useBackend,
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
