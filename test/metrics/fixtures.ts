/** Loads the metric golden fixtures (made by scripts/goldens/metrics.py) and regenerates their predictions. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createImage, decodePng, toGray, type Image, type Mask } from '../../src/image/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const photoDir = `${fixtures}photos/`;
const metricsDir = `${fixtures}metrics/`;

export type Num = number; // NaN is stored as the string "NaN"
export type Compare = Record<'correlation' | 'intersection' | 'bhattacharyya' | 'chi-square', Num>;
export interface PredSpec {
  kind: string;
  seed?: number;
  amplitude?: number;
  delta?: number[];
  value?: number;
  path?: string;
}
export interface CaseValues {
  ssim: Num;
  maskedSsim: Num;
  histogram: Num;
  score: Num;
  /** M with the data range of the masked prediction pixels (`dataRange: 'region'`), not the reference's. */
  maskedSsimRegion: Num;
  ssim255?: Num;
  ssimWin5?: Num;
  ssimGaussian?: Num;
  regionSsim?: Num;
  hueCompare?: Compare;
  rawCompare?: Record<string, Compare>;
}
export interface GoldenCase extends CaseValues {
  photo: string;
  pred: string;
  spec: PredSpec;
  predSha256: string;
}
export interface GoldenCrop extends CaseValues {
  photo: string;
  pred: string;
  crop: [number, number, number, number];
  maskPixels: number;
}
export interface GoldenPhoto {
  fill: number;
  maskPixels: number;
  regionPixels: number;
  maskSha256: string;
  inputSha256: string;
  hueHistogramL2: number[];
  rawHistograms: Record<string, number[]>;
}
export interface Goldens {
  photos: Record<string, GoldenPhoto>;
  cases: GoldenCase[];
  crops: GoldenCrop[];
  /** Masked SSIM on the sea photo's noisy prediction with `pixels` mask pixels at (i * 7919) % (512*512). */
  tiny: { pixels: number; maskSha256: string; maskedSsim: Num; maskedSsimRegion: Num }[];
  /** 1-channel SSIM of the Pillow gray sea photo and its noisy prediction. */
  gray: { ssim255: Num; ssimPrediction: Num };
}

export const goldens: Goldens = JSON.parse(readFileSync(`${metricsDir}goldens.json`, 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v,
) as Goldens;

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const photoCache = new Map<string, { gt: Image; input: Image; mask: Mask }>();

/** The photo, its damaged gray input (region filled like the script) and the competition mask. */
export function loadPhoto(name: string): { gt: Image; input: Image; mask: Mask } {
  const cached = photoCache.get(name);
  if (cached) return cached;
  const gt = decodePng(readFileSync(`${photoDir}${name}.png`), { channels: 3 });
  const region = decodePng(readFileSync(`${metricsDir}${name}-region.png`), { channels: 1 });
  const input = toGray(gt);
  const fill = goldens.photos[name].fill;
  for (let i = 0; i < input.data.length; i++) if (region.data[i] > 0) input.data[i] = fill;
  const gray = toGray(gt).data;
  const m = new Uint8Array(gray.length);
  for (let i = 0; i < m.length; i++) m[i] = input.data[i] !== gray[i] ? 1 : 0;
  const out = { gt, input, mask: createImage(gt.width, gt.height, 1, m) as Mask };
  photoCache.set(name, out);
  return out;
}

/** xorshift32 (x ^= x << 13; x ^= x >>> 17; x ^= x << 5), the stream the golden script uses. */
function xorshift32(seed: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x;
  }
  return out;
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Rebuilds a golden prediction from its spec (bit-exact; the caller checks the sha256). */
export function makePred(name: string, spec: PredSpec): Image {
  const { gt, input, mask } = loadPhoto(name);
  const { width, height } = gt;
  const n = width * height * 3;
  const src = gt.data;
  const out = new Uint8Array(n);
  switch (spec.kind) {
    case 'gt':
      out.set(src);
      break;
    case 'gray-input':
      for (let i = 0; i < n; i++) out[i] = input.data[Math.floor(i / 3)];
      break;
    case 'noise': {
      const u = xorshift32(spec.seed!, n);
      for (let i = 0; i < n; i++) out[i] = clamp(src[i] + (u[i] % 41) - 20);
      break;
    }
    case 'shift':
      for (let i = 0; i < n; i++) out[i] = clamp(src[i] + spec.delta![i % 3]);
      break;
    case 'swap':
      for (let i = 0; i < n; i += 3) {
        out[i] = src[i + 2];
        out[i + 1] = src[i + 1];
        out[i + 2] = src[i];
      }
      break;
    case 'constant':
      out.fill(spec.value!);
      break;
    case 'random': {
      const u = xorshift32(spec.seed!, n);
      for (let i = 0; i < n; i++) out[i] = u[i] & 255;
      break;
    }
    case 'gray-in-region':
      for (let i = 0; i < n; i++) {
        const p = Math.floor(i / 3);
        out[i] = mask.data[p] > 0 ? input.data[p] : src[i];
      }
      break;
    case 'narrow-in-region':
      for (let i = 0; i < n; i++) out[i] = mask.data[Math.floor(i / 3)] > 0 ? 96 + (src[i] >> 3) : src[i];
      break;
    case 'png':
      return decodePng(readFileSync(`${metricsDir}${spec.path!}`), { channels: 3 });
    default:
      throw new Error(`unknown prediction kind ${spec.kind}`);
  }
  return createImage(width, height, 3, out);
}

/** A `w x h` crop at `(x, y)` of an image. */
export function crop(image: Image, [x, y, w, h]: readonly number[]): Image {
  const c = image.channels;
  const out = new Uint8Array(w * h * c);
  for (let r = 0; r < h; r++)
    out.set(
      image.data.subarray(((y + r) * image.width + x) * c, ((y + r) * image.width + x + w) * c),
      r * w * c,
    );
  return createImage(w, h, c, out);
}

/** Exact equality that treats NaN as equal to NaN; otherwise the absolute difference. */
export function diff(actual: number, expected: number): number {
  if (Number.isNaN(expected) || Number.isNaN(actual))
    return Number.isNaN(expected) && Number.isNaN(actual) ? 0 : Infinity;
  if (actual === expected) return 0;
  return Math.abs(actual - expected);
}
