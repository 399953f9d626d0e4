// ESM consumer of the public API: compiled (not run) by test/package/bundle.test.ts.
import * as root from 'tfjs-restoration';
import { createImage, decodePng, encodePng, toGray, type Image } from 'tfjs-restoration/image';
import * as masks from 'tfjs-restoration/masks';
import { createRng, type Rng } from 'tfjs-restoration/random';
import {
  competitionMask,
  scoreImage,
  summarizeScores,
  type ImageScores,
  type ScoreSummary,
} from 'tfjs-restoration/metrics';

const gt: Image = createImage(
  8,
  8,
  3,
  new Uint8Array(8 * 8 * 3).map((_, i) => (i * 29) & 255),
);
const input: Image = toGray(gt);
input.data.fill(128, 0, 16);
const pred: Image = decodePng(encodePng(gt), { channels: 3 });

const scores: ImageScores = scoreImage(gt, pred, competitionMask(input, gt));
const summary: ScoreSummary = summarizeScores([scores]);
const n: number = summary.n;
const same: typeof root.toGray = toGray;
const rng: Rng = createRng(7);
const sameRng: typeof masks.createRng = createRng;
const draw: number = rng.int(0, 9) + sameRng(7).float();

export { n, same, masks, draw };
