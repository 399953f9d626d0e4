// The README's quick start, verbatim: compiled (not run) by test/package/bundle.test.ts.
import { readPng } from 'tfjs-restoration/node';
import { competitionMask, scoreImage, summarizeScores } from 'tfjs-restoration/metrics';

const gt = await readPng('gt/TEST_000.png', { channels: 3 }); // color truth
const pred = await readPng('pred/TEST_000.png', { channels: 3 }); // your restoration
const input = await readPng('input/TEST_000.png', { channels: 1 }); // the damaged gray input

const mask = competitionMask(input, gt); // 1 where the input's gray differs from the truth's gray
const scores = scoreImage(gt, pred, mask); // { score, ssim, maskedSsim, histogram }
const summary = summarizeScores([scores]); // means over images, plus n

export { summary };
