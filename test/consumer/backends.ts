// README "Backends: train anywhere" block, verbatim (checked by test/package/readme.test.ts), type-checked by test/package/bundle.test.ts.
import { useBackend } from 'tfjs-restoration/backends';

await useBackend('native'); // Node: C++ kernels on every core, the fastest CPU backend (needs its addon built)
// await useBackend('wasm'); // browsers and Node: adds the training kernels tfjs-backend-wasm lacks
// await useBackend('wasm', { threads: 2 }); // Node: the threaded SIMD binary through worker_threads
// await useBackend('webgpu'); // browsers, and Node through the `webgpu` package (Dawn)
