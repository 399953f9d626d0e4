import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Compose,
  OneOf,
  brightnessContrast,
  colorJitter,
  gaussianNoise,
  horizontalFlip,
  randomResizedCrop,
  redamage,
  type Sample,
} from '../../src/data/index.js';
import { fitImage, toGray } from '../../src/image/index.js';
import { damage, maskArea } from '../../src/masks/index.js';
import { readPng } from '../../src/node/index.js';

const dir = new URL('../fixtures/photos-masks/', import.meta.url).pathname;
let sample: Sample;
beforeAll(async () => {
  const name = readdirSync(dir)
    .filter((n) => n.endsWith('.png'))
    .sort()[0];
  const photo = fitImage(await readPng(dir + name, { channels: 3 }), 96, 96);
  const d = damage(photo, { seed: 4 });
  sample = { input: d.input, gt: d.gt, mask: d.mask };
});

const same = (a: Sample, b: Sample): boolean =>
  Buffer.from(a.input.data).equals(Buffer.from(b.input.data)) &&
  Buffer.from(a.gt.data).equals(Buffer.from(b.gt.data)) &&
  Buffer.from(a.mask.data).equals(Buffer.from(b.mask.data));

const binary = (s: Sample): boolean => s.mask.data.every((v) => v === 0 || v === 1);

function pipeline(seed: number): Compose {
  return new Compose(
    [
      horizontalFlip({ p: 0.5 }),
      randomResizedCrop({ size: 64, scale: [0.5, 1] }),
      new OneOf([brightnessContrast({ p: 1 }), colorJitter({ p: 1, targets: 'paired' })], { p: 0.8 }),
      gaussianNoise({ p: 0.5 }),
    ],
    { seed },
  );
}

describe('Compose', () => {
  it('is deterministic by seed and replays exactly', () => {
    const a = pipeline(3);
    const b = pipeline(3);
    for (let k = 0; k < 6; k++) {
      const ra = a.call(sample);
      const rb = b.call(sample);
      expect(same(ra.sample, rb.sample)).toBe(true);
      expect(ra.replay).toEqual(rb.replay);
      // The record is JSON: replay it after a round trip.
      const record = JSON.parse(JSON.stringify(ra.replay));
      expect(same(Compose.replay(record, sample, a.transforms), ra.sample)).toBe(true);
      expect([ra.sample.input.width, ra.sample.gt.width, ra.sample.mask.width]).toEqual([64, 64, 64]);
      expect(binary(ra.sample)).toBe(true);
    }
    const other = pipeline(4).call(sample);
    expect(same(other.sample, pipeline(3).call(sample).sample)).toBe(false);
  });

  it('applies each transform with its probability', () => {
    const c = new Compose([horizontalFlip({ p: 0.3 })], { seed: 1 });
    let applied = 0;
    for (let k = 0; k < 400; k++) if (c.call(sample).replay[0].applied) applied++;
    expect(applied / 400).toBeGreaterThan(0.22);
    expect(applied / 400).toBeLessThan(0.38);
    expect(() => horizontalFlip({ p: 2 })).toThrow(/p must be in \[0, 1\]/);
  });

  it('OneOf picks children in proportion to their p and records which', () => {
    const one = new OneOf([horizontalFlip({ p: 3 / 4 }), gaussianNoise({ p: 1 / 4 })], { p: 1 });
    const c = new Compose([one], { seed: 2 });
    let first = 0;
    for (let k = 0; k < 400; k++) if (c.call(sample).replay[0].child?.index === 0) first++;
    expect(first / 400).toBeGreaterThan(0.6);
    expect(first / 400).toBeLessThan(0.9);
  });

  it('nests: a Compose inside a Compose replays exactly', () => {
    const inner = new Compose([horizontalFlip({ p: 0.5 }), gaussianNoise({ p: 0.7 })]);
    const outer = new Compose([inner, randomResizedCrop({ size: 48 })], { seed: 12 });
    for (let k = 0; k < 4; k++) {
      const r = outer.call(sample);
      expect(same(Compose.replay(r.replay, sample, outer.transforms), r.sample)).toBe(true);
    }
  });

  it('rejects a record that does not match the pipeline', () => {
    const { replay } = pipeline(1).call(sample);
    expect(() => Compose.replay(replay, sample, [horizontalFlip()])).toThrow(/record has 4 entries/);
  });
});

describe('transforms', () => {
  it('horizontal flip mirrors all three targets', () => {
    const out = new Compose([horizontalFlip({ p: 1 })]).call(sample).sample;
    const w = sample.gt.width;
    for (const y of [0, 40, 95])
      for (const x of [0, 17, 95]) {
        expect(out.input.data[y * w + x]).toBe(sample.input.data[y * w + (w - 1 - x)]);
        expect(out.mask.data[y * w + x]).toBe(sample.mask.data[y * w + (w - 1 - x)]);
        expect(out.gt.data[(y * w + x) * 3 + 1]).toBe(sample.gt.data[(y * w + (w - 1 - x)) * 3 + 1]);
      }
  });

  it('random resized crop: full-image crop at the same size is the identity', () => {
    const t = randomResizedCrop({ size: 96 });
    const out = t.apply(sample, { top: 0, left: 0, height: 96, width: 96 });
    expect(same(out, sample)).toBe(true);
    const half = t.apply(sample, { top: 10, left: 20, height: 48, width: 48 });
    // Nearest for the mask: each output pixel copies one input pixel of the crop.
    expect(half.mask.data[0]).toBe(sample.mask.data[10 * 96 + 20]);
    expect(binary(half)).toBe(true);
  });

  it('paired photometric transforms keep input = gray(gt) outside the mask and the fill inside', () => {
    for (const t of [
      brightnessContrast({ p: 1, brightness: 0.3 }),
      colorJitter({ p: 1, targets: 'paired', hue: 0.1 }),
    ]) {
      const out = new Compose([t], { seed: 9 }).call(sample).sample;
      const gray = toGray(out.gt).data;
      let wrong = 0;
      for (let i = 0; i < gray.length; i++)
        if (out.input.data[i] !== (sample.mask.data[i] ? sample.input.data[i] : gray[i])) wrong++;
      expect(wrong).toBe(0);
      expect(Buffer.from(out.gt.data).equals(Buffer.from(sample.gt.data))).toBe(false);
    }
  });

  it('input-only and gt-only targets leave the other untouched', () => {
    const inputOnly = new Compose([brightnessContrast({ p: 1, targets: 'input' })], { seed: 1 }).call(
      sample,
    ).sample;
    expect(Buffer.from(inputOnly.gt.data).equals(Buffer.from(sample.gt.data))).toBe(true);
    expect(Buffer.from(inputOnly.input.data).equals(Buffer.from(sample.input.data))).toBe(false);
    const gtOnly = new Compose([colorJitter({ p: 1 })], { seed: 1 }).call(sample).sample;
    expect(Buffer.from(gtOnly.input.data).equals(Buffer.from(sample.input.data))).toBe(true);
    expect(Buffer.from(gtOnly.gt.data).equals(Buffer.from(sample.gt.data))).toBe(false);
  });

  it('Gaussian noise touches the input only, outside the lost region by default', () => {
    const out = new Compose([gaussianNoise({ p: 1, std: [8, 8] })], { seed: 5 }).call(sample).sample;
    let changed = 0;
    let lostChanged = 0;
    for (let i = 0; i < out.input.data.length; i++) {
      if (sample.mask.data[i]) {
        if (out.input.data[i] !== sample.input.data[i]) lostChanged++;
      } else if (out.input.data[i] !== sample.input.data[i]) changed++;
    }
    expect(lostChanged).toBe(0);
    expect(changed).toBeGreaterThan(0.8 * (96 * 96 - maskArea(sample.mask)));
    expect(Buffer.from(out.gt.data).equals(Buffer.from(sample.gt.data))).toBe(true);
  });

  it('redamage draws a new mask from gt every call, replayable', () => {
    const c = new Compose([redamage({ generator: 'competition' })], { seed: 8 });
    const a = c.call(sample);
    const b = c.call(sample);
    expect(Buffer.from(a.sample.mask.data).equals(Buffer.from(b.sample.mask.data))).toBe(false);
    expect(same(Compose.replay(a.replay, sample, c.transforms), a.sample)).toBe(true);
    const gray = toGray(sample.gt).data;
    const fills = new Set<number>();
    let wrong = 0;
    for (let i = 0; i < gray.length; i++) {
      if (a.sample.mask.data[i]) fills.add(a.sample.input.data[i]);
      else if (a.sample.input.data[i] !== gray[i]) wrong++;
    }
    expect(wrong).toBe(0);
    expect(fills.size).toBe(1);
  });

  it('every transform declares it runs on plain images', () => {
    for (const t of [
      horizontalFlip(),
      randomResizedCrop({ size: 8 }),
      brightnessContrast(),
      colorJitter(),
      gaussianNoise(),
      redamage(),
    ])
      expect(t.runsOn).toBe('plain');
  });
});
