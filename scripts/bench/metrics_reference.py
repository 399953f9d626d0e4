"""Times the Python reference metric (skimage 0.19.3 + OpenCV 4.6) on the fixture photos, for comparison with
the TypeScript plain forms.

Run from the repo root: /usr/bin/python3 scripts/bench/metrics_reference.py [pairs=100]
Each pair: a fixture photo (512x512), a seeded noisy prediction and the lost-region mask of
scripts/goldens/metrics.py.
"""
import os
import sys
import time

import cv2
import numpy as np
from PIL import Image, ImageDraw
from skimage.metrics import structural_similarity

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'goldens'))
from metrics import REGIONS  # noqa: E402


def hue_hist(img):
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    h = cv2.calcHist([hsv], [0], None, [180], [0, 180])
    return cv2.normalize(h, h).flatten()


def score(gt, pred, mask):
    s = structural_similarity(gt, pred, channel_axis=-1, data_range=pred.max() - pred.min())
    t, p = gt[mask > 0], pred[mask > 0]
    m = structural_similarity(t, p, channel_axis=-1, data_range=p.max() - p.min())
    c = cv2.compareHist(hue_hist(gt), hue_hist(pred), cv2.HISTCMP_CORREL)
    return 0.2 * s + 0.4 * m + 0.4 * c


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    pairs = []
    for seed, (name, (poly, fill)) in enumerate(REGIONS.items(), start=1):
        gt = np.asarray(Image.open(f'test/fixtures/photos/{name}.png').convert('RGB'))
        region = Image.new('L', (gt.shape[1], gt.shape[0]), 0)
        ImageDraw.Draw(region).polygon(poly, fill=255)
        gray = np.asarray(Image.fromarray(gt).convert('L'))
        damaged = gray.copy()
        damaged[np.asarray(region) > 0] = fill
        mask = (damaged != gray).astype(np.uint8)
        noise = np.random.default_rng(seed).integers(-20, 21, gt.shape)
        pairs.append((gt, np.clip(gt.astype(int) + noise, 0, 255).astype(np.uint8), mask))
    start = time.time()
    for i in range(n):
        score(*pairs[i % len(pairs)])
    took = time.time() - start
    print(f'python reference: {n} pairs of 512x512 in {took:.2f} s ({took / n * 1000:.1f} ms per pair)')


if __name__ == '__main__':
    main()
