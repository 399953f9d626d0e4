/** restorationReportHtml: one self-contained page with the score table, the curves and the pictures. */
import { describe, expect, it } from 'vitest';
import { createImage, grayToRgb } from '../../src/image/index.js';
import type { ImageScores } from '../../src/metrics/index.js';
import { restorationReportHtml, type EpochLog, type StepLog } from '../../src/pipeline/index.js';

const gray = createImage(8, 8, 1, new Uint8Array(64).fill(100));
const rgb = grayToRgb(gray);
const s = (score: number): ImageScores => ({ score, ssim: 0.9, maskedSsim: 0.5, histogram: 0.25 });

describe('restorationReportHtml', () => {
  it('renders the means of every method, escaped names, curves and data-URI pictures, nothing external', () => {
    const html = restorationReportHtml({
      title: 'demo <1>',
      notes: ['trained & scored'],
      methods: ['gray', 'model'],
      pictured: [1],
      photos: [
        { name: 'a.jpg', input: gray, gt: rgb, predictions: [rgb, rgb], scores: [s(0.3), s(0.5)] },
        { name: 'b.jpg', input: gray, gt: rgb, predictions: [rgb, rgb], scores: [s(0.1), s(NaN)] },
      ],
      steps: [
        { inpaintLoss: 0.1, colorizeLoss: 0.2 },
        { inpaintLoss: 0.05, colorizeLoss: 0.1 },
      ] as StepLog[],
      epochs: [{ valScore: 0.3 }, { valScore: 0.4 }] as EpochLog[],
    });
    expect(html).toContain('<title>demo &#60;1&#62;</title>');
    expect(html).toContain('trained &#38; scored');
    expect(html).toContain('<td>gray</td><td>0.2000</td><td>0.9000</td><td>0.5000</td><td>0.2500</td>');
    expect(html).toContain('<td>model (1 NaN counted as 0)</td><td>0.2500</td>');
    expect(html).toContain('best: epoch 2, 0.4000');
    expect(html.match(/<img /g)).toHaveLength(2);
    expect(html.match(/src="data:image\/png;base64,/g)).toHaveLength(2);
    expect(html.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')).not.toMatch(/https?:|src="(?!data:)/);
  });

  it('rejects photos whose predictions do not match the methods', () => {
    expect(() =>
      restorationReportHtml({
        title: 't',
        methods: ['a', 'b'],
        photos: [{ name: 'x', input: gray, gt: rgb, predictions: [rgb], scores: [s(1)] }],
      }),
    ).toThrow(/photo 'x' has 1 predictions and 1 scores for 2 methods/);
  });
});
