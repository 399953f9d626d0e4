/**
 * Benchmark of the classical fill (inpaintTelea) and the model-free restore (classicalRestore):
 * 1. agreement with OpenCV's cv2.inpaint(INPAINT_TELEA) (bench/inpaint_opencv.py, /usr/bin/python3) on every photo
 *    fitted to 512x512 and damaged with `damage(photo, { seed: index })`, gray and RGB (the RGB photo with the
 *    region zeroed): images equal byte for byte, share of equal samples, largest difference;
 * 2. speed: CPU ms per 512x512 image (median), gray and RGB, and on a 10% hole;
 * 3. the competition score of a stand-in held-out set (every `--every`-th photo, damaged the same way): the gray
 *    input copied as RGB, classicalRestore with the lost region found by detectLostRegion (without the original)
 *    and with the true region.
 * Run: node --import tsx bench/inpaint.ts [--photos DIR] [--radius 5] [--every 7] [--no-opencv]
 * Photos default to ../shared/photos (beside the repo) if present, else test/fixtures/photos(-masks).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createImage, fitImage, grayToRgb, inpaintTelea, type Image, type Mask } from '../src/image/index.js';
import { classicalRestore, damage, fillEllipse } from '../src/masks/index.js';
import { competitionMask, scoreImage, summarizeScores, type ImageScores } from '../src/metrics/index.js';
import { listPhotos, readPhoto } from '../src/node/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const radius = Number(arg('radius', '5'));
const every = Number(arg('every', '7'));
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
const samples = photos.map((photo, seed) => ({ photo, ...damage(photo, { seed }) }));
const rgbInputs = samples.map(({ photo, mask }) => {
  const data = photo.data.slice();
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) data.fill(0, 3 * i, 3 * i + 3);
  return createImage(photo.width, photo.height, 3, data);
});
const lostShare =
  samples.reduce((a, s) => a + s.mask.data.reduce((x, y) => x + y, 0), 0) / (samples.length * 512 * 512);
console.log(
  `photos: ${photos.length} from ${dir}, 512x512, competition damage (seed = index), mean lost share ${(100 * lostShare).toFixed(1)}%; radius ${radius}`,
);
console.log(
  `machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, Node ${process.version}`,
);

function cpuMs(run: () => void): number {
  const t = process.cpuUsage();
  run();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// 1. Agreement with OpenCV.
if (!process.argv.includes('--no-opencv')) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'inpaint-bench-'));
  try {
    const cases: {
      name: string;
      width: number;
      height: number;
      channels: number;
      image: Image;
      mask: Mask;
    }[] = [];
    samples.forEach((s, k) => {
      cases.push({ name: `gray${k}`, width: 512, height: 512, channels: 1, image: s.input, mask: s.mask });
      cases.push({
        name: `rgb${k}`,
        width: 512,
        height: 512,
        channels: 3,
        image: rgbInputs[k],
        mask: s.mask,
      });
    });
    for (const c of cases) {
      writeFileSync(join(tmp, `${c.name}.image`), c.image.data);
      writeFileSync(join(tmp, `${c.name}.mask`), c.mask.data);
    }
    writeFileSync(
      join(tmp, 'cases.json'),
      JSON.stringify(cases.map(({ name, width, height, channels }) => ({ name, width, height, channels }))),
    );
    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const info = JSON.parse(
      execFileSync(python, ['bench/inpaint_opencv.py', tmp, String(radius)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop()!,
    ) as { opencv: string };
    for (const channels of [1, 3]) {
      let images = 0;
      let exact = 0;
      let samplesTotal = 0;
      let equal = 0;
      let lostSamples = 0;
      let lostEqual = 0;
      let maxDiff = 0;
      for (const c of cases.filter((x) => x.channels === channels)) {
        const ref = new Uint8Array(readFileSync(join(tmp, `${c.name}.opencv`)));
        const out = inpaintTelea(c.image, c.mask, { radius }).data;
        let diff = 0;
        for (let i = 0; i < ref.length; i++) {
          const d = Math.abs(ref[i] - out[i]);
          const lost = c.mask.data[Math.floor(i / channels)] !== 0;
          if (lost) lostSamples++;
          if (d === 0) {
            equal++;
            if (lost) lostEqual++;
          } else diff++;
          if (d > maxDiff) maxDiff = d;
        }
        images++;
        if (diff === 0) exact++;
        samplesTotal += ref.length;
      }
      console.log(
        `OpenCV ${info.opencv} agreement, ${channels === 1 ? 'gray' : 'RGB'}: ${exact}/${images} images equal byte for byte; ` +
          `${((100 * equal) / samplesTotal).toFixed(4)}% of samples equal (${((100 * lostEqual) / lostSamples).toFixed(4)}% of lost ones); max |diff| ${maxDiff}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// 2. Speed (CPU time: robust to other load on a shared machine).
for (const [label, inputs] of [
  ['gray', samples.map((s) => s.input)],
  ['RGB', rgbInputs],
] as const) {
  const ms = inputs.map((image, k) => cpuMs(() => inpaintTelea(image, samples[k].mask, { radius })));
  console.log(
    `inpaintTelea ${label} 512x512: median ${median(ms).toFixed(1)} CPU ms, max ${Math.max(...ms).toFixed(1)}`,
  );
}
{
  // A 10% hole: one ellipse of 26214 pixels' area.
  const mask = createImage(512, 512, 1) as Mask;
  fillEllipse(mask, 256, 256, 96, 87);
  const share = mask.data.reduce((a, b) => a + b, 0) / (512 * 512);
  const gray = samples[0].input;
  const ms = Array.from({ length: 7 }, () => cpuMs(() => inpaintTelea(gray, mask, { radius })));
  console.log(
    `inpaintTelea gray 512x512, one ${(100 * share).toFixed(1)}% ellipse: median ${median(ms).toFixed(1)} CPU ms`,
  );
}

// 3. Scores on the stand-in held-out set.
const held = samples.filter((_, k) => k % every === 0);
const rows: Record<string, ImageScores[]> = {
  'gray input as RGB': [],
  'classicalRestore (detected region)': [],
  'classicalRestore (true region)': [],
};
const restoreMs: number[] = [];
for (const s of held) {
  const region = competitionMask(s.input, s.gt);
  rows['gray input as RGB'].push(scoreImage(s.gt, grayToRgb(s.input), region));
  let restored: Image = s.input;
  restoreMs.push(cpuMs(() => (restored = classicalRestore(s.input))));
  rows['classicalRestore (detected region)'].push(scoreImage(s.gt, restored, region));
  rows['classicalRestore (true region)'].push(scoreImage(s.gt, classicalRestore(s.input, s.mask), region));
}
console.log(
  `\nheld-out stand-in: ${held.length} photos (every ${every}th, seed = index); classicalRestore median ${median(restoreMs).toFixed(1)} CPU ms (detection included)`,
);
console.log('| method | score | S (ssim) | M (maskedSsim) | C (histogram) | M, NaN-free mean |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, scores] of Object.entries(rows)) {
  const m = summarizeScores(scores);
  const finite = scores.map((x) => x.maskedSsim).filter((x) => Number.isFinite(x));
  const nanFree = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN;
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
  console.log(
    `| ${name} | ${f(m.score)} | ${f(m.ssim)} | ${f(m.maskedSsim)} | ${f(m.histogram)} | ${f(nanFree)} (${finite.length}/${scores.length}) |`,
  );
}
