/**
 * `npm run bench:metrics`: scores N (default 100) generated 512x512 sets with this library and with the Python
 * reference (bench/metrics_reference.py: scikit-image + OpenCV + Pillow) on the same PNG files in the same run,
 * prints both times, the speed-up and whether the scores agree.
 *
 *   npm run bench:metrics [-- --n 100 --seed 1 --photos DIR --keep DIR --python PATH]
 *
 * Photos come from ../shared/photos (beside the repo) (JPEGs) when present, else test/fixtures/photos (PNGs, in the repo).
 * Each set is a photo (flipped/rotated by seed), a damaged gray input (one lost region filled with one gray
 * value) and a prediction perturbed from the truth. Exits 1 when the scores disagree beyond the tolerance.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createImage, toGray, type Image } from '../src/image/index.js';
import { competitionMask, scoreImage, type ImageScores } from '../src/metrics/index.js';
import { createRng } from '../src/random/rng.js';
import { listPhotos, readPhoto, readPng, writePng } from '../src/node/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED_PHOTOS = '../shared/photos';
const FIXTURE_PHOTOS = path.join(ROOT, 'test', 'fixtures', 'photos');
const SIZE = 512;
/** Largest |ours - reference| accepted for each score of each image. */
const TOLERANCE = 1e-6;

interface Set3 {
  name: string;
  gt: string;
  pred: string;
  input: string;
}
type Scored = ImageScores & { name: string };

// ---------- seeded data ----------

async function loadPhotos(dir: string): Promise<Image[]> {
  const photos: Image[] = [];
  for (const file of await listPhotos(dir)) {
    const image = await readPhoto(file);
    if (image.width !== SIZE || image.height !== SIZE)
      throw new Error(`${file}: expected ${SIZE}x${SIZE}, got ${image.width}x${image.height}`);
    photos.push(image);
  }
  return photos;
}

/** One of the 8 flips/rotations of a square RGB image. */
function orient(src: Image, k: number): Image {
  const n = src.width;
  const out = new Uint8Array(src.data.length);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let sx = k & 4 ? y : x;
      let sy = k & 4 ? x : y;
      if (k & 1) sx = n - 1 - sx;
      if (k & 2) sy = n - 1 - sy;
      const s = (sy * n + sx) * 3;
      const d = (y * n + x) * 3;
      out[d] = src.data[s];
      out[d + 1] = src.data[s + 1];
      out[d + 2] = src.data[s + 2];
    }
  return createImage(n, n, 3, out);
}

/** A lost region: an ellipse or a rectangle, 1 inside. */
function lostRegion(rand: () => number): Uint8Array {
  const region = new Uint8Array(SIZE * SIZE);
  const rx = 30 + rand() * 110;
  const ry = 30 + rand() * 110;
  const cx = rx + rand() * (SIZE - 2 * rx);
  const cy = ry + rand() * (SIZE - 2 * ry);
  const ellipse = rand() < 0.5;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      if (ellipse ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1) region[y * SIZE + x] = 1;
    }
  return region;
}

/** Box blur of an RGB image (radius r) by running sums: the lost region's stand-in fill. */
function boxBlur(src: Image, r: number): Uint8Array {
  const n = src.width;
  const tmp = new Float64Array(src.data.length);
  const out = new Uint8Array(src.data.length);
  for (let y = 0; y < n; y++)
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let x = -r; x <= r; x++) sum += src.data[(y * n + Math.min(n - 1, Math.max(0, x))) * 3 + c];
      for (let x = 0; x < n; x++) {
        tmp[(y * n + x) * 3 + c] = sum / (2 * r + 1);
        sum += src.data[(y * n + Math.min(n - 1, x + r + 1)) * 3 + c];
        sum -= src.data[(y * n + Math.max(0, x - r)) * 3 + c];
      }
    }
  for (let x = 0; x < n; x++)
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let y = -r; y <= r; y++) sum += tmp[(Math.min(n - 1, Math.max(0, y)) * n + x) * 3 + c];
      for (let y = 0; y < n; y++) {
        out[(y * n + x) * 3 + c] = Math.round(sum / (2 * r + 1));
        sum += tmp[(Math.min(n - 1, y + r + 1) * n + x) * 3 + c];
        sum -= tmp[(Math.max(0, y - r) * n + x) * 3 + c];
      }
    }
  return out;
}

/**
 * Writes `count` sets into dir/{gt,pred,input}/NNN.png. The prediction keeps a seeded share of the true color
 * over the gray, gets seeded noise, and a blurred fill in the lost region, so scores spread over a range.
 */
async function makeSets(photos: Image[], count: number, seed: number, dir: string): Promise<Set3[]> {
  // The raw mulberry32 stream of the library's one PRNG (the seed is the state, unscrambled).
  const rand = createRng(seed, { raw: true }).float;
  for (const sub of ['gt', 'pred', 'input']) await fs.mkdir(path.join(dir, sub), { recursive: true });
  const sets: Set3[] = [];
  for (let i = 0; i < count; i++) {
    const gt = orient(photos[i % photos.length], Math.floor(rand() * 8));
    const gray = toGray(gt);
    const region = lostRegion(rand);
    const fill = Math.floor(rand() * 256);
    const input = gray.data.slice();
    for (let p = 0; p < input.length; p++) if (region[p]) input[p] = fill;

    const keep = 0.2 + 0.8 * rand();
    const noise = rand() * 24;
    const blurred = boxBlur(gt, 4 + Math.floor(rand() * 12));
    const pred = new Uint8Array(gt.data.length);
    for (let p = 0, j = 0; p < region.length; p++, j += 3)
      for (let c = 0; c < 3; c++) {
        const base = region[p] ? blurred[j + c] : gray.data[p] + keep * (gt.data[j + c] - gray.data[p]);
        const v = base + (rand() - 0.5) * noise;
        pred[j + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }

    const name = `${String(i).padStart(3, '0')}.png`;
    const set = {
      name,
      gt: path.join(dir, 'gt', name),
      pred: path.join(dir, 'pred', name),
      input: path.join(dir, 'input', name),
    };
    await writePng(set.gt, gt);
    await writePng(set.pred, createImage(SIZE, SIZE, 3, pred));
    await writePng(set.input, createImage(SIZE, SIZE, 1, input));
    sets.push(set);
  }
  return sets;
}

// ---------- the two sides ----------

interface Timing {
  decodeSeconds: number;
  scoreSeconds: number;
  /** CPU time of the process (all threads), steadier than wall time on a shared machine. */
  decodeCpuSeconds: number;
  scoreCpuSeconds: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function runOurs(sets: Set3[]): Promise<Timing & { images: Scored[] }> {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const loaded = [];
  for (const s of sets)
    loaded.push({
      name: s.name,
      gt: await readPng(s.gt, { channels: 3 }),
      pred: await readPng(s.pred, { channels: 3 }),
      input: await readPng(s.input, { channels: 1 }),
    });
  const t1 = performance.now();
  const c1 = cpuSeconds();
  const images: Scored[] = [];
  for (const { name, gt, pred, input } of loaded)
    images.push({ name, ...scoreImage(gt, pred, competitionMask(input, gt)) });
  const t2 = performance.now();
  const c2 = cpuSeconds();
  return {
    decodeSeconds: (t1 - t0) / 1000,
    scoreSeconds: (t2 - t1) / 1000,
    decodeCpuSeconds: c1 - c0,
    scoreCpuSeconds: c2 - c1,
    images,
  };
}

interface Reference extends Timing {
  versions: Record<string, string>;
  images: Scored[];
}

function defaultPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Runs the Python reference; resolves to undefined (with the reason) when Python or a module is missing. */
async function runReference(sets: Set3[], dir: string, python: string): Promise<Reference | string> {
  const list = path.join(dir, 'sets.json');
  await fs.writeFile(list, JSON.stringify(sets));
  const script = path.join(ROOT, 'bench', 'metrics_reference.py');
  return new Promise((resolve) => {
    execFile(python, [script, list], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') resolve(`${python} not found`);
        else resolve(stderr.trim() || err.message);
        return;
      }
      resolve(JSON.parse(stdout) as Reference);
    });
  });
}

// ---------- report ----------

const KEYS = ['score', 'ssim', 'maskedSsim', 'histogram'] as const;

function mean(images: Scored[], key: (typeof KEYS)[number]): number {
  return images.reduce((a, s) => a + s[key], 0) / images.length;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '100' },
      seed: { type: 'string', default: '1' },
      photos: { type: 'string' },
      keep: { type: 'string' },
      python: { type: 'string' },
    },
    strict: true,
  });
  const count = Number(values.n);
  const seed = Number(values.seed);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--n: expected a positive integer, got ${values.n}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got ${values.seed}`);
  const photoDir = values.photos ?? (existsSync(SHARED_PHOTOS) ? SHARED_PHOTOS : FIXTURE_PHOTOS);
  const dir = values.keep ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'bench-metrics-')));
  let keepFiles = values.keep !== undefined;

  try {
    const photos = await loadPhotos(photoDir);
    console.log(
      `bench:metrics: ${count} sets of ${SIZE}x${SIZE} (gt RGB, pred RGB, input gray) from ${photos.length} ` +
        `photos in ${photoDir}, seed ${seed}, files in ${dir}`,
    );
    const sets = await makeSets(photos, count, seed, dir);
    const ours = await runOurs(sets);
    const ref = await runReference(sets, dir, values.python ?? defaultPython());

    const widths = [38, 10, 10, 10, 14, 10, 10];
    const head = ['', 'decode s', 'score s', 'total s', 'score ms/img', 'score cpu', 'total cpu'];
    const cells = (r: Timing) => [
      r.decodeSeconds.toFixed(3),
      r.scoreSeconds.toFixed(3),
      (r.decodeSeconds + r.scoreSeconds).toFixed(3),
      ((r.scoreSeconds * 1000) / count).toFixed(2),
      r.scoreCpuSeconds.toFixed(3),
      (r.decodeCpuSeconds + r.scoreCpuSeconds).toFixed(3),
    ];
    console.log('');
    console.log(row(head, widths));
    console.log(row([`tfjs-restoration (Node ${process.versions.node})`, ...cells(ours)], widths));
    if (typeof ref === 'string') {
      console.log(`\nPython reference not run: ${ref}. Only this library's time is shown.`);
      return 0;
    }
    console.log(
      row([`Python (skimage ${ref.versions.skimage}, cv2 ${ref.versions.cv2})`, ...cells(ref)], widths),
    );
    const x = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
    console.log(
      row(
        [
          'speed-up (Python time / ours)',
          x(ref.decodeSeconds, ours.decodeSeconds),
          x(ref.scoreSeconds, ours.scoreSeconds),
          x(ref.decodeSeconds + ref.scoreSeconds, ours.decodeSeconds + ours.scoreSeconds),
          '',
          x(ref.scoreCpuSeconds, ours.scoreCpuSeconds),
          x(ref.decodeCpuSeconds + ref.scoreCpuSeconds, ours.decodeCpuSeconds + ours.scoreCpuSeconds),
        ],
        widths,
      ),
    );
    console.log(
      '\n"score" = mask + SSIM + masked SSIM + hue histogram, decoding excluded; "total" = decoding included ' +
        '(both read the same PNGs: gt and pred as RGB, input as gray). "s" = wall seconds; "cpu" = process CPU ' +
        'seconds, steadier when the machine is shared. One process each, run one after the other.',
    );

    // Agreement, image by image.
    const byName = new Map(ref.images.map((s) => [s.name, s]));
    const maxDiff = Object.fromEntries(KEYS.map((k) => [k, 0])) as Record<(typeof KEYS)[number], number>;
    let worst = '';
    for (const s of ours.images) {
      const r = byName.get(s.name);
      if (!r) throw new Error(`reference has no score for ${s.name}`);
      for (const k of KEYS) {
        const d = Math.abs(s[k] - r[k]);
        if (!(d <= maxDiff[k])) {
          maxDiff[k] = Number.isNaN(d) ? Infinity : d;
          if (k === 'score') worst = s.name;
        }
      }
    }
    const w2 = [12, 14, 14, 12];
    console.log('');
    console.log(row(['mean', 'ours', 'Python', 'max |diff|'], w2));
    for (const k of KEYS)
      console.log(
        row(
          [k, mean(ours.images, k).toFixed(8), mean(ref.images, k).toFixed(8), maxDiff[k].toExponential(2)],
          w2,
        ),
      );
    const agree = KEYS.every((k) => maxDiff[k] <= TOLERANCE);
    console.log(
      agree
        ? `\nscores agree: every image's four scores within ${TOLERANCE.toExponential(0)} of the reference`
        : `\nscores DISAGREE beyond ${TOLERANCE.toExponential(0)} (worst score: ${worst}); files kept in ${dir}`,
    );
    keepFiles ||= !agree;
    return agree ? 0 : 1;
  } finally {
    if (!keepFiles) await fs.rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench:metrics: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
