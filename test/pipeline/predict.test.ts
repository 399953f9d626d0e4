import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFastBackend } from '../helpers/backend.js';
import { createImage, decodePng, matchLuminance, padEdge, type Mask } from '../../src/image/index.js';
import { detectLostRegion } from '../../src/masks/index.js';
import { createModel } from '../../src/models/index.js';
import {
  contactSheet,
  lossChart,
  matchLuminance as pipelineMatchLuminance,
  padEdge as pipelinePadEdge,
  RestorationPipeline,
  submissionZip,
  trainingLossChart,
} from '../../src/pipeline/index.js';
import { loadPipeline, savePipeline } from '../../src/pipeline/node.js';
import type { StepLog } from '../../src/pipeline/index.js';
import { damagedGray, samples, tinyPipeline } from '../helpers/pipeline.js';

let pipeline: RestorationPipeline;
const dir = mkdtempSync(join(tmpdir(), 'pipeline-'));

beforeAll(async () => {
  await useFastBackend();
  pipeline = tinyPipeline();
});
afterAll(() => {
  pipeline.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('RestorationPipeline.predict', () => {
  it('restores any size to RGB of the same size (padding to 32 and cropping back)', async () => {
    for (const [w, h] of [
      [64, 64],
      [50, 37],
      [7, 5],
    ]) {
      const { input, mask } = damagedGray(w, h);
      const out = await pipeline.predict(input, mask);
      expect([out.width, out.height, out.channels]).toEqual([w, h, 3]);
      expect(out.data.length).toBe(w * h * 3);
    }
  });

  it('keeps every known pixel of the input exactly; only the lost region comes from stage 1', async () => {
    const { input, mask } = damagedGray(50, 37);
    const { gray, mask: used } = await pipeline.predictDetailed(input, mask);
    expect(used).toBe(mask);
    let changedInside = 0;
    for (let i = 0; i < input.data.length; i++) {
      if (!mask.data[i]) expect(gray.data[i]).toBe(input.data[i]);
      else if (gray.data[i] !== input.data[i]) changedInside++;
    }
    expect(changedInside).toBeGreaterThan(0); // stage 1's output was used inside the mask
  });

  it('finds the mask with detectLostRegion when none is given', async () => {
    const [s] = samples(64);
    const { mask } = await pipeline.predictDetailed(s.input);
    expect(Array.from(mask.data)).toEqual(Array.from(detectLostRegion(s.input).data));
  });

  it('matches running the two models by hand on a multiple of 32 (no padding; legacy preset)', async () => {
    const { input, mask } = damagedGray(64, 32);
    const legacy = tinyPipeline(3, 'legacy');
    const raw = new RestorationPipeline(legacy.inpaint, legacy.colorize, {
      preserveLuminance: false,
      config: legacy.config,
    });
    const { gray, rgb } = await raw.predictDetailed(input, mask);
    const matched = await legacy.predict(input, mask);
    expect(matched).toEqual(matchLuminance(rgb, gray));
    const x = tf.tidy(() =>
      tf.concat(
        [
          tf.tensor4d(
            Float32Array.from(input.data, (v) => v / 255),
            [1, 32, 64, 1],
          ),
          tf.tensor4d(Float32Array.from(mask.data), [1, 32, 64, 1]),
        ],
        3,
      ),
    );
    const s1 = legacy.inpaint.predict(x) as tf.Tensor;
    const v1 = await s1.data();
    for (let i = 0; i < v1.length; i++)
      if (mask.data[i]) expect(gray.data[i]).toBe(Math.min(255, Math.max(0, Math.floor(v1[i] * 255 + 0.5))));
    // Stage 2 reads stage 1's float output composited into the input (not rounded to bytes first).
    const g = tf.tensor4d(
      Float32Array.from(input.data, (v, i) => (mask.data[i] ? v1[i] : v / 255)),
      [1, 32, 64, 1],
    );
    const s2 = legacy.colorize.predict(g) as tf.Tensor;
    const v2 = await s2.data();
    for (let i = 0; i < v2.length; i++) expect(rgb.data[i]).toBe(Math.floor(v2[i] * 255 + 0.5));
    tf.dispose([x, s1, g, s2]);
    legacy.dispose();
  });

  it('is leak-free', async () => {
    const { input, mask } = damagedGray(40, 40);
    await pipeline.predict(input, mask); // warm up
    const before = tf.memory().numTensors;
    await pipeline.predict(input, mask);
    await pipeline.predict(input);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects RGB inputs, mismatched masks and wrongly shaped stages with clear errors', async () => {
    const rgb = createImage(32, 32, 3);
    await expect(pipeline.predict(rgb)).rejects.toThrow(/gray \(1 channel\), got 3/);
    const { input } = damagedGray(32, 32);
    await expect(pipeline.predict(input, createImage(16, 32, 1) as Mask)).rejects.toThrow(
      /16x32x1, expected 32x32x1/,
    );
    const wrong = createModel('unet', {
      encoder: 'resnet18',
      encoderWidth: 4,
      decoderChannels: [8, 8, 8, 4, 4],
      inChannels: 1,
      classes: 1,
    });
    expect(() => new RestorationPipeline(wrong, pipeline.colorize)).toThrow(
      /inpaint stage must map 2 -> 1 channels, got 1 -> 1/,
    );
    wrong.dispose();
  });
});

describe('tfjs-restoration/pipeline', () => {
  it("still exports padEdge and matchLuminance, the image layer's own", () => {
    expect(pipelinePadEdge).toBe(padEdge);
    expect(pipelineMatchLuminance).toBe(matchLuminance);
  });
});

describe('savePipeline / loadPipeline', () => {
  it('round-trips to identical predictions', async () => {
    const [s] = samples(64);
    const before = await pipeline.predict(s.input, s.mask);
    await savePipeline(pipeline, join(dir, 'p'));
    const loaded = await loadPipeline(join(dir, 'p'));
    const after = await loaded.predict(s.input, s.mask);
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    expect(loaded.preserveLuminance).toBe(true);
    expect(loaded.chromaGain).toBe(1);
    loaded.dispose();
    expect(loaded.lostChromaGain).toBe(null);
    expect(loaded.chromaOffset).toBe(null);
    pipeline.chromaGain = 0.5;
    pipeline.lostChromaGain = 0.25;
    pipeline.chromaOffset = [3.5, -1.25, -9];
    await savePipeline(pipeline, join(dir, 'muted'));
    const muted = await loadPipeline(join(dir, 'muted'));
    expect([muted.chromaGain, muted.lostChromaGain]).toEqual([0.5, 0.25]);
    expect(muted.chromaOffset).toEqual([3.5, -1.25, -9]);
    expect(Buffer.from((await muted.predict(s.input, s.mask)).data)).toEqual(
      Buffer.from((await pipeline.predict(s.input, s.mask)).data),
    );
    muted.dispose();
    pipeline.chromaGain = 1;
    pipeline.lostChromaGain = null;
    pipeline.chromaOffset = null;
    pipeline.preserveLuminance = false;
    await savePipeline(pipeline, join(dir, 'raw'));
    pipeline.preserveLuminance = true;
    const raw = await loadPipeline(join(dir, 'raw'));
    expect(raw.preserveLuminance).toBe(false);
    raw.dispose();
  });

  it('names the missing file when the directory holds no pipeline', async () => {
    await expect(loadPipeline(join(dir, 'nothing'))).rejects.toThrow(/pipeline\.json: no such file/);
  });
});

describe('submissionZip', () => {
  it('puts the PNGs at the root under the given names', () => {
    const a = createImage(
      3,
      2,
      3,
      Uint8Array.from({ length: 18 }, (_, i) => i * 10),
    );
    const b = createImage(2, 2, 3);
    const files = unzipSync(
      submissionZip([
        { name: 'TEST_000.png', image: a },
        { name: 'TEST_001.png', image: b },
      ]),
    );
    expect(Object.keys(files).sort()).toEqual(['TEST_000.png', 'TEST_001.png']);
    expect(decodePng(files['TEST_000.png'])).toEqual(a);
  });

  it('rejects folders, other extensions and duplicates', () => {
    const im = createImage(1, 1, 3);
    expect(() => submissionZip([{ name: 'out/TEST_000.png', image: im }])).toThrow(
      /entry 0 name 'out\/TEST_000.png'/,
    );
    expect(() => submissionZip([{ name: 'a.jpg', image: im }])).toThrow(/\.png/);
    expect(() =>
      submissionZip([
        { name: 'a.png', image: im },
        { name: 'a.png', image: im },
      ]),
    ).toThrow(/appears twice/);
  });
});

describe('lossChart / contactSheet', () => {
  it('draws the curves inside the frame on a white background', () => {
    const { image, yMin, yMax, logScale } = lossChart([{ values: [1, 0.5, 0.25, 0.1] }], {
      width: 100,
      height: 60,
      margin: 10,
    });
    expect([image.width, image.height, image.channels]).toEqual([100, 60, 3]);
    expect(logScale).toBe(true);
    expect(yMin).toBeCloseTo(0.1);
    expect(yMax).toBeCloseTo(1);
    const px = (x: number, y: number) =>
      Array.from(image.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3));
    expect(px(0, 0)).toEqual([255, 255, 255]);
    expect(px(10, 49)).toEqual([128, 128, 128]); // bottom-left frame corner
    expect(px(50, 10)).toEqual([128, 128, 128]); // top frame
    // the highest value sits at the plot's top-left corner, the lowest at its bottom-right
    expect(px(10, 10)).toEqual([31, 119, 180]);
    expect(px(89, 49)).toEqual([31, 119, 180]);
  });

  it("trainingLossChart: both stages' losses, labelled, 720x400", () => {
    const step = (i: number) => ({ inpaintLoss: 1 / (i + 1), colorizeLoss: 0.5 / (i + 1) }) as StepLog;
    const image = trainingLossChart([0, 1, 2, 3].map(step), []);
    expect([image.width, image.height, image.channels]).toEqual([720, 400, 3]);
    const colors = new Set<string>();
    for (let i = 0; i < image.data.length; i += 3) colors.add(image.data.subarray(i, i + 3).join(','));
    for (const c of ['31,119,180', '255,127,14', '0,0,0']) expect(colors.has(c), c).toBe(true);
  });

  it('lays images out in rows with gaps; gray becomes RGB', () => {
    const g = createImage(2, 2, 1, Uint8Array.from([9, 9, 9, 9]));
    const c = createImage(3, 1, 3, new Uint8Array(9).fill(50));
    const sheet = contactSheet([[g, c]], 1);
    expect([sheet.width, sheet.height]).toEqual([1 + 2 + 1 + 3 + 1, 1 + 2 + 1]);
    expect(Array.from(sheet.data.subarray((1 * 8 + 1) * 3, (1 * 8 + 1) * 3 + 3))).toEqual([9, 9, 9]);
    expect(Array.from(sheet.data.subarray((1 * 8 + 4) * 3, (1 * 8 + 4) * 3 + 3))).toEqual([50, 50, 50]);
    expect(Array.from(sheet.data.subarray((2 * 8 + 4) * 3, (2 * 8 + 4) * 3 + 3))).toEqual([255, 255, 255]);
  });
});
