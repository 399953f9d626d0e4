/**
 * Renders a contact sheet of generated damage, one labelled row per mask kind, to
 * docs/images/masks-contact-sheet.png (committed; keep it under 1 MB).
 * Run: npm run build && node --import tsx scripts/contact-sheet.ts [--out FILE] [--tile 96] (it imports the built
 * package, as a user would).
 * Each tile is the damaged gray input (the lost region holds its constant fill) with the region's boundary in
 * red; the last row outlines detectLostRegion's estimate in green instead.
 */
import { readdirSync } from 'node:fs';
import { createImage, drawText, resizeImage, type Image, type Mask } from 'tfjs-restoration/image';
import {
  damage,
  detectLostRegion,
  ellipseMask,
  maskPreset,
  polygonMask,
  rectangleMask,
  type MaskGenerator,
  type Range,
} from 'tfjs-restoration/masks';
import { readPng, writePng } from 'tfjs-restoration/node';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const out = arg('out', 'docs/images/masks-contact-sheet.png');
const tile = Number(arg('tile', '96'));
const cols = 6;
const labelWidth = 200;
const gap = 4;

const dir = new URL('../test/fixtures/photos-masks/', import.meta.url).pathname;
const photos = await Promise.all(
  readdirSync(dir)
    .filter((n) => n.endsWith('.png'))
    .sort()
    .map((n) => readPng(dir + n, { channels: 3 })),
);

const rows: {
  label: string;
  generator: MaskGenerator | 'competition' | 'lama-thin' | 'lama-medium' | 'lama-thick';
  fill: Range;
  detect?: boolean;
}[] = [
  { label: 'competition', generator: 'competition', fill: [0, 86] },
  { label: 'rectangle', generator: rectangleMask(), fill: [0, 86] },
  { label: 'circle', generator: ellipseMask(), fill: [0, 86] },
  { label: 'star polygon', generator: polygonMask({ shapes: ['star'], boxSize: [100, 260] }), fill: [0, 86] },
  {
    label: 'convex polygon',
    generator: polygonMask({ shapes: ['convex'], boxSize: [100, 260] }),
    fill: [0, 86],
  },
  { label: 'random polygon', generator: polygonMask({ shapes: ['random'] }), fill: [0, 255] },
  { label: 'participants', generator: maskPreset('participants').generator, fill: [0, 255] },
  { label: 'lama-thin', generator: 'lama-thin', fill: [0, 255] },
  { label: 'lama-medium', generator: 'lama-medium', fill: [0, 255] },
  { label: 'lama-thick', generator: 'lama-thick', fill: [0, 255] },
  { label: 'detected', generator: 'competition', fill: [0, 86], detect: true },
];

/** Gray input as RGB with the boundary of `outline` drawn in `color`. */
function render(input: Image, outline: Mask, color: [number, number, number]): Image {
  const { width: w, height: h } = input;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.fill(input.data[i], i * 3, i * 3 + 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!outline.data[i]) continue;
      const edge =
        x === 0 ||
        y === 0 ||
        x === w - 1 ||
        y === h - 1 ||
        !outline.data[i - 1] ||
        !outline.data[i + 1] ||
        !outline.data[i - w] ||
        !outline.data[i + w];
      if (edge) data.set(color, i * 3);
    }
  return createImage(w, h, 3, data);
}

const W = labelWidth + cols * (tile + gap);
const H = rows.length * (tile + gap) + gap;
const sheet = createImage(W, H, 3, new Uint8Array(W * H * 3).fill(255));
rows.forEach((row, r) => {
  const top = gap + r * (tile + gap);
  drawText(sheet, 6, top + tile / 2 - 7, row.label, { scale: 2 });
  for (let c = 0; c < cols; c++) {
    const photo = photos[(r + c) % photos.length];
    const d = damage(photo, { seed: 100 * r + c, generator: row.generator, fill: row.fill });
    const picture = row.detect
      ? render(d.input, detectLostRegion(d.input), [0, 200, 0])
      : render(d.input, d.mask, [230, 0, 0]);
    const small = resizeImage(picture, tile, tile, 'area');
    const left = labelWidth + c * (tile + gap);
    for (let y = 0; y < tile; y++)
      sheet.data.set(small.data.subarray(y * tile * 3, (y + 1) * tile * 3), ((top + y) * W + left) * 3);
  }
});
await writePng(out, sheet);
console.log(`wrote ${out} (${W}x${H})`);
