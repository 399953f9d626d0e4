/**
 * `npm run bench:quality`: is the library's restoration worth having? Same data, same wall-clock budget, same
 * machine, several seeds:
 * - the library's pipeline (`--preset`, default the library's default) trained for `--seconds`;
 * - the reference recipe in PyTorch (bench/quality/torch_recipe.py) trained for the same `--seconds`;
 * - two baselines that need no training: the gray input copied as RGB, and the classical fill (fast marching,
 *   `classicalRestore`) of the lost region found without the original;
 * all scored with the competition metric on photos held out from training: every photo of one kind
 * (`explore_world_music-*`, a kind absent from training) and 11 others, 20 in all, damaged once with fixed seeds.
 * Prints mean and spread (max - min over seeds) of the score and of S, M and C, the steps each side trained, and
 * exits 1 when the library's mean score loses to the PyTorch recipe's.
 *
 * Run: npm run bench:quality -- [--seconds 600] [--seeds 3] [--encoder resnet18] [--batch 16] [--size 128]
 *        [--lr 3e-4] [--warmup 10] [--freeze inpaint|none] [--gains 0.25,0.5,0.75,1|none] (the library's side:
 *        learning rate, warm-up steps, stages left untrained, chroma gains fitted on validation)
 *        [--torch-lr 1e-3] [--preset global] [--config '{"workSize":128}'] [--loss '{"hue":0.1}']
 *        [--schedule cosine] [--sides library,torch] [--out out/bench-quality] [--backend native,wasm]
 *        [--tint on|off] (the tint correction fitted on validation with the gains)
 * The library's defaults are the recipe that won the short runs in docs/pipeline.md (stage 1 kept as the classical
 * fill, the colorizer trained at 3e-4 after a 10-step warm-up); the PyTorch recipe keeps the 1e-3 it was run with.
 * The photos are the repository's examples/photos (CREDITS.md there).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { useFirstBackend, type BackendName } from '../src/backends/index.js';
import { Compose, horizontalFlip } from '../src/data/index.js';
import { grayToRgb, matchLuminance, type Image, type Mask, type Sample } from '../src/image/index.js';
import { classicalRestore, damage, detectLostRegion } from '../src/masks/index.js';
import { competitionMask, scoreImage, type ImageScores } from '../src/metrics/index.js';
import { readPhoto, readPng, writePng, writeFileAtomic } from '../src/node/index.js';
import {
  asRestorer,
  flipTta,
  photoSource,
  RestorationPipeline,
  trainPipeline,
  type LossWeights,
  type PipelineConfig,
  type PipelinePreset,
} from '../src/pipeline/index.js';
import { machine, table } from './common.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    seeds: { type: 'string', default: '3' },
    encoder: { type: 'string', default: 'resnet18' },
    batch: { type: 'string', default: '16' },
    lr: { type: 'string', default: '3e-4' },
    'torch-lr': { type: 'string', default: '1e-3' },
    size: { type: 'string', default: '128' },
    preset: { type: 'string' },
    config: { type: 'string' },
    loss: { type: 'string' },
    schedule: { type: 'string', default: 'constant' },
    sides: { type: 'string', default: 'library,torch' },
    out: { type: 'string', default: 'out/bench-quality' },
    backend: { type: 'string', default: 'native,wasm' },
    'torch-mode': { type: 'string', default: 'crop' },
    val: { type: 'string', default: '6' },
    'val-pick': { type: 'string', default: 'last' },
    warmup: { type: 'string', default: '10' },
    gains: { type: 'string' },
    freeze: { type: 'string', default: 'inpaint' },
    ema: { type: 'string', default: '0' },
    tint: { type: 'string', default: 'on' },
    trace: { type: 'boolean', default: false },
  },
});
const num = (name: keyof typeof values) => {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v <= 0)
    throw new Error(`--${name}: expected a positive number, got ${String(values[name])}`);
  return v;
};
const seconds = num('seconds');
const nSeeds = num('seeds');
const batch = num('batch');
const lr = num('lr');
const torchLr = num('torch-lr');
const size = num('size');
if (values.tint !== 'on' && values.tint !== 'off')
  throw new Error(`--tint: expected on or off, got ${values.tint}`);
const sides = new Set(values.sides!.split(','));
const outDir = path.resolve(values.out!);
const root = fileURLToPath(new URL('..', import.meta.url));
const photoDir = path.join(root, 'examples', 'photos');

// ---- The stand-in data set: 120 photos to train on, 20 held out (one whole kind among them). ----
const files = readdirSync(photoDir)
  .filter((f) => f.endsWith('.jpg'))
  .sort();
const isHeldKind = (f: string) => f.startsWith('explore_world_music-');
const others = files.filter((f) => !isHeldKind(f));
// Every 11th of the others (a fixed, spread-out pick), plus the held-out kind.
const heldOthers = others.filter((_, i) => i % 11 === 5).slice(0, 11);
const testFiles = [...files.filter(isHeldKind), ...heldOthers];
const trainFiles = others.filter((f) => !heldOthers.includes(f));
const dataDir = path.join(outDir, 'data');
rmSync(dataDir, { recursive: true, force: true });
for (const d of ['train_gt', 'train_input', 'test_input', 'test_gt', 'test_mask'])
  mkdirSync(path.join(dataDir, d), { recursive: true });
const trainPhotos: Image[] = [];
const trainRows = ['input_image_path,gt_image_path'];
for (const [i, f] of trainFiles.entries()) {
  const photo = await readPhoto(path.join(photoDir, f));
  trainPhotos.push(photo);
  const name = `TRAIN_${String(i).padStart(3, '0')}.png`;
  const d = damage(photo, { seed: i });
  await writePng(path.join(dataDir, 'train_gt', name), photo);
  await writePng(path.join(dataDir, 'train_input', name), d.input);
  trainRows.push(`./train_input/${name},./train_gt/${name}`);
}
await writeFileAtomic(path.join(dataDir, 'train.csv'), trainRows.join('\n') + '\n');
interface TestCase {
  name: string;
  input: Image;
  gt: Image;
  /** The lost region found without the original (what every method is given). */
  detected: Mask;
  /** The competition's mask (input vs the gt's gray), for scoring. */
  scoring: Mask;
}
const tests: TestCase[] = [];
const testRows = ['id,input_image_path'];
for (const [i, f] of testFiles.entries()) {
  const gt = await readPhoto(path.join(photoDir, f));
  const d = damage(gt, { seed: 100_000 + i });
  const name = `TEST_${String(i).padStart(3, '0')}`;
  const detected = detectLostRegion(d.input);
  tests.push({ name, input: d.input, gt, detected, scoring: competitionMask(d.input, gt) });
  await writePng(path.join(dataDir, 'test_input', `${name}.png`), d.input);
  await writePng(path.join(dataDir, 'test_gt', `${name}.png`), gt);
  await writePng(path.join(dataDir, 'test_mask', `${name}.png`), {
    ...detected,
    data: detected.data.map((v) => (v ? 255 : 0)),
  });
  testRows.push(`${name},./test_input/${name}.png`);
}
await writeFileAtomic(path.join(dataDir, 'test.csv'), testRows.join('\n') + '\n');
console.log(
  `${machine()}\n${trainFiles.length} training photos, ${tests.length} held out (${testFiles.filter(isHeldKind).length} of a kind absent from training); ` +
    `${seconds} s per run, ${nSeeds} seeds`,
);

// ---- Scoring ----
interface Run {
  scores: ImageScores[];
  steps?: number;
}
function score(preds: Image[]): ImageScores[] {
  return tests.map((t, i) => {
    const s = scoreImage(t.gt, preds[i], t.scoring);
    return Number.isNaN(s.score) ? { ...s, score: 0, ssim: 0, maskedSsim: 0 } : s;
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const results = new Map<string, Run[]>();
const add = (name: string, run: Run) => results.set(name, [...(results.get(name) ?? []), run]);

add('gray input copied as RGB', { scores: score(tests.map((t) => grayToRgb(t.input))) });
add('classical fill (fast marching), gray', {
  scores: score(tests.map((t) => classicalRestore(t.input, t.detected))),
});

// ---- The library ----
const preset = values.preset as PipelinePreset | undefined;
const config = values.config ? (JSON.parse(values.config) as Partial<PipelineConfig>) : undefined;
const loss = values.loss ? (JSON.parse(values.loss) as LossWeights) : undefined;
const libName = `library (${[
  preset ?? 'default',
  values.config,
  values.loss && `loss ${values.loss}`,
  values.schedule !== 'constant' && values.schedule,
  values.freeze !== 'none' && `freeze ${values.freeze}`,
  values.warmup !== '0' && `warm-up ${values.warmup}`,
  values.ema !== '0' && `ema ${values.ema}`,
  (values.val !== '6' || values['val-pick'] !== 'last') && `val ${values.val} ${values['val-pick']}`,
  `lr ${values.lr}`,
  values.gains && `gains ${values.gains}`,
  values.tint !== 'on' && `tint ${values.tint}`,
]
  .filter(Boolean)
  .join(', ')})`;
const backend = sides.has('library')
  ? await useFirstBackend(values.backend!.split(',') as BackendName[])
  : '';
// The library keeps `--val` training photos aside (damaged once) to pick its best weights, the starting ones
// included (`validateStart`); it trains on the others. The PyTorch recipe trains on all of them. `--val-pick
// spread` takes them evenly over the (name-sorted, so kind-grouped) list, one of every kind; `last` the last ones.
const nVal = Number(values.val);
if (!Number.isInteger(nVal) || nVal < 0 || nVal >= trainPhotos.length)
  throw new Error(`--val: expected an integer in 0..${trainPhotos.length - 1}, got ${values.val}`);
const valIndices = new Set(
  values['val-pick'] === 'spread'
    ? Array.from({ length: nVal }, (_, k) => Math.floor(((k + 0.5) * trainPhotos.length) / nVal))
    : values['val-pick'] === 'last'
      ? Array.from({ length: nVal }, (_, k) => trainPhotos.length - nVal + k)
      : [],
);
if (valIndices.size !== nVal)
  throw new Error(`--val-pick: expected spread or last, got ${values['val-pick']}`);
const valSamples: Sample[] = [...valIndices].map((index, i) => {
  const d = damage(trainPhotos[index], { seed: 200_000 + i });
  return { input: d.input, gt: d.gt, mask: competitionMask(d.input, d.gt) };
});
const libPhotos = trainPhotos.filter((_, i) => !valIndices.has(i));
async function runLibrary(seed: number): Promise<void> {
  const pipeline = RestorationPipeline.create({ encoder: values.encoder, preset, config, seed });
  let steps = 0;
  const t0 = performance.now();
  const result = await trainPipeline(pipeline, {
    train: photoSource(libPhotos.length, async (i) => libPhotos[i], pipeline.config, { size, seed }),
    val: valSamples,
    validateStart: nVal > 0,
    patience: 1_000_000,
    epochs: 1_000_000,
    batchSize: batch,
    learningRate: lr,
    maxSeconds: seconds,
    seed,
    loss,
    schedule: values.schedule as 'constant' | 'cosine',
    warmupSteps: Number(values.warmup),
    ema: Number(values.ema),
    freeze: values.freeze === 'none' ? [] : (values.freeze!.split(',') as ('inpaint' | 'colorize')[]),
    fitChroma:
      values.gains === 'none'
        ? false
        : {
            ...(values.gains ? { gains: values.gains.split(',').map(Number) } : {}),
            tint: values.tint === 'on',
          },
    augment: new Compose([horizontalFlip()], { seed }),
    onStep: () => steps++,
    onEpoch: async (e) => {
      // --trace: every epoch's validation and held-out scores (costs time out of the budget; for diagnosis).
      if (!values.trace) return;
      const preds: Image[] = [];
      for (const t of tests) preds.push(await pipeline.predict(t.input, t.detected));
      const sc = score(preds);
      const m = (f: (s: ImageScores) => number) => mean(sc.map(f)).toFixed(4);
      console.log(
        `  epoch ${e.epoch} (${e.steps} steps, ${e.elapsedSeconds.toFixed(0)} s): loss ${e.loss.toFixed(4)}, ` +
          `val ${e.valScore.toFixed(4)}${e.improved ? ' *' : ''}, gains ${e.chromaGain}/${e.lostChromaGain}; ` +
          `held-out score ${m((s) => s.score)} (S ${m((s) => s.ssim)}, M ${m((s) => s.maskedSsim)}, C ${m((s) => s.histogram)})`,
      );
    },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  // One prediction per photo; the output-side levers are re-mixed from its parts (see the ablation rows).
  const parts = [];
  for (const t of tests) parts.push(await pipeline.predictDetailed(t.input, t.detected));
  const preds = parts.map((p) => p.rgb);
  const gainValue = pipeline.chromaGain;
  const lostValue = pipeline.lostChromaGain ?? gainValue;
  const offset = pipeline.chromaOffset;
  const gain =
    `${gainValue}, lost region ${pipeline.lostChromaGain ?? 'same'}` +
    (offset ? `, tint [${offset.map((v) => v.toFixed(1)).join(', ')}]` : '');
  const tta = flipTta(asRestorer(pipeline));
  const ttaPreds: Image[] = [];
  for (const t of tests) ttaPreds.push(await tta(t.input, t.detected));
  pipeline.dispose();
  const ablations: [string, Run][] = [];
  const ablate = (name: string, run: Run) => ablations.push([name, run]);
  ablate(`  ablation: colors under the gray by shifting and clamping channels (before), gain 1`, {
    scores: score(parts.map((p) => shiftAndClamp(p.colors, p.gray))),
  });
  ablate(`  ablation: gamut-fitted, gain 1`, {
    scores: score(parts.map((p) => matchLuminance(p.colors, p.gray))),
  });
  ablate(`  ablation: gamut-fitted, fitted gain, the colors in the lost region too`, {
    scores: score(
      parts.map((p) =>
        matchLuminance(p.colors, p.gray, { chromaGain: gainValue, chromaOffset: offset ?? undefined }),
      ),
    ),
  });
  ablate(`  ablation: the same epoch and gains without the tint correction`, {
    scores: score(
      parts.map((p) =>
        matchLuminance(p.colors, p.gray, { chromaGain: gainValue, mask: p.mask, maskChromaGain: lostValue }),
      ),
    ),
  });
  ablate(`  ablation: + flip TTA`, { scores: score(ttaPreds) });
  const predDir = path.join(outDir, `library-seed${seed}`);
  mkdirSync(predDir, { recursive: true });
  for (const [i, t] of tests.entries()) await writePng(path.join(predDir, `${t.name}.png`), preds[i]);
  const run = { scores: score(preds), steps };
  add(libName, run);
  for (const [name, r] of ablations) add(name, r);
  console.log(
    `library seed ${seed} (${backend}): ${steps} steps, ${result.history.length} epochs in ${trainSeconds.toFixed(0)} s: ` +
      `score ${mean(run.scores.map((s) => s.score)).toFixed(4)} (best epoch ${result.bestEpoch}, val ${result.bestScore.toFixed(4)}, chroma gain ${gain})`,
  );
}

/** How the library matched the colorizer's output to the gray image before the gamut fit: one shift per pixel, channels clamped. */
function shiftAndClamp(rgb: Image, gray: Image): Image {
  const out = new Uint8Array(rgb.data.length);
  for (let i = 0, j = 0; i < gray.data.length; i++, j += 3) {
    const shift = gray.data[i] - (rgb.data[j] * 299 + rgb.data[j + 1] * 587 + rgb.data[j + 2] * 114) / 1000;
    for (let k = 0; k < 3; k++) out[j + k] = Math.max(0, Math.min(255, Math.round(rgb.data[j + k] + shift)));
  }
  return { ...rgb, data: out };
}

// ---- The reference recipe in PyTorch ----
function runPython(args: string[]): Promise<Record<string, unknown>> {
  const python = process.env.PYTHON ?? '/usr/bin/python3';
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(root, 'bench', 'quality', 'torch_recipe.py'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`torch_recipe.py exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}'));
    });
  });
}
async function runReference(seed: number): Promise<void> {
  const predDir = path.join(outDir, `torch-seed${seed}`);
  rmSync(predDir, { recursive: true, force: true });
  const info = await runPython([
    '--data',
    dataDir,
    '--pred',
    predDir,
    '--masks',
    path.join(dataDir, 'test_mask'),
    '--seconds',
    String(seconds),
    '--seed',
    String(seed),
    '--encoder',
    values.encoder!,
    '--size',
    String(size),
    '--batch',
    String(batch),
    '--lr',
    String(torchLr),
    '--mode',
    values['torch-mode']!,
  ]);
  const preds = await Promise.all(
    tests.map((t) => readPng(path.join(predDir, `${t.name}.png`), { channels: 3 })),
  );
  const run = { scores: score(preds), steps: Number(info.steps) };
  add(`PyTorch reference recipe (${values['torch-mode']})`, run);
  console.log(
    `torch seed ${seed}: ${JSON.stringify(info)}: score ${mean(run.scores.map((s) => s.score)).toFixed(4)}`,
  );
}

// Interleaved (library, PyTorch, library, ...) so that a change in the machine's load falls on both sides.
for (let seed = 0; seed < nSeeds; seed++) {
  if (sides.has('library')) await runLibrary(seed);
  if (sides.has('torch')) await runReference(seed);
}

// ---- Table ----
const stat = (runs: Run[], f: (s: ImageScores) => number) => {
  const means = runs.map((r) => mean(r.scores.map(f)));
  const m = mean(means);
  return {
    m,
    spread: Math.max(...means) - Math.min(...means),
    text:
      runs.length > 1
        ? `${m.toFixed(3)} ± ${((Math.max(...means) - Math.min(...means)) / 2).toFixed(3)}`
        : m.toFixed(3),
  };
};
const rows: string[][] = [];
for (const [name, runs] of results) {
  rows.push([
    name,
    stat(runs, (s) => s.score).text,
    stat(runs, (s) => s.ssim).text,
    stat(runs, (s) => s.maskedSsim).text,
    stat(runs, (s) => s.histogram).text,
    runs[0].steps === undefined ? '' : runs.map((r) => r.steps).join(', '),
  ]);
}
console.log(
  `\n${new Date().toISOString().slice(0, 16)} UTC, ${tests.length} held-out photos, mean ± half the range over seeds`,
);
console.log(table(['method', 'score', 'S', 'M (lost region)', 'C (hue)', 'steps'], rows));
const lib = results.get(libName);
const torch = [...results.entries()].find(([k]) => k.startsWith('PyTorch'))?.[1];
const classical = results.get('classical fill (fast marching), gray')!;
if (lib) {
  const l = stat(lib, (s) => s.score);
  const c = stat(classical, (s) => s.score);
  console.log(
    `library - classical fill: ${(l.m - c.m).toFixed(4)}; library M - classical M: ${(stat(lib, (s) => s.maskedSsim).m - stat(classical, (s) => s.maskedSsim).m).toFixed(4)}; spread ${l.spread.toFixed(4)}`,
  );
  if (torch) {
    const t = stat(torch, (s) => s.score);
    console.log(`library / PyTorch recipe: ${(l.m / t.m).toFixed(3)}x`);
    if (l.m < t.m) {
      console.log('FAIL: the library scores below the PyTorch reference recipe');
      process.exitCode = 1;
    }
  }
}
