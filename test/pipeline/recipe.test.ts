import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastBackend } from '../helpers/backend.js';
import { grayToRgb, inpaintTelea, lumaPil, meanChromaOffset } from '../../src/image/index.js';
import { createRng } from '../../src/masks/index.js';
import {
  checkPipelineConfig,
  DEFAULT_LOST_FACTORS,
  forwardStages,
  PIPELINE_PRESETS,
  photoSource,
  pipelineLoss,
  RestorationPipeline,
  trainingSample,
  trainPipeline,
  fitChromaGain,
  validationScore,
  ycbcrToRgb,
  type PipelineOptions,
} from '../../src/pipeline/index.js';
import { loadPipeline, savePipeline } from '../../src/pipeline/node.js';
import { photo, samples } from '../helpers/pipeline.js';

const tiny = (o: PipelineOptions = {}) =>
  RestorationPipeline.create({
    encoder: 'resnet18',
    encoderWidth: 4,
    decoderChannels: [16, 8, 8, 4, 4],
    seed: 5,
    ...o,
  });

beforeAll(async () => {
  await useFastBackend();
});

describe('PipelineConfig', () => {
  it('rejects bad fields, naming them', () => {
    const ok = PIPELINE_PRESETS.global;
    expect(() => checkPipelineConfig({ ...ok, workSize: 100 })).toThrow(
      /workSize must be null or a positive multiple of 32/,
    );
    expect(() => checkPipelineConfig({ ...ok, fill: 'blur' as 'telea' })).toThrow(
      /fill must be 'input' or 'telea'/,
    );
    expect(() => checkPipelineConfig({ ...ok, color: 'lab' as 'rgb' })).toThrow(
      /color must be 'rgb' or 'chroma'/,
    );
    expect(() => checkPipelineConfig({ ...ok, residual: 1 as unknown as boolean })).toThrow(
      /residual must be a boolean/,
    );
    expect(() => RestorationPipeline.create({ preset: 'best' as 'global' })).toThrow(/unknown preset 'best'/);
  });

  it('builds stages with the channels the configuration needs', () => {
    const ref = tiny({ preset: 'reference' });
    expect(ref.inpaint.inputs[0].shape[3]).toBe(1);
    expect(ref.colorize.outputs[0].shape[3]).toBe(3);
    const glob = tiny({ preset: 'global' });
    expect(glob.inpaint.inputs[0].shape[3]).toBe(2);
    expect(glob.colorize.outputs[0].shape[3]).toBe(2);
    ref.dispose();
    glob.dispose();
  });
});

describe('ycbcrToRgb', () => {
  it("keeps the luma: the RGB's Pillow luma is Y", () => {
    const y = tf.randomUniform([1, 8, 8, 1], 0.2, 0.8, 'float32', 1) as tf.Tensor4D;
    const c = tf.randomUniform([1, 8, 8, 2], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
    const rgb = ycbcrToRgb(y, c);
    const [r, g, b] = tf.split(rgb, 3, 3);
    const luma = tf.addN([tf.mul(r, 0.299), tf.mul(g, 0.587), tf.mul(b, 0.114)]);
    expect(tf.max(tf.abs(tf.sub(luma, y))).dataSync()[0]).toBeLessThan(1e-6);
    // zero chroma is gray
    const gray = ycbcrToRgb(y, tf.zerosLike(c) as tf.Tensor4D);
    expect(tf.max(tf.abs(tf.sub(gray, tf.tile(y, [1, 1, 1, 3])))).dataSync()[0]).toBe(0);
    tf.dispose([y, c, rgb, r, g, b, luma, gray]);
  });
});

describe('the global preset', () => {
  it('starts as the classical fill: an untrained pipeline returns the Telea-filled gray exactly', async () => {
    const p = tiny({ preset: 'global', config: { workSize: 64 } });
    for (const s of samples(96, 4).slice(0, 2)) {
      const out = await p.predict(s.input, s.mask);
      expect(out).toEqual(grayToRgb(inpaintTelea(s.input, s.mask)));
    }
    p.dispose();
  });

  it('keeps known pixels and gives every pixel the completed gray as its luma after training', async () => {
    const p = tiny({ preset: 'global', config: { workSize: 64 } });
    await trainPipeline(p, { train: samples(64, 2), epochs: 2, batchSize: 2, loss: { hue: 0.1 }, seed: 1 });
    const s = samples(96, 9)[0];
    const { rgb, gray, mask } = await p.predictDetailed(s.input, s.mask);
    for (let i = 0; i < gray.data.length; i++) {
      if (!mask.data[i]) expect(gray.data[i]).toBe(s.input.data[i]);
      const l = lumaPil(rgb.data[3 * i], rgb.data[3 * i + 1], rgb.data[3 * i + 2]);
      expect(Math.abs(l - gray.data[i])).toBeLessThanOrEqual(2); // clamping at 0/255 may cut in
    }
    p.dispose();
  });

  it('round-trips its configuration through savePipeline / loadPipeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recipe-'));
    const p = tiny({ preset: 'global', config: { workSize: 64 } });
    await savePipeline(p, dir);
    const q = await loadPipeline(dir);
    expect(q.config).toEqual(p.config);
    const s = samples(64, 3)[0];
    expect(await q.predict(s.input, s.mask)).toEqual(await p.predict(s.input, s.mask));
    p.dispose();
    q.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('forwardStages and pipelineLoss', () => {
  it('composites stage 1 into the start image and differentiates through both stages, leak-free', () => {
    const p = tiny({ preset: 'reference' });
    const batch = samples(64, 1).slice(0, 2);
    const before = tf.memory().numTensors;
    const start = tf.tensor4d(
      Float32Array.from([...batch[0].input.data, ...batch[1].input.data], (v) => v / 255),
      [2, 64, 64, 1],
    );
    const mask = tf.tensor4d(
      Float32Array.from([...batch[0].mask.data, ...batch[1].mask.data]),
      [2, 64, 64, 1],
    );
    const { gray, rgb } = forwardStages(p.inpaint, p.colorize, p.config, start, mask, false);
    const g = gray.dataSync();
    const st = start.dataSync();
    const m = mask.dataSync();
    for (let i = 0; i < g.length; i++) if (!m[i]) expect(g[i]).toBeCloseTo(st[i], 6);
    expect(rgb.shape).toEqual([2, 64, 64, 3]);
    const vars = p.colorize.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(() => pipelineLoss(p, batch, { hue: 0.5, region: 2 })[2], vars),
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const norm = tf.tidy(() => tf.addN(Object.values(grads).map((t) => tf.sum(tf.abs(t)))));
    expect(norm.dataSync()[0]).toBeGreaterThan(0);
    norm.dispose();
    tf.dispose([start, mask, gray, rgb, value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('rejects bad loss weights and schedules', async () => {
    const p = tiny({ preset: 'reference' });
    await expect(trainPipeline(p, { train: samples(64), loss: { hue: -1 } })).rejects.toThrow(
      /loss.hue must be a finite number >= 0/,
    );
    await expect(trainPipeline(p, { train: samples(64), schedule: 'step' as 'cosine' })).rejects.toThrow(
      /schedule must be/,
    );
    await expect(trainPipeline(p, { train: samples(48) })).rejects.toThrow(/multiple of 32/);
    p.dispose();
  });
});

describe('validateStart', () => {
  it('scores the starting weights first and keeps them when no epoch beats them', async () => {
    const p = tiny({ preset: 'global', config: { workSize: 64 } });
    const start = p.inpaint.getWeights().map((w) => Array.from(w.dataSync()));
    const seen: number[] = [];
    const result = await trainPipeline(p, {
      train: samples(64, 2),
      epochs: 2,
      batchSize: 2,
      learningRate: 1e-2,
      validateStart: true,
      validate: async (_, epoch) => (seen.push(epoch), epoch === -1 ? 1 : 0),
    });
    expect(seen).toEqual([-1, 0, 1]);
    expect(result).toMatchObject({ bestEpoch: -1, bestScore: 1 });
    expect(p.inpaint.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(start);
    p.dispose();
  });
});

describe('chroma gain', () => {
  // An RGB colorizer with a random head: its colors are far from the truth, so muting them changes the score.
  const colorful = () => tiny({ preset: 'global', config: { workSize: 64, color: 'rgb' } });

  it('fitChromaGain scores every gain like validationScore does with those gains, and picks the best', async () => {
    const p = colorful();
    const val = samples(64, 7);
    const before = tf.memory().numTensors;
    const fit = await fitChromaGain(p, val, { gains: [0, 0.5, 1], lostFactors: [0, 0.5] });
    // the whole-image gains, then the lost region's (factors of the best whole-image gain)
    expect(fit.scores.map((s) => [s.gain, s.lostGain])).toEqual([
      [0, null],
      [0.5, null],
      [1, null],
      [fit.scores[3].gain, 0],
      [fit.scores[3].gain, fit.scores[3].gain * 0.5],
    ]);
    // every score is computed under the tint correction fitted first
    expect(fit.offset).toHaveLength(3);
    p.chromaOffset = fit.offset;
    for (const { gain, lostGain, score } of fit.scores) {
      p.chromaGain = gain;
      p.lostChromaGain = lostGain;
      expect(await validationScore(p, val)).toBeCloseTo(score, 12);
    }
    p.chromaOffset = null;
    // the result is the best of the lost-region candidates, the whole-image gain's own best among them only with
    // factor 1
    expect(fit.score).toBe(Math.max(...fit.scores.slice(3).map((s) => s.score)));
    const won = fit.scores.slice(3).find((s) => s.score === fit.score)!;
    expect([won.gain, won.lostGain]).toEqual([fit.gain, fit.lostGain]);
    expect(new Set(fit.scores.slice(0, 3).map((s) => s.score)).size).toBe(3);
    const wholeBest = Math.max(...fit.scores.slice(0, 3).map((s) => s.score));
    const withSame = await fitChromaGain(p, val, { gains: [0, 0.5, 1], lostFactors: [0, 0.5, 1] });
    expect(withSame.score).toBe(Math.max(wholeBest, fit.score));
    expect(withSame.scores).toHaveLength(5); // factor 1 is the whole-image row, not scored again
    // by default the lost region is left gray; [] leaves it unfitted
    const byDefault = await fitChromaGain(p, val, { gains: [0.5] });
    expect(DEFAULT_LOST_FACTORS).toEqual([0]);
    expect(byDefault.lostGain).toBe(0);
    expect((await fitChromaGain(p, val, { gains: [0.5], lostFactors: [] })).lostGain).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('fitChromaGain fits the tint as the mean chroma difference of the truths and the colors', async () => {
    const p = colorful();
    const val = samples(64, 7).slice(0, 3);
    const colors = [];
    for (const s of val) colors.push((await p.predictDetailed(s.input, s.mask)).colors);
    const fit = await fitChromaGain(p, val, { gains: [0.5, 1] });
    expect(fit.offset).toEqual(
      meanChromaOffset(
        val.map((s) => s.gt),
        colors,
      ),
    );
    // without it: no offset, and the scores are those of the pipeline as it is
    const plain = await fitChromaGain(p, val, { gains: [0.5, 1], tint: false });
    expect(plain.offset).toBeNull();
    p.chromaGain = plain.gain;
    p.lostChromaGain = plain.lostGain;
    expect(await validationScore(p, val)).toBeCloseTo(plain.score, 12);
    // with the tint, the fit's score is validationScore's with the offset set
    p.chromaGain = fit.gain;
    p.lostChromaGain = fit.lostGain;
    p.chromaOffset = fit.offset;
    expect(await validationScore(p, val)).toBeCloseTo(fit.score, 12);
    p.dispose();
  });

  it('rejects what it cannot fit, naming it', async () => {
    const p = colorful();
    const val = samples(64, 7).slice(0, 1);
    await expect(fitChromaGain(p, [])).rejects.toThrow(/no samples/);
    await expect(fitChromaGain(p, val, { gains: [] })).rejects.toThrow(/no gains/);
    await expect(fitChromaGain(p, val, { gains: [-0.5] })).rejects.toThrow(
      /gains must be finite numbers >= 0, got -0.5/,
    );
    await expect(fitChromaGain(p, val, { lostFactors: [NaN] })).rejects.toThrow(/lostFactors must be finite/);
    p.preserveLuminance = false;
    await expect(fitChromaGain(p, val)).rejects.toThrow(/only on a pipeline with preserveLuminance/);
    expect(() => tiny({ chromaGain: -1 })).toThrow(/chromaGain must be a finite number >= 0/);
    p.dispose();
  });

  it("the trainer fits the gains on validation each epoch and keeps the best epoch's", async () => {
    const p = colorful();
    const result = await trainPipeline(p, {
      train: samples(64, 2),
      val: samples(64, 9).slice(0, 2),
      fitChroma: { gains: [0, 0.5, 1], lostFactors: [0] },
      epochs: 2,
      batchSize: 2,
      learningRate: 1e-2,
      patience: 10,
    });
    for (const e of result.history) expect([0, 0.5, 1]).toContain(e.chromaGain);
    expect(result.bestEpoch).toBeGreaterThanOrEqual(0);
    const best = result.history[result.bestEpoch];
    expect([p.chromaGain, p.lostChromaGain]).toEqual([best.chromaGain, best.lostChromaGain]);
    expect(p.chromaOffset).toEqual(best.chromaOffset);
    expect(best.chromaOffset).toHaveLength(3);
    // the kept weights with the kept gains score what the best epoch scored
    expect(await validationScore(p, samples(64, 9).slice(0, 2))).toBeCloseTo(result.bestScore, 12);
    p.dispose();
  });
});

describe('freeze', () => {
  it('leaves a frozen stage as it was (batch-norm statistics included) and trains the other', async () => {
    const p = tiny({ preset: 'global', config: { workSize: 64 } });
    const read = (m: typeof p.inpaint) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const [inpaint, colorize] = [read(p.inpaint), read(p.colorize)];
    const before = tf.memory().numTensors;
    await trainPipeline(p, {
      train: samples(64, 2),
      epochs: 1,
      batchSize: 2,
      learningRate: 1e-2,
      freeze: ['inpaint'],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(read(p.inpaint)).toEqual(inpaint);
    expect(read(p.colorize)).not.toEqual(colorize);
    await expect(trainPipeline(p, { train: samples(64), freeze: ['inpaint', 'colorize'] })).rejects.toThrow(
      /freeze leaves no stage to train/,
    );
    await expect(trainPipeline(p, { train: samples(64), freeze: ['stage1' as 'inpaint'] })).rejects.toThrow(
      /freeze takes 'inpaint' and 'colorize', got 'stage1'/,
    );
    p.dispose();
  });
});

describe('trainingSample / photoSource', () => {
  it('resizes the whole photo to workSize, or cuts a window around the lost region at full size', () => {
    const big = photo('sea', 256);
    const g = trainingSample(big, { ...PIPELINE_PRESETS.global, workSize: 64 }, createRng(1));
    expect([g.gt.width, g.input.width, g.mask.width]).toEqual([64, 64, 64]);
    const r = trainingSample(big, PIPELINE_PRESETS.reference, createRng(1), { size: 128 });
    expect([r.gt.width, r.gt.height]).toEqual([128, 128]);
    expect(r.mask.data.some((v) => v > 0)).toBe(true);
    expect(() => trainingSample(big, PIPELINE_PRESETS.reference, createRng(1), { size: 100 })).toThrow(
      /multiple of 32/,
    );
  });

  it('draws a fresh lost region at every read, replayably', async () => {
    const photos = [photo('sea', 128), photo('animal', 128)];
    const config = { ...PIPELINE_PRESETS.global, workSize: 64 };
    const a = photoSource(2, async (i) => photos[i], config, { seed: 3 });
    const b = photoSource(2, async (i) => photos[i], config, { seed: 3 });
    const a1 = await a.load(0);
    const a2 = await a.load(0);
    expect(a1.mask).not.toEqual(a2.mask);
    expect(await b.load(0)).toEqual(a1);
    expect(await b.load(0)).toEqual(a2);
  });
});

afterAll(() => undefined);
