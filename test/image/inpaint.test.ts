import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createImage,
  cropImage,
  decodePng,
  inpaintTelea,
  toGray,
  type Image,
  type Mask,
} from '../../src/image/index.js';
import { classicalRestore, damage } from '../../src/masks/index.js';
import { photo } from '../helpers/pipeline.js';

const DIR = new URL('../fixtures/goldens/inpaint/', import.meta.url);
const png = (name: string, channels: 1 | 3) => decodePng(readFileSync(new URL(name, DIR)), { channels });
function golden(name: string, channels: 1 | 3) {
  const m = png(`${name}-mask.png`, 1);
  const mask = { ...m, data: m.data.map((v) => (v ? 1 : 0)) } as Mask;
  return { input: png(`${name}-input.png`, channels), mask, expected: png(`${name}-telea.png`, channels) };
}

/** The compact goldens (scripts/goldens/inpaint.py): a crop of a fixture photo, its mask, OpenCV at the mask. */
interface GoldenCase {
  photo: string;
  channels: 1 | 3;
  top: number;
  left: number;
  width: number;
  height: number;
  kind: string;
  radius: number;
  fill: number;
  mask: number[];
  lost: number;
  expected: number[];
}
const FIXTURES = new URL('../fixtures/', import.meta.url);
const compact = JSON.parse(readFileSync(new URL('goldens/inpaint.json', FIXTURES), 'utf8')) as {
  opencv: string;
  cases: GoldenCase[];
};

/** The golden case's input (crop, gray or RGB, lost pixels set to the fill) and mask. */
function caseInput(c: GoldenCase): { input: Image; mask: Mask } {
  const full = decodePng(readFileSync(new URL(c.photo, FIXTURES)), { channels: 3 }, c.photo);
  const rgb = cropImage(full, c.top, c.left, c.height, c.width);
  const input = c.channels === 1 ? toGray(rgb) : rgb;
  // Run-length mask: alternating runs of 0 and 1, starting with 0.
  const data = new Uint8Array(c.width * c.height);
  let at = 0;
  c.mask.forEach((run, i) => {
    if (i % 2 === 1) data.fill(1, at, at + run);
    at += run;
  });
  expect(at).toBe(c.width * c.height);
  for (let i = 0; i < data.length; i++)
    if (data[i]) input.data.fill(c.fill, i * c.channels, (i + 1) * c.channels);
  return { input, mask: createImage(c.width, c.height, 1, data) as Mask };
}

/** A small gray test image with texture: a diagonal ramp plus a checker pattern. */
function texture(width: number, height: number): Image {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = (x * 3 + y * 2 + ((x >> 2) + (y >> 2)) * 17) & 255;
  return createImage(width, height, 1, data);
}

function boxMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const mask = createImage(width, height, 1) as Mask;
  for (let y = y0; y < y1; y++) mask.data.fill(1, y * width + x0, y * width + x1);
  return mask;
}

describe('inpaintTelea', () => {
  // scripts/goldens/inpaint.py: cv2.inpaint(input, mask, radius, cv2.INPAINT_TELEA), OpenCV 4.6 (Debian 12).
  it.each(['sea', 'building', 'animal', 'duck'])(
    "equals OpenCV's Telea inpainting bit for bit (%s, gray, radius 5)",
    (name) => {
      const { input, mask, expected } = golden(name, 1);
      expect(inpaintTelea(input, mask, { radius: 5 })).toEqual(expected);
    },
  );

  it("equals OpenCV's bit for bit on an RGB image whose region touches the image border (radius 3)", () => {
    const { input, mask, expected } = golden('rgb-edge', 3);
    expect(inpaintTelea(input, mask, { radius: 3 })).toEqual(expected);
  });

  it(`equals OpenCV ${compact.opencv} bit for bit on ${compact.cases.length} more cases: strokes, edges, radii 1-10, RGB`, () => {
    // Measured more widely by `npm run bench:inpaint`: every shared photo at 512x512 with competition damage,
    // gray and RGB, equal byte for byte.
    expect(compact.cases.length).toBeGreaterThanOrEqual(10);
    for (const c of compact.cases) {
      const { input, mask } = caseInput(c);
      const out = inpaintTelea(input, mask, { radius: c.radius });
      const got: number[] = [];
      for (let i = 0; i < mask.data.length; i++)
        if (mask.data[i]) for (let k = 0; k < c.channels; k++) got.push(out.data[i * c.channels + k]);
      expect(got.length, `${c.photo} ${c.kind} r=${c.radius}`).toBe(c.lost * c.channels);
      let differing = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== c.expected[i]) differing++;
      expect(differing, `${c.photo} ${c.kind} r=${c.radius}: samples differing from OpenCV`).toBe(0);
    }
  });

  it('smoke: fills a hole in a smooth ramp with values close to the ramp', () => {
    const w = 40;
    const data = new Uint8Array(w * w);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data[y * w + x] = 50 + x * 2 + y;
    const mask = boxMask(w, w, 15, 15, 25, 25);
    const holed = createImage(w, w, 1, data.slice());
    for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) holed.data[i] = 0;
    const out = inpaintTelea(holed, mask);
    let worst = 0;
    for (let i = 0; i < mask.data.length; i++)
      if (mask.data[i]) worst = Math.max(worst, Math.abs(out.data[i] - data[i]));
    expect(worst).toBeLessThan(12);
  });

  it('RGB: each channel is filled like the same gray image alone, bar the 1/|r|^3 rounding', () => {
    const gray = texture(48, 40);
    const mask = boxMask(48, 40, 10, 12, 30, 25);
    const rgb = createImage(48, 40, 3, new Uint8Array(48 * 40 * 3));
    for (let i = 0; i < 48 * 40; i++) rgb.data.fill(gray.data[i], 3 * i, 3 * i + 3);
    const a = inpaintTelea(rgb, mask);
    const b = inpaintTelea(gray, mask);
    let unequalChannels = 0;
    let worst = 0;
    for (let i = 0; i < 48 * 40; i++) {
      if (a.data[3 * i] !== a.data[3 * i + 1] || a.data[3 * i] !== a.data[3 * i + 2]) unequalChannels++;
      worst = Math.max(worst, Math.abs(a.data[3 * i] - b.data[i]));
    }
    expect(unequalChannels).toBe(0);
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('changes only the masked pixels, leaves its input alone, and an empty mask gives a copy', () => {
    const d = damage(photo('building', 256), { seed: 3 });
    const original = d.input.data.slice();
    const out = inpaintTelea(d.input, d.mask);
    expect(d.input.data).toEqual(original);
    let changedOutside = 0;
    for (let i = 0; i < out.data.length; i++)
      if (!d.mask.data[i] && out.data[i] !== d.input.data[i]) changedOutside++;
    expect(changedOutside).toBe(0);
    // the constant fill is replaced by something closer to the truth
    const gray = d.gt.data.filter((_, i) => i % 3 === 0);
    let before = 0;
    let after = 0;
    for (let i = 0; i < out.data.length; i++)
      if (d.mask.data[i]) {
        before += Math.abs(d.input.data[i] - gray[i]);
        after += Math.abs(out.data[i] - gray[i]);
      }
    expect(after).toBeLessThan(before);
    const empty = createImage(d.input.width, d.input.height, 1) as Mask;
    const copy = inpaintTelea(d.input, empty);
    expect(copy).toEqual(d.input);
    expect(copy.data).not.toBe(d.input.data);
    // A mask covering everything leaves nothing to fill from: the input comes back, as from OpenCV.
    const all = createImage(8, 8, 1, new Uint8Array(64).fill(255)) as Mask;
    expect(inpaintTelea(texture(8, 8), all)).toEqual(texture(8, 8));
  });

  it('rejects masks of another size, bad channels and radii, naming the argument', () => {
    const im = createImage(8, 8, 1);
    expect(() => inpaintTelea(im, createImage(8, 9, 1) as Mask)).toThrow(
      /inpaintTelea: mask is 8x9x1, expected 8x8x1/,
    );
    expect(() =>
      inpaintTelea(
        { width: 8, height: 8, channels: 4 as 1, data: new Uint8Array(256) },
        createImage(8, 8, 1) as Mask,
      ),
    ).toThrow(/1 or 3 channels/);
    expect(() => inpaintTelea(im, createImage(8, 8, 1) as Mask, { radius: 0 })).toThrow(
      /radius must be a positive number/,
    );
    expect(() => inpaintTelea(im, createImage(8, 8, 1) as Mask, { radius: Number.NaN })).toThrow(
      /radius must be a positive number, got NaN/,
    );
    expect(() => inpaintTelea({ ...im, data: new Uint8Array(10) }, createImage(8, 8, 1) as Mask)).toThrow(
      /image data has 10 samples, expected 64/,
    );
    expect(() => inpaintTelea(texture(1, 5), boxMask(1, 5, 0, 1, 1, 2))).toThrow(/at least 2x2/);
  });
});

describe('classicalRestore', () => {
  it('fills the detected lost region and returns the gray as RGB', () => {
    const { input, mask } = damage(photo('sea', 256), { seed: 11 });
    const restored = classicalRestore(input);
    expect(restored.channels).toBe(3);
    const given = classicalRestore(input, mask);
    const direct = inpaintTelea(input, mask);
    let unequal = 0;
    for (let i = 0; i < direct.data.length; i++)
      for (let c = 0; c < 3; c++) if (given.data[3 * i + c] !== direct.data[i]) unequal++;
    expect(unequal).toBe(0);
    // The detector finds the region here, so the fill changes most lost pixels.
    let lost = 0;
    let changed = 0;
    for (let i = 0; i < mask.data.length; i++)
      if (mask.data[i]) {
        lost++;
        if (restored.data[3 * i] !== input.data[i]) changed++;
      }
    expect(changed).toBeGreaterThan(0.5 * lost);
  });

  it('rejects a mask of another size or with channels, naming it', () => {
    const input = texture(16, 16);
    expect(() => classicalRestore(input, boxMask(8, 16, 0, 0, 2, 2))).toThrow(
      /classicalRestore: mask is 8x16 but input is 16x16/,
    );
    expect(() => classicalRestore(input, createImage(16, 16, 3) as unknown as Mask)).toThrow(
      /classicalRestore: mask must have 1 channel/,
    );
  });
});
