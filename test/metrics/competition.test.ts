import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createImage, toGray, type Mask } from '../../src/image/index.js';
import { competitionMask, maskedSsim, scoreImage, ssim, summarizeScores } from '../../src/metrics/index.js';
import { crop, diff, goldens, loadPhoto, makePred, sha256 } from './fixtures.js';

const TERMS = ['ssim', 'maskedSsim', 'histogram', 'score'] as const;

describe('competition metric vs the Python reference (skimage 0.19.3 + OpenCV 4.6)', () => {
  it('the damaged inputs and masks match the golden script', () => {
    for (const [name, photo] of Object.entries(goldens.photos)) {
      const { gt, input, mask } = loadPhoto(name);
      expect(sha256(input.data), name).toBe(photo.inputSha256);
      const m = competitionMask(input, gt);
      expect(m.channels).toBe(1);
      expect(sha256(m.data), name).toBe(photo.maskSha256);
      expect(sha256(mask.data)).toBe(photo.maskSha256);
    }
  });

  it('regenerated predictions are byte-identical to the script ones', () => {
    for (const c of goldens.cases)
      expect(sha256(makePred(c.photo, c.spec).data), `${c.photo}/${c.pred}`).toBe(c.predSha256);
  });

  // Bit-exact: the same doubles as the reference, NaN where it gives NaN.
  it.each(goldens.cases.map((c) => [`${c.photo}/${c.pred}`, c] as const))(
    '512x512 %s: S, M, C, score exact',
    (_, c) => {
      const { gt, mask } = loadPhoto(c.photo);
      const s = scoreImage(gt, makePred(c.photo, c.spec), mask);
      for (const k of TERMS) expect(diff(s[k], c[k]), `${k}: ${s[k]} vs ${c[k]}`).toBe(0);
    },
  );

  it('small non-square crops (few masked pixels): S, M, C, score exact', () => {
    expect(goldens.crops.length).toBeGreaterThan(10);
    for (const c of goldens.crops) {
      const spec = goldens.cases.find((x) => x.photo === c.photo && x.pred === c.pred)!.spec;
      const { gt, mask } = loadPhoto(c.photo);
      const m = crop(mask, c.crop) as Mask;
      const s = scoreImage(crop(gt, c.crop), crop(makePred(c.photo, spec), c.crop), m);
      for (const k of TERMS)
        expect(diff(s[k], c[k]), `${c.photo}/${c.pred}@${c.crop.join(',')} ${k}`).toBe(0);
    }
  });

  it('a 1-channel prediction counts as gray replicated to RGB', () => {
    const { gt, input, mask } = loadPhoto('animal');
    const c = goldens.cases.find((x) => x.photo === 'animal' && x.pred === 'gray')!;
    const s = scoreImage(gt, input, mask);
    for (const k of TERMS) expect(diff(s[k], c[k])).toBe(0);
    expect(Number.isFinite(s.maskedSsim)).toBe(true);
  });

  it('M takes its data range from the whole prediction: flat in the region only is finite, as the reference', () => {
    // The gray input (and gt with the gray fill in the region) is one value over the lost region but not
    // over the image: the reference's range is the image's, so M is a number. The region's own range
    // would be 0 and give NaN: a test that fails if the range is taken from the region again.
    for (const pred of ['gray', 'gray-in-region'])
      for (const photo of Object.keys(goldens.photos)) {
        const c = goldens.cases.find((x) => x.photo === photo && x.pred === pred)!;
        expect(Number.isFinite(c.maskedSsim), `${photo}/${pred}`).toBe(true);
        expect(c.maskedSsimRegion, `${photo}/${pred}`).toBeNaN();
        const { gt, mask } = loadPhoto(photo);
        const p = makePred(photo, c.spec);
        expect(scoreImage(gt, p, mask).maskedSsim).toBe(c.maskedSsim);
        expect(maskedSsim(gt, p, mask, { dataRange: 'prediction' })).toBe(c.maskedSsim);
        expect(maskedSsim(gt, p, mask, { dataRange: 'region' })).toBeNaN();
      }
    // A region range much narrower than the image's: the two readings differ by far more than rounding.
    for (const c of goldens.cases.filter((x) => x.pred === 'narrow-in-region')) {
      expect(c.maskedSsim - c.maskedSsimRegion, c.photo).toBeGreaterThan(0.15);
      const { gt, mask } = loadPhoto(c.photo);
      expect(maskedSsim(gt, makePred(c.photo, c.spec), mask)).toBe(c.maskedSsim);
    }
  });

  it("dataRange: 'region' (the masked pixels' range) matches the script's maskedSsimRegion exactly", () => {
    for (const c of goldens.cases) {
      const { gt, mask } = loadPhoto(c.photo);
      const m = maskedSsim(gt, makePred(c.photo, c.spec), mask, { dataRange: 'region' });
      expect(diff(m, c.maskedSsimRegion), `${c.photo}/${c.pred}`).toBe(0);
    }
    for (const c of goldens.crops) {
      const spec = goldens.cases.find((x) => x.photo === c.photo && x.pred === c.pred)!.spec;
      const { gt, mask } = loadPhoto(c.photo);
      const m = maskedSsim(
        crop(gt, c.crop),
        crop(makePred(c.photo, spec), c.crop),
        crop(mask, c.crop) as Mask,
        {
          dataRange: 'region',
        },
      );
      expect(diff(m, c.maskedSsimRegion), `${c.photo}/${c.pred}@${c.crop.join(',')}`).toBe(0);
    }
    // The goldens discriminate the two readings in many cases, not just the constructed ones.
    const differ = goldens.cases.filter((c) => diff(c.maskedSsim, c.maskedSsimRegion) !== 0);
    expect(differ.length).toBeGreaterThanOrEqual(15);
  });

  it('reproduces the reference NaN for a prediction constant over the whole image (data range 0)', () => {
    for (const photo of Object.keys(goldens.photos)) {
      const c = goldens.cases.find((x) => x.photo === photo && x.pred === 'constant')!;
      expect(c.maskedSsim, photo).toBeNaN();
      const { gt, mask } = loadPhoto(photo);
      expect(scoreImage(gt, makePred(photo, c.spec), mask).maskedSsim).toBeNaN();
    }
    // ...and the finite reference value where no window is flat in both images.
    const finite = goldens.crops.find((x) => x.pred === 'constant' && !Number.isNaN(x.ssim))!;
    const photo = loadPhoto(finite.photo);
    const constant = createImage(finite.crop[2], finite.crop[3], 3);
    constant.data.fill(128);
    const s = ssim(crop(photo.gt, finite.crop), constant, { dataRange: 'prediction' });
    expect(s).toBe(finite.ssim);
    expect(s).toBe(0);
  });

  it('masked SSIM with very few pixels (7 = one window) and 1-channel SSIM are exact', () => {
    const { gt } = loadPhoto('sea');
    const pred = makePred('sea', goldens.cases.find((x) => x.photo === 'sea' && x.pred === 'noisy')!.spec);
    for (const t of goldens.tiny) {
      const mask = createImage(512, 512, 1) as Mask;
      for (let i = 0; i < t.pixels; i++) mask.data[(i * 7919) % mask.data.length] = 1;
      expect(sha256(mask.data)).toBe(t.maskSha256);
      expect(diff(maskedSsim(gt, pred, mask), t.maskedSsim), `${t.pixels} pixels`).toBe(0);
      const region = maskedSsim(gt, pred, mask, { dataRange: 'region' });
      expect(diff(region, t.maskedSsimRegion), `${t.pixels} pixels, region range`).toBe(0);
    }
    const g = toGray(gt);
    const p = toGray(pred);
    expect(diff(ssim(g, p), goldens.gray.ssim255)).toBe(0);
    expect(diff(ssim(g, p, { dataRange: 'prediction' }), goldens.gray.ssimPrediction)).toBe(0);
  });

  it('rejects masks with fewer than 7 pixels and mismatched sizes, naming the argument', () => {
    const gt = createImage(16, 16, 3);
    const mask = createImage(16, 16, 1) as Mask;
    mask.data.fill(1, 0, 6);
    expect(() => scoreImage(gt, gt, mask)).toThrow(/mask has 6 pixel\(s\) > 0, fewer than the window size 7/);
    mask.data.fill(0);
    expect(() => maskedSsim(gt, gt, mask)).toThrow(/mask has 0 pixel/);
    expect(() => scoreImage(gt, createImage(16, 8, 3), mask)).toThrow(/pred is 16x8 but gt is 16x16/);
    expect(() => scoreImage(gt, gt, createImage(8, 16, 1) as Mask)).toThrow(/mask is 8x16 but gt is 16x16/);
    expect(() => competitionMask(createImage(4, 4, 1), gt)).toThrow(/input is 4x4 but gt is 16x16/);
    expect(() => ssim(createImage(6, 6, 3), createImage(6, 6, 3))).toThrow(
      /6x6, smaller than the 7x7 window/,
    );
  });

  it('summarizeScores: mean of each term, score of the means', () => {
    const s = summarizeScores([
      { score: 0, ssim: 1, maskedSsim: 0.5, histogram: 0.25 },
      { score: 0, ssim: 0, maskedSsim: 0.5, histogram: 0.75 },
    ]);
    expect(s).toEqual({
      n: 2,
      ssim: 0.5,
      maskedSsim: 0.5,
      histogram: 0.5,
      score: 0.2 * 0.5 + 0.4 * 0.5 + 0.4 * 0.5,
    });
    expect(() => summarizeScores([])).toThrow(/empty/);
  });
});

describe('layering', () => {
  it('the plain metric modules import no tfjs (only the tensor/ ones do)', () => {
    for (const file of ['competition', 'ssim', 'histogram', 'filters']) {
      const source = readFileSync(new URL(`../../src/metrics/${file}.ts`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from '@tensorflow|import '@tensorflow/);
    }
  });
});
