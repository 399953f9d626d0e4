/**
 * Restorers: anything that turns a damaged gray image and its lost-region mask into an RGB image, and ways to combine
 * them (flip test-time augmentation, ensembles, tiling for large images). Generic over the model: a
 * {@link RestorationPipeline} is one (see {@link asRestorer}). Plain images only: no tfjs, no Node module.
 */
import { cropImage, flipImage } from '../image/resize.js';
import { createImage, type Image, type Mask } from '../image/types.js';

/** Restores one damaged gray image given its lost-region mask (1 = lost) to an image of the same size. */
export type Restorer = (input: Image, mask: Mask) => Promise<Image>;

/**
 * The restorer of anything with a `predict(input, mask)` method, such as a `RestorationPipeline`.
 *
 * ```ts
 * const restore = asRestorer(await loadPipeline('runs/restore'));
 * const rgb = await restore(input, detectLostRegion(input));
 * ```
 */
export function asRestorer(model: { predict(input: Image, mask: Mask): Promise<Image> }): Restorer {
  return (input, mask) => model.predict(input, mask);
}

/**
 * The average of several restorers, per pixel and channel, rounded to the nearest integer (halves up). They run one
 * after the other, so at most one of them is predicting at a time.
 *
 * ```ts
 * const folds = await Promise.all(['fold0', 'fold1', 'fold2'].map((d) => loadPipeline(d)));
 * const restore = ensembleRestorer(folds.map(asRestorer));
 * ```
 * @throws RangeError when given no restorer, or (when run) when their outputs differ in size or channels.
 */
export function ensembleRestorer(restorers: readonly Restorer[]): Restorer {
  if (restorers.length === 0) throw new RangeError('ensembleRestorer: no restorers given');
  if (restorers.length === 1) return restorers[0];
  const n = restorers.length;
  return async (input, mask) => {
    let first: Image | undefined;
    let sum: Uint32Array | undefined;
    for (let k = 0; k < n; k++) {
      const out = await restorers[k](input, mask);
      if (!first || !sum) {
        first = out;
        sum = Uint32Array.from(out.data);
        continue;
      }
      if (out.width !== first.width || out.height !== first.height || out.channels !== first.channels)
        throw new RangeError(
          `ensembleRestorer: restorer ${k} returned ${out.width}x${out.height}x${out.channels}, ` +
            `restorer 0 ${first.width}x${first.height}x${first.channels}`,
        );
      for (let i = 0; i < sum.length; i++) sum[i] += out.data[i];
    }
    const data = new Uint8Array(sum!.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor((2 * sum![i] + n) / (2 * n));
    return createImage(first!.width, first!.height, first!.channels, data);
  };
}

/**
 * Horizontal-flip test-time augmentation: the average (rounded, halves up) of the restorer's output on the image and
 * of its output on the mirrored image and mask, mirrored back.
 *
 * ```ts
 * const restore = flipTta(asRestorer(pipeline));
 * ```
 */
export function flipTta(restorer: Restorer): Restorer {
  const mirrored: Restorer = async (input, mask) =>
    flipImage(await restorer(flipImage(input), flipImage(mask) as Mask));
  return ensembleRestorer([restorer, mirrored]);
}

/** Options of {@link tiledRestorer}. */
export interface TileOptions {
  /** Largest tile side in pixels: images up to `tile` x `tile` are restored whole. Default 1024. */
  tile?: number;
  /** Least overlap of neighbouring tiles in pixels, where their outputs are blended. Default 128. */
  overlap?: number;
}

/**
 * Tile origins along one axis of `length`: one tile when it fits, else tiles of `tile` spread evenly from edge to
 * edge, neighbours overlapping by at least `overlap`.
 */
function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const n = Math.ceil((length - overlap) / (tile - overlap));
  return Array.from({ length: n }, (_, k) => Math.round((k * (length - tile)) / (n - 1)));
}

/**
 * Blend weights of the tiles of one axis: 1 inside, a linear ramp from about 0 to 1 across each overlap with a
 * neighbour (never 0, so every pixel has weight).
 */
function rampWeights(starts: readonly number[], size: number, k: number): Float32Array {
  const w = new Float32Array(size).fill(1);
  const left = k > 0 ? starts[k - 1] + size - starts[k] : 0;
  const right = k < starts.length - 1 ? starts[k] + size - starts[k + 1] : 0;
  for (let u = 0; u < size; u++) {
    if (u < left) w[u] = Math.min(w[u], (u + 0.5) / left);
    if (u >= size - right) w[u] = Math.min(w[u], (size - u - 0.5) / right);
  }
  return w;
}

/**
 * Restores large images in overlapping tiles, so the model's memory depends on the tile size, not the image's: each
 * tile of at most `tile` x `tile` (with its part of the mask) goes through `restorer`, every tile, also those
 * without any lost pixel (they still need their colors), and the outputs are blended with weights that ramp
 * linearly across the overlaps (no seams). Tiles are processed a row at a time, so beside the input and the output
 * only one row band of float sums is held. Images no larger than a tile go to `restorer` whole.
 *
 * ```ts
 * const restore = tiledRestorer(flipTta(asRestorer(pipeline)), { tile: 1024, overlap: 128 });
 * const rgb = await restore(photo4000x3000, mask);
 * ```
 * @throws RangeError for a bad tile or overlap, a mask of another size, or a restorer output of the wrong size.
 */
export function tiledRestorer(restorer: Restorer, options: TileOptions = {}): Restorer {
  const tile = options.tile ?? 1024;
  const overlap = options.overlap ?? 128;
  if (!Number.isInteger(tile) || tile < 1)
    throw new RangeError(`tiledRestorer: tile must be a positive integer, got ${tile}`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile)
    throw new RangeError(`tiledRestorer: overlap must be an integer in 0..${tile - 1}, got ${overlap}`);
  return async (input, mask) => {
    const { width: W, height: H } = input;
    if (mask.width !== W || mask.height !== H)
      throw new RangeError(`tiledRestorer: mask is ${mask.width}x${mask.height}, the input ${W}x${H}`);
    if (W <= tile && H <= tile) return restorer(input, mask);
    const xs = tileStarts(W, tile, overlap);
    const ys = tileStarts(H, tile, overlap);
    const tw = Math.min(tile, W);
    const th = Math.min(tile, H);
    const wx = xs.map((_, k) => rampWeights(xs, tw, k));
    let out: Image | undefined;
    let C = 0;
    // The band of rows [y0, y0 + th) the current tile row covers: weighted sums and weight totals.
    let band: { y0: number; acc: Float32Array; wsum: Float32Array } | undefined;
    const flush = (b: NonNullable<typeof band>, rows: number) => {
      for (let i = 0; i < rows * W; i++)
        for (let c = 0; c < C; c++) {
          const v = Math.round(b.acc[i * C + c] / b.wsum[i]);
          out!.data[(b.y0 * W + i) * C + c] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
    };
    for (let r = 0; r < ys.length; r++) {
      const y0 = ys[r];
      const wy = rampWeights(ys, th, r);
      for (let k = 0; k < xs.length; k++) {
        const x0 = xs[k];
        const part = await restorer(
          cropImage(input, y0, x0, th, tw),
          cropImage(mask, y0, x0, th, tw) as Mask,
        );
        if (part.width !== tw || part.height !== th)
          throw new RangeError(
            `tiledRestorer: the restorer returned ${part.width}x${part.height} for a ${tw}x${th} tile`,
          );
        if (!out) {
          C = part.channels;
          out = createImage(W, H, part.channels as 1 | 3);
        } else if (part.channels !== C)
          throw new RangeError(`tiledRestorer: tiles came back with ${C} and ${part.channels} channels`);
        if (!band || band.y0 !== y0) {
          const next = { y0, acc: new Float32Array(th * W * C), wsum: new Float32Array(th * W) };
          if (band) {
            // Rows above this tile row are final; rows it shares with the previous band carry over.
            flush(band, y0 - band.y0);
            const keep = band.y0 + th - y0;
            next.acc.set(band.acc.subarray((y0 - band.y0) * W * C, (y0 - band.y0 + keep) * W * C));
            next.wsum.set(band.wsum.subarray((y0 - band.y0) * W, (y0 - band.y0 + keep) * W));
          }
          band = next;
        }
        const ramp = wx[k];
        for (let y = 0; y < th; y++)
          for (let x = 0; x < tw; x++) {
            const w = wy[y] * ramp[x];
            const i = y * W + x0 + x;
            const j = (y * tw + x) * C;
            band.wsum[i] += w;
            for (let c = 0; c < C; c++) band.acc[i * C + c] += w * part.data[j + c];
          }
      }
    }
    flush(band!, th);
    return out!;
  };
}
