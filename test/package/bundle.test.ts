/**
 * Smoke test of the built package as a consumer sees it: `npm pack`, unpacked into a temp project, then
 * imported as ESM, required as CJS and type-checked (test/consumer/) through package.json "exports".
 * Needs `npm run build` first (CI runs it before `npm test`); fails with that hint when dist/ is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBPATHS as PUBLIC_SUBPATHS } from '../../scripts/subpaths.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<
    string,
    string | { import: { types: string; default: string }; require: { types: string; default: string } }
  >;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  sideEffects: string[] | boolean;
  bin: Record<string, string>;
};
/** Subpaths that must load without tfjs and without Node built-ins (they are for browsers too). */
const TFJS_FREE = PUBLIC_SUBPATHS.filter((s) => s.plain).map((s) => s.subpath);
const SUBPATHS = Object.keys(pkg.exports).filter((s) => s !== './package.json');
const spec = (subpath: string) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);

let tmp: string;
let consumer: string;
let packed: string;

async function node(script: string, file: string): Promise<string> {
  const target = path.join(consumer, file);
  await fs.writeFile(target, script);
  const { stdout } = await run(process.execPath, [target], { cwd: consumer });
  return stdout;
}

beforeAll(async () => {
  const built = path.join(ROOT, 'dist', 'index.js');
  if (!existsSync(built))
    throw new Error(`${path.join(ROOT, 'dist')} is missing: run 'npm run build' before this test`);
  // A build older than the sources would test old code: say so instead.
  const newest = await newestFile(path.join(ROOT, 'src'));
  if (newest.mtimeMs > (await fs.stat(built)).mtimeMs)
    throw new Error(
      `dist/ is older than ${path.relative(ROOT, newest.file)}: run 'npm run build' before this test`,
    );
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bundle-test-'));
  consumer = path.join(tmp, 'consumer');
  packed = path.join(consumer, 'node_modules', pkg.name);
  await fs.mkdir(packed, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], {
    cwd: ROOT,
  });
  const tarball = path.join(tmp, (JSON.parse(stdout) as { filename: string }[])[0].filename);
  await run('tar', ['-xzf', tarball, '-C', packed, '--strip-components=1']);
  // Dependencies and peers come from the repo's node_modules, linked as an install would place them.
  for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]) {
    const from = path.join(ROOT, 'node_modules', dep);
    if (!existsSync(from)) continue;
    const to = path.join(consumer, 'node_modules', dep);
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.symlink(from, to, 'dir');
  }
  await fs.writeFile(path.join(consumer, 'package.json'), JSON.stringify({ type: 'module', private: true }));
}, 60_000);

afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('built package', () => {
  it('packs dist and README, and no sources or tests', async () => {
    const files = (await listFiles(packed)).map((f) => path.relative(packed, f).split(path.sep).join('/'));
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    for (const subpath of SUBPATHS) {
      const entry = pkg.exports[subpath];
      if (typeof entry === 'string') continue;
      for (const f of [entry.import.default, entry.import.types, entry.require.default, entry.require.types])
        expect(files, `${subpath}: ${f} missing from the packed package`).toContain(f.slice(2));
    }
    for (const bin of Object.values(pkg.bin)) expect(files).toContain(bin.replace(/^\.\//, ''));
    expect(files.filter((f) => /^(src|test|bench|scripts)\//.test(f))).toEqual([]);
  });

  it('imports every subpath as ESM through "exports"', async () => {
    const script = `
      const out = {};
      for (const s of ${JSON.stringify(SUBPATHS.map(spec))}) out[s] = Object.keys(await import(s)).sort();
      console.log(JSON.stringify(out));`;
    const exported = JSON.parse(await node(script, 'esm.mjs')) as Record<string, string[]>;
    expect(exported[pkg.name]).toEqual(expect.arrayContaining(['toGray', 'decodePng', 'scoreImage']));
    expect(exported[`${pkg.name}/metrics`]).toEqual(
      expect.arrayContaining(['competitionMask', 'scoreImage', 'summarizeScores']),
    );
    expect(exported[`${pkg.name}/node`]).toEqual(expect.arrayContaining(['readPng', 'matchPngsByName']));
  });

  it('requires every subpath as CJS, with the same exports as ESM', async () => {
    const script = `
      const out = {};
      for (const s of ${JSON.stringify(SUBPATHS.map(spec))}) out[s] = Object.keys(require(s)).sort();
      console.log(JSON.stringify(out));`;
    const esm = `
      const out = {};
      for (const s of ${JSON.stringify(SUBPATHS.map(spec))}) out[s] = Object.keys(await import(s)).sort();
      console.log(JSON.stringify(out));`;
    const cjs = JSON.parse(await node(script, 'cjs.cjs')) as Record<string, string[]>;
    expect(cjs).toEqual(JSON.parse(await node(esm, 'esm2.mjs')));
  });

  it('scores an image through the packed CJS and ESM builds alike', async () => {
    const body = (load: (subpath: string) => string) => `
      const { createImage, toGray } = ${load('image')};
      const { competitionMask, scoreImage } = ${load('metrics')};
      const gt = createImage(16, 16, 3, Uint8Array.from({ length: 768 }, (_, i) => (i * 37 + (i >> 4)) & 255));
      const input = toGray(gt);
      input.data.fill(7, 40, 120);
      const pred = createImage(16, 16, 3, gt.data.map((v, i) => (v + (i % 5)) & 255));
      console.log(JSON.stringify(scoreImage(gt, pred, competitionMask(input, gt))));`;
    const esm = await node(
      body((s) => `await import('${pkg.name}/${s}')`),
      'score.mjs',
    );
    const cjs = await node(
      body((s) => `require('${pkg.name}/${s}')`),
      'score.cjs',
    );
    const scores = JSON.parse(esm) as Record<string, number>;
    expect(Object.keys(scores).sort()).toEqual(['histogram', 'maskedSsim', 'score', 'ssim']);
    expect(Number.isFinite(scores.score)).toBe(true);
    expect(JSON.parse(cjs)).toEqual(scores);
  });

  // The packed native/ sources building where the package is installed, and the backend then running from there, are
  // tested by test/package/install.test.ts (the install script builds them).

  it("greets no one with tfjs's 'install our node backend' banner on cpu, native or wasm", async () => {
    // The native backend from the repository's build when there is one (the packed package has no addon built).
    const addon = path.join(ROOT, 'native', 'build', 'Release', 'tfjs_restoration_native.node');
    const env = existsSync(addon) ? { ...process.env, TFJS_RESTORATION_NATIVE: addon } : process.env;
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import { useBackend, useFirstBackend } from '${pkg.name}/backends';
      const names = [];
      for (const start of [() => useBackend('cpu'), () => useFirstBackend(['native', 'wasm'])]) {
        names.push(await start());
        tf.tidy(() => tf.add(tf.ones([2, 2]), 1).dataSync());
      }
      console.log(JSON.stringify(names));`;
    await fs.writeFile(path.join(consumer, 'banner.mjs'), script);
    const { stdout, stderr } = await run(process.execPath, ['banner.mjs'], { cwd: consumer, env });
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1])).toEqual(['cpu', existsSync(addon) ? 'native' : 'wasm']);
    expect(`${stdout}${stderr}`).not.toMatch(
      /looks like you are running TensorFlow\.js|install our node backend/,
    );
  });

  it('ships a runnable CLI: help exits 0, a missing file exits 1 naming it', async () => {
    const bin = path.join(packed, Object.values(pkg.bin)[0]);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    // `score` needs no tfjs: a user who only scores need not install the peers. The commands that need it
    // (predict, cluster, ...) load it with a dynamic import when they run: only static imports count here.
    expect(
      (await externalImports(bin, { dynamic: false })).filter((s) => s.startsWith('@tensorflow/')),
    ).toEqual([]);
    const help = await run(process.execPath, [bin, '--help'], { cwd: consumer });
    expect(help.stdout).toContain('score');
    const missing = path.join(consumer, 'missing.png');
    const failed = await run(process.execPath, [
      bin,
      'score',
      '--gt',
      missing,
      '--pred',
      missing,
      '--input',
      missing,
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`--pred ${missing}: no such file or directory`);
    // predict's lazily loaded chunks ship too: with an input to restore it gets as far as reading the model.
    const input = path.join(consumer, 'input.png');
    await fs.copyFile(path.join(ROOT, 'test', 'fixtures', 'photos-masks', 'erase-flying_fox.png'), input);
    const predicted = await run(process.execPath, [
      bin,
      'predict',
      '--model',
      path.join(consumer, 'no-model'),
      '--input',
      input,
      '--out',
      path.join(consumer, 'pred'),
      '--backend',
      'cpu',
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(predicted.code).toBe(1);
    expect(predicted.stderr).toContain('no-model/pipeline.json: no such file');
  });

  it('loads no @tensorflow module and no Node built-in from the tfjs-free subpaths', async () => {
    // Static: follow each built entry's relative imports through the chunks.
    for (const subpath of TFJS_FREE) {
      const entry = pkg.exports[subpath];
      if (typeof entry === 'string') continue;
      for (const file of [entry.import.default, entry.require.default]) {
        const external = await externalImports(path.join(packed, file));
        const bad = external.filter((s) => s.startsWith('@tensorflow/') || isBuiltin(s));
        expect(
          bad,
          `${spec(subpath)} (${file}) imports ${bad.join(', ')}; tfjs-free subpaths must not re-export ` +
            `tfjs or Node code (give it its own subpath, like ./metrics/tensor)`,
        ).toEqual([]);
      }
    }
    // At run time too: nothing from @tensorflow in require's cache after requiring them.
    const script = `
      for (const s of ${JSON.stringify(TFJS_FREE.map(spec))}) require(s);
      console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('@tensorflow'))));`;
    expect(JSON.parse(await node(script, 'tf-free.cjs'))).toEqual([]);
  });

  it('declares side effects honestly: only the CLI; importing a library subpath changes no global state', async () => {
    expect(pkg.sideEffects).toEqual(['./dist/cli/*']);
    expect(Object.values(pkg.bin).every((b) => b.startsWith('./dist/cli/'))).toBe(true);
    // Importing each subpath (tfjs peers loaded first, so their own registrations are not counted) must add no
    // global, register no tfjs backend, serializable class or flag: a bundler may drop an unused import.
    const tfPeers = [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-cpu',
    ].filter((p) => existsSync(path.join(ROOT, 'node_modules', p)));
    const script = `
      const tf = await import('@tensorflow/tfjs-core');
      ${tfPeers.map((p) => `await import('${p}');`).join('\n')}
      const state = () => JSON.stringify({
        globals: Object.getOwnPropertyNames(globalThis).sort(),
        backends: Object.keys(tf.engine().registryFactory).sort(),
        classes: Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).sort(),
        flags: tf.env().getFlags(),
      });
      const changed = [];
      for (const s of ${JSON.stringify(SUBPATHS.map(spec))}) {
        const before = state();
        await import(s);
        if (state() !== before) changed.push(s);
      }
      console.log(JSON.stringify(changed));`;
    const changed = JSON.parse(await node(script, 'side-effects.mjs')) as string[];
    expect(
      changed,
      `these subpaths change global state on import, so "sideEffects" in package.json must list their files ` +
        `(or the registration must become an explicit call): ${changed.join(', ')}`,
    ).toEqual([]);
  });

  it('type-checks a consumer project (test/consumer) with Node16 and Bundler resolution', async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const src = path.join(ROOT, 'test', 'consumer');
    for (const f of await fs.readdir(src))
      if (/\.c?ts$/.test(f)) await fs.copyFile(path.join(src, f), path.join(consumer, f));
    const base = path.join(src, 'tsconfig.json');
    const configs = {
      // Node16, no DOM, libraries checked: the tfjs-free API must compile anywhere.
      'tsconfig.node16.json': { extends: base, include: ['index.ts', 'quickstart.ts', 'require.cts'] },
      'tsconfig.bundler.json': {
        extends: base,
        // tensor.ts and backends.ts use tfjs-core, whose typings need DOM and are not clean under skipLibCheck: false.
        compilerOptions: {
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022', 'DOM'],
          skipLibCheck: true,
        },
        include: ['index.ts', 'quickstart.ts', 'tensor.ts', 'backends.ts'],
      },
    };
    // Both compilations at once: they are independent and tsc is single-threaded.
    const outputs = await Promise.all(
      Object.entries(configs).map(async ([name, config]) => {
        await fs.writeFile(path.join(consumer, name), JSON.stringify(config));
        const result = await run(process.execPath, [tsc, '-p', name], { cwd: consumer }).catch(
          (err: { stdout?: string; stderr?: string }) => ({
            stdout: err.stdout ?? '',
            stderr: err.stderr ?? String(err),
          }),
        );
        return [name, `${result.stdout}${result.stderr}`.trim()] as const;
      }),
    );
    for (const [name, output] of outputs) expect(output, `tsc -p ${name}`).toBe('');
  });
});

async function newestFile(dir: string): Promise<{ file: string; mtimeMs: number }> {
  let newest = { file: dir, mtimeMs: 0 };
  for (const file of await listFiles(dir)) {
    const { mtimeMs } = await fs.stat(file);
    if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Packages a built file imports, following its relative imports; `dynamic: false` skips `import()`s. */
async function externalImports(entry: string, options: { dynamic?: boolean } = {}): Promise<string[]> {
  const seen = new Set<string>();
  const external = new Set<string>();
  const queue = [entry];
  const pattern =
    options.dynamic === false
      ? /(?:\bfrom\s*|\bimport\s*|\brequire\s*\(\s*)["']([^"']+)["']/g
      : /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await fs.readFile(file, 'utf8');
    for (const m of code.matchAll(pattern)) {
      const s = m[1];
      if (s.startsWith('.')) queue.push(path.resolve(path.dirname(file), s));
      else external.add(s);
    }
  }
  return [...external].sort();
}
