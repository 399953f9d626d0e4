import { defineConfig } from 'tsup';
import { tsupEntries } from './scripts/subpaths.js';

// One entry per public subpath (scripts/subpaths.ts, the one list), so `tfjs-restoration/metrics` pulls in no tfjs
// and no Node module.
export default defineConfig([
  {
    entry: tsupEntries(),
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
