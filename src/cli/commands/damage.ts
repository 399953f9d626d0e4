import { fitImage } from '../../image/resize.js';
import { damage as damagePhoto } from '../../masks/damage.js';
import { MASK_PRESETS, type MaskPresetName } from '../../masks/generators.js';
import { createRng } from '../../random/rng.js';
import { listPhotos, readPhoto } from '../../node/photos.js';
import { findDataset, writeDataset, type DatasetSampleImages } from '../../node/dataset.js';
import type { Command } from '../command.js';
import { parseOptions } from '../../node/args.js';
import { startProgress } from '../../node/progress.js';

const USAGE = `Usage: tfjs-restoration damage --photos DIR --out DIR [--seed N] [--count N] [--size N] [--test N] [--preset NAME] [--force]

Writes a dataset in the competition layout from color photos (PNG or JPEG):
  train_input/TRAIN_00000.png   gray input with one lost region filled by a constant gray
  train_gt/TRAIN_00000.png      the color original
  train.csv                     input_image_path,gt_image_path  (./train_input/TRAIN_00000.png,./train_gt/TRAIN_00000.png)
With --test N, N more samples go to a test split:
  test_input/TEST_000.png, test.csv (header id,input_image_path: TEST_000,./test_input/TEST_000.png)
  test_gt/TEST_000.png          the originals, kept apart for scoring (not part of the competition layout)

Options:
  --photos DIR    folder of photos (.png, .jpg, .jpeg), used in name order, cycled when --count exceeds them
  --out DIR       output folder (created); one that already holds a dataset is refused unless --force
  --count N       training samples (default: the number of photos)
  --test N        test samples (default 0)
  --seed N        seed of the whole dataset (default 0); sample k uses a seed derived from it
  --size N        photos are center-cropped and resized to N x N (default 512)
  --preset NAME   mask preset: ${MASK_PRESETS.join(', ')} (default competition)
  --force         replace the dataset already in --out: its CSVs and TRAIN_*/TEST_* images are removed first`;

/** Sample seeds: the k-th draw of a generator seeded by the dataset seed (stable for a given --seed). */
function sampleSeeds(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.uint32());
}

export const damage: Command = {
  summary: 'make a competition-layout dataset of damaged photos',
  usage: USAGE,
  async run(args, io) {
    const a = parseOptions(args, {
      photos: { type: 'string', required: true, value: 'DIR' },
      out: { type: 'string', required: true, value: 'DIR' },
      seed: { type: 'int', default: 0 },
      count: { type: 'int' },
      size: { type: 'int', default: 512 },
      test: { type: 'int', default: 0 },
      preset: { type: 'string', default: 'competition' },
      force: { type: 'flag' },
    });
    const preset = a.preset as MaskPresetName;
    if (!MASK_PRESETS.includes(preset))
      throw new Error(`--preset: unknown preset '${preset}'; valid presets: ${MASK_PRESETS.join(', ')}`);
    const size = a.size;
    if (size < 16 || size > 8192) throw new Error(`--size must be in 16..8192, got ${size}`);
    const files = await listPhotos(a.photos);
    const count = a.count ?? files.length;
    const test = a.test;
    if (count < 0 || test < 0) throw new Error(`--count and --test must be >= 0, got ${count} and ${test}`);
    if (count + test === 0) throw new Error('nothing to do: --count and --test are both 0');
    if (test > 1000) throw new Error(`--test must be at most 1000 (TEST_000..TEST_999), got ${test}`);
    if (count > 100000)
      throw new Error(`--count must be at most 100000 (TRAIN_00000..TRAIN_99999), got ${count}`);
    const out = a.out;
    const found = await findDataset(out);
    if (found.length > 0 && !a.force)
      throw new Error(
        `--out ${out} already holds a dataset (${found.join(', ')}); pass --force to replace it`,
      );
    const seeds = sampleSeeds(a.seed, count + test);
    const progress = startProgress(io, 'damage', count + test);
    const cache = new Map<string, Awaited<ReturnType<typeof readPhoto>>>();
    const load = async (k: number) => {
      const file = files[k % files.length];
      let photo = cache.get(file);
      if (!photo) {
        const raw = await readPhoto(file);
        photo = raw.width === size && raw.height === size ? raw : fitImage(raw, size, size);
        if (files.length <= 256) cache.set(file, photo);
      }
      return photo;
    };
    async function* samples(from: number, to: number): AsyncGenerator<DatasetSampleImages> {
      for (let k = from; k < to; k++) yield damagePhoto(await load(k), { seed: seeds[k], generator: preset });
    }
    await writeDataset(
      out,
      { train: samples(0, count), test: samples(count, count + test) },
      { replace: Boolean(a.force), onSample: () => progress.tick() },
    );
    progress.done();
    return 0;
  },
};
