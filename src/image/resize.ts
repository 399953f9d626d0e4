import { createImage, type Image } from './types.js';

/** Interpolation of {@link resizeImage}. */
export type ResizeMethod = 'nearest' | 'bilinear' | 'area';

/**
 * Resizes an image to `width` x `height`. Pixel rules (pixel i covers [i, i+1), its center is i + 0.5, and
 * `scale = inSize / outSize` per axis):
 * - `nearest`: output pixel i takes input pixel `floor((i + 0.5) * scale)` (clamped), computed in OpenCV's
 *   16.16 fixed point so it equals `cv2.INTER_NEAREST_EXACT` (and Pillow's `NEAREST`) exactly. For masks: keeps
 *   them binary. (Plain `cv2.INTER_NEAREST` uses `floor(i * scale)` instead.)
 * - `bilinear`: samples at `(i + 0.5) * scale - 0.5` (half-pixel centers, like OpenCV `INTER_LINEAR` and
 *   `align_corners=False`), clamping at the edges, rounded half up. No antialiasing: prefer `area` to shrink.
 * - `area`: each output pixel is the average of the input area it covers, with fractional weights at the
 *   edges (like OpenCV `INTER_AREA` when shrinking); when enlarging it falls back to `bilinear`.
 * `bilinear` and `area` are within 1 gray level of OpenCV's (which rounds fixed-point weights), not bit-exact.
 */
export function resizeImage(
  image: Image,
  width: number,
  height: number,
  method: ResizeMethod = 'bilinear',
): Image {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0)
    throw new RangeError(`resizeImage: size must be positive integers, got ${width}x${height}`);
  const { width: iw, height: ih, channels: ch, data } = image;
  if (iw === width && ih === height) return createImage(width, height, ch, data.slice());
  const out = new Uint8Array(width * height * ch);
  const sx = iw / width;
  const sy = ih / height;
  if (method === 'nearest') {
    // OpenCV INTER_NEAREST_EXACT's 16.16 fixed point: src = (dst * f + f / 2 - (f & 1)) >> 16.
    const fx = Math.floor((iw * 65536 + Math.floor(width / 2)) / width);
    const fy = Math.floor((ih * 65536 + Math.floor(height / 2)) / height);
    const ox = Math.floor(fx / 2) - (fx & 1);
    const oy = Math.floor(fy / 2) - (fy & 1);
    for (let y = 0; y < height; y++) {
      const yy = Math.min(ih - 1, Math.floor((y * fy + oy) / 65536));
      for (let x = 0; x < width; x++) {
        const xx = Math.min(iw - 1, Math.floor((x * fx + ox) / 65536));
        for (let c = 0; c < ch; c++) out[(y * width + x) * ch + c] = data[(yy * iw + xx) * ch + c];
      }
    }
  } else if (method === 'area' && sx >= 1 && sy >= 1) {
    const acc = new Float64Array(ch);
    for (let y = 0; y < height; y++) {
      const y0 = y * sy;
      const y1 = y0 + sy;
      for (let x = 0; x < width; x++) {
        const x0 = x * sx;
        const x1 = x0 + sx;
        acc.fill(0);
        for (let yy = Math.floor(y0); yy < Math.min(ih, Math.ceil(y1)); yy++) {
          const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
          for (let xx = Math.floor(x0); xx < Math.min(iw, Math.ceil(x1)); xx++) {
            const wgt = wy * (Math.min(x1, xx + 1) - Math.max(x0, xx));
            const k = (yy * iw + xx) * ch;
            for (let c = 0; c < ch; c++) acc[c] += wgt * data[k + c];
          }
        }
        const norm = 1 / (sx * sy);
        for (let c = 0; c < ch; c++)
          out[(y * width + x) * ch + c] = Math.min(255, Math.floor(acc[c] * norm + 0.5));
      }
    }
  } else {
    for (let y = 0; y < height; y++) {
      let fy = (y + 0.5) * sy - 0.5;
      if (fy < 0) fy = 0;
      const y0 = Math.min(ih - 1, Math.floor(fy));
      const y1 = Math.min(ih - 1, y0 + 1);
      const wy = fy - y0;
      for (let x = 0; x < width; x++) {
        let fx = (x + 0.5) * sx - 0.5;
        if (fx < 0) fx = 0;
        const x0 = Math.min(iw - 1, Math.floor(fx));
        const x1 = Math.min(iw - 1, x0 + 1);
        const wx = fx - x0;
        for (let c = 0; c < ch; c++) {
          const a = data[(y0 * iw + x0) * ch + c];
          const b = data[(y0 * iw + x1) * ch + c];
          const d = data[(y1 * iw + x0) * ch + c];
          const e = data[(y1 * iw + x1) * ch + c];
          const v = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
          out[(y * width + x) * ch + c] = Math.min(255, Math.floor(v + 0.5));
        }
      }
    }
  }
  return createImage(width, height, ch, out);
}

/**
 * Mirrors an image left–right (any number of channels).
 *
 * ```ts
 * const mirrored = flipImage(photo);
 * ```
 */
export function flipImage(image: Image): Image {
  const { width: w, height: h, channels: ch, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * ch;
      const dst = (y * w + (w - 1 - x)) * ch;
      for (let c = 0; c < ch; c++) out[dst + c] = data[src + c];
    }
  return createImage(w, h, ch, out);
}

/** Crops the rectangle at (top, left) of the given size; errors when it leaves the image. */
export function cropImage(image: Image, top: number, left: number, height: number, width: number): Image {
  if (
    top < 0 ||
    left < 0 ||
    top + height > image.height ||
    left + width > image.width ||
    width <= 0 ||
    height <= 0
  )
    throw new RangeError(
      `cropImage: rectangle ${width}x${height} at (${top}, ${left}) is outside the ${image.width}x${image.height} image`,
    );
  const ch = image.channels;
  const out = new Uint8Array(width * height * ch);
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * image.width + left) * ch;
    out.set(image.data.subarray(src, src + width * ch), y * width * ch);
  }
  return createImage(width, height, ch, out);
}

/**
 * Pads a plain image on the bottom and right to `height` x `width` by repeating the edge pixels (edge mode:
 * works for any image size, unlike reflection which needs the image larger than the padding). The pipeline pads
 * its inputs this way to a multiple of the U-Nets' stride.
 *
 * ```ts
 * const padded = padEdge(photo, 512, 384); // photo at the top left, its last row and column repeated
 * ```
 * @throws RangeError when the target is smaller than the image.
 */
export function padEdge(image: Image, width: number, height: number): Image {
  const { width: w, height: h, channels: c, data } = image;
  if (width < w || height < h)
    throw new RangeError(`padEdge: target ${width}x${height} is smaller than the image ${w}x${h}`);
  if (width === w && height === h) return createImage(w, h, c, data.slice());
  const out = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(y, h - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(x, w - 1);
      const src = (sy * w + sx) * c;
      const dst = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[dst + k] = data[src + k];
    }
  }
  return createImage(width, height, c, out);
}

/**
 * Center-crops to the target aspect ratio (the largest centered rectangle of that ratio; odd leftovers drop
 * the extra pixel on the right/bottom), then resizes: `area` when shrinking, `bilinear` when enlarging.
 *
 * ```ts
 * const square = fitImage(photo, 512, 512);
 * ```
 */
export function fitImage(image: Image, width: number, height: number): Image {
  const target = width / height;
  let cw = image.width;
  let chh = image.height;
  if (cw / chh > target) cw = Math.max(1, Math.round(chh * target));
  else chh = Math.max(1, Math.round(cw / target));
  const cropped =
    cw === image.width && chh === image.height
      ? image
      : cropImage(image, Math.floor((image.height - chh) / 2), Math.floor((image.width - cw) / 2), chh, cw);
  const method: ResizeMethod = cw >= width && chh >= height ? 'area' : 'bilinear';
  return resizeImage(cropped, width, height, method);
}

/**
 * Shrinks an image (area averaging) so that its longest side is at most `max`, keeping the aspect ratio (sides
 * rounded, at least 1); an image that already fits comes back as is, never enlarged.
 *
 * ```ts
 * const small = shrinkToFit(photo, 160); // 4000x3000 -> 160x120
 * ```
 */
export function shrinkToFit(image: Image, max: number): Image {
  const s = Math.min(1, max / Math.max(image.width, image.height));
  if (s === 1) return image;
  return resizeImage(
    image,
    Math.max(1, Math.round(image.width * s)),
    Math.max(1, Math.round(image.height * s)),
    'area',
  );
}
