/**
 * Benchmark of detectLostRegion on generated competition-style damage.
 * Run: npm run bench:detect -- [--seeds 500] [--photos DIR] [--preset competition]
 * Photos default to ../shared/photos (beside the repo) if present, else test/fixtures/photos(-masks).
 */
import { existsSync } from 'node:fs';
import {
  damage,
  detectLostRegionDetailed,
  fillHoles,
  labelComponents,
  maskIoU,
  type MaskPresetName,
} from '../src/masks/index.js';
import { createImage, fitImage, toGray, type Image, type Mask } from '../src/image/index.js';
import { listPhotos, readPhoto } from '../src/node/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const seeds = Number(arg('seeds', '500'));
const preset = arg('preset', 'competition') as MaskPresetName;
const dir = arg(
  'photos',
  ['../shared/photos', 'test/fixtures/photos', 'test/fixtures/photos-masks'].find((d) => existsSync(d)) ?? '',
);
const files = await listPhotos(dir);
const photos: Image[] = [];
for (const f of files) {
  const p = await readPhoto(f);
  photos.push(p.width === 512 && p.height === 512 ? p : fitImage(p, 512, 512));
}
/** The plain heuristic, for comparison: the largest region of one constant gray, holes filled. */
function baseline(input: Image): Mask {
  const { labels, sizes } = labelComponents(input, { connectivity: 8, byValue: true });
  let best = 1;
  for (let i = 1; i < sizes.length; i++) if (sizes[i] > sizes[best]) best = i;
  const m = createImage(
    input.width,
    input.height,
    1,
    Uint8Array.from(labels, (l) => (l === best ? 1 : 0)),
  ) as Mask;
  return fillHoles(m);
}
const baseIous: number[] = [];
const rows: { seed: number; photo: string; iou: number; fill: number; found: number }[] = [];
const t0 = performance.now();
for (let seed = 0; seed < seeds; seed++) {
  const k = seed % photos.length;
  const d = damage(photos[k], { seed, generator: preset });
  const det = detectLostRegionDetailed(d.input);
  baseIous.push(maskIoU(baseline(d.input), d.mask));
  rows.push({
    seed,
    photo: files[k].split('/').pop() as string,
    iou: maskIoU(det.mask, d.mask),
    fill: d.fill,
    found: det.fill,
  });
}
const ms = (performance.now() - t0) / seeds;
const ious = rows.map((r) => r.iou);
const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
console.log(
  `photos: ${photos.length} from ${dir}; seeds: ${seeds}; preset: ${preset}; ${ms.toFixed(1)} ms/image`,
);
console.log(
  `mean IoU ${mean.toFixed(5)}  min IoU ${Math.min(...ious).toFixed(5)}  under 0.95: ${ious.filter((x) => x < 0.95).length}  under 0.99: ${ious.filter((x) => x < 0.99).length}`,
);
const baseMean = baseIous.reduce((a, b) => a + b, 0) / baseIous.length;
console.log(
  `baseline (largest constant region, holes filled): mean IoU ${baseMean.toFixed(5)}  min IoU ${Math.min(...baseIous).toFixed(5)}`,
);
console.log('worst cases:');
for (const r of [...rows].sort((a, b) => a.iou - b.iou).slice(0, 10))
  console.log(
    `  seed ${r.seed}  ${r.photo}  IoU ${r.iou.toFixed(4)}  fill ${r.fill}  detected value ${r.found}`,
  );
// The same photos undamaged: any region found there is a false alarm.
const falseAlarms = files.filter((_, k) => detectLostRegionDetailed(toGray(photos[k])).found);
console.log(
  `undamaged photos: a region found in ${falseAlarms.length} of ${photos.length}` +
    (falseAlarms.length > 0 ? ` (${falseAlarms.map((f) => f.split('/').pop()).join(', ')})` : ''),
);
