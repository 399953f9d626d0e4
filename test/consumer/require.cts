// CommonJS consumer: `require` resolves through the "require" condition to the .d.cts types.
import metrics = require('tfjs-restoration/metrics');
import root = require('tfjs-restoration');

const gray: root.Image = root.createImage(2, 2, 1);
const summary: metrics.ScoreSummary = metrics.summarizeScores([
  metrics.scoreImage(
    root.grayToRgb(gray),
    root.grayToRgb(gray),
    metrics.competitionMask(gray, root.grayToRgb(gray)),
  ),
]);

export = { summary };
