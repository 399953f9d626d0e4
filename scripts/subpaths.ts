/**
 * The package's public subpaths: the one list that package.json "exports", tsup's entries (tsup.config.ts) and the
 * API reference's entry points (typedoc.json) come from. tsup.config.ts reads it; `npm run subpaths` writes
 * package.json "exports" and typedoc.json "entryPoints" from it; test/package/subpaths.test.ts fails when they differ.
 *
 * To add a subpath: add a row here, run `npm run subpaths`, then `npm run build`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One public subpath. */
export interface Subpath {
  /** `.` or `./name` as a consumer imports it (`tfjs-restoration/name`). */
  subpath: string;
  /** Its source module, from the repository root. */
  source: string;
  /** It loads no tfjs and no Node built-in module (it runs in browsers without tfjs). */
  plain?: boolean;
}

/** The public subpaths, in package.json order. */
export const SUBPATHS: readonly Subpath[] = [
  { subpath: '.', source: 'src/index.ts', plain: true },
  { subpath: './image', source: 'src/image/index.ts', plain: true },
  { subpath: './metrics', source: 'src/metrics/index.ts', plain: true },
  { subpath: './metrics/tensor', source: 'src/metrics/tensor/index.ts' },
  { subpath: './random', source: 'src/random/index.ts', plain: true },
  { subpath: './masks', source: 'src/masks/index.ts', plain: true },
  { subpath: './data', source: 'src/data/index.ts' },
  { subpath: './cluster', source: 'src/cluster/index.ts', plain: true },
  { subpath: './models', source: 'src/models/index.ts' },
  { subpath: './models/node', source: 'src/models/node.ts' },
  { subpath: './losses', source: 'src/losses/index.ts' },
  { subpath: './backends', source: 'src/backends/index.ts' },
  { subpath: './pipeline', source: 'src/pipeline/index.ts' },
  { subpath: './pipeline/node', source: 'src/pipeline/node.ts' },
  { subpath: './node', source: 'src/node/index.ts' },
];

/** Modules built as entries of their own without being subpaths: `useBackend` loads them lazily. */
export const LAZY_ENTRIES: readonly string[] = [
  'src/backends/wasm-kernels.ts',
  'src/backends/webgpu-node.ts',
];

/** The built name of a source module: `src/models/node.ts` -> `models/node` (dist/models/node.js, .cjs, .d.ts). */
export function builtName(source: string): string {
  return source.replace(/^src\//, '').replace(/\.ts$/, '');
}

/** tsup's `entry`: built name -> source, for every subpath and lazy entry. */
export function tsupEntries(): Record<string, string> {
  return Object.fromEntries(
    [...SUBPATHS.map((s) => s.source), ...LAZY_ENTRIES].map((source) => [builtName(source), source]),
  );
}

/** package.json `exports`: ESM and CJS files with their types for every subpath, and `./package.json`. */
export function packageExports(): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const { subpath, source } of SUBPATHS) {
    const base = `./dist/${builtName(source)}`;
    exports[subpath] = {
      import: { types: `${base}.d.ts`, default: `${base}.js` },
      require: { types: `${base}.d.cts`, default: `${base}.cjs` },
    };
  }
  exports['./package.json'] = './package.json';
  return exports;
}

/** typedoc's `entryPoints`: every subpath but the root, which re-exports the plain ones. */
export function typedocEntryPoints(): string[] {
  return SUBPATHS.filter((s) => s.subpath !== '.').map((s) => s.source);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Rewrites one field of a JSON file at the repository root (2-space JSON, as prettier leaves it). */
function writeField(file: string, field: string, value: unknown): boolean {
  const full = path.join(ROOT, file);
  const before = readFileSync(full, 'utf8');
  const json = JSON.parse(before) as Record<string, unknown>;
  json[field] = value;
  const after = JSON.stringify(json, null, 2) + '\n';
  if (after === before) return false;
  writeFileSync(full, after);
  return true;
}

// `node --import tsx scripts/subpaths.ts` (npm run subpaths): writes the lists derived from SUBPATHS.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const changed = [
    writeField('package.json', 'exports', packageExports()) && 'package.json exports',
    writeField('typedoc.json', 'entryPoints', typedocEntryPoints()) && 'typedoc.json entryPoints',
  ].filter(Boolean);
  console.log(
    changed.length > 0 ? `wrote ${changed.join(', ')}` : 'package.json and typedoc.json are up to date',
  );
}
