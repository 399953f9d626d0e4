import { toGray } from '../../image/color.js';
import { createImage, type Image, type Sample } from '../../image/types.js';
import { createRng } from '../../random/rng.js';
import { probability, type Params, type Transform } from './types.js';

/**
 * Which targets a photometric transform changes:
 * - `'input'`: the gray input only (every pixel, the fill included); gt and mask untouched. Teaches robustness
 *   to exposure of the input while the target stays the true photo.
 * - `'gt'`: the color gt only; input and mask untouched (the pair no longer satisfies input = gray(gt)).
 * - `'paired'` (default): the gt is changed, then the input's known pixels are rebuilt as `toGray(gt)` exactly
 *   (Pillow-exact), and its lost pixels keep their fill value: the pair stays a valid damaged sample.
 */
export type PhotometricTargets = 'input' | 'gt' | 'paired';

const clamp255 = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5));

function mapSamples(image: Image, f: (v: number) => number): Image {
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = clamp255(f(v));
  return createImage(
    image.width,
    image.height,
    image.channels,
    image.data.map((v) => lut[v]),
  );
}

/** Rebuilds the input of a pair from its (changed) gt: known pixels = toGray(gt), lost pixels keep the fill. */
function regray(s: Sample, gt: Image): Sample {
  const gray = toGray(gt);
  const out = gray.data;
  for (let i = 0; i < out.length; i++) if (s.mask.data[i]) out[i] = s.input.data[i];
  return { input: gray, gt, mask: s.mask };
}

function applyTo(s: Sample, targets: PhotometricTargets, onImage: (im: Image) => Image): Sample {
  if (targets === 'input') return { ...s, input: onImage(s.input) };
  const gt = onImage(s.gt);
  return targets === 'gt' ? { ...s, gt } : regray(s, gt);
}

function checkTargets(name: string, t: string): void {
  if (t !== 'input' && t !== 'gt' && t !== 'paired')
    throw new RangeError(`${name}: targets must be 'input', 'gt' or 'paired', got '${t}'`);
}

export interface BrightnessContrastOptions {
  /** Brightness offset drawn in [-b, b], as a fraction of 255. Default 0.2. */
  brightness?: number;
  /** Contrast factor drawn in [1 - c, 1 + c]. Default 0.2. */
  contrast?: number;
  targets?: PhotometricTargets;
  p?: number;
}

/**
 * `v' = round(alpha * v + beta * 255)`, clamped to 0..255 (albumentations' `RandomBrightnessContrast` with
 * `brightness_by_max`). Targets per `targets` (see {@link PhotometricTargets}); default `'paired'`.
 * Runs on plain images.
 */
export function brightnessContrast(options: BrightnessContrastOptions = {}): Transform {
  const b = options.brightness ?? 0.2;
  const c = options.contrast ?? 0.2;
  const targets = options.targets ?? 'paired';
  const p = probability('brightnessContrast', options.p, 0.5);
  checkTargets('brightnessContrast', targets);
  return {
    name: 'BrightnessContrast',
    p,
    runsOn: 'plain',
    targets: targets === 'input' ? ['input'] : targets === 'gt' ? ['gt'] : ['input', 'gt'],
    sampleParams: (rng) => ({ alpha: rng.uniform(1 - c, 1 + c), beta: rng.uniform(-b, b) }),
    apply(s, params: Params) {
      const { alpha, beta } = params as { alpha: number; beta: number };
      return applyTo(s, targets, (im) => mapSamples(im, (v) => alpha * v + beta * 255));
    },
  };
}

export interface ColorJitterOptions {
  /** Brightness factor drawn in [1 - b, 1 + b]. Default 0.2. */
  brightness?: number;
  /** Contrast factor in [1 - c, 1 + c], blending with the image's mean gray. Default 0.2. */
  contrast?: number;
  /** Saturation factor in [1 - s, 1 + s], blending with the pixel's gray. Default 0.2. */
  saturation?: number;
  /** Hue shift in [-h, h] turns (h <= 0.5). Default 0.02. */
  hue?: number;
  /** Default `'gt'`: color jitter is meant for the color target; `'paired'` keeps the input consistent. */
  targets?: Exclude<PhotometricTargets, 'input'>;
  p?: number;
}

function rgbToHsvFloat(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d + 6) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h /= 6;
  }
  return [h, max === 0 ? 0 : d / max, max];
}

function hsvToRgbFloat(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  switch (((i % 6) + 6) % 6) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

/**
 * torchvision-style color jitter on the RGB gt, in the order brightness, contrast, saturation, hue (fixed
 * order, so replays are exact): brightness scales, contrast blends with the mean gray (Pillow luma), saturation
 * blends each pixel with its gray, hue rotates the HSV hue. Each step rounds to 8 bits. Targets per `targets`:
 * `'gt'` (default) or `'paired'`. Runs on plain images.
 */
export function colorJitter(options: ColorJitterOptions = {}): Transform {
  const bj = options.brightness ?? 0.2;
  const cj = options.contrast ?? 0.2;
  const sj = options.saturation ?? 0.2;
  const hj = options.hue ?? 0.02;
  const targets = options.targets ?? 'gt';
  const p = probability('colorJitter', options.p, 0.5);
  checkTargets('colorJitter', targets);
  if (!(hj >= 0 && hj <= 0.5)) throw new RangeError(`colorJitter: hue must be in [0, 0.5], got ${hj}`);
  return {
    name: 'ColorJitter',
    p,
    runsOn: 'plain',
    targets: targets === 'gt' ? ['gt'] : ['input', 'gt'],
    sampleParams: (rng) => ({
      brightness: rng.uniform(1 - bj, 1 + bj),
      contrast: rng.uniform(1 - cj, 1 + cj),
      saturation: rng.uniform(1 - sj, 1 + sj),
      hue: rng.uniform(-hj, hj),
    }),
    apply(s, params: Params) {
      const { brightness, contrast, saturation, hue } = params as Record<string, number>;
      return applyTo(s, targets, (im) => {
        if (im.channels !== 3) throw new RangeError('colorJitter: the gt must be RGB');
        const d = im.data;
        const out = new Uint8Array(d.length);
        let mean = 0;
        for (let j = 0; j < d.length; j += 3)
          mean +=
            clamp255(d[j] * brightness) * 0.299 +
            clamp255(d[j + 1] * brightness) * 0.587 +
            clamp255(d[j + 2] * brightness) * 0.114;
        mean /= d.length / 3;
        for (let j = 0; j < d.length; j += 3) {
          let r = clamp255(d[j] * brightness);
          let g = clamp255(d[j + 1] * brightness);
          let b = clamp255(d[j + 2] * brightness);
          r = clamp255(contrast * r + (1 - contrast) * mean);
          g = clamp255(contrast * g + (1 - contrast) * mean);
          b = clamp255(contrast * b + (1 - contrast) * mean);
          const gray = 0.299 * r + 0.587 * g + 0.114 * b;
          r = clamp255(saturation * r + (1 - saturation) * gray);
          g = clamp255(saturation * g + (1 - saturation) * gray);
          b = clamp255(saturation * b + (1 - saturation) * gray);
          if (hue !== 0) {
            const [h, sat, v] = rgbToHsvFloat(r / 255, g / 255, b / 255);
            const [rr, gg, bb] = hsvToRgbFloat((((h + hue) % 1) + 1) % 1, sat, v);
            r = clamp255(rr * 255);
            g = clamp255(gg * 255);
            b = clamp255(bb * 255);
          }
          out[j] = r;
          out[j + 1] = g;
          out[j + 2] = b;
        }
        return createImage(im.width, im.height, 3, out);
      });
    },
  };
}

export interface GaussianNoiseOptions {
  /** Standard deviation range in gray levels. Default [3, 10]. */
  std?: readonly [number, number];
  /** Also add noise inside the lost region. Default false: the fill stays one constant value. */
  lostRegion?: boolean;
  p?: number;
}

/**
 * Adds Gaussian noise to the input only (gt and mask untouched), rounded and clamped to 0..255. By default
 * the lost region is left alone so it stays a constant fill, as in real inputs. The parameters are a std and
 * a noise seed (not the noise itself), so replay records stay small. Runs on plain images.
 */
export function gaussianNoise(options: GaussianNoiseOptions = {}): Transform {
  const std = options.std ?? [3, 10];
  const p = probability('gaussianNoise', options.p, 0.5);
  if (!(std[0] >= 0 && std[0] <= std[1]))
    throw new RangeError(`gaussianNoise: std must satisfy 0 <= min <= max, got ${JSON.stringify(std)}`);
  return {
    name: 'GaussianNoise',
    p,
    runsOn: 'plain',
    targets: ['input'],
    sampleParams: (rng) => ({ std: rng.uniform(std[0], std[1]), seed: rng.uint32() }),
    apply(s, params: Params) {
      const { std: sigma, seed } = params as { std: number; seed: number };
      const rng = createRng(seed);
      const d = s.input.data;
      const out = new Uint8Array(d.length);
      for (let i = 0; i < d.length; i++) {
        const noise = rng.normal() * sigma;
        out[i] = !options.lostRegion && s.mask.data[i] ? d[i] : clamp255(d[i] + noise);
      }
      return { ...s, input: createImage(s.input.width, s.input.height, s.input.channels, out) };
    },
  };
}
