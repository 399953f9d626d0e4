import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no op gradients itself; tfjs-layers (or @tensorflow/tfjs) does.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImage, hueOpenCv, type Image, type Mask } from '../../src/image/index.js';
import { histogram, hueHistogramSimilarity, maskedSsim, scoreImage, ssim } from '../../src/metrics/index.js';
import {
  competitionScoreTensor,
  hueHistogramSimilarityTensor,
  hueHistogramTensor,
  hueOpenCvTensor,
  maskedSsimTensor,
  ssimTensor,
} from '../../src/metrics/tensor/index.js';
import { crop, goldens, loadPhoto, makePred } from './fixtures.js';

/** uint8 images -> NHWC float32 in [0, 1]. */
function toBatch(images: Image[]): tf.Tensor4D {
  const { width, height } = images[0];
  const data = new Float32Array(images.length * width * height * 3);
  images.forEach((im, b) => {
    for (let i = 0; i < im.data.length; i++) data[b * im.data.length + i] = im.data[i] / 255;
  });
  return tf.tensor4d(data, [images.length, height, width, 3]);
}

// 96x96 crops around the lost regions keep the tensor tests fast on the CPU backend.
const CROP = { sea: [120, 100, 96, 96], animal: [50, 300, 96, 96] } as const;
// gray-in-region: flat over the lost region only; narrow-in-region: a region range far below the image's.
const PREDS = ['noisy', 'blurred', 'color-shifted', 'gray-in-region', 'narrow-in-region'];
interface Pair {
  name: string;
  gt: Image;
  pred: Image;
  mask: Mask;
}
let pairs: Pair[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  pairs = [];
  for (const [photo, rect] of Object.entries(CROP)) {
    const { gt, mask } = loadPhoto(photo);
    for (const c of goldens.cases.filter((x) => x.photo === photo && PREDS.includes(x.pred)))
      pairs.push({
        name: `${photo}/${c.pred}`,
        gt: crop(gt, rect),
        pred: crop(makePred(photo, c.spec), rect),
        mask: crop(mask, rect) as Mask,
      });
  }
});

describe('tensor metrics agree with the plain (bit-exact) forms', () => {
  it('ssimTensor: uniform (data range from prediction or 1) and Gaussian, within 2e-5', () => {
    const start = tf.memory().numTensors;
    const gt = toBatch(pairs.map((p) => p.gt));
    const pred = toBatch(pairs.map((p) => p.pred));
    const [s, s1, g] = tf.tidy(() => [
      ssimTensor(gt, pred, { dataRange: 'prediction' }).arraySync(),
      ssimTensor(gt, pred).arraySync(),
      ssimTensor(gt, pred, { window: 'gaussian' }).arraySync(),
    ]);
    pairs.forEach((p, i) => {
      expect(Math.abs(s[i] - ssim(p.gt, p.pred, { dataRange: 'prediction' })), p.name).toBeLessThan(2e-5);
      expect(Math.abs(s1[i] - ssim(p.gt, p.pred)), p.name).toBeLessThan(2e-5);
      expect(Math.abs(g[i] - ssim(p.gt, p.pred, { window: 'gaussian' })), p.name).toBeLessThan(2e-5);
    });
    tf.dispose([gt, pred]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('maskedSsimTensor with tensor masks or plain masks, within 2e-5', () => {
    const gt = toBatch(pairs.map((p) => p.gt));
    const pred = toBatch(pairs.map((p) => p.pred));
    const start = tf.memory().numTensors;
    const plain = pairs.map((p) => maskedSsim(p.gt, p.pred, p.mask));
    const fromArrays = maskedSsimTensor(
      gt,
      pred,
      pairs.map((p) => p.mask),
    );
    const maskTensor = tf.tensor4d(Float32Array.from(pairs.flatMap((p) => Array.from(p.mask.data))), [
      pairs.length,
      96,
      96,
      1,
    ]);
    const fromTensor = maskedSsimTensor(gt, pred, maskTensor);
    const a = fromArrays.arraySync();
    const b = fromTensor.arraySync();
    pairs.forEach((p, i) => {
      // The data range is the whole prediction's: flat over the region only is still a number.
      expect(Number.isFinite(plain[i]), p.name).toBe(true);
      expect(Math.abs(a[i] - plain[i]), p.name).toBeLessThan(2e-5);
      expect(b[i]).toBe(a[i]);
    });
    tf.dispose([fromArrays, fromTensor, maskTensor]);
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([gt, pred]);
  });

  it("maskedSsimTensor: the whole prediction's data range by default, the region's with dataRange 'region'", () => {
    const sub = pairs.filter((p) => /\/(gray|narrow)/.test(p.name));
    expect(sub.length).toBe(4);
    const gt = toBatch(sub.map((p) => p.gt));
    const pred = toBatch(sub.map((p) => p.pred));
    const masks = sub.map((p) => p.mask);
    const start = tf.memory().numTensors;
    const [whole, explicit, region] = tf.tidy(() => [
      maskedSsimTensor(gt, pred, masks).arraySync(),
      maskedSsimTensor(gt, pred, masks, { dataRange: 'prediction' }).arraySync(),
      maskedSsimTensor(gt, pred, masks, { dataRange: 'region' }).arraySync(),
    ]);
    expect(tf.memory().numTensors).toBe(start);
    expect(explicit).toEqual(whole);
    sub.forEach((p, i) => {
      const r = maskedSsim(p.gt, p.pred, p.mask, { dataRange: 'region' });
      if (Number.isNaN(r)) return; // flat region: range 0, the float64 0/0 is not reproducible in float32
      expect(Math.abs(region[i] - r), p.name).toBeLessThan(2e-5);
    });
    // Would fail if the default took the region's range: the narrow-range prediction tells them apart.
    for (const [i, p] of sub.entries())
      if (p.name.endsWith('narrow-in-region')) expect(whole[i] - region[i], p.name).toBeGreaterThan(0.1);
    expect(() => maskedSsimTensor(gt, pred, masks, { dataRange: 'all' as 'region' })).toThrow(
      /dataRange must be a number, 'prediction' or 'region', got all/,
    );
    tf.dispose([gt, pred]);
  });

  it('hueOpenCvTensor equals hueOpenCv on every 8-bit color of a sweep; hard histograms equal cv2 counts', () => {
    const n = 64 * 64;
    const data = new Uint8Array(n * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const image = createImage(64, 64, 3, data);
    const t = toBatch([image]);
    const hueT = hueOpenCvTensor(t);
    const hue = hueT.dataSync();
    for (let i = 0; i < n; i++) expect(hue[i]).toBe(hueOpenCv(data[3 * i], data[3 * i + 1], data[3 * i + 2]));
    const counts = hueHistogramTensor(t, { normalize: false });
    expect(Array.from(counts.dataSync())).toEqual(Array.from(histogram(image, { channel: 'hue' })));
    tf.dispose([t, counts, hueT]);
  });

  it('hue histogram similarity: hard within 1e-5 of the plain form, soft (bandwidth 0.3 bins) within 0.02', () => {
    const gt = toBatch(pairs.map((p) => p.gt));
    const pred = toBatch(pairs.map((p) => p.pred));
    const start = tf.memory().numTensors;
    const [hard, soft] = tf.tidy(() => [
      hueHistogramSimilarityTensor(gt, pred).arraySync(),
      hueHistogramSimilarityTensor(gt, pred, { mode: 'soft', bandwidth: 0.3 }).arraySync(),
    ]);
    expect(tf.memory().numTensors).toBe(start);
    pairs.forEach((p, i) => {
      const c = hueHistogramSimilarity(p.gt, p.pred);
      expect(Math.abs(hard[i] - c), p.name).toBeLessThan(1e-5);
      expect(Math.abs(soft[i] - c), p.name).toBeLessThan(0.02);
    });
    tf.dispose([gt, pred]);
  });

  it('competitionScoreTensor matches scoreImage and is leak-free', () => {
    const gt = toBatch(pairs.map((p) => p.gt));
    const pred = toBatch(pairs.map((p) => p.pred));
    const start = tf.memory().numTensors;
    const r = competitionScoreTensor(
      gt,
      pred,
      pairs.map((p) => p.mask),
    );
    expect(tf.memory().numTensors).toBe(start + 4);
    const score = r.score.arraySync();
    const m = r.maskedSsim.arraySync();
    pairs.forEach((p, i) => {
      const s = scoreImage(p.gt, p.pred, p.mask);
      expect(Number.isFinite(s.score), p.name).toBe(true);
      expect(Math.abs(score[i] - s.score), p.name).toBeLessThan(2e-5);
      expect(Math.abs(m[i] - s.maskedSsim), p.name).toBeLessThan(2e-5);
    });
    tf.dispose([r.score, r.ssim, r.maskedSsim, r.histogram]);
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([gt, pred]);
  });
});

describe('tensor metrics are differentiable', () => {
  it('gradients of S, M and the soft score exist, are finite and nonzero; no tensors leak', () => {
    const sub = pairs.filter((p) => p.name.endsWith('noisy'));
    const gt = toBatch(sub.map((p) => p.gt));
    const pred = toBatch(sub.map((p) => p.pred));
    const masks = sub.map((p) => p.mask);
    const start = tf.memory().numTensors;
    const objectives: [string, (x: tf.Tensor4D) => tf.Scalar][] = [
      ['ssim', (x) => tf.mean(ssimTensor(gt, x, { dataRange: 'prediction' }))],
      ['gaussian', (x) => tf.mean(ssimTensor(gt, x, { window: 'gaussian' }))],
      ['masked', (x) => tf.mean(maskedSsimTensor(gt, x, masks))],
      ['soft hue', (x) => tf.mean(hueHistogramSimilarityTensor(gt, x, { mode: 'soft' }))],
      ['score', (x) => tf.mean(competitionScoreTensor(gt, x, masks, { histogram: { mode: 'soft' } }).score)],
    ];
    for (const [name, f] of objectives) {
      const g = tf.grad((x: tf.Tensor) => f(x as tf.Tensor4D))(pred);
      const values = g.dataSync();
      expect(values.every(Number.isFinite), name).toBe(true);
      expect(
        values.some((v) => v !== 0),
        name,
      ).toBe(true);
      g.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([gt, pred]);
  });

  it('errors name the argument and shapes', () => {
    const a = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    const b = tf.zeros([1, 8, 9, 3]) as tf.Tensor4D;
    expect(() => ssimTensor(a, b)).toThrow(/a has shape \[1, 8, 8, 3\] but b has \[1, 8, 9, 3\]/);
    expect(() => maskedSsimTensor(a, a, [createImage(8, 8, 1)])).toThrow(/mask 0 has 0 pixel/);
    expect(() => hueHistogramTensor(tf.zeros([8, 8, 3]) as unknown as tf.Tensor4D)).toThrow(
      /rgb must be NHWC RGB/,
    );
    tf.dispose([a, b]);
  });
});
