/**
 * The first install, as a user makes it: the package packed (`npm pack`), installed into an empty project with the
 * README's install line exactly (the tarball in place of the name `tfjs-restoration`; everything else from the
 * registry through npm's cache, `--prefer-offline`), the package's install script building the native addon; then
 * `useFirstBackend(['native', 'wasm'])` and one training step of a tiny two-stage pipeline, in a separate Node process.
 * Needs `npm run build` first (as test/package/bundle.test.ts). Skips, saying why, only when npm cannot reach the registry
 * for what its cache lacks (CI can).
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const ADDON = path.join('native', 'build', 'Release', 'tfjs_restoration_native.node');
/** npm's codes for a registry it cannot reach. */
const NETWORK =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED)\b/;

let tmp: string;
let project: string;
let skipReason: string | undefined;

/** The environment of the commands: none of this run's npm script variables, nor a native addon set from outside. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^npm_(package|lifecycle)_/.test(key) || key === 'TFJS_RESTORATION_NATIVE') delete env[key];
  return env;
}

/** The README's `npm install tfjs-restoration …` line, as its words. */
function readmeInstallLine(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const line = /^npm install tfjs-restoration(?: .*)?$/m.exec(readme);
  if (line === null) throw new Error("README.md has no 'npm install tfjs-restoration …' line");
  return line[0].trim().split(/\s+/);
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'index.js')))
    throw new Error(`${path.join(ROOT, 'dist')} is missing: run 'npm run build' before this test`);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'install-test-'));
  project = path.join(tmp, 'project');
  await fs.mkdir(project);
  await fs.writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'first-install', private: true, type: 'module' }),
  );
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], {
    cwd: ROOT,
    env: cleanEnv(),
  });
  const tarball = path.join(tmp, (JSON.parse(stdout) as { filename: string }[])[0].filename);
  const [npm, install, ...packages] = readmeInstallLine();
  expect([npm, install, packages[0]]).toEqual(['npm', 'install', 'tfjs-restoration']);
  // From the cache where it can; a registry that does not answer fails in minutes, not npm's default quarter hour.
  const quick = [
    '--prefer-offline',
    '--fetch-retries=1',
    '--fetch-timeout=120000',
    '--no-audit',
    '--no-fund',
  ];
  const args = [install, tarball, ...packages.slice(1), ...quick];
  try {
    await run(npm, args, { cwd: project, env: cleanEnv(), maxBuffer: 64 * 2 ** 20 });
  } catch (err) {
    const output = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    if (NETWORK.test(output)) {
      skipReason = `npm could not reach the registry for what its cache lacks (${NETWORK.exec(output)?.[1]})`;
      return;
    }
    throw new Error(`npm ${args.join(' ')} failed:\n${output}`);
  }
}, 600_000);

afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe("first install with the README's install line", () => {
  it('installs every peer the code needs, consistently (npm ls)', async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    await run('npm', ['ls', '--all'], { cwd: project, env: cleanEnv() }); // exits non-zero on a missing/invalid peer
    const installed = path.join(project, 'node_modules', 'tfjs-restoration');
    // Where this machine builds the addon (the repository's own install did), the installed package built it too.
    if (existsSync(path.join(ROOT, ADDON))) expect(existsSync(path.join(installed, ADDON))).toBe(true);
  });

  it("useFirstBackend(['native', 'wasm']) starts, and one training step runs, without tfjs's banner", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import { useFirstBackend } from 'tfjs-restoration/backends';
      import { createImage } from 'tfjs-restoration/image';
      import { damage } from 'tfjs-restoration/masks';
      import { RestorationPipeline, trainPipeline } from 'tfjs-restoration/pipeline';
      const backend = await useFirstBackend(['native', 'wasm']);
      const data = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 7 + (i >> 5) * 3) & 255);
      const train = [1, 2].map((seed) => damage(createImage(32, 32, 3, data), { seed }));
      const pipeline = RestorationPipeline.create({
        encoder: 'resnet18', encoderWidth: 4, decoderChannels: [16, 8, 8, 4, 4], seed: 1,
      });
      const steps = [];
      await trainPipeline(pipeline, { train, epochs: 1, batchSize: 2, onStep: (s) => steps.push(s) });
      console.log(JSON.stringify({ backend, steps: steps.length, loss: steps[0].inpaintLoss, tensors: tf.memory().numTensors > 0 }));`;
    await fs.writeFile(path.join(project, 'train-one-step.mjs'), script);
    const { stdout, stderr } = await run(process.execPath, ['train-one-step.mjs'], {
      cwd: project,
      env: cleanEnv(),
    });
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]) as { backend: string; steps: number; loss: number };
    // The native backend wherever its addon builds (here it did: the repository's own install built it).
    expect(result.backend).toBe(existsSync(path.join(ROOT, ADDON)) ? 'native' : 'wasm');
    expect(result.steps).toBe(1);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(`${stdout}${stderr}`).not.toMatch(
      /looks like you are running TensorFlow\.js|install our node backend/,
    );
  }, 120_000);
});
