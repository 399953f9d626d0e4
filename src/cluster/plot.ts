import { createImage, type Image } from '../image/types.js';

/** Options of {@link clusterScatter}. */
export interface ClusterScatterOptions {
  /** Picture width and height in pixels; default 480. */
  size?: number;
  /** Dot radius in pixels; default 2. */
  radius?: number;
  /** Margin around the points in pixels; default 12. */
  margin?: number;
}

/** A well-spread color per label: golden-angle hues at full saturation (HSV with V 0.85). */
function labelColor(label: number): [number, number, number] {
  const h = ((label * 137.508) % 360) / 60;
  const s = label % 2 === 0 ? 0.85 : 0.6;
  const v = 0.85;
  const c = v * s;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1
      ? [c, x, 0]
      : h < 2
        ? [x, c, 0]
        : h < 3
          ? [0, c, x]
          : h < 4
            ? [0, x, c]
            : h < 5
              ? [x, 0, c]
              : [c, 0, x];
  const m = v - c;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/**
 * Draws 2-D points (e.g. UMAP coordinates) as an RGB scatter plot on white, one color per cluster label and
 * noise (−1) in light gray underneath, scaled to fit with equal axes. Write it with `encodePng`/`writePng`.
 *
 * ```ts
 * const { labels, coordinates } = clusterPlaces(embeddings);
 * await writePng('umap.png', clusterScatter(coordinates, labels));
 * ```
 */
export function clusterScatter(
  points: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
  options: ClusterScatterOptions = {},
): Image {
  const { size = 480, radius = 2, margin = 12 } = options;
  if (!Number.isInteger(size) || size < 2 * margin + 2)
    throw new RangeError(`clusterScatter: size must be an integer > 2 * margin + 1, got ${size}`);
  if (labels.length !== points.length)
    throw new RangeError(`clusterScatter: ${points.length} points but ${labels.length} labels`);
  points.forEach((p, i) => {
    if (p.length < 2) throw new RangeError(`clusterScatter: point ${i} has ${p.length} coordinates, need 2`);
  });
  const img = createImage(size, size, 3, new Uint8Array(size * size * 3).fill(255));
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p[0]);
    x1 = Math.max(x1, p[0]);
    y0 = Math.min(y0, p[1]);
    y1 = Math.max(y1, p[1]);
  }
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const scale = (size - 2 * margin - 1) / span;
  const cx = margin + (size - 2 * margin - 1 - (x1 - x0) * scale) / 2;
  const cy = margin + (size - 2 * margin - 1 - (y1 - y0) * scale) / 2;
  const dot = (p: ArrayLike<number>, color: readonly number[]): void => {
    const px = Math.round(cx + (p[0] - x0) * scale);
    const py = Math.round(cy + (y1 - p[1]) * scale); // y up
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        if (dx * dx + dy * dy > radius * radius + radius) continue;
        const x = px + dx;
        const y = py + dy;
        if (x >= 0 && y >= 0 && x < size && y < size) img.data.set(color, (y * size + x) * 3);
      }
    }
  };
  const gray = [200, 200, 200];
  points.forEach((p, i) => labels[i] < 0 && dot(p, gray));
  points.forEach((p, i) => labels[i] >= 0 && dot(p, labelColor(labels[i])));
  return img;
}
