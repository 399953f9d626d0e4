import { describe, expect, it } from 'vitest';
import { createImage, type Mask } from '../../src/image/index.js';
import {
  compareHistograms,
  histogram,
  maskedSsim,
  regionSsim,
  ssim,
  ssim1d,
  type HistogramChannel,
  type HistogramComparison,
  type HistogramOptions,
} from '../../src/metrics/index.js';
import { diff, goldens, loadPhoto, makePred } from './fixtures.js';

// The settings scripts/goldens/metrics.py uses for its raw cv2.calcHist goldens.
const RAW: Record<string, HistogramOptions> = {
  'hue-180': { channel: 'hue', bins: 180, range: [0, 180] },
  'hue-30': { channel: 'hue', bins: 30, range: [0, 180] },
  'saturation-64': { channel: 'saturation', bins: 64 },
  'value-256': { channel: 'value', bins: 256 },
  'r-32': { channel: 'r', bins: 32 },
  'g-100-10-200': { channel: 'g', bins: 100, range: [10, 200] },
  'b-7-0-255.5': { channel: 'b', bins: 7, range: [0, 255.5] },
  'gray-64': { channel: 'gray', bins: 64 },
};
const SSIM1D_GOLDEN = 0.9876416098360103;
const METHODS: HistogramComparison[] = ['correlation', 'intersection', 'bhattacharyya', 'chi-square'];
// Fewer cases for the slower variants keeps the file at a few seconds.
const SOME = goldens.cases.filter(
  (c) =>
    (c.photo === 'sea' && ['noisy', 'constant', 'blurred'].includes(c.pred)) ||
    (c.photo === 'flat' && ['perfect', 'channel-swap'].includes(c.pred)),
);

describe('standard SSIM forms vs scikit-image', () => {
  it.each(SOME.map((c) => [`${c.photo}/${c.pred}`, c] as const))(
    '%s: fixed range and 5x5 window exact, Gaussian to 1e-13',
    (_, c) => {
      const { gt } = loadPhoto(c.photo);
      const pred = makePred(c.photo, c.spec);
      expect(diff(ssim(gt, pred, { dataRange: 255 }), c.ssim255!)).toBe(0);
      expect(diff(ssim(gt, pred, { dataRange: 'prediction', windowSize: 5 }), c.ssimWin5!)).toBe(0);
      // The Gaussian kernel's exp() may differ from NumPy's in the last bit.
      expect(diff(ssim(gt, pred, { window: 'gaussian' }), c.ssimGaussian!)).toBeLessThan(1e-13);
    },
  );

  it('regionSsim matches the NumPy normalized-convolution formula exactly', () => {
    for (const c of SOME) {
      const { gt, mask } = loadPhoto(c.photo);
      expect(
        diff(regionSsim(gt, makePred(c.photo, c.spec), mask), c.regionSsim!),
        `${c.photo}/${c.pred}`,
      ).toBe(0);
    }
  });

  it('regionSsim does not read pixels outside the region', () => {
    const { gt, mask } = loadPhoto('sea');
    const pred = makePred('sea', { kind: 'gt' });
    const before = regionSsim(gt, pred, mask);
    const scribbled = createImage(gt.width, gt.height, 3, pred.data.slice());
    for (let i = 0; i < mask.data.length; i++)
      if (!mask.data[i]) scribbled.data.fill((i * 7) & 255, 3 * i, 3 * i + 3);
    expect(regionSsim(gt, scribbled, mask)).toBe(before);
    expect(before).toBe(1);
    // dataRange 'region' reads only the region too; 'prediction' is the whole image's range.
    const noisy = makePred('sea', goldens.cases.find((c) => c.photo === 'sea' && c.pred === 'noisy')!.spec);
    const outside = createImage(gt.width, gt.height, 3, noisy.data.slice());
    for (let i = 0; i < mask.data.length; i++)
      if (!mask.data[i]) outside.data.fill(i & 1 ? 0 : 255, 3 * i, 3 * i + 3);
    const region = regionSsim(gt, noisy, mask, { dataRange: 'region' });
    expect(regionSsim(gt, outside, mask, { dataRange: 'region' })).toBe(region);
    expect(regionSsim(gt, outside, mask, { dataRange: 'prediction' })).toBe(regionSsim(gt, outside, mask));
  });

  it('ssim1d: identical sequences give 1, a known short case, and length errors', () => {
    expect(ssim1d([1, 5, 2, 8, 3, 9, 4], [1, 5, 2, 8, 3, 9, 4])).toBe(1);
    // skimage: structural_similarity(np.array([1,5,2,8,3,9,4,7.]), np.array([2,5,1,8,3,9,6,7.]), data_range=255)
    expect(ssim1d([1, 5, 2, 8, 3, 9, 4, 7], [2, 5, 1, 8, 3, 9, 6, 7], { dataRange: 255 })).toBe(
      SSIM1D_GOLDEN,
    );
    // Non-integer samples: x = sin(0.7 i) * 10 + 0.1 i, y = cos(0.3 i) * 7, i = 0..19, data_range=20.
    const x = Array.from({ length: 20 }, (_, i) => Math.sin(i * 0.7) * 10 + 0.1 * i);
    const y = Array.from({ length: 20 }, (_, i) => Math.cos(i * 0.3) * 7);
    expect(ssim1d(x, y, { dataRange: 20 })).toBeCloseTo(0.14224990699926449, 14);
    expect(ssim1d(x, y, { dataRange: 20, windowSize: 5 })).toBeCloseTo(0.03510208879258048, 14);
    expect(() => ssim1d([1, 2, 3], [1, 2, 3])).toThrow(/3 samples, fewer than the window size 7/);
    expect(() => ssim1d([1, 2, 3, 4, 5, 6, 7], [1, 2])).toThrow(/a has 7 samples but b has 2/);
  });

  it('option errors name the option and the value', () => {
    const a = createImage(8, 8, 3);
    expect(() => ssim(a, a, { windowSize: 4 })).toThrow(/windowSize must be an odd positive integer, got 4/);
    expect(() => ssim(a, a, { dataRange: -1 })).toThrow(/dataRange must be a finite number >= 0/);
    expect(() => ssim(a, a, { dataRange: 'region' as 'prediction' })).toThrow(/'region' needs a mask/);
    const m = createImage(8, 8, 1, new Uint8Array(64).fill(1)) as Mask;
    expect(() => maskedSsim(a, a, m, { dataRange: 'full' as 'region' })).toThrow(
      /maskedSsim: dataRange must be a finite number >= 0, 'prediction' or 'region', got full/,
    );
    expect(() => ssim(a, createImage(8, 8, 1))).toThrow(/a has 3 channels but b has 1/);
    expect(() => regionSsim(a, a, createImage(8, 8, 1) as Mask)).toThrow(/no pixel > 0/);
  });
});

describe('histograms vs cv2.calcHist / normalize / compareHist', () => {
  it('raw counts exact for every channel/bins/range setting', () => {
    for (const [name, photo] of Object.entries(goldens.photos)) {
      const { gt } = loadPhoto(name);
      for (const [key, opts] of Object.entries(RAW))
        expect(Array.from(histogram(gt, opts)), `${name} ${key}`).toEqual(photo.rawHistograms[key]);
      expect(Array.from(histogram(gt, { channel: 'hue', normalize: 'l2' }))).toEqual(photo.hueHistogramL2);
    }
  });

  it('all four comparison methods exact on L2 hue histograms and on raw counts', () => {
    for (const c of goldens.cases) {
      const { gt } = loadPhoto(c.photo);
      const pred = makePred(c.photo, c.spec);
      const h1 = histogram(gt, { normalize: 'l2' });
      const h2 = histogram(pred, { normalize: 'l2' });
      for (const m of METHODS)
        expect(diff(compareHistograms(h1, h2, m), c.hueCompare![m]), `${c.photo}/${c.pred} ${m}`).toBe(0);
      if (!['noisy', 'blurred', 'gray'].includes(c.pred)) continue;
      for (const [key, opts] of Object.entries(RAW)) {
        const r1 = histogram(gt, opts);
        const r2 = histogram(pred, opts);
        for (const m of METHODS)
          expect(
            diff(compareHistograms(r1, r2, m), c.rawCompare![key][m]),
            `${c.photo}/${c.pred} ${key} ${m}`,
          ).toBe(0);
      }
    }
  });

  it('a gray image counts as replicated RGB; errors name the option', () => {
    const gray = createImage(4, 2, 1, Uint8Array.from([0, 10, 10, 200, 255, 3, 3, 3]));
    const channels: HistogramChannel[] = ['r', 'g', 'b', 'value', 'gray'];
    for (const channel of channels) expect(histogram(gray, { channel, bins: 256 })[3]).toBe(3);
    expect(histogram(gray, { channel: 'hue' })[0]).toBe(8);
    expect(() => histogram(gray, { bins: 0 })).toThrow(/bins must be a positive integer, got 0/);
    expect(() => histogram(gray, { range: [5, 5] })).toThrow(/low < high/);
    expect(() => compareHistograms([1, 2], [1], 'correlation')).toThrow(/h1 has 2 bins but h2 has 1/);
    expect(compareHistograms([3, 3, 3], [1, 2, 3])).toBe(1); // flat histogram: OpenCV returns 1
  });
});
