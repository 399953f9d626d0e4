import { defineConfig } from 'tsup';

// One entry per public subpath, so `tfjs-restoration/metrics` pulls in no tfjs and no Node module.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'image/index': 'src/image/index.ts',
      'metrics/index': 'src/metrics/index.ts',
      'metrics/tensor/index': 'src/metrics/tensor/index.ts',
      'masks/index': 'src/masks/index.ts',
      'data/index': 'src/data/index.ts',
      'cluster/index': 'src/cluster/index.ts',
      'models/index': 'src/models/index.ts',
      'models/node': 'src/models/node.ts',
      'losses/index': 'src/losses/index.ts',
      'backends/index': 'src/backends/index.ts',
      'backends/wasm-kernels': 'src/backends/wasm-kernels.ts',
      'backends/webgpu-node': 'src/backends/webgpu-node.ts',
      'pipeline/index': 'src/pipeline/index.ts',
      'pipeline/node': 'src/pipeline/node.ts',
      'node/index': 'src/node/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Both configs build at once: leave dist/cli (the second one's output) out of this one's clean.
    clean: ['!cli/**'],
    splitting: true,
    treeshake: true,
    target: 'es2022',
    external: [/^@tensorflow\//, 'webgpu'],
  },
  {
    // Its own folder: the commands that need tfjs load it lazily (dynamic imports, split into chunks here), so
    // `score` and the other tfjs-free commands start without it.
    entry: { main: 'src/cli/main.ts' },
    outDir: 'dist/cli',
    format: ['esm'],
    splitting: true,
    esbuildOptions(options) {
      options.chunkNames = 'chunks/[name]-[hash]';
    },
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    external: [/^@tensorflow\//, 'webgpu'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
